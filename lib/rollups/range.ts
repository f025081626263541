import { pool } from "../db";
import { LOCAL_HOUR_START } from "./buckets";
import { DAILY_DIMENSIONS, type TDailyDimension } from "./daily";

// Where spend over [from, to) is read from, exact to the event and cheap at any volume: whole
// org-local days from the daily level (one row per value per day), the whole hours around them
// from the hourly level, the partial hours at either edge from the events themselves (each edge
// an index range scan on (orgId, occurredAt) — never the range's events in between).
//
//   from ─ events ─ hf ─ hourly ─ df ═══ daily ═══ dt ─ hourly ─ ht ─ events ─ to
//
// The single-dimension levels (UsageDaily, UsageHourly) hold one dimension at a time, so they serve
// a grouping by that dimension (or by day, or none) filtered by at most that same dimension: a few
// rows per value per day or hour. Any other shape (a filter on one dimension grouped by another,
// every dimension at once) reads the hourly rollups by attribution (UsageRollup) for every whole
// hour instead, days included. Hourly buckets never read the daily level.
//
// An edge's partial hour is read from whichever side of its hour holds less: the events from the
// edge to the range, or the whole hour's rollup minus the events on the far side of the edge (same
// statement, same snapshot, so still exact). A range that runs to now reads its last hour as the
// hour's rollup minus the events dated after now — almost always none — instead of every event of
// the hour so far, which grows with volume and was read by each of the overview's reads.

export type TRangeKey =
  // a dimension of both levels, as the rollups store it ("" for none)
  | { dimension: TDailyDimension }
  // the org-local calendar day, YYYY-MM-DD
  | { day: true }
  // one group
  | { none: true }
  // only the events have it (task, execution): every event of the range is read
  | { eventOnly: string }
  // every dimension at once, as columns d_team, d_agent, … (for GROUPING SETS); never daily
  | { all: true };

// Filters as people name things (lib/reports/filters.ts): a team by its slug, a cost center by its
// code, a key by its prefix, the rest by value. Resolved to stored ids in the statement, within the
// org ($1).
export type TRangeFilter = Partial<Record<TDailyDimension, string>>;

const HOURLY_COLUMN: Record<TDailyDimension, string> = {
  team: `r."teamId"`,
  agent: "r.agent",
  model: "r.model",
  user: `r."userId"`,
  repository: "r.repository",
  cost_center: `r."costCenterId"`,
  key: `r."keyId"`,
};
const EVENT_COLUMN: Record<TDailyDimension, string> = {
  team: `coalesce(e."teamId", '')`,
  agent: "coalesce(e.agent, '')",
  model: "coalesce(e.model, '')",
  user: `coalesce(e."userId", '')`,
  repository: "coalesce(e.repository, '')",
  cost_center: `coalesce(e."costCenterId", '')`,
  key: `e."keyId"`,
};
// Teams, cost centers and keys are stored by id and named by people by slug / code / prefix.
// `unique`: at most one row per org has that name (a scalar subquery may stand for it).
const NAMED: Partial<Record<TDailyDimension, { table: string; column: string; unique: boolean }>> = {
  team: { table: "Team", column: "slug", unique: true },
  cost_center: { table: "CostCenter", column: "code", unique: true },
  key: { table: "VirtualKey", column: "prefix", unique: false },
};
const NAMED_BY: Partial<Record<TDailyDimension, string>> = Object.fromEntries(
  Object.entries(NAMED).map(([d, n]) => [d, `SELECT id FROM "${n.table}" WHERE "orgId" = $1 AND ${n.column} = `]),
);

// The name people know a dimension's stored value `k` by (the value itself when it is a name), for
// the org $1 — what a filter takes back.
export function dimensionLabelSql(dimension: TDailyDimension, k: string): string {
  const n = NAMED[dimension];
  return n ? `(SELECT ${n.column} FROM "${n.table}" WHERE "orgId" = $1 AND id = ${k})` : k;
}

