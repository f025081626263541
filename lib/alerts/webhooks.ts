import { prisma } from "../db";
import { retryDelayMs } from "../email/outbox";
import { SIGNATURE_HEADER, signatureHeader } from "./signature";
import { postWebhook, WebhookRequestError, type TWebhookResponse } from "./webhook-http";
import { ensureWebhookSecret } from "./webhook-secret";
import { isSlackWebhookUrl, redactWebhookUrl, webhookPolicy, type TWebhookPolicy } from "./webhook-target";

// The webhook sender: WebhookDelivery rows are queued with their alert (lib/alerts/notify.ts) and
// POSTed from here, with the email outbox's guarantees (lib/email/outbox.ts):
// - rows are claimed by one UPDATE over rows picked FOR UPDATE SKIP LOCKED, moving nextAttemptAt a
//   lease ahead: two senders (two replicas) never hold one row at once, and a row whose sender died
//   is claimed again once the lease has passed;
// - marking is fenced on (status PENDING, attempts as claimed), so a sender whose lease ran out
//   cannot overwrite the outcome of the one that claimed the row after it;
// - a crash between the receiver's 2xx and the SENT mark re-sends the row after the lease, with the
//   same Burnrate-Delivery id: receivers drop a repeat by that id (docs/api.md "Webhooks").
// Outcomes: 2xx = SENT (status kept); 408, 425, 429, 5xx, a timeout or a network error = retried with
// the outbox's capped, jittered backoff (or after Retry-After when given); a redirect or any other
// 4xx = FAILED at once with the status and the start of the answer; FAILED too after maxAttempts.

export const USER_AGENT = "Burnrate-Webhooks/1";

export type TWebhookSenderPolicy = {
  batchSize: number;
  maxRows: number;
  // Longer than a send can take (timeoutMs): a claimed row stays invisible to other senders.
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
};

export const WEBHOOK_POLICY: TWebhookSenderPolicy = {
  batchSize: 10,
  maxRows: 200,
  leaseMs: 60_000,
  // 12 attempts, 10 s doubling with jitter, capped at 1 h: about 2.5–3.5 hours of receiver outage.
  maxAttempts: 12,
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  timeoutMs: 10_000,
  maxResponseBytes: 4096,
};

export const EVENT_TYPE = { ACTUAL: "budget.threshold_reached", FORECAST: "budget.forecast_exceeded", ANOMALY: "anomaly.detected" } as const;

// The headers of one attempt. Slack's endpoint is no Burnrate receiver: it gets no signature.
export function webhookHeaders(input: { deliveryId: string; eventType: string; body: string; secret: string | null; timestampSeconds?: number }): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "Burnrate-Delivery": input.deliveryId,
    "Burnrate-Event": input.eventType,
  };
  if (input.secret) headers[SIGNATURE_HEADER] = signatureHeader(input.secret, input.body, input.timestampSeconds);
  return headers;
}

export type TAttemptOutcome =
  | { kind: "sent"; status: number }
  | { kind: "retry"; error: string; status: number | null; retryAfterMs: number | null }
  | { kind: "failed"; error: string; status: number | null };

const RETRYABLE_STATUS = new Set([408, 425, 429]);

// What an answer (or its absence) means for the delivery.
export function classifyAttempt(result: { response: TWebhookResponse } | { error: unknown }): TAttemptOutcome {
  if ("error" in result) {
    const err = result.error;
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    if (err instanceof WebhookRequestError && err.permanent) return { kind: "failed", error: message, status: null };
    return { kind: "retry", error: message, status: null, retryAfterMs: null };
  }
  const { status, excerpt, location, retryAfterMs } = result.response;
  if (status >= 200 && status < 300) return { kind: "sent", status };
  const said = excerpt ? `: ${excerpt.slice(0, 200)}` : "";
  if (status >= 500 || RETRYABLE_STATUS.has(status)) return { kind: "retry", error: `HTTP ${status}${said}`, status, retryAfterMs };
  if (status >= 300 && status < 400) {
    return { kind: "failed", error: `HTTP ${status}: redirects are not followed${location ? ` (Location: ${redactWebhookUrl(location)})` : ""}; set the final URL`, status };
  }
  return { kind: "failed", error: `HTTP ${status}${said}`, status };
}

