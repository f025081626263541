import { z } from "zod";
import { ZUsd } from "../api/openapi";
import { pool } from "../db";
import { dimensionLabelSql, rangeBounds, spendSourceSql, type TRangeKey } from "../rollups/range";
import { formatUsd } from "../money";
import type { TFilters } from "./filters";

export const SPEND_GROUPS = ["team", "agent", "model", "user", "task", "execution", "cost_center", "repository", "key", "day"] as const;
export type TSpendGroup = (typeof SPEND_GROUPS)[number];

// What each group is keyed by in lib/rollups/range.ts (task and execution are not rollup
// dimensions — unbounded cardinality — so they are summed from the events).
const GROUP_KEYS: Record<TSpendGroup, TRangeKey> = {
  team: { dimension: "team" },
  cost_center: { dimension: "cost_center" },
  key: { dimension: "key" },
  agent: { dimension: "agent" },
  model: { dimension: "model" },
  user: { dimension: "user" },
  repository: { dimension: "repository" },
  day: { day: true },
  task: { eventOnly: `coalesce(e.task, '')` },
  execution: { eventOnly: `coalesce(e."executionId", '')` },
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

// Exact spend over [from, to): whole days of the org's zone from the daily level, whole hours from the
// hourly rollups, the partial hours at either edge from the raw events (lib/rollups/range.ts), so
// any range is exact to the event and cheap to read at any volume.
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
  const params: unknown[] = [args.orgId, args.from, args.to, args.timezone];
  const bounds = await rangeBounds(args.from, args.to, args.timezone);
  const key: TRangeKey | null = args.groupBy ? GROUP_KEYS[args.groupBy] : null;
  const source = spendSourceSql(key ?? { none: true }, args.filters ?? {}, params, { bounds });
  const sql = `
    WITH ${source},
    g AS (
      SELECT k, sum("costUsd") AS cost, sum(calls)::bigint AS calls, sum("inputTokens")::bigint AS input,
             sum("outputTokens")::bigint AS output, sum("cacheReadTokens")::bigint AS cache_read,
             sum("cacheWriteTokens")::bigint AS cache_write
        FROM src GROUP BY k
    )
    SELECT ${key && "dimension" in key ? dimensionLabelSql(key.dimension, "g.k") : "g.k"} AS key, g.cost::text AS cost, g.calls, g.input, g.output, g.cache_read, g.cache_write,
           (sum(g.cost) OVER ())::text AS total
      FROM g ORDER BY ${args.groupBy === "day" ? "g.k" : "g.cost DESC, g.k"} ${args.limit ? `LIMIT ${Math.floor(args.limit)}` : ""}`;
  const { rows } = await pool().query(sql, params);
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
