import { recordAudit } from "../audit/log";
import { changeItemLimit, type TLimitChangeResult } from "../budgets/allowance";
import { lockOrgBudgets } from "../budgets/backfill";
import { settleNewBudget } from "../budgets/manage";
import { prisma } from "../db";
import { conflict, notFound } from "../errors";
import { resumeBlocked } from "../executions/resume";
import { Decimal } from "../money";
import { approvalState, findApproval, type TApprovalRow } from "./approval";
import { assertGenuineLink, type TDecisionLink } from "./decision-link";

// An owner or admin decides an approval from the emailed link (the page's confirm button posts
// here). The first decision wins, atomically: one UPDATE … WHERE status = 'PENDING' AND expiresAt >
// now(); a second click, a second person or a late one finds it decided or expired and is told so.
// Approving, in the same transaction:
//   - raises the limit by the amount asked on every BLOCK budget the subject counts against — an
//     execution's EXECUTION budgets and its task's TASK budgets; a task's TASK budgets — for their
//     current period; with none (the circuit breaker stopped it) the item gets a BLOCK budget of its
//     own at what it has spent plus the amount (lib/budgets/allowance.ts);
//   - resumes the execution (for a task: its blocked executions) — resolving open anomalies — if it
//     is now under every limit on it; still over (it overshot by more than the amount), it stays
//     blocked and the approval says so through its new limit;
//   - audits the decision with the approver.
// Denying leaves everything as it was.

export type TDecisionResult = { approval: TApprovalRow; resumed: string[]; stillOver: boolean };

export async function decideApproval(orgId: string, userId: string, approvalId: string, link: TDecisionLink): Promise<TDecisionResult> {
  assertGenuineLink(orgId, approvalId, link);
  const approve = link.decision === "approve";
  let createdBudgetIds: string[] = [];
  const outcome = await prisma().$transaction(
    async (tx) => {
      // The budget lock before any execution row: the order ingest takes them in.
      if (approve) await lockOrgBudgets(tx, orgId);
      const claimed = await tx.$queryRaw<{ executionId: string | null; task: string | null; amountUsd: string }[]>`
        UPDATE "Approval" SET status = ${approve ? "APPROVED" : "DENIED"}::"ApprovalStatus", "decidedByUserId" = ${userId}, "decidedAt" = now()
         WHERE "orgId" = ${orgId} AND id = ${approvalId} AND status = 'PENDING' AND "expiresAt" > now()
        RETURNING "executionId", task, "amountUsd"::text AS "amountUsd"`;
      const ask = claimed[0];
      if (!ask) return null;
      let resumed: string[] = [];
      let stillOver = false;
      if (approve) {
        const changes: TLimitChangeResult[] = [];
        const grant = { orgId, change: { add: ask.amountUsd }, approvalId, grantedBy: userId };
        let task = ask.task;
        if (ask.executionId) {
          changes.push(await changeItemLimit(tx, { ...grant, scope: "EXECUTION", item: ask.executionId }));
          task = (await tx.$queryRaw<{ task: string | null }[]>`SELECT task FROM "Execution" WHERE "orgId" = ${orgId} AND "executionId" = ${ask.executionId}`)[0]?.task ?? null;
          // Its task's budgets too, but only those that exist: the execution's own limit is the one made when none applies.
          if (task) changes.push(await raiseExistingTaskLimits(tx, orgId, task, ask.amountUsd, approvalId, userId));
        } else if (task) {
          changes.push(await changeItemLimit(tx, { ...grant, scope: "TASK", item: task }));
        }
        createdBudgetIds = changes.map((c) => c.createdBudgetId).filter((id): id is string => id !== null);
        const limits = changes.flatMap((c) => c.limits);
        stillOver = limits.some((l) => new Decimal(l.spentUsd).gte(l.limitUsd));
        // The subject's own limit (execution, or task) is what the agent asked about.
        const newLimit = changes[0]?.limitUsd ?? null;
        await tx.$executeRaw`UPDATE "Approval" SET "newLimitUsd" = ${newLimit}::numeric WHERE "orgId" = ${orgId} AND id = ${approvalId}`;
        if (!stillOver) resumed = await resumeSubject(tx, orgId, userId, approvalId, ask);
      }
      await recordAudit(tx, {
        orgId,
        actorId: userId,
        action: approve ? "approval.approved" : "approval.denied",
        targetType: "approval",
        targetId: approvalId,
        details: { executionId: ask.executionId, task: ask.task, amountUsd: ask.amountUsd, resumed, stillOver },
      });
      return { resumed, stillOver };
    },
    { timeout: 120_000 },
  );
  if (!outcome) throw await refusal(orgId, approvalId);
  for (const id of createdBudgetIds) await settleNewBudget(orgId, id);
  const approval = await findApproval(orgId, approvalId);
  return { approval: approval!, ...outcome };
}

// A task's TASK budgets that exist, raised for this task; none is fine (the execution has its own).
async function raiseExistingTaskLimits(tx: Parameters<typeof changeItemLimit>[0], orgId: string, task: string, add: string, approvalId: string, userId: string): Promise<TLimitChangeResult> {
  const any = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Budget" WHERE "orgId" = ${orgId} AND "archivedAt" IS NULL AND enforcement = 'BLOCK' AND scope = 'TASK' AND "scopeValue" IN ('*', ${task})`;
  if (!any[0]?.n) return { limits: [], createdBudgetId: null, limitUsd: null, underLimit: true };
  return changeItemLimit(tx, { orgId, scope: "TASK", item: task, change: { add }, approvalId, grantedBy: userId });
}

async function resumeSubject(tx: Parameters<typeof changeItemLimit>[0], orgId: string, userId: string, approvalId: string, ask: { executionId: string | null; task: string | null }): Promise<string[]> {
  const blocked = ask.executionId
    ? await tx.$queryRaw<{ executionId: string; blockedReason: string | null }[]>`
        SELECT "executionId", "blockedReason" FROM "Execution" WHERE "orgId" = ${orgId} AND "executionId" = ${ask.executionId} AND status = 'BLOCKED'
        ORDER BY "executionId" FOR UPDATE`
    : await tx.$queryRaw<{ executionId: string; blockedReason: string | null }[]>`
        SELECT "executionId", "blockedReason" FROM "Execution" WHERE "orgId" = ${orgId} AND task = ${ask.task} AND status = 'BLOCKED'
        ORDER BY "executionId" FOR UPDATE`;
  for (const e of blocked) {
    await resumeBlocked(tx, { orgId, actorId: userId, executionId: e.executionId, previousReason: e.blockedReason, details: { approvalId } });
  }
  return blocked.map((e) => e.executionId);
}

// Why a decision found nothing to decide: no such approval (in this org), already decided, expired.
async function refusal(orgId: string, approvalId: string) {
  const row = await findApproval(orgId, approvalId);
  if (!row) return notFound("No such approval");
  const state = approvalState(row);
  if (state === "expired") {
    // The first look after expiry stores it (the job would, within a minute).
    await prisma().$executeRaw`UPDATE "Approval" SET status = 'EXPIRED' WHERE "orgId" = ${orgId} AND id = ${approvalId} AND status = 'PENDING' AND "expiresAt" <= now()`;
    return conflict(`This request expired on ${new Date(row.expiresAt).toUTCString()}; the agent has to ask again.`);
  }
  return conflict(`This request was already ${state}${row.decidedAt ? ` on ${new Date(row.decidedAt).toUTCString()}` : ""}; the first decision counts.`);
}