// A name that is unique in the org is compared as one value (`= (subquery)`): Postgres then checks
// it inside an index scan of the rollups (whose key holds team and cost center) instead of
// fetching every row of the range and filtering — a team's month on the seed:large org read 751
// heap pages for 2,579 of 20,860 rows.
const matches = (column: string, dimension: TDailyDimension, p: string) =>
  !NAMED_BY[dimension] ? `${column} = ${p}` : NAMED[dimension]!.unique ? `${column} = (${NAMED_BY[dimension]}${p})` : `${column} = ANY(ARRAY(${NAMED_BY[dimension]}${p}))`;

// The cut points of [from, to) in the org's zone, computed before the read so the planner sees plain
// instants: with bounds it must guess (a CTE) it planned a filtered read as a scan of the org's
// events (4.6 s on the seed:large org) instead of two short index ranges.
// `fromHour` / `toHourEnd`: set when that edge is read as its whole hour [fromHour, hf) or
// [ht, toHourEnd) minus the events of [fromHour, f) or [t, toHourEnd) — the smaller side.
export type TRangeBounds = {
  f: Date;
  hf: Date;
  df: Date;
  dt: Date;
  ht: Date;
  t: Date;
  dfDay: string;
  dtDay: string;
  fromHour: Date | null;
  toHourEnd: Date | null;
};

// A range whose end is this close to the database's clock runs to now: after it come only events
// dated in the future.
const RUNS_TO_NOW = "interval '1 minute'";

// f ≤ hf ≤ df ≤ dt ≤ ht ≤ t, each clamped into the one before, so the five parts never overlap:
// hf / ht the first and last local hour boundaries inside the range, df / dt the first and last
// local midnights inside [hf, ht].
export async function rangeBounds(from: Date, to: Date, timezone: string): Promise<TRangeBounds> {
  const localMidnight = (ts: string) => `(date_trunc('day', ${ts} AT TIME ZONE $3) AT TIME ZONE $3)`;
  const { rows } = await pool().query(
    `SELECT f, t, hf, ht, df, dt, to_char(df AT TIME ZONE $3, 'YYYY-MM-DD') AS "dfDay", to_char(dt AT TIME ZONE $3, 'YYYY-MM-DD') AS "dtDay",
            -- The start edge [f, hf) is a true partial hour (not clamped to t) nearer its hour's start.
            CASE WHEN fh < f AND hf = fh + interval '1 hour' AND f - fh < hf - f THEN fh END AS "fromHour",
            -- The end edge [ht, t) is a true partial hour (not clamped to hf) nearer its hour's end, or runs to now.
            CASE WHEN ht < t AND th = ht AND ${LOCAL_HOUR_START("(ht + interval '1 hour')", "$3")} = ht + interval '1 hour'
                      AND (ht + interval '1 hour' - t < t - ht OR t >= statement_timestamp() - ${RUNS_TO_NOW})
                 THEN ht + interval '1 hour' END AS "toHourEnd"
       FROM (SELECT f, t, fh, th, hf, ht, df, greatest(least(${localMidnight("t")}, ht), df) AS dt
               FROM (SELECT f, t, fh, th, hf, ht,
                            greatest(least(CASE WHEN ${localMidnight("f")} < f THEN ((date_trunc('day', f AT TIME ZONE $3) + interval '1 day') AT TIME ZONE $3) ELSE f END, ht), hf) AS df
                       FROM (SELECT f, t, fh, th, hf, greatest(th, hf) AS ht
                               FROM (SELECT $1::timestamptz AS f, $2::timestamptz AS t,
                                            ${LOCAL_HOUR_START("$1::timestamptz", "$3")} AS fh,
                                            least(CASE WHEN ${LOCAL_HOUR_START("$1::timestamptz", "$3")} < $1::timestamptz
                                                       THEN ${LOCAL_HOUR_START(`($1::timestamptz + interval '1 hour')`, "$3")}
                                                       ELSE $1::timestamptz END, $2::timestamptz) AS hf,
                                            ${LOCAL_HOUR_START("$2::timestamptz", "$3")} AS th) raw) hours) days) cut`,
    [from, to, timezone],
  );
  return rows[0] as TRangeBounds;
}

export type TSourceOptions = {
  bounds: TRangeBounds;
  // Adds a `bucket` column: the org-local hour (an instant) or the org-local day (a local
  // timestamp at midnight). Hourly buckets never read the daily level.
  bucket?: "hour" | "day";
  // Suffix of the CTE's name (src<name>), to read several sources in one statement.
  name?: string;
};

