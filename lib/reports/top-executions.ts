import { pool } from "../db";
import { Decimal, formatUsd } from "../money";
import { EXECUTION_SUMMARY_COLUMNS, toExecutionSummary, type TExecutionSummary } from "./executions";
import type { TFilters } from "./filters";

// The overview's most expensive executions of a range, each marked an outlier when it cost more
// than OUTLIER_FACTOR × the median execution of its agent. The median is the one the runaway
// detectors judge by (AgentBaseline, lib/anomalies/baselines.ts: the agent's last 100 finished
// executions of the last 30 days, recomputed every few minutes) — not the range on
// screen, so the mark does not come and go as the viewer narrows the range, and one row per agent
// instead of a month of its executions (the read stays flat as an org's history grows).

export const OUTLIER_FACTOR = 5;

export type TTopExecution = TExecutionSummary & {
  durationMs: number;
  // The agent's median finished execution (AgentBaseline); null when it has none yet.
  agentMedianUsd: string | null;
  // cost ÷ median, one decimal; null without a median (or a $0 one).
  timesMedian: number | null;
  outlier: boolean;
};

export async function topExpensiveExecutions(args: {
  orgId: string;
  from: Date;
  to: Date;
  now: Date;
  filters?: TFilters;
  limit?: number;
}): Promise<TTopExecution[]> {
  const filters = args.filters ?? {};
  const params: unknown[] = [args.orgId, args.from, args.to, Math.max(1, Math.floor(args.limit ?? 10))];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // Team, agent, user and repository are the execution's own; an execution's model, key and cost
  // center are those of its calls — checked on its own calls (index orgId, executionId).
  const conditions: string[] = [];
  if (filters.team) conditions.push(`e."teamId" IN (SELECT id FROM "Team" WHERE "orgId" = $1 AND slug = ${p(filters.team)})`);
  if (filters.agent) conditions.push(`e.agent = ${p(filters.agent)}`);
  if (filters.user) conditions.push(`e."userId" = ${p(filters.user)}`);
  if (filters.repository) conditions.push(`e.repository = ${p(filters.repository)}`);
  const callConditions: string[] = [];
  if (filters.model) callConditions.push(`u.model = ${p(filters.model)}`);
  if (filters.key) callConditions.push(`u."keyId" IN (SELECT id FROM "VirtualKey" WHERE "orgId" = $1 AND prefix = ${p(filters.key)})`);
  if (filters.cost_center) callConditions.push(`u."costCenterId" IN (SELECT id FROM "CostCenter" WHERE "orgId" = $1 AND code = ${p(filters.cost_center)})`);
  if (callConditions.length) {
    conditions.push(`EXISTS (SELECT 1 FROM "UsageEvent" u WHERE u."orgId" = e."orgId" AND u."executionId" = e."executionId" AND ${callConditions.join(" AND ")})`);
  }
  const sql = `
    WITH top AS (
      SELECT ${EXECUTION_SUMMARY_COLUMNS}, e."costUsd" AS cost_exact
        FROM "Execution" e
        LEFT JOIN "Team" t ON t."orgId" = e."orgId" AND t.id = e."teamId"
       WHERE e."orgId" = $1 AND e."lastSeenAt" >= $2 AND e."firstSeenAt" < $3
             ${conditions.map((c) => `AND ${c}`).join(" ")}
       ORDER BY e."costUsd" DESC, e."lastSeenAt" DESC, e."executionId"
       LIMIT $4
    )
    SELECT top.*, b."medianExecutionCostUsd"::text AS median
      FROM top LEFT JOIN "AgentBaseline" b ON b."orgId" = $1 AND b.agent = top.agent AND b."finishedExecutions" > 0
     ORDER BY top.cost_exact DESC, top.last_seen_at DESC, top.id`;
  const { rows } = await pool().query(sql, params);
  return rows.map((row) => {
    const { cost_exact, median, ...rest } = row;
    const summary = toExecutionSummary(rest, args.now);
    const cost = new Decimal(cost_exact);
    const med = median === null ? null : new Decimal(median);
    const positive = med !== null && med.gt(0);
    return {
      ...summary,
      durationMs: new Date(summary.ended_at ?? summary.last_seen_at).getTime() - new Date(summary.first_seen_at).getTime(),
      agentMedianUsd: med === null ? null : formatUsd(med.toFixed()),
      timesMedian: positive ? cost.div(med).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toNumber() : null,
      outlier: positive && cost.gt(med.times(OUTLIER_FACTOR)),
    };
  });
}
