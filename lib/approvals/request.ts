import { z } from "zod";
import { keyOf } from "../alerts/notify";
import { recordAudit } from "../audit/log";
import { appBaseUrl } from "../anomalies/record";
import { ITEM_LIMIT } from "../budgets/counters";
import { BUDGET_PERIOD_AT } from "../budgets/sql";
import { prisma } from "../db";
import { kickOutbox } from "../email/outbox";
import { enqueueEmail } from "../email/outbox";
import { conflict, invalid, notFound, zodDetails } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { TAuthenticatedKey } from "../keys/authenticate";
import { Decimal } from "../money";
import { APPROVAL_COLUMNS, type TApprovalRow } from "./approval";
import { decisionUrl, signDecision } from "./decision-link";

// An agent refused by a budget or the circuit breaker asks for more (POST /api/v1/approvals):
// one row, and in the same transaction one email per budget owner with signed Approve / Deny links.
// One ask is one row and one email per recipient, however often it is sent: a repeated POST with the
// same Idempotency-Key answers the approval it made, and while an execution (or a task) has a
// pending ask, asking again answers that one — a partial unique index makes that hold under
// concurrency (the loser's insert waits for the winner's commit, then finds its row).

type TTx = Prisma.TransactionClient;

export const APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;
// The most one ask may add: a person can still raise more by asking again or on the budgets page.
export const MAX_APPROVAL_USD = "100000";

const wellFormed = (v: string) => v.isWellFormed() && !v.includes("\u0000");
const ZItem = z.string().trim().min(1).max(256).refine(wellFormed, "must be well-formed text without NUL");

// A positive amount in USD with at most 6 decimals, as a JSON number or a decimal string.
export const ZAmountAsked = z.union([z.number(), z.string().trim()]).transform((value, ctx): string => {
  const text = typeof value === "number" ? new Decimal(value).toFixed() : value;
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (!/^\d{1,12}(\.\d{1,20})?$/.test(text)) return fail(`must be a positive amount in USD, e.g. 5 or "2.50"`);
  const amount = new Decimal(text);
  if (amount.lte(0)) return fail("must be more than 0");
  if (amount.gt(MAX_APPROVAL_USD)) return fail(`must be at most ${MAX_APPROVAL_USD}`);
  if (amount.decimalPlaces() > 6) return fail("must have at most 6 decimals");
  return amount.toFixed();
});

export const ZApprovalRequest = z
  .strictObject({
    execution_id: ZItem.optional().describe("The execution that needs more (or task, not both)"),
    task: ZItem.optional().describe("The task that needs more (or execution_id, not both)"),
    amount_usd: ZAmountAsked.describe("How much more, USD: a number or a decimal string, above 0, at most 100000, ≤ 6 decimals"),
    reason: z.string().trim().min(1).max(1000).refine(wellFormed, "must be well-formed text without NUL").describe("Why, in the agent's words (≤ 1000 characters)"),
  })
  .superRefine((v, ctx) => {
    if ((v.execution_id === undefined) === (v.task === undefined)) {
      ctx.addIssue({ code: "custom", path: ["execution_id"], message: "give exactly one of execution_id or task" });
    }
  });
export type TApprovalRequest = z.infer<typeof ZApprovalRequest>;

// Idempotency-Key: printable ASCII, as Stripe's and the IETF draft's keys are.
export function parseIdempotencyKey(raw: string | string[] | undefined): string | null {
  if (raw === undefined) return null;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) throw invalid("Invalid Idempotency-Key header", [{ path: "Idempotency-Key", message: "must be 1–255 printable ASCII characters" }]);
  return value;
}

// task: the ask's task; for an execution, null — its own task is executionTask.
type TSubject = { executionId: string | null; task: string | null; executionTask: string | null; agent: string | null; spentUsd: string; blockedReason: string | null };

