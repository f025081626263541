import { prisma } from "../db";
import type { Prisma } from "../generated/prisma/client";
import type { OutboxStatus } from "../generated/prisma/enums";
import { emailEnv } from "./config";
import { captureEmail, EmailSendError, recipients, sendThroughResend, type TOutgoingEmail } from "./send";
import { EmailTemplateError, prepareEmail, renderTemplate, withoutSecrets, type TEmailPayload, type TEmailTemplateName } from "./templates/registry";

// The transactional outbox (DESIGN §2, §6): an email is a row written in the same transaction as
// the change that causes it, and a sender delivers due rows afterwards. Exactly once:
// - claiming is one UPDATE over rows picked with FOR UPDATE SKIP LOCKED, which also moves the row's
//   nextAttemptAt a lease ahead — two senders (two replicas) never hold the same row at once, and a
//   sender that dies mid-send leaves the row to be claimed again once the lease has passed;
// - Resend gets the row's idempotencyKey, so a re-send after "accepted but not yet marked SENT"
//   (a crash between the two) answers the first email's id instead of sending a second one;
// - without RESEND_API_KEY the dev-mailbox capture and the SENT mark commit together;
// - marking is fenced on (status PENDING, attempts as claimed): a sender whose lease ran out cannot
//   overwrite the outcome of the sender that claimed the row after it.

type TDbClient = Prisma.TransactionClient | ReturnType<typeof prisma>;

export type TEnqueueEmail<N extends TEmailTemplateName> = {
  template: N;
  to: string | string[];
  payload: TEmailPayload<N>;
  // One logical email, one key (e.g. "invitation/<id>"): enqueuing it twice stores it once, and
  // Resend deduplicates on it.
  idempotencyKey: string;
  orgId?: string | null;
};

// Call with the transaction that makes the change, then kickOutbox() after it commits.
export async function enqueueEmail<N extends TEmailTemplateName>(db: TDbClient, email: TEnqueueEmail<N>): Promise<{ id: string; status: OutboxStatus }> {
  // A payload that cannot render fails the caller's transaction now, not the email later.
  const { subject, payload } = prepareEmail(email.template, email.payload);
  if (email.idempotencyKey.length < 1 || email.idempotencyKey.length > 256) throw new Error("idempotencyKey must be 1–256 characters (Resend's limit)");
  await db.emailOutbox.createMany({
    data: {
      orgId: email.orgId ?? null,
      to: recipients(email.to),
      subject,
      template: email.template,
      payload: payload as Prisma.InputJsonValue,
      idempotencyKey: email.idempotencyKey,
    },
    skipDuplicates: true,
  });
  return db.emailOutbox.findUniqueOrThrow({ where: { idempotencyKey: email.idempotencyKey }, select: { id: true, status: true } });
}

export type TOutboxPolicy = {
  // Rows claimed per round trip.
  batchSize: number;
  // Rows handled by one drain at most (bounds a job tick and a shutdown wait).
  maxRows: number;
  // How long a claimed row stays invisible to other senders; longer than a send can take.
  leaseMs: number;
  // Attempts before a row is marked FAILED, retryable errors included.
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
};

export const OUTBOX_POLICY: TOutboxPolicy = {
  batchSize: 10,
  maxRows: 200,
  leaseMs: 120_000,
  // 10 attempts with 10 s doubling, capped at 1 h: about 1.5 h of provider outage before FAILED.
  maxAttempts: 10,
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
};

// Exponential backoff with "equal jitter": half the delay fixed, half random, so senders that failed
// together do not retry together. `attempt` is the attempt that just failed (1 = the first).
export function retryDelayMs(attempt: number, policy: Pick<TOutboxPolicy, "retryBaseMs" | "retryMaxMs"> = OUTBOX_POLICY, random = Math.random): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

type TClaimedRow = { id: string; to: string[]; subject: string; template: string; payload: unknown; attempts: number; idempotencyKey: string };

export type TDrainResult = { claimed: number; sent: number; retried: number; failed: number; superseded: number };

async function claimDue(limit: number, leaseMs: number): Promise<TClaimedRow[]> {
  return prisma().$queryRaw<TClaimedRow[]>`
    UPDATE "EmailOutbox" AS o
    SET attempts = o.attempts + 1, "nextAttemptAt" = now() + ${leaseMs}::int * interval '1 millisecond'
    FROM (
      SELECT id FROM "EmailOutbox"
      WHERE status = 'PENDING' AND "nextAttemptAt" <= now()
      ORDER BY "nextAttemptAt", id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) AS due
    WHERE o.id = due.id
    RETURNING o.id, o."to", o.subject, o.template, o.payload, o.attempts, o."idempotencyKey"`;
}

// Fenced on the claim: false when another sender has claimed the row since (our lease ran out).
async function markSent(db: TDbClient, row: TClaimedRow, providerId: string): Promise<boolean> {
  const payload = withoutSecrets(row.template, row.payload) as Prisma.InputJsonValue;
  const { count } = await db.emailOutbox.updateMany({
    where: { id: row.id, status: "PENDING", attempts: row.attempts },
    data: { status: "SENT", providerId, sentAt: new Date(), lastError: null, payload },
  });
  return count === 1;
}

async function markFailed(row: TClaimedRow, error: string): Promise<boolean> {
  const payload = withoutSecrets(row.template, row.payload) as Prisma.InputJsonValue;
  const { count } = await prisma().emailOutbox.updateMany({
    where: { id: row.id, status: "PENDING", attempts: row.attempts },
    data: { status: "FAILED", lastError: error, payload },
  });
  return count === 1;
}

