import { pool } from "../db";
import { env } from "../env";

// What is normal for each agent, recomputed by a job every few minutes so that the detectors on
// ingest compare against one row (AgentBaseline) instead of reading a hundred executions per write:
//   - the median cost of its last 100 finished executions (done, failed, or silent past the idle
//     time) of the last 30 days, and how many there were — COST_SPIKE's agent_median rule;
//   - the model most of its calls used over 30 days and that share — MODEL_MISUSE.
// percentile_disc keeps the median an exact numeric (one of the executions' own costs).

// What "normal" is made of: the agent's last BASELINE_EXECUTIONS finished executions of the last
// BASELINE_WINDOW_DAYS days. The overview's outlier mark uses the same median (lib/reports/top-executions.ts).
export const BASELINE_EXECUTIONS = 100;
export const BASELINE_WINDOW_DAYS = 30;

export async function refreshAgentBaselines(orgIds?: readonly string[]): Promise<{ agents: number }> {
  const { rowCount } = await pool().query(
    `WITH orgs AS (
       SELECT id FROM "Organization" WHERE "deletedAt" IS NULL AND ($1::text[] IS NULL OR id = ANY($1::text[]))
     ),
     finished AS (
       SELECT r."orgId", r.agent, percentile_disc(0.5) WITHIN GROUP (ORDER BY r."costUsd") AS median, count(*)::int AS n
         FROM (
           SELECT e."orgId", e.agent, e."costUsd",
                  row_number() OVER (PARTITION BY e."orgId", e.agent ORDER BY e."lastSeenAt" DESC, e.id DESC) AS rn
             FROM orgs CROSS JOIN LATERAL (
               SELECT x."orgId", x.agent, x."costUsd", x."lastSeenAt", x.id FROM "Execution" x
                WHERE x."orgId" = orgs.id AND x."lastSeenAt" > now() - make_interval(days => ${BASELINE_WINDOW_DAYS}) AND x.agent IS NOT NULL
                  AND (x.status IN ('DONE', 'FAILED') OR (x.status = 'RUNNING' AND x."lastSeenAt" < now() - make_interval(mins => $2::int)))
             ) e
         ) r
        WHERE r.rn <= ${BASELINE_EXECUTIONS}
        GROUP BY 1, 2
     ),
     models AS (
       SELECT u."orgId", u.agent, u.model, sum(u.calls) AS calls
         FROM orgs JOIN "UsageRollup" u ON u."orgId" = orgs.id AND u.hour > now() - make_interval(days => ${BASELINE_WINDOW_DAYS})
        WHERE u.agent <> '' AND u.model <> ''
        GROUP BY 1, 2, 3
     ),
     usual AS (
       SELECT DISTINCT ON ("orgId", agent) "orgId", agent, model,
              (calls::float8 / sum(calls) OVER (PARTITION BY "orgId", agent)) AS share
         FROM models ORDER BY "orgId", agent, calls DESC, model
     )
     INSERT INTO "AgentBaseline" AS b ("orgId", agent, "medianExecutionCostUsd", "finishedExecutions", "usualModel", "usualModelShare", "computedAt")
     SELECT coalesce(f."orgId", u."orgId"), coalesce(f.agent, u.agent), coalesce(f.median, 0), coalesce(f.n, 0), u.model, u.share, now()
       FROM finished f FULL JOIN usual u ON u."orgId" = f."orgId" AND u.agent = f.agent
      ORDER BY 1, 2
     ON CONFLICT ("orgId", agent) DO UPDATE SET
       "medianExecutionCostUsd" = EXCLUDED."medianExecutionCostUsd", "finishedExecutions" = EXCLUDED."finishedExecutions",
       "usualModel" = EXCLUDED."usualModel", "usualModelShare" = EXCLUDED."usualModelShare", "computedAt" = now()`,
    [orgIds ?? null, env().EXECUTION_IDLE_MINUTES],
  );
  return { agents: rowCount ?? 0 };
}
