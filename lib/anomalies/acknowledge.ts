import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { notFound } from "../errors";

// A person says "I have seen this" (the anomalies page's Acknowledge): the anomaly moves from open
// to acknowledged — it stays unresolved, and a blocked execution stays blocked until someone
// resumes it (lib/executions/resume.ts resolves it then). Audit-logged in the same transaction.
// Acknowledging one already acknowledged or resolved changes nothing and says so; an id this org
// does not have is not found, whoever else has it.
export type TAcknowledgeResult = { anomalyId: string; acknowledged: boolean };

export async function acknowledgeAnomaly(orgId: string, actorId: string, anomalyId: string, note?: string | null): Promise<TAcknowledgeResult> {
  return prisma().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ kind: string; executionId: string | null; acknowledgedAt: Date | null; resolvedAt: Date | null }[]>`
      SELECT kind::text, "executionId", "acknowledgedAt", "resolvedAt" FROM "Anomaly"
       WHERE "orgId" = ${orgId} AND id = ${anomalyId} FOR UPDATE`;
    const current = rows[0];
    if (!current) throw notFound("No such anomaly.");
    if (current.acknowledgedAt || current.resolvedAt) return { anomalyId, acknowledged: false };
    await tx.$executeRaw`
      UPDATE "Anomaly" SET "acknowledgedAt" = now(), "acknowledgedBy" = ${`user:${actorId}`}
       WHERE "orgId" = ${orgId} AND id = ${anomalyId}`;
    await recordAudit(tx, {
      orgId,
      actorId,
      action: "anomaly.acknowledged",
      targetType: "anomaly",
      targetId: anomalyId,
      details: { kind: current.kind, executionId: current.executionId, ...(note ? { note } : {}) },
    });
    return { anomalyId, acknowledged: true };
  });
}
