import { pool } from "../../lib/db";

// After the HTTP scenarios: the org's events, rollups and executions must agree with each other and
// with what the server accepted.
export type TConsistency = Awaited<ReturnType<typeof checkConsistency>>;

export async function checkConsistency(orgId: string, accepted: number) {
  const { rows } = await pool().query(
    `SELECT (SELECT coalesce(sum("costUsd"), 0)::text FROM "UsageEvent" WHERE "orgId" = $1) AS "eventCost",
            (SELECT coalesce(sum("costUsd"), 0)::text FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupCost",
            (SELECT count(*)::int FROM "UsageEvent" WHERE "orgId" = $1) AS "eventCount",
            (SELECT coalesce(sum(calls), 0)::int FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupCalls",
            (SELECT coalesce(sum("costUsd"), 0)::text FROM "UsageEvent" WHERE "orgId" = $1 AND "executionId" IS NOT NULL) AS "executionEventCost",
            (SELECT coalesce(sum("costUsd"), 0)::text FROM "Execution" WHERE "orgId" = $1) AS "executionCost",
            (SELECT coalesce(sum(calls), 0)::int FROM "Execution" WHERE "orgId" = $1) AS "executionCalls",
            (SELECT count(*)::int FROM "Execution" WHERE "orgId" = $1) AS "executions",
            (SELECT count(*)::int FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupRows"`,
    [orgId],
  );
  const r = rows[0] as {
    eventCost: string; rollupCost: string; eventCount: number; rollupCalls: number; executionEventCost: string;
    executionCost: string; executionCalls: number; executions: number; rollupRows: number;
  };
  const checks = {
    costEventsEqualsRollups: r.eventCost === r.rollupCost,
    countEqualsAccepted: r.eventCount === accepted,
    rollupCallsEqualsCount: r.rollupCalls === r.eventCount,
    executionCostEqualsEvents: r.executionCost === r.executionEventCost,
  };
  return { ...r, accepted, checks, ok: Object.values(checks).every(Boolean) };
}
