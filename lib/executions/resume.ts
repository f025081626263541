import { z } from "zod";
import { prisma } from "../db";
import { invalid, notFound, zodDetails } from "../errors";
import { recordAudit } from "../audit/log";
import type { Prisma } from "../generated/prisma/client";
import { changeItemLimit, limitNotAboveSpend } from "../budgets/allowance";
import { lockOrgBudgets } from "../budgets/backfill";
import { settleNewBudget } from "../budgets/manage";
import { Decimal } from "../money";

// A person resumes a blocked execution (the execution page's button, `npm run admin -- execution
// resume`): it runs again, its open anomalies are resolved by that person, and detectors look for a
// new loop only in calls after this moment (Execution.resumedAt). Audit-logged in the same
// transaction. Resuming one that is not blocked changes nothing and says so.
// Who resumes: a member (actorId) or the operator's CLI (null).
//
// With a new limit (options.limitUsd), the execution's limit becomes that amount on every BLOCK
// budget of scope EXECUTION that applies to it, for their current period (or, when none does — the
// circuit breaker stopped it — a budget of its own: lib/budgets/allowance.ts). The limit must be
// above what it has spent there, or it would be blocked again by its next call.
export type TResumeResult = {
  executionId: string;
  resumed: boolean;
  resolvedAnomalies: number;
  previousReason: string | null;
  // The tightest per-execution limit after a resume with a new limit; null without one.
  limitUsd: string | null;
};

export type TResumeOptions = { limitUsd?: string | null };

// A limit as people type it: dollars with at most 6 decimals, above 0.
export const ZLimitUsd = z
  .string()
  .trim()
  .regex(/^\d{1,10}(\.\d{1,6})?$/, "must be an amount in USD, e.g. 25 or 19.99")
  .refine((v) => Number(v) > 0, "must be more than 0");

export async function resumeExecution(
  orgId: string,
  actorId: string | null,
  executionId: string,
  note?: string | null,
  options: TResumeOptions = {},
): Promise<TResumeResult> {
  const limit = options.limitUsd == null ? null : ZLimitUsd.safeParse(options.limitUsd);
  if (limit && !limit.success) throw invalid("Invalid limit", zodDetails(limit.error, ["limitUsd"]));
  let createdBudgetId: string | null = null;
  const result = await prisma().$transaction(
    async (tx) => {
      // The budget lock before the execution's row: the order ingest takes them in (no deadlock).
      if (limit) await lockOrgBudgets(tx, orgId);
      const current = await lockExecution(tx, orgId, executionId);
      if (current.status !== "BLOCKED") return { executionId, resumed: false, resolvedAnomalies: 0, previousReason: null, limitUsd: null };
      let limitUsd: string | null = null;
      if (limit) {
        const changed = await changeItemLimit(tx, { orgId, scope: "EXECUTION", item: executionId, change: { limit: limit.data }, approvalId: null, grantedBy: actorId });
        const over = changed.limits.find((l) => new Decimal(l.spentUsd).gte(l.limitUsd));
        if (over) throw limitNotAboveSpend(over.spentUsd);
        createdBudgetId = changed.createdBudgetId;
        limitUsd = changed.limitUsd;
      }
      const resumed = await resumeBlocked(tx, { orgId, actorId, executionId, previousReason: current.blockedReason, details: { ...(note ? { note } : {}), ...(limitUsd ? { limitUsd } : {}) } });
      return { ...resumed, limitUsd };
    },
    { timeout: 120_000 },
  );
  if (createdBudgetId) await settleNewBudget(orgId, createdBudgetId);
  return result;
}

export async function lockExecution(tx: Prisma.TransactionClient, orgId: string, executionId: string) {
  const rows = await tx.$queryRaw<{ status: string; blockedReason: string | null; endedAt: Date | null }[]>`
    SELECT status::text, "blockedReason", "endedAt" FROM "Execution"
     WHERE "orgId" = ${orgId} AND "executionId" = ${executionId} FOR UPDATE`;
  if (!rows[0]) throw notFound(`No execution '${executionId}'`);
  return rows[0];
}

// The resume itself, in the caller's transaction, for an execution it locked and found BLOCKED
// (an approval resumes the executions it unblocks the same way).
export async function resumeBlocked(
  tx: Prisma.TransactionClient,
  args: { orgId: string; actorId: string | null; executionId: string; previousReason: string | null; details?: Record<string, string> },
): Promise<Omit<TResumeResult, "limitUsd">> {
  const { orgId, actorId, executionId } = args;
  // An execution its client already ended goes back to done (ending a blocked one kept it blocked).
  await tx.$executeRaw`
    UPDATE "Execution" SET status = CASE WHEN "endedAt" IS NULL THEN 'RUNNING'::"ExecutionStatus" ELSE 'DONE'::"ExecutionStatus" END,
           "blockedAt" = NULL, "blockedReason" = NULL, "resumedAt" = now()
     WHERE "orgId" = ${orgId} AND "executionId" = ${executionId}`;
  const who = actorId ? `user:${actorId}` : "operator (CLI)";
  const resolvedAnomalies = await tx.$executeRaw`
    UPDATE "Anomaly" SET "resolvedAt" = now(), "resolvedBy" = ${who},
           "acknowledgedAt" = coalesce("acknowledgedAt", now()), "acknowledgedBy" = coalesce("acknowledgedBy", ${who})
     WHERE "orgId" = ${orgId} AND "executionId" = ${executionId} AND "resolvedAt" IS NULL`;
  await recordAudit(tx, {
    orgId,
    actorId,
    action: "execution.resumed",
    targetType: "execution",
    targetId: executionId,
    details: { previousReason: args.previousReason, resolvedAnomalies, ...args.details },
  });
  return { executionId, resumed: true, resolvedAnomalies, previousReason: args.previousReason };
}
