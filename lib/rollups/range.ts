import { pool } from "../db";
import { LOCAL_HOUR_START } from "./buckets";
import { DAILY_DIMENSIONS, type TDailyDimension } from "./daily";

// Where spend over [from, to) is read from, exact to the event and cheap at any volume: whole
// org-local days from the daily level (one row per value per day), the whole hours around them
// from the hourly rollups, the partial hours at either edge from the events themselves (each edge
// an index range scan on (orgId, occurredAt) — never the range's events in between).
//
//   from ─ events ─ hf ─ hourly ─ df ═══ daily ═══ dt ─ hourly ─ ht ─ events ─ to
//
// The daily level holds one dimension at a time, so it serves a grouping by that dimension (or by
// day, or none) filtered by at most that same dimension; any other shape reads the hourly rollups
// for the whole hours instead.

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
export type TRangeBounds = { f: Date; hf: Date; df: Date; dt: Date; ht: Date; t: Date; dfDay: string; dtDay: string };

// f ≤ hf ≤ df ≤ dt ≤ ht ≤ t, each clamped into the one before, so the five parts never overlap:
// hf / ht the first and last local hour boundaries inside the range, df / dt the first and last
// local midnights inside [hf, ht].
export async function rangeBounds(from: Date, to: Date, timezone: string): Promise<TRangeBounds> {
  const localMidnight = (ts: string) => `(date_trunc('day', ${ts} AT TIME ZONE $3) AT TIME ZONE $3)`;
  const { rows } = await pool().query(
    `SELECT f, t, hf, ht, df, dt, to_char(df AT TIME ZONE $3, 'YYYY-MM-DD') AS "dfDay", to_char(dt AT TIME ZONE $3, 'YYYY-MM-DD') AS "dtDay"
       FROM (SELECT f, t, hf, ht, df, greatest(least(${localMidnight("t")}, ht), df) AS dt
               FROM (SELECT f, t, hf, ht,
                            greatest(least(CASE WHEN ${localMidnight("f")} < f THEN ((date_trunc('day', f AT TIME ZONE $3) + interval '1 day') AT TIME ZONE $3) ELSE f END, ht), hf) AS df
                       FROM (SELECT f, t, hf, greatest(ht, hf) AS ht
                               FROM (SELECT $1::timestamptz AS f, $2::timestamptz AS t,
                                            least(CASE WHEN ${LOCAL_HOUR_START("$1::timestamptz", "$3")} < $1::timestamptz
                                                       THEN ${LOCAL_HOUR_START(`($1::timestamptz + interval '1 hour')`, "$3")}
                                                       ELSE $1::timestamptz END, $2::timestamptz) AS hf,
                                            ${LOCAL_HOUR_START("$2::timestamptz", "$3")} AS ht) raw) hours) days) cut`,
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
// filter values are appended to `params` and referenced by number.
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

  const dailyDimension: TDailyDimension | null =
    options.bucket === "hour" || "eventOnly" in key || "all" in key
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
  const dailyWhere = dailyDimension ? filters.map(({ dimension, p }) => `AND ${matches("d.value", dimension, p)}`).join(" ") : "";

  const allColumns = (column: Record<TDailyDimension, string>) => DAILY_DIMENSIONS.map((d) => `${column[d]} AS "d_${d}"`).join(", ");
  const k = {
    daily: "dimension" in key ? "d.value" : "day" in key ? `to_char(d.day, 'YYYY-MM-DD')` : `''`,
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
    event:
      options.bucket === "hour"
        ? `, ${LOCAL_HOUR_START(`e."occurredAt"`, "$4")} AS bucket`
        : options.bucket === "day"
          ? `, date_trunc('day', e."occurredAt" AT TIME ZONE $4) AS bucket`
          : "",
  };
  const measures = (t: string) =>
    `${t}.calls, ${t}.errors, ${t}."inputTokens", ${t}."outputTokens", ${t}."cacheReadTokens", ${t}."cacheWriteTokens", ${t}."costUsd", ${t}."unpricedCalls" AS unpriced`;
  const eventMeasures = `1 AS calls, (e.status = 'ERROR')::int AS errors, e."inputTokens", e."outputTokens", e."cacheReadTokens", e."cacheWriteTokens", e."costUsd", (e."costSource" = 'UNPRICED')::int AS unpriced`;
  const events = (lower: string, upper: string) =>
    `SELECT ${"all" in key ? allColumns(EVENT_COLUMN) : `${k.event} AS k`}, ${eventMeasures}${bucket.event} FROM "UsageEvent" e
      WHERE e."orgId" = $1 AND e."occurredAt" >= ${lower} AND e."occurredAt" < ${upper} ${eventWhere}`;
  const hourly = (lower: string, upper: string) =>
    `SELECT ${"all" in key ? allColumns(HOURLY_COLUMN) : `${k.hourly} AS k`}, ${measures("r")}${bucket.hourly} FROM "UsageRollup" r
      WHERE r."orgId" = $1 AND r.hour >= ${lower} AND r.hour < ${upper} ${hourlyWhere}`;

  const { bounds } = options;
  const src = `src${options.name ?? ""}`;
  // Declares the caller's parameters' types whether or not this read needs each (never executed).
  const declared = `args${options.name ?? ""} AS (SELECT $1::text AS org, $2::timestamptz AS f, $3::timestamptz AS t, $4::text AS zone)`;
  if ("eventOnly" in key) {
    return `${declared}, ${src} AS (${events("$2::timestamptz", "$3::timestamptz")})`;
  }
  const hf = at(bounds.hf, "timestamptz");
  const ht = at(bounds.ht, "timestamptz");
  // [$2, $3) is the range itself (bounds.f, bounds.t).
  const parts = [events("$2::timestamptz", hf)];
  if (dailyDimension && bounds.df < bounds.dt) {
    const df = at(bounds.df, "timestamptz");
    const dt = at(bounds.dt, "timestamptz");
    parts.push(
      hourly(hf, df),
      `SELECT ${k.daily} AS k, ${measures("d")}${bucket.daily} FROM "UsageDaily" d
        WHERE d."orgId" = $1 AND d.dimension = '${dailyDimension}' AND d.day >= ${at(bounds.dfDay, "date")} AND d.day < ${at(bounds.dtDay, "date")} ${dailyWhere}`,
      hourly(dt, ht),
    );
  } else {
    parts.push(hourly(hf, ht));
  }
  parts.push(events(ht, "$3::timestamptz"));
  return `${declared}, ${src} AS (${parts.join("\n UNION ALL\n")})`;
}

export { DAILY_DIMENSIONS };
