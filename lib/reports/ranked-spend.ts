import { pool } from "../db";
import { formatUsd } from "../money";
import { dimensionLabelSql, rangeBounds, spendSourceSql } from "../rollups/range";
import { FILTER_DIMENSIONS, type TFilterDimension, type TFilters } from "./filters";

// The overview's ranked breakdowns: spend of the range by team, agent, model, user, repository,
// cost center and key at once — one statement, each dimension from its own source
// (lib/rollups/range.ts: whole days from the daily level when no other dimension is filtered).
// Each group's key is what a filter takes (slug, code, prefix, name), so a row links to the view
// filtered by it; the sums equal GET /api/v1/spend?group_by=<dimension> for the same range and filters.

export type TRankedRow = { key: string | null; costUsd: string; calls: number };
export type TRankedSpend = {
  totalUsd: string;
  calls: number;
  // Biggest first, at most `limit` rows each; `groups` counts all of them.
  dimensions: Record<TFilterDimension, { rows: TRankedRow[]; groups: number }>;
};

export async function rankedSpend(args: { orgId: string; timezone: string; from: Date; to: Date; filters?: TFilters; limit?: number }): Promise<TRankedSpend> {
  const limit = Math.max(1, Math.floor(args.limit ?? 10));
  const params: unknown[] = [args.orgId, args.from, args.to, args.timezone];
  const bounds = await rangeBounds(args.from, args.to, args.timezone);
  const filtered = FILTER_DIMENSIONS.some((d) => args.filters?.[d]);
  let g: string;
  let sources: string;
  if (!filtered) {
    // Each dimension from its own source: whole days from the daily level (a few rows per value per day).
    sources = FILTER_DIMENSIONS.map((d) => spendSourceSql({ dimension: d }, {}, params, { bounds, name: `_${d}` })).join(",\n");
    // Every call has exactly one value per dimension: the total is any one dimension's sum (key's).
    g = `${FILTER_DIMENSIONS.map((d) => `SELECT '${d}' AS dim, k, sum("costUsd") AS cost, sum(calls)::bigint AS calls FROM src_${d} GROUP BY k`).join("\n      UNION ALL\n      ")}
      UNION ALL
      SELECT 'total', NULL, sum("costUsd"), sum(calls)::bigint FROM src_key`;
  } else {
    // Filtered: the daily level cannot split one dimension by another, so one pass over the hourly
    // rollups (and edge events) with GROUPING SETS rather than seven.
    sources = spendSourceSql({ all: true }, args.filters ?? {}, params, { bounds });
    const which = (what: (d: string) => string) => FILTER_DIMENSIONS.map((d) => `WHEN GROUPING("d_${d}") = 0 THEN ${what(d)}`).join(" ");
    g = `SELECT CASE ${which((d) => `'${d}'`)} ELSE 'total' END AS dim, CASE ${which((d) => `"d_${d}"`)} END AS k,
             sum("costUsd") AS cost, sum(calls)::bigint AS calls
        FROM src GROUP BY GROUPING SETS (${FILTER_DIMENSIONS.map((d) => `("d_${d}")`).join(", ")}, ())`;
  }
  const sql = `
    WITH ${sources},
    g AS (
      ${g}
    ),
    x AS (
      SELECT g.*, row_number() OVER (PARTITION BY dim ORDER BY cost DESC, k) AS rn, count(*) OVER (PARTITION BY dim) AS n FROM g
    )
    SELECT x.dim, CASE x.dim ${FILTER_DIMENSIONS.map((d) => `WHEN '${d}' THEN ${dimensionLabelSql(d, "x.k")}`).join(" ")} END AS key, x.cost::text AS cost, x.calls, x.n
      FROM x WHERE x.rn <= ${limit} ORDER BY x.dim, x.rn`;
  const { rows } = await pool().query<{ dim: string; key: string | null; cost: string | null; calls: string | null; n: string }>(sql, params);
  const dimensions = Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, { rows: [] as TRankedRow[], groups: 0 }])) as TRankedSpend["dimensions"];
  let totalUsd = "0.00";
  let calls = 0;
  for (const row of rows) {
    if (row.dim === "total") {
      totalUsd = formatUsd(row.cost ?? "0");
      calls = Number(row.calls ?? 0);
      continue;
    }
    const d = dimensions[row.dim as TFilterDimension];
    d.groups = Number(row.n);
    d.rows.push({ key: row.key === "" ? null : row.key, costUsd: formatUsd(row.cost), calls: Number(row.calls) });
  }
  return { totalUsd, calls, dimensions };
}