// SQL for a CTE `src` (k, calls, errors, "inputTokens", "outputTokens",
// "cacheReadTokens", "cacheWriteTokens", "costUsd", unpriced — one row per stored row read, plus
// `bucket` when asked). The caller's parameters: $1 org id, $2 from, $3 to, $4 the org's time zone;
// filter values are appended to `params` and referenced by number. Every row has calls > 0.
export function spendSourceSql(key: TRangeKey, filter: TRangeFilter, params: unknown[], options: TSourceOptions): string {
  const at = (value: Date | string, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const filters = DAILY_DIMENSIONS.filter((d) => filter[d] !== undefined && filter[d] !== "").map((d) => {
    params.push(filter[d]);
    return { dimension: d, p: `$${params.length}` };
  });
  const hourlyWhere = filters.map(({ dimension, p }) => `AND ${matches(HOURLY_COLUMN[dimension], dimension, p)}`).join(" ");
  const eventWhere = filters.map(({ dimension, p }) => `AND ${matches(EVENT_COLUMN[dimension], dimension, p)}`).join(" ");

  // The one dimension whose single-dimension levels can serve this read, if any.
  const levelDimension: TDailyDimension | null =
    "eventOnly" in key || "all" in key
      ? null
      : "dimension" in key
        ? filters.every((f) => f.dimension === key.dimension)
          ? key.dimension
          : null
        : filters.length === 0
          ? "key"
          : filters.length === 1
            ? filters[0].dimension
            : null;
  const dailyDimension = options.bucket === "hour" ? null : levelDimension;
  const levelWhere = (alias: string) => filters.map(({ dimension, p }) => `AND ${matches(`${alias}.value`, dimension, p)}`).join(" ");

  const allColumns = (column: Record<TDailyDimension, string>) => DAILY_DIMENSIONS.map((d) => `${column[d]} AS "d_${d}"`).join(", ");
  const k = {
    daily: "dimension" in key ? "d.value" : "day" in key ? `to_char(d.day, 'YYYY-MM-DD')` : `''`,
    hourlyLevel: "dimension" in key ? "h.value" : "day" in key ? `to_char(h.hour AT TIME ZONE $4, 'YYYY-MM-DD')` : `''`,
    hourly: "dimension" in key ? HOURLY_COLUMN[key.dimension] : "day" in key ? `to_char(r.hour AT TIME ZONE $4, 'YYYY-MM-DD')` : `''`,
    event:
      "dimension" in key
        ? EVENT_COLUMN[key.dimension]
        : "day" in key
          ? `to_char(e."occurredAt" AT TIME ZONE $4, 'YYYY-MM-DD')`
          : "eventOnly" in key
            ? key.eventOnly
            : `''`,
  };
  const bucket = {
    daily: options.bucket ? `, d.day::timestamp AS bucket` : "",
    hourly: options.bucket === "hour" ? `, r.hour AS bucket` : options.bucket === "day" ? `, date_trunc('day', r.hour AT TIME ZONE $4) AS bucket` : "",
    hourlyLevel: options.bucket === "hour" ? `, h.hour AS bucket` : options.bucket === "day" ? `, date_trunc('day', h.hour AT TIME ZONE $4) AS bucket` : "",
    event:
      options.bucket === "hour"
        ? `, ${LOCAL_HOUR_START(`e."occurredAt"`, "$4")} AS bucket`
        : options.bucket === "day"
          ? `, date_trunc('day', e."occurredAt" AT TIME ZONE $4) AS bucket`
          : "",
  };
  const measures = (t: string) =>
    `${t}.calls, ${t}.errors, ${t}."inputTokens", ${t}."outputTokens", ${t}."cacheReadTokens", ${t}."cacheWriteTokens", ${t}."costUsd", ${t}."unpricedCalls" AS unpriced`;
  // `sign` -1: events taken back out of an hour's rollup (an edge read from the far side).
  const eventMeasures = (sign: "" | "-") =>
    `${sign}1 AS calls, ${sign}(e.status = 'ERROR')::int AS errors, ${["inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd"].map((c) => `${sign}e."${c}" AS "${c}"`).join(", ")}, ${sign}(e."costSource" = 'UNPRICED')::int AS unpriced`;
  const events = (lower: string, upper: string, sign: "" | "-" = "") =>
    `SELECT ${"all" in key ? allColumns(EVENT_COLUMN) : `${k.event} AS k`}, ${eventMeasures(sign)}${bucket.event} FROM "UsageEvent" e
      WHERE e."orgId" = $1 AND e."occurredAt" >= ${lower} AND e."occurredAt" < ${upper} ${eventWhere}`;
  const hourly = (lower: string, upper: string) =>
    levelDimension
      ? `SELECT ${k.hourlyLevel} AS k, ${measures("h")}${bucket.hourlyLevel} FROM "UsageHourly" h
          WHERE h."orgId" = $1 AND h.dimension = '${levelDimension}' AND h.hour >= ${lower} AND h.hour < ${upper} ${levelWhere("h")}`
      : `SELECT ${"all" in key ? allColumns(HOURLY_COLUMN) : `${k.hourly} AS k`}, ${measures("r")}${bucket.hourly} FROM "UsageRollup" r
          WHERE r."orgId" = $1 AND r.hour >= ${lower} AND r.hour < ${upper} ${hourlyWhere}`;

  const { bounds } = options;
  const src = `src${options.name ?? ""}`;
  // Declares the caller's parameters' types whether or not this read needs each (never executed).
  const declared = `args${options.name ?? ""} AS (SELECT $1::text AS org, $2::timestamptz AS f, $3::timestamptz AS t, $4::text AS zone)`;
  if ("eventOnly" in key) {
    return `${declared}, ${src} AS (${events("$2::timestamptz", "$3::timestamptz")})`;
  }
  // An edge read from its far side: its hour's rollup less the events beyond the edge, netted here
  // per group, so a value those events cancel out entirely leaves no row — every row of `src` has
  // calls > 0, as it would read from the events themselves.
  const groupColumns = "all" in key ? DAILY_DIMENSIONS.map((d) => `"d_${d}"`).join(", ") : "k";
  const bucketColumn = options.bucket ? ", bucket" : "";
  const farSide = (hourFrom: string, hourTo: string, eventsFrom: string, eventsTo: string) =>
    `SELECT ${groupColumns}, sum(calls) AS calls, sum(errors) AS errors, sum("inputTokens") AS "inputTokens", sum("outputTokens") AS "outputTokens",
            sum("cacheReadTokens") AS "cacheReadTokens", sum("cacheWriteTokens") AS "cacheWriteTokens", sum("costUsd") AS "costUsd", sum(unpriced) AS unpriced${bucketColumn}
       FROM (${hourly(hourFrom, hourTo)}
             UNION ALL
             ${events(eventsFrom, eventsTo, "-")}) edge
      GROUP BY ${groupColumns}${bucketColumn} HAVING sum(calls) > 0`;
  const hf = at(bounds.hf, "timestamptz");
  const ht = at(bounds.ht, "timestamptz");
  const fh = bounds.fromHour ? at(bounds.fromHour, "timestamptz") : null;
  const parts = [fh ? farSide(fh, hf, fh, "$2::timestamptz") : events("$2::timestamptz", hf)];
  if (dailyDimension && bounds.df < bounds.dt) {
    const df = at(bounds.df, "timestamptz");
    const dt = at(bounds.dt, "timestamptz");
    parts.push(
      hourly(hf, df),
      `SELECT ${k.daily} AS k, ${measures("d")}${bucket.daily} FROM "UsageDaily" d
        WHERE d."orgId" = $1 AND d.dimension = '${dailyDimension}' AND d.day >= ${at(bounds.dfDay, "date")} AND d.day < ${at(bounds.dtDay, "date")} ${levelWhere("d")}`,
      hourly(dt, ht),
    );
  } else {
    parts.push(hourly(hf, ht));
  }
  if (bounds.toHourEnd) {
    const te = at(bounds.toHourEnd, "timestamptz");
    parts.push(farSide(ht, te, "$3::timestamptz", te));
  } else {
    parts.push(events(ht, "$3::timestamptz"));
  }
  return `${declared}, ${src} AS (${parts.join("\n UNION ALL\n")})`;
}

export { DAILY_DIMENSIONS };