export async function requestApproval(
  key: Pick<TAuthenticatedKey, "id" | "orgId" | "prefix" | "name">,
  raw: unknown,
  idempotencyKey: string | null,
): Promise<{ approval: TApprovalRow; created: boolean }> {
  const parsed = ZApprovalRequest.safeParse(raw);
  if (!parsed.success) throw invalid("Invalid request body", zodDetails(parsed.error));
  const input = parsed.data;
  const result = await prisma().$transaction(async (tx) => {
    const subject = await findSubject(tx, key.orgId, input);
    if (idempotencyKey) {
      const again = await approvalBy(tx, key.orgId, `a."idempotencyKey" = $2`, idempotencyKey);
      if (again) return { approval: sameAskOrConflict(again, input), created: false };
    }
    // A pending ask past its expiry no longer holds the execution's one pending place.
    await tx.$executeRaw`
      UPDATE "Approval" SET status = 'EXPIRED'
       WHERE "orgId" = ${key.orgId} AND status = 'PENDING' AND "expiresAt" <= now()
         AND ("executionId" = ${subject.executionId} OR task = ${subject.task})`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await tx.$queryRawUnsafe<TApprovalRow[]>(
        `INSERT INTO "Approval" AS a (id, "orgId", "executionId", task, "amountUsd", reason, "requestedByKeyId", "idempotencyKey", "expiresAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4::numeric, $5, $6, $7, now() + $8 * interval '1 millisecond')
         ON CONFLICT DO NOTHING
         RETURNING ${APPROVAL_COLUMNS}`,
        key.orgId,
        subject.executionId,
        subject.task,
        input.amount_usd,
        input.reason,
        key.id,
        idempotencyKey,
        APPROVAL_TTL_MS,
      );
      if (inserted[0]) {
        await announce(tx, key, inserted[0], subject);
        return { approval: inserted[0], created: true };
      }
      // Someone else holds the place: the same Idempotency-Key, or the pending ask for this subject.
      const existing =
        (idempotencyKey ? await approvalBy(tx, key.orgId, `a."idempotencyKey" = $2`, idempotencyKey) : null) ??
        (subject.executionId
          ? await approvalBy(tx, key.orgId, `a."executionId" = $2 AND a.status = 'PENDING'`, subject.executionId)
          : await approvalBy(tx, key.orgId, `a.task = $2 AND a.status = 'PENDING'`, subject.task!));
      if (existing) return { approval: idempotencyKey && existing.idempotencyKey === idempotencyKey ? sameAskOrConflict(existing, input) : existing, created: false };
      // It was decided in between: try again.
    }
    throw conflict("This ask collided with others for the same execution; retry it.");
  });
  if (result.created) void kickOutbox().catch((err) => console.error("[approvals] outbox kick failed:", err));
  return result;
}

async function approvalBy(tx: TTx, orgId: string, where: string, value: string): Promise<TApprovalRow | null> {
  const rows = await tx.$queryRawUnsafe<TApprovalRow[]>(`SELECT ${APPROVAL_COLUMNS} FROM "Approval" a WHERE a."orgId" = $1 AND ${where}`, orgId, value);
  return rows[0] ?? null;
}

// A key reused for a different ask is the client's bug: say so rather than answer the wrong approval.
function sameAskOrConflict(row: TApprovalRow, input: TApprovalRequest): TApprovalRow {
  const same =
    row.executionId === (input.execution_id ?? null) && row.task === (input.task ?? null) && new Decimal(row.amountUsd).eq(input.amount_usd) && row.reason === input.reason;
  if (!same) throw conflict("This Idempotency-Key was used for a different ask");
  return row;
}

async function findSubject(tx: TTx, orgId: string, input: TApprovalRequest): Promise<TSubject> {
  if (input.execution_id !== undefined) {
    const rows = await tx.$queryRaw<{ agent: string | null; task: string | null; spent: string; blockedReason: string | null }[]>`
      SELECT agent, task, "costUsd"::text AS spent, "blockedReason" FROM "Execution" WHERE "orgId" = ${orgId} AND "executionId" = ${input.execution_id}`;
    if (!rows[0]) throw notFound(`No execution '${input.execution_id}'`);
    return { executionId: input.execution_id, task: null, executionTask: rows[0].task, agent: rows[0].agent, spentUsd: rows[0].spent, blockedReason: rows[0].blockedReason };
  }
  const rows = await tx.$queryRaw<{ n: number; spent: string; agent: string | null; blockedReason: string | null }[]>`
    SELECT count(*)::int AS n, coalesce(sum("costUsd"), 0)::text AS spent, min(agent) AS agent, min("blockedReason") AS "blockedReason"
      FROM "Execution" WHERE "orgId" = ${orgId} AND task = ${input.task}`;
  if (!rows[0] || rows[0].n === 0) throw notFound(`No task '${input.task}'`);
  return { executionId: null, task: input.task!, executionTask: null, agent: rows[0].agent, spentUsd: rows[0].spent, blockedReason: rows[0].blockedReason };
}

