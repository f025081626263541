import { kickWebhooks } from "../alerts/webhooks";
import { sweepBudgets } from "../budgets/evaluate";
import { forecastBudgets } from "../budgets/forecast";
import { kickOutbox } from "../email/outbox";
import { refreshAgentBaselines } from "../anomalies/baselines";
import { sweepAnomalies } from "../anomalies/sweep";
import { expireApprovals } from "../approvals/expire";

// A background job: runs once per tick, on one replica at a time; returns a JSON-able summary.
// Jobs must be safe to run again at any moment (a tick can stop halfway through a crash).
// everyMs: run at most this often (per process; a tick that comes sooner skips it). Default: every tick.
export type TJob = { name: string; everyMs?: number; run: () => Promise<unknown> };

// Every job, in the order a tick runs them. Adding one is one line here.
export const JOBS: readonly TJob[] = [
  // Due emails: any a kick has not sent yet, and retries whose backoff has passed.
  { name: "email-outbox", run: kickOutbox },
  // Due budget-alert webhooks: any a kick has not sent yet, and retries whose backoff has passed.
  { name: "webhooks", run: kickWebhooks },
  // Level-triggered re-evaluation of every budget's current counters: an alert a crash left
  // unrecorded is recorded within a minute.
  { name: "budget-sweep", everyMs: 60_000, run: () => sweepBudgets() },
  // Forecast alerts from the period's burn rate.
  { name: "budget-forecast", everyMs: 5 * 60_000, run: () => forecastBudgets() },
  // What is normal per agent (median run cost, usual model) for COST_SPIKE and MODEL_MISUSE.
  { name: "agent-baselines", everyMs: 5 * 60_000, run: () => refreshAgentBaselines() },
  // The per-execution detectors again on recently active executions (a crash between an ingest's
  // commit and its detection loses nothing), the scope detectors (velocity, premium model), and
  // closing scope anomalies whose cause is gone.
  { name: "anomaly-sweep", everyMs: 30_000, run: () => sweepAnomalies() },
  // Pending approvals past their expiry are stored EXPIRED (they already read and act as expired).
  { name: "approval-expiry", everyMs: 60_000, run: expireApprovals },
];