type TClaimedRow = { id: string; orgId: string; url: string; body: string; attempts: number; kind: keyof typeof EVENT_TYPE | null; secret: string | null };

export type TWebhookDrainResult = { claimed: number; sent: number; retried: number; failed: number; superseded: number };

async function claimDue(limit: number, leaseMs: number): Promise<TClaimedRow[]> {
  return prisma().$queryRaw<TClaimedRow[]>`
    UPDATE "WebhookDelivery" AS d
    SET attempts = d.attempts + 1, "nextAttemptAt" = now() + ${leaseMs}::int * interval '1 millisecond'
    FROM (
      SELECT id FROM "WebhookDelivery"
      WHERE status = 'PENDING' AND "nextAttemptAt" <= now()
      ORDER BY "nextAttemptAt", id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) AS due
    WHERE d.id = due.id
    RETURNING d.id, d."orgId", d.url, d.body, d.attempts,
      CASE WHEN d."anomalyId" IS NOT NULL THEN 'ANOMALY' ELSE (SELECT a.kind::text FROM "BudgetAlert" a WHERE a.id = d."alertId") END AS kind,
      (SELECT o."webhookSecret" FROM "Organization" o WHERE o.id = d."orgId") AS secret`;
}

async function markSent(row: TClaimedRow, status: number): Promise<boolean> {
  const count = await prisma().$executeRaw`
    UPDATE "WebhookDelivery" SET status = 'SENT', "responseStatus" = ${status}, "sentAt" = now(), "lastError" = NULL
    WHERE id = ${row.id} AND status = 'PENDING' AND attempts = ${row.attempts}`;
  return count === 1;
}

async function markFailed(row: TClaimedRow, error: string, status: number | null): Promise<boolean> {
  const count = await prisma().$executeRaw`
    UPDATE "WebhookDelivery" SET status = 'FAILED', "lastError" = ${error}, "responseStatus" = ${status}
    WHERE id = ${row.id} AND status = 'PENDING' AND attempts = ${row.attempts}`;
  return count === 1;
}

async function markRetry(row: TClaimedRow, error: string, status: number | null, delayMs: number): Promise<boolean> {
  const count = await prisma().$executeRaw`
    UPDATE "WebhookDelivery" SET "lastError" = ${error}, "responseStatus" = ${status},
      "nextAttemptAt" = now() + ${Math.round(delayMs)}::int * interval '1 millisecond'
    WHERE id = ${row.id} AND status = 'PENDING' AND attempts = ${row.attempts}`;
  return count === 1;
}

type TOutcomeName = "sent" | "retried" | "failed" | "superseded";

async function deliver(row: TClaimedRow, policy: TWebhookSenderPolicy, target: TWebhookPolicy, signal?: AbortSignal): Promise<TOutcomeName> {
  let outcome: TAttemptOutcome;
  try {
    const slack = isSlackWebhookUrl(row.url);
    const secret = slack ? null : (row.secret ?? (await ensureWebhookSecret(row.orgId)));
    const headers = webhookHeaders({ deliveryId: row.id, eventType: EVENT_TYPE[row.kind ?? "ACTUAL"], body: row.body, secret });
    const response = await postWebhook(row.url, row.body, headers, { timeoutMs: policy.timeoutMs, maxResponseBytes: policy.maxResponseBytes, policy: target, signal });
    outcome = classifyAttempt({ response });
  } catch (error) {
    outcome = classifyAttempt({ error });
  }
  if (outcome.kind === "sent") return (await markSent(row, outcome.status)) ? "sent" : "superseded";
  if (outcome.kind === "retry" && row.attempts < policy.maxAttempts) {
    const delay = outcome.retryAfterMs !== null ? Math.min(outcome.retryAfterMs, policy.retryMaxMs) : retryDelayMs(row.attempts, policy);
    return (await markRetry(row, outcome.error, outcome.status, delay)) ? "retried" : "superseded";
  }
  const reason = outcome.kind === "retry" ? `${outcome.error} (gave up after ${row.attempts} attempts)` : outcome.error;
  console.warn(`[webhooks] delivery ${row.id} to ${redactWebhookUrl(row.url)} failed: ${reason}`);
  return (await markFailed(row, reason, outcome.status)) ? "failed" : "superseded";
}

