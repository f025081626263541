import { LOCAL_HOUR_START } from "./buckets";
import { DAILY_DIMENSIONS, LOCAL_DAY, type TDailyDimension } from "./daily";

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
  | { eventOnly: string };

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
const NAMED_BY: Partial<Record<TDailyDimension, string>> = {
  team: `SELECT id FROM "Team" WHERE "orgId" = $1 AND slug = `,
  cost_center: `SELECT id FROM "CostCenter" WHERE "orgId" = $1 AND code = `,
  key: `SELECT id FROM "VirtualKey" WHERE "orgId" = $1 AND prefix = `,
};
const matches = (column: string, dimension: TDailyDimension, p: string) =>
  NAMED_BY[dimension] ? `${column} IN (${NAMED_BY[dimension]}${p})` : `${column} = ${p}`;

export type TSourceOptions = {
  // Adds a `bucket` column: the org-local hour (an instant) or the org-local day (a local
  // timestamp at midnight). Hourly buckets never read the daily level.
  bucket?: "hour" | "day";
  // Suffix of the two CTEs' names (b<name>, src<name>), to read several sources in one statement.
  name?: string;
};

// SQL for two CTEs: `b` (the bounds) and `src` (k, calls, errors, "inputTokens", "outputTokens",
// "cacheReadTokens", "cacheWriteTokens", "costUsd", unpriced — one row per stored row read, plus
// `bucket` when asked). The caller's parameters: $1 org id, $2 from, $3 to, $4 the org's time zone;
// filter values are appended to `params` and referenced by number.
export function spendSourceSql(key: TRangeKey, filter: TRangeFilter, params: unknown[], options: TSourceOptions = {}): string {
  const b = `b${options.name ?? ""}`;
  const filters = DAILY_DIMENSIONS.filter((d) => filter[d] !== undefined && filter[d] !== "").map((d) => {
    params.push(filter[d]);
    return { dimension: d, p: `$${params.length}` };
  });
  const hourlyWhere = filters.map(({ dimension, p }) => `AND ${matches(HOURLY_COLUMN[dimension], dimension, p)}`).join(" ");
  const eventWhere = filters.map(({ dimension, p }) => `AND ${matches(EVENT_COLUMN[dimension], dimension, p)}`).join(" ");

  const dailyDimension: TDailyDimension | null =
    options.bucket === "hour" || "eventOnly" in key
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
    `SELECT ${k.event} AS k, ${eventMeasures}${bucket.event} FROM "UsageEvent" e, ${b}
      WHERE e."orgId" = $1 AND e."occurredAt" >= ${lower} AND e."occurredAt" < ${upper} ${eventWhere}`;
  const hourly = (lower: string, upper: string) =>
    `SELECT ${k.hourly} AS k, ${measures("r")}${bucket.hourly} FROM "UsageRollup" r, ${b}
      WHERE r."orgId" = $1 AND r.hour >= ${lower} AND r.hour < ${upper} ${hourlyWhere}`;

  const localMidnight = (ts: string) => `(date_trunc('day', ${ts} AT TIME ZONE $4) AT TIME ZONE $4)`;
  // f ≤ hf ≤ df ≤ dt ≤ ht ≤ t, each clamped into the one before, so the five parts never overlap.
  const bounds = `${b} AS MATERIALIZED (
      SELECT f, t, hf, ht, df, ${dailyDimension ? `greatest(least(${localMidnight("t")}, ht), df)` : "df"} AS dt
        FROM (SELECT f, t, hf, ht,
                     ${dailyDimension ? `greatest(least(CASE WHEN ${localMidnight("f")} < f THEN ((date_trunc('day', f AT TIME ZONE $4) + interval '1 day') AT TIME ZONE $4) ELSE f END, ht), hf)` : "hf"} AS df
                FROM (SELECT f, t, hf, greatest(ht, hf) AS ht
                        FROM (SELECT $2::timestamptz AS f, $3::timestamptz AS t,
                                     least(CASE WHEN ${LOCAL_HOUR_START("$2::timestamptz", "$4")} < $2::timestamptz
                                                THEN ${LOCAL_HOUR_START(`($2::timestamptz + interval '1 hour')`, "$4")}
                                                ELSE $2::timestamptz END, $3::timestamptz) AS hf,
                                     ${LOCAL_HOUR_START("$3::timestamptz", "$4")} AS ht) raw) hours) days
    )`;
  const src = `src${options.name ?? ""}`;
  if ("eventOnly" in key) {
    return `${bounds}, ${src} AS (${events(`${b}.f`, `${b}.t`)})`;
  }
  const parts = [events(`${b}.f`, `${b}.hf`), hourly(`${b}.hf`, `${b}.df`)];
  if (dailyDimension) {
    parts.push(
      `SELECT ${k.daily} AS k, ${measures("d")}${bucket.daily} FROM "UsageDaily" d, ${b}
        WHERE d."orgId" = $1 AND d.dimension = '${dailyDimension}' AND d.day >= ${LOCAL_DAY(`${b}.df`, "$4")} AND d.day < ${LOCAL_DAY(`${b}.dt`, "$4")}
          AND ${b}.df < ${b}.dt ${dailyWhere}`,
      hourly(`${b}.dt`, `${b}.ht`),
    );
  } else {
    parts.push(hourly(`${b}.df`, `${b}.ht`));
  }
  parts.push(events(`${b}.ht`, `${b}.t`));
  return `${bounds}, ${src} AS (${parts.join("\n UNION ALL\n")})`;
}

export { DAILY_DIMENSIONS };