async function markRetry(row: TClaimedRow, error: string, delayMs: number): Promise<boolean> {
  const count = await prisma().$executeRaw`
    UPDATE "EmailOutbox" SET "lastError" = ${error}, "nextAttemptAt" = now() + ${delayMs}::int * interval '1 millisecond'
    WHERE id = ${row.id} AND status = 'PENDING' AND attempts = ${row.attempts}`;
  return count === 1;
}

class ClaimLost extends Error {}

type TOutcome = "sent" | "retried" | "failed" | "superseded";

async function deliver(row: TClaimedRow, policy: TOutboxPolicy): Promise<TOutcome> {
  try {
    const { html, text } = await renderTemplate(row.template, row.payload);
    // The stored subject: the one decided with the change, identical on every attempt (Resend
    // refuses a repeated idempotency key with a different body).
    const email: TOutgoingEmail = { to: row.to, subject: row.subject, html, text, idempotencyKey: row.idempotencyKey };
    if (emailEnv().RESEND_API_KEY) {
      const result = await sendThroughResend(email);
      return (await markSent(prisma(), row, result.id)) ? "sent" : "superseded";
    }
    await prisma().$transaction(async (tx) => {
      const result = await captureEmail(tx, email);
      if (!(await markSent(tx, row, result.id))) throw new ClaimLost();
    });
    return "sent";
  } catch (err) {
    if (err instanceof ClaimLost) return "superseded";
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
    // Unknown errors (database hiccup while capturing, a bug) are retried: only errors known to be
    // permanent fail a row early.
    const permanent = err instanceof EmailTemplateError || (err instanceof EmailSendError && !err.retryable);
    if (permanent || row.attempts >= policy.maxAttempts) {
      const reason = permanent ? message : `${message} (gave up after ${row.attempts} attempts)`;
      console.warn(`[outbox] email ${row.id} (${row.template}) failed: ${reason}`);
      return (await markFailed(row, reason)) ? "failed" : "superseded";
    }
    return (await markRetry(row, message, retryDelayMs(row.attempts, policy))) ? "retried" : "superseded";
  }
}

// Sends every due row (up to policy.maxRows) and returns what happened. Safe to run concurrently in
// any number of processes; in one process, prefer kickOutbox(), which runs one drain at a time.
export async function drainOutbox(overrides: Partial<TOutboxPolicy> = {}): Promise<TDrainResult> {
  const policy = { ...OUTBOX_POLICY, ...overrides };
  const result: TDrainResult = { claimed: 0, sent: 0, retried: 0, failed: 0, superseded: 0 };
  while (result.claimed < policy.maxRows) {
    const rows = await claimDue(Math.min(policy.batchSize, policy.maxRows - result.claimed), policy.leaseMs);
    if (rows.length === 0) break;
    result.claimed += rows.length;
    // One at a time: a provider rate limit (Resend: a few requests per second) is the bottleneck.
    for (const row of rows) result[await deliver(row, policy)]++;
  }
  return result;
}

// In-process coordination of drains: shared through globalThis because the custom server and Next's
// bundled copy of this module run in one process (as lib/db.ts shares its pool).
type TSenderState = { running: Promise<TDrainResult> | null; requested: boolean; stopped: boolean };
const SLOT = Symbol.for("burnrate.outbox-sender");
const holder = globalThis as unknown as { [SLOT]?: TSenderState };
const sender = (): TSenderState => (holder[SLOT] ??= { running: null, requested: false, stopped: false });
const nothing = (): TDrainResult => ({ claimed: 0, sent: 0, retried: 0, failed: 0, superseded: 0 });

// Runs the sender now in this process, right after a commit that queued email (the job runner's
// tick calls it too). Kicks coalesce: one drain at a time; a kick that arrives during a drain makes
// it go round once more. Resolves, with what the drains did, once a drain that started after this
// kick has finished; never rejects (a failed drain is logged, its rows are retried later).
export function kickOutbox(): Promise<TDrainResult> {
  const state = sender();
  if (state.stopped) return Promise.resolve(nothing());
  state.requested = true;
  state.running ??= (async () => {
    const total = nothing();
    try {
      while (state.requested && !state.stopped) {
        state.requested = false;
        const result = await drainOutbox().catch((err: unknown) => {
          console.error("[outbox] drain failed:", err instanceof Error ? err.message : err);
          return nothing();
        });
        for (const k of Object.keys(total) as (keyof TDrainResult)[]) total[k] += result[k];
      }
      return total;
    } finally {
      state.running = null;
    }
  })();
  return state.running;
}

// Shutdown: no new drains; waits for the running one. Queued rows stay PENDING for the next process.
export async function stopOutboxSender(): Promise<void> {
  const state = sender();
  state.stopped = true;
  await state.running;
}

// Tests that stopped the sender start it again.
export function resumeOutboxSender(): void {
  sender().stopped = false;
}

export type TEmailStatus = { status: OutboxStatus; attempts: number; lastError: string | null; sentAt: Date | null };

// Delivery state of an org's emails by idempotency key (e.g. the members page's invitations).
export async function emailStatusByKey(orgId: string, keys: string[]): Promise<Map<string, TEmailStatus>> {
  if (keys.length === 0) return new Map();
  const rows = await prisma().emailOutbox.findMany({
    where: { orgId, idempotencyKey: { in: keys } },
    select: { idempotencyKey: true, status: true, attempts: true, lastError: true, sentAt: true },
  });
  return new Map(rows.map(({ idempotencyKey, ...status }) => [idempotencyKey, status]));
}