const nothing = (): TWebhookDrainResult => ({ claimed: 0, sent: 0, retried: 0, failed: 0, superseded: 0 });

// Sends every due delivery (up to policy.maxRows). A claimed batch is sent in parallel: one slow
// receiver costs its batch at most timeoutMs, not every row behind it. Safe to run concurrently in
// any number of processes; in one process prefer kickWebhooks(). An aborted `signal` (shutdown)
// claims nothing more and cuts the requests in flight short: those rows are retried later, with the
// same Burnrate-Delivery id in case the receiver did get them.
export async function drainWebhooks(
  overrides: Partial<TWebhookSenderPolicy> = {},
  target: TWebhookPolicy = webhookPolicy(),
  signal?: AbortSignal,
): Promise<TWebhookDrainResult> {
  const policy = { ...WEBHOOK_POLICY, ...overrides };
  const result = nothing();
  while (result.claimed < policy.maxRows && !signal?.aborted) {
    const rows = await claimDue(Math.min(policy.batchSize, policy.maxRows - result.claimed), policy.leaseMs);
    if (rows.length === 0) break;
    result.claimed += rows.length;
    for (const outcome of await Promise.all(rows.map((row) => deliver(row, policy, target, signal)))) result[outcome]++;
  }
  return result;
}

// In-process coordination, as the email outbox's kickOutbox (shared through globalThis: the custom
// server and Next's bundled copy of this module run in one process).
type TSenderState = { running: Promise<TWebhookDrainResult> | null; requested: boolean; stopped: boolean; abort: AbortController };
const SLOT = Symbol.for("burnrate.webhook-sender");
const holder = globalThis as unknown as { [SLOT]?: TSenderState };
const sender = (): TSenderState => (holder[SLOT] ??= { running: null, requested: false, stopped: false, abort: new AbortController() });

// Runs the sender now in this process (after a commit that queued a delivery; the job tick calls it
// too). Kicks coalesce: one drain at a time, a kick during a drain makes it go round once more.
// Resolves once a drain that started after this kick has finished; never rejects.
export function kickWebhooks(): Promise<TWebhookDrainResult> {
  const state = sender();
  if (state.stopped) return Promise.resolve(nothing());
  state.requested = true;
  state.running ??= (async () => {
    const total = nothing();
    try {
      while (state.requested && !state.stopped) {
        state.requested = false;
        const result = await drainWebhooks({}, webhookPolicy(), state.abort.signal).catch((err: unknown) => {
          console.error("[webhooks] drain failed:", err instanceof Error ? err.message : err);
          return nothing();
        });
        for (const k of Object.keys(total) as (keyof TWebhookDrainResult)[]) total[k] += result[k];
      }
      return total;
    } finally {
      state.running = null;
    }
  })();
  return state.running;
}

// Shutdown: no new drains, requests in flight cut short (their rows are retried later, by this or
// another process); resolves when the running drain has recorded that.
export async function stopWebhookSender(): Promise<void> {
  const state = sender();
  state.stopped = true;
  state.abort.abort();
  await state.running;
}

// Tests that stopped the sender start it again.
export function resumeWebhookSender(): void {
  const state = sender();
  state.stopped = false;
  state.abort = new AbortController();
}
