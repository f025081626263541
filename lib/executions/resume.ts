import { prisma } from "../db";
import { notFound } from "../errors";
import { recordAudit } from "../audit/log";

// A person resumes a blocked execution (the execution page's button, `npm run admin -- execution
// resume`): it runs again, its open anomalies are resolved by that person, and detectors look for a
// new loop only in calls after this moment (Execution.resumedAt). Audit-logged in the same
// transaction. Resuming one that is not blocked changes nothing and says so.
// Who resumes: a member (actorId) or the operator's CLI (null).
export type TResumeResult = { executionId: string; resumed: boolean; resolvedAnomalies: number; previousReason: string | null };

export async function resumeExecution(orgId: string, actorId: string | null, executionId: string, note?: string | null): Promise<TResumeResult> {
  return prisma().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ status: string; blockedReason: string | null; endedAt: Date | null }[]>`
      SELECT status::text, "blockedReason", "endedAt" FROM "Execution"
       WHERE "orgId" = ${orgId} AND "executionId" = ${executionId} FOR UPDATE`;
    const current = rows[0];
    if (!current) throw notFound(`No execution '${executionId}'`);
    if (current.status !== "BLOCKED") return { executionId, resumed: false, resolvedAnomalies: 0, previousReason: null };
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
      details: { previousReason: current.blockedReason, resolvedAnomalies, ...(note ? { note } : {}) },
    });
    return { executionId, resumed: true, resolvedAnomalies, previousReason: current.blockedReason };
  });
}
