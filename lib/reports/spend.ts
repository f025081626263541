import { z } from "zod";
import { ZUsd } from "../api/openapi";
import { pool } from "../db";
import { formatUsd } from "../money";
import { EVENT_AT_EDGES, filterSql, RANGE_BOUNDS_CTE, ROLLUP_IN_RANGE, type TFilters } from "./filters";

export const SPEND_GROUPS = ["team", "agent", "model", "user", "task", "execution", "cost_center", "repository", "key", "day"] as const;
export type TSpendGroup = (typeof SPEND_GROUPS)[number];

// How each group reads its key from a rollup row (r) and from a raw event (e). task and execution
// are not rollup dimensions (unbounded cardinality), so they are summed from the events.
const DIMENSIONS: Record<TSpendGroup, { rollup: string | null; event: string; label?: string }> = {
  team: { rollup: `r."teamId"`, event: `coalesce(e."teamId", '')`, label: `(SELECT slug FROM "Team" WHERE "orgId" = $1 AND id = g.k)` },
  cost_center: { rollup: `r."costCenterId"`, event: `coalesce(e."costCenterId", '')`, label: `(SELECT code FROM "CostCenter" WHERE "orgId" = $1 AND id = g.k)` },
  key: { rollup: `r."keyId"`, event: `e."keyId"`, label: `(SELECT prefix FROM "VirtualKey" WHERE "orgId" = $1 AND id = g.k)` },
  agent: { rollup: `r.agent`, event: `coalesce(e.agent, '')` },
  model: { rollup: `r.model`, event: `coalesce(e.model, '')` },
  user: { rollup: `r."userId"`, event: `coalesce(e."userId", '')` },
  repository: { rollup: `r.repository`, event: `coalesce(e.repository, '')` },
  day: { rollup: `to_char(r.hour AT TIME ZONE $4, 'YYYY-MM-DD')`, event: `to_char(e."occurredAt" AT TIME ZONE $4, 'YYYY-MM-DD')` },
  task: { rollup: null, event: `coalesce(e.task, '')` },
  execution: { rollup: null, event: `coalesce(e."executionId", '')` },
};

export const ZSpendGroupRow = z.strictObject({
  key: z.string().nullable().describe("The group's value (team slug, agent, model, execution id, YYYY-MM-DD in the org's zone…); null for calls that name none"),
  cost_usd: ZUsd,
  calls: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
});
export type TSpendGroupRow = z.infer<typeof ZSpendGroupRow>;

export type TSpendReport = { from: string; to: string; total_usd: string; groups: TSpendGroupRow[] };

// Exact spend over [from, to): whole hours of the org's zone from the hourly rollups, the partial
// hours at either edge from the raw events, so any range is exact to the event and cheap to read.
export async function spendReport(args: {
  orgId: string;
  timezone: string;
  from: Date;
  to: Date;
  groupBy?: TSpendGroup | null;
  limit?: number;
  // Only calls matching every filter (lib/reports/filters.ts): rollup dimensions only.
  filters?: TFilters;
}): Promise<TSpendReport> {
  const dim = args.groupBy ? DIMENSIONS[args.groupBy] : { rollup: `''`, event: `''` };
  const where = filterSql(args.filters ?? {}, 5);
  const rollupPart = dim.rollup
    ? `SELECT ${dim.rollup} AS k, r.calls, r."inputTokens", r."outputTokens", r."cacheReadTokens", r."cacheWriteTokens", r."costUsd"
         FROM "UsageRollup" r, b
        WHERE ${ROLLUP_IN_RANGE}${where.rollup}
       UNION ALL`
    : "";
  // With no rollup dimension every event in range is read; otherwise only the edges.
  const eventsWhere = dim.rollup ? EVENT_AT_EDGES : `e."orgId" = $1 AND e."occurredAt" >= b.f AND e."occurredAt" < b.t`;
  const sql = `
    WITH ${RANGE_BOUNDS_CTE},
    src AS (
      ${rollupPart}
      SELECT ${dim.event} AS k, 1 AS calls, e."inputTokens", e."outputTokens", e."cacheReadTokens", e."cacheWriteTokens", e."costUsd"
        FROM "UsageEvent" e, b
       WHERE ${eventsWhere}${where.event}
    ),
    g AS (
      SELECT k, sum("costUsd") AS cost, sum(calls)::bigint AS calls, sum("inputTokens")::bigint AS input,
             sum("outputTokens")::bigint AS output, sum("cacheReadTokens")::bigint AS cache_read,
             sum("cacheWriteTokens")::bigint AS cache_write
        FROM src GROUP BY k
    )
    SELECT ${dim.label ?? "g.k"} AS key, g.cost::text AS cost, g.calls, g.input, g.output, g.cache_read, g.cache_write,
           (sum(g.cost) OVER ())::text AS total
      FROM g ORDER BY ${args.groupBy === "day" ? "g.k" : "g.cost DESC, g.k"} ${args.limit ? `LIMIT ${Math.floor(args.limit)}` : ""}`;
  const { rows } = await pool().query(sql, [args.orgId, args.from, args.to, args.timezone, ...where.params]);
  const groups: TSpendGroupRow[] = rows.map((row) => ({
    key: row.key === "" ? null : row.key,
    cost_usd: formatUsd(row.cost),
    calls: Number(row.calls),
    input_tokens: Number(row.input),
    output_tokens: Number(row.output),
    cache_read_tokens: Number(row.cache_read),
    cache_write_tokens: Number(row.cache_write),
  }));
  return {
    from: args.from.toISOString(),
    to: args.to.toISOString(),
    total_usd: formatUsd(rows[0]?.total ?? "0"),
    groups: args.groupBy ? groups : [],
  };
}