// The BLOCK budgets on the subject (an execution's and its task's, "each" or that one), with the
// tightest limit now, and who hears of the ask: those budgets' recipients — a budget with none has
// the org's owners and admins, as its alerts do — else the owners and admins.
async function announce(tx: TTx, key: Pick<TAuthenticatedKey, "orgId" | "prefix" | "name">, approval: TApprovalRow, subject: TSubject): Promise<void> {
  const orgId = key.orgId;
  const item = subject.executionId ?? subject.task!;
  const [budgets, people, orgs] = await Promise.all([
    tx.$queryRawUnsafe<{ recipients: string[]; limit: string }[]>(
      `SELECT k.recipients, ${ITEM_LIMIT("k", "k")}::text AS "limit"
         FROM (SELECT b.*, b.id AS "budgetId", CASE b.scope WHEN 'EXECUTION' THEN $2 ELSE $3 END AS "itemKey",
                      ${BUDGET_PERIOD_AT("b", "now()", "o.timezone")} AS "periodStart"
                 FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId"
                WHERE b."orgId" = $1 AND b."archivedAt" IS NULL AND b.enforcement = 'BLOCK'
                  AND ((b.scope = 'EXECUTION' AND b."scopeValue" IN ('*', $2)) OR (b.scope = 'TASK' AND b."scopeValue" IN ('*', $3)))) k`,
      orgId,
      subject.executionId,
      subject.task ?? subject.executionTask,
    ),
    tx.$queryRaw<{ email: string }[]>`
      SELECT u.email FROM "Membership" m JOIN "User" u ON u.id = m."userId"
       WHERE m."orgId" = ${orgId} AND m.role IN ('OWNER', 'ADMIN') AND u.email IS NOT NULL`,
    tx.$queryRaw<{ slug: string; name: string }[]>`SELECT slug, name FROM "Organization" WHERE id = ${orgId}`,
  ]);
  const emails = budgets.flatMap((b) => b.recipients);
  if (budgets.length === 0 || budgets.some((b) => b.recipients.length === 0)) emails.push(...people.map((p) => p.email));
  const recipients = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))].sort();
  const org = orgs[0];
  const limit = budgets.reduce<string | null>((min, b) => (min === null || new Decimal(b.limit).lt(min) ? b.limit : min), null);
  const base = appBaseUrl();
  const expiresAt = new Date(approval.expiresAt);
  for (const to of recipients) {
    await enqueueEmail(tx, {
      template: "approval-request",
      to,
      orgId,
      idempotencyKey: keyOf(`approval/${approval.id}`, to),
      payload: {
        orgName: org.name,
        subject: `${subject.executionId ? "execution" : "task"} ${item}`,
        agent: subject.agent,
        spentUsd: subject.spentUsd,
        limitUsd: limit,
        blockedReason: subject.blockedReason,
        amountUsd: approval.amountUsd,
        reason: approval.reason,
        requestedBy: `key ${key.prefix} (${key.name})`,
        expiresAt,
        approveUrl: decisionUrl(base, org.slug, approval.id, signDecision(orgId, approval.id, "approve", expiresAt)),
        denyUrl: decisionUrl(base, org.slug, approval.id, signDecision(orgId, approval.id, "deny", expiresAt)),
      },
    });
  }
  await recordAudit(tx, {
    orgId,
    actorId: null,
    action: "approval.requested",
    targetType: "approval",
    targetId: approval.id,
    details: { executionId: subject.executionId, task: subject.task, amountUsd: approval.amountUsd, keyPrefix: key.prefix, recipients },
  });
}
