import { pool } from "../db";
import { formatUsd } from "../money";
import { EVENT_AT_EDGES, FILTER_DIMENSIONS, filterSql, RANGE_BOUNDS_CTE, ROLLUP_IN_RANGE, type TFilterDimension, type TFilters } from "./filters";

// The overview's ranked breakdowns: spend of the range by team, agent, model, user, repository,
// cost center and key at once — one pass over the rollups with GROUPING SETS, not seven reports.
// Each group's key is what a filter takes (slug, code, prefix, name), so a row links to the view
// filtered by it; the sums equal GET /api/v1/spend?group_by=<dimension> for the same range and filters.

export type TRankedRow = { key: string | null; costUsd: string; calls: number };
export type TRankedSpend = {
  totalUsd: string;
  calls: number;
  // Biggest first, at most `limit` rows each; `groups` counts all of them.
  dimensions: Record<TFilterDimension, { rows: TRankedRow[]; groups: number }>;
};

const COLUMNS: Record<TFilterDimension, { rollup: string; event: string; label: string }> = {
  team: { rollup: `r."teamId"`, event: `coalesce(e."teamId", '')`, label: `(SELECT slug FROM "Team" WHERE "orgId" = $1 AND id = x.k)` },
  agent: { rollup: `r.agent`, event: `coalesce(e.agent, '')`, label: `x.k` },
  model: { rollup: `r.model`, event: `coalesce(e.model, '')`, label: `x.k` },
  key: { rollup: `r."keyId"`, event: `e."keyId"`, label: `(SELECT prefix FROM "VirtualKey" WHERE "orgId" = $1 AND id = x.k)` },
  cost_center: { rollup: `r."costCenterId"`, event: `coalesce(e."costCenterId", '')`, label: `(SELECT code FROM "CostCenter" WHERE "orgId" = $1 AND id = x.k)` },
  repository: { rollup: `r.repository`, event: `coalesce(e.repository, '')`, label: `x.k` },
  user: { rollup: `r."userId"`, event: `coalesce(e."userId", '')`, label: `x.k` },
};

export async function rankedSpend(args: { orgId: string; timezone: string; from: Date; to: Date; filters?: TFilters; limit?: number }): Promise<TRankedSpend> {
  const limit = Math.max(1, Math.floor(args.limit ?? 10));
  const where = filterSql(args.filters ?? {}, 5);
  const cols = FILTER_DIMENSIONS.map((d) => `"d_${d}"`);
  const whichDim = FILTER_DIMENSIONS.map((d) => `WHEN GROUPING("d_${d}") = 0 THEN '${d}'`).join(" ");
  const whichKey = FILTER_DIMENSIONS.map((d) => `WHEN GROUPING("d_${d}") = 0 THEN "d_${d}"`).join(" ");
  const labels = FILTER_DIMENSIONS.map((d) => `WHEN '${d}' THEN ${COLUMNS[d].label}`).join(" ");
  const sql = `
    WITH ${RANGE_BOUNDS_CTE},
    src AS (
      SELECT ${FILTER_DIMENSIONS.map((d) => `${COLUMNS[d].rollup} AS "d_${d}"`).join(", ")}, r.calls, r."costUsd"
        FROM "UsageRollup" r, b WHERE ${ROLLUP_IN_RANGE}${where.rollup}
      UNION ALL
      SELECT ${FILTER_DIMENSIONS.map((d) => COLUMNS[d].event).join(", ")}, 1, e."costUsd"
        FROM "UsageEvent" e, b WHERE ${EVENT_AT_EDGES}${where.event}
    ),
    g AS (
      SELECT CASE ${whichDim} ELSE 'total' END AS dim, CASE ${whichKey} END AS k,
             sum("costUsd") AS cost, sum(calls)::bigint AS calls
        FROM src GROUP BY GROUPING SETS (${cols.map((c) => `(${c})`).join(", ")}, ())
    ),
    x AS (
      SELECT g.*, row_number() OVER (PARTITION BY dim ORDER BY cost DESC, k) AS rn, count(*) OVER (PARTITION BY dim) AS n FROM g
    )
    SELECT x.dim, CASE x.dim ${labels} END AS key, x.cost::text AS cost, x.calls, x.n
      FROM x WHERE x.rn <= ${limit} ORDER BY x.dim, x.rn`;
  const { rows } = await pool().query<{ dim: string; key: string | null; cost: string | null; calls: string | null; n: string }>(sql, [
    args.orgId,
    args.from,
    args.to,
    args.timezone,
    ...where.params,
  ]);
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
