// The demo's anomalies come from the real detectors, replayed over its history once the events are
// stored: the per-execution rules on every execution (as ingest runs them after each write), the
// agent baselines, the median rule again with them, and the two moment-rules (velocity, premium
// model) as of the moments the generator staged. Each anomaly is dated when it happened.
import { pool } from "../../lib/db";
import { refreshAgentBaselines } from "../../lib/anomalies/baselines";
import { detectExecutionAnomalies } from "../../lib/anomalies/detect";
import { toFinding } from "../../lib/anomalies/on-ingest";
import { recordFindings } from "../../lib/anomalies/record";
import { modelMisuseFindings, velocityFindings } from "../../lib/anomalies/sweep";

export async function detectDemoAnomalies(orgId: string, moments: { velocityAt: Date; premiumAt: Date }): Promise<Record<string, number>> {
  const { rows: executions } = await pool().query<{ orgId: string; executionId: string }>(
    `SELECT "orgId", "executionId" FROM "Execution" WHERE "orgId" = $1 ORDER BY "executionId"`,
    [orgId],
  );
  await refreshAgentBaselines([orgId]);
  for (let i = 0; i < executions.length; i += 500) {
    const found = await detectExecutionAnomalies(executions.slice(i, i + 500));
    await recordFindings(found.map(toFinding));
  }
  await recordFindings(await velocityFindings([orgId], moments.velocityAt));
  await recordFindings(await modelMisuseFindings([orgId], moments.premiumAt));
  // Dated when it happened: an execution's at its last call (an ingest would have caught it then).
  await pool().query(
    `UPDATE "Anomaly" a SET "detectedAt" = e."lastSeenAt", "updatedAt" = e."lastSeenAt"
       FROM "Execution" e WHERE a."orgId" = $1 AND e."orgId" = a."orgId" AND e."executionId" = a."executionId"`,
    [orgId],
  );
  const { rows } = await pool().query<{ kind: string; n: number }>(`SELECT kind::text, count(*)::int AS n FROM "Anomaly" WHERE "orgId" = $1 GROUP BY 1 ORDER BY 1`, [orgId]);
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}
