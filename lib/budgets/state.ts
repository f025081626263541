import { z } from "zod";
import { ZUsd } from "../api/openapi";
import { atCommonScale, formatUsd, unitsToDecimal } from "../money";

// A budget as the machine API reports it — in the ingest response (every budget the request's events
// fall under) and in GET /api/v1/budget (every budget that applies): one shape, one state rule.
//   ok        under every threshold below 100 %
//   warning   at or over one of its thresholds below 100 %
//   exceeded  at or over 100 % (the money is spent; with enforcement "block" new work is refused)
export const BUDGET_STATES = ["ok", "warning", "exceeded"] as const;
export type TBudgetState = (typeof BUDGET_STATES)[number];

export const ZBudgetStatus = z
  .strictObject({
    budget_id: z.string(),
    name: z.string().nullable(),
    scope: z.enum(["org", "team", "cost_center", "key", "agent", "user", "model", "task", "execution"]),
    // For a per-task / per-execution budget: the task or execution this counter is for.
    item: z.string().nullable(),
    period: z.enum(["day", "week", "month", "total"]),
    period_start: z.string(),
    limit_usd: ZUsd,
    spent_usd: ZUsd,
    remaining_usd: ZUsd.describe("limit − spent, never below 0.00"),
    enforcement: z.enum(["alert", "block"]),
    state: z.enum(BUDGET_STATES),
  })
  .meta({ id: "BudgetStatus" });
export type TBudgetStatus = z.infer<typeof ZBudgetStatus>;

// Exact and cheap (BigInt at the amounts' common scale, lib/money.ts): an ingest answer carries a
// status for every budget its events fall under (~100 for a batch of 100 under per-execution
// budgets); with decimal.js this was ~5 µs a status, a tenth of the server's work per event.
export function budgetState(spentUsd: string, amountUsd: string, thresholds: readonly number[]): TBudgetState {
  const [spent, amount] = atCommonScale(spentUsd, amountUsd);
  return stateOfUnits(spent, amount, thresholds);
}

function stateOfUnits(spent: bigint, amount: bigint, thresholds: readonly number[]): TBudgetState {
  if (spent >= amount) return "exceeded";
  return thresholds.some((t) => t < 100 && spent * 100n >= amount * BigInt(t)) ? "warning" : "ok";
}

// limit − spent, never below zero, exact.
const remainingOfUnits = (spent: bigint, amount: bigint, scale: number) => unitsToDecimal(amount > spent ? amount - spent : 0n, scale);

export function remainingUsd(spentUsd: string, amountUsd: string): string {
  const [spent, amount, scale] = atCommonScale(spentUsd, amountUsd);
  return remainingOfUnits(spent, amount, scale);
}


// A handful of period starts recur across an answer's statuses (and across answers), and
// toISOString was the costliest step of a status: each one formatted once (bounded, cleared when full).
const periodStartIso = new Map<number, string>();
function isoOf(d: Date): string {
  const ms = d.getTime();
  let iso = periodStartIso.get(ms);
  if (iso === undefined) {
    if (periodStartIso.size >= 256) periodStartIso.clear();
    iso = d.toISOString();
    periodStartIso.set(ms, iso);
  }
  return iso;
}

export function budgetStatus(c: {
  budgetId: string;
  periodStart: Date;
  itemKey: string;
  spentUsd: string;
  budget: { name: string | null; scope: string; period: string; amountUsd: string; enforcement: string; thresholds: number[] };
}): TBudgetStatus {
  // Both amounts parsed once for the remaining amount and the state.
  const [spent, amount, scale] = atCommonScale(c.spentUsd, c.budget.amountUsd);
  return {
    budget_id: c.budgetId,
    name: c.budget.name,
    scope: c.budget.scope.toLowerCase() as TBudgetStatus["scope"],
    item: c.budget.scope === "TASK" || c.budget.scope === "EXECUTION" ? c.itemKey : null,
    period: c.budget.period.toLowerCase() as TBudgetStatus["period"],
    period_start: isoOf(c.periodStart),
    limit_usd: formatUsd(c.budget.amountUsd),
    spent_usd: formatUsd(c.spentUsd),
    remaining_usd: formatUsd(remainingOfUnits(spent, amount, scale)),
    enforcement: c.budget.enforcement === "BLOCK" ? "block" : "alert",
    state: stateOfUnits(spent, amount, c.budget.thresholds),
  };
}

// Worst first, for an execution's state: exceeded beats warning beats ok.
const RANK: Record<TBudgetState, number> = { ok: 0, warning: 1, exceeded: 2 };
export function worstState(states: TBudgetState[]): TBudgetState {
  return states.reduce<TBudgetState>((worst, s) => (RANK[s] > RANK[worst] ? s : worst), "ok");
}
