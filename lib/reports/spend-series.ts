import { pool } from "../db";
import { Decimal, formatUsd } from "../money";
import { type TFilters, type TGranularity, type TStackDimension } from "./filters";
import { LOCAL_HOUR_START } from "../rollups/buckets";
import { dimensionLabelSql, rangeBounds, spendSourceSql } from "../rollups/range";

// Spend over time for the overview's chart: one bucket per local hour (ranges up to a week) or per
// local day of the org's zone, every bucket present (a quiet hour is a $0 bucket, not a gap the
// chart would draw across), each split by the stack dimension into the top N series and "other".
// A day is the org's day: 23 hourly buckets on the spring DST day, 25 in autumn.

export type TSeriesBucket = {
  // The bucket's start, an instant; its label in the org's zone ("14:00", "Nov 3").
  start: string;
  // Series key → dollars (decimal string); every series present, "0" when it spent nothing.
  values: Record<string, string>;
  total: string;
};
export type TSpendSeries = {
  granularity: TGranularity;
  // Biggest first; key "__other" for the rest, label null for calls that name none ("no team").
  series: { key: string; label: string | null; totalUsd: string }[];
  buckets: TSeriesBucket[];
};

export const OTHER_SERIES = "__other";

export async function spendSeries(args: {
  orgId: string;
  timezone: string;
  from: Date;
  to: Date;
  granularity: TGranularity;
  stackBy: TStackDimension;
  filters?: TFilters;
  // Series drawn on their own; the rest are summed as "other".
  top?: number;
  // Empty buckets on past `to` up to here (the chart's forecast to the period's end).
  bucketsUntil?: Date;
}): Promise<TSpendSeries> {
  const top = Math.max(1, Math.floor(args.top ?? 6));
  // Rollup hours are already the org's local hours; a daily bucket is a local date (whole days read
  // from the daily level, lib/rollups/range.ts).
  const hourly = args.granularity === "hour";
  const params: unknown[] = [args.orgId, args.from, args.to, args.timezone];
  const bounds = await rangeBounds(args.from, args.to, args.timezone);
  const source = spendSourceSql({ dimension: args.stackBy }, args.filters ?? {}, params, { bounds, bucket: hourly ? "hour" : "day" });
  params.push(args.bucketsUntil && args.bucketsUntil > args.to ? args.bucketsUntil : args.to);
  const until = `$${params.length}::timestamptz`;
  // Every bucket of the range, generated in SQL so empty ones are there before the chart sees them.
  const buckets = hourly
    ? `SELECT s AS bucket, s AS start FROM generate_series(${LOCAL_HOUR_START("$2::timestamptz", "$4")}, ${until} - interval '1 millisecond', interval '1 hour') s`
    : `SELECT d AS bucket, d AT TIME ZONE $4 AS start
         FROM generate_series(date_trunc('day', $2::timestamptz AT TIME ZONE $4), (${until} - interval '1 millisecond') AT TIME ZONE $4, interval '1 day') d`;
  const sql = `
    WITH ${source},
    g AS (SELECT bucket, k, sum("costUsd") AS cost FROM src GROUP BY bucket, k),
    t AS (SELECT k, sum(cost) AS total, row_number() OVER (ORDER BY sum(cost) DESC, k) AS rn FROM g GROUP BY k),
    named AS (SELECT t.k, t.total, t.rn, CASE WHEN t.rn <= ${top} THEN t.k ELSE '${OTHER_SERIES}' END AS series, ${dimensionLabelSql(args.stackBy, "t.k")} AS label FROM t),
    bk AS (${buckets})
    SELECT 'bucket' AS what, bk.start, n.series, sum(g.cost)::text AS cost, NULL::text AS label, NULL::bigint AS rn
      FROM bk LEFT JOIN g ON g.bucket = bk.bucket LEFT JOIN named n ON n.k = g.k
     GROUP BY bk.start, n.series
    UNION ALL
    SELECT 'series', NULL, series, sum(total)::text, min(label), min(rn) FROM named GROUP BY series
     ORDER BY what, start, rn`;
  const { rows } = await pool().query<{ what: string; start: Date | null; series: string | null; cost: string | null; label: string | null; rn: string | null }>(sql, params);
  const series = rows
    .filter((r) => r.what === "series")
    .sort((a, b) => Number(a.rn) - Number(b.rn))
    .map((r) => ({
      key: r.series!,
      label: r.series === OTHER_SERIES ? "other" : r.label === "" || r.label === null ? null : r.label,
      totalUsd: formatUsd(r.cost),
    }));
  const byStart = new Map<number, TSeriesBucket>();
  for (const r of rows) {
    if (r.what !== "bucket" || !r.start) continue;
    const at = r.start.getTime();
    let bucket = byStart.get(at);
    if (!bucket) {
      bucket = { start: r.start.toISOString(), values: Object.fromEntries(series.map((s) => [s.key, "0"])), total: "0" };
      byStart.set(at, bucket);
    }
    if (r.series !== null && r.cost !== null) bucket.values[r.series] = r.cost;
  }
  const out = [...byStart.values()].sort((a, b) => a.start.localeCompare(b.start));
  for (const bucket of out) bucket.total = sumDecimalStrings(Object.values(bucket.values));
  return { granularity: args.granularity, series, buckets: out };
}

// Exact sum of a bucket's series (decimal strings), never floats.
function sumDecimalStrings(values: string[]): string {
  return formatUsd(values.reduce((acc, v) => acc.plus(v), new Decimal(0)).toFixed());
}
