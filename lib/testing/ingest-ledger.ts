import { pool } from "../db";
import { LOCAL_HOUR_START } from "../rollups/buckets";
import { DAILY_UNPIVOT, LOCAL_DAY } from "../rollups/daily";

// Whether an org's stored events, hourly and daily rollups and executions agree, compared in SQL (numeric
// equality: exact decimals, "0.10" = "0.1"). For tests that throw arbitrary traffic at ingest and
// then check that nothing was half-written or double-counted.
export type TLedger = {
  events: number;
  // Every rollup total (calls, errors, tokens, cost) equals the same total over the events.
  rollupsMatchEvents: boolean;
  // Executions whose row differs from its events' aggregate (or that exist on one side only).
  executionMismatches: number;
  // Hourly rows (dimension, org-local hour, value) that differ from their events' aggregate.
  hourlyMismatches: number;
  // Daily rows (dimension, org-local day, value) that differ from their events' aggregate.
  dailyMismatches: number;
};

// One single-dimension level's rows against the same aggregate over the events: `bucket` is the
// events' bucket (SQL over ev."occurredAt"), `table` / `column` the level's own.
const levelMismatches = (table: string, column: string, bucket: string) => `(
  WITH expected AS (
    SELECT dd.dimension, ${bucket} AS bucket, dd.value,
           count(*)::numeric AS calls, (count(*) FILTER (WHERE status = 'ERROR'))::numeric AS errors,
           sum("inputTokens")::numeric AS input, sum("outputTokens")::numeric AS output, sum("cacheReadTokens")::numeric AS cache_read,
           sum("cacheWriteTokens")::numeric AS cache_write, sum("costUsd") AS cost,
           (count(*) FILTER (WHERE "costSource" = 'UNPRICED'))::numeric AS unpriced
      FROM ev CROSS JOIN LATERAL ${DAILY_UNPIVOT("ev")} GROUP BY 1, 2, 3),
  actual AS (
    SELECT dimension, ${column} AS bucket, value, calls::numeric, errors::numeric, "inputTokens"::numeric AS input, "outputTokens"::numeric AS output,
           "cacheReadTokens"::numeric AS cache_read, "cacheWriteTokens"::numeric AS cache_write, "costUsd" AS cost,
           "unpricedCalls"::numeric AS unpriced
      FROM "${table}" WHERE "orgId" = $1)
  SELECT count(*)::int FROM expected e FULL JOIN actual a USING (dimension, bucket, value)
   WHERE (e.calls, e.errors, e.input, e.output, e.cache_read, e.cache_write, e.cost, e.unpriced)
         IS DISTINCT FROM (a.calls, a.errors, a.input, a.output, a.cache_read, a.cache_write, a.cost, a.unpriced))`;

const ZONE = `(SELECT timezone FROM "Organization" WHERE id = $1)`;

export async function ingestLedger(orgId: string): Promise<TLedger> {
  const { rows } = await pool().query(
    `WITH ev AS (SELECT * FROM "UsageEvent" WHERE "orgId" = $1),
     expected AS (
       SELECT "executionId", count(*)::numeric AS calls, count(*) FILTER (WHERE kind = 'TOOL')::numeric AS tool_calls,
              count(*) FILTER (WHERE status = 'ERROR')::numeric AS errors, count(*) FILTER (WHERE attempt > 1)::numeric AS retries,
              sum("inputTokens")::numeric AS input, sum("outputTokens")::numeric AS output,
              sum("cacheReadTokens")::numeric AS cache_read, sum("cacheWriteTokens")::numeric AS cache_write,
              max("inputTokens" + "cacheReadTokens" + "cacheWriteTokens")::numeric AS max_input,
              sum("costUsd") AS cost, coalesce(sum("costUsd") FILTER (WHERE attempt > 1), 0) AS retry_cost
         FROM ev WHERE "executionId" IS NOT NULL GROUP BY "executionId"),
     actual AS (
       SELECT "executionId", calls::numeric, "toolCalls"::numeric AS tool_calls, errors::numeric, retries::numeric,
              "inputTokens"::numeric AS input, "outputTokens"::numeric AS output, "cacheReadTokens"::numeric AS cache_read,
              "cacheWriteTokens"::numeric AS cache_write, "maxInputTokens"::numeric AS max_input,
              "costUsd" AS cost, "retryCostUsd" AS retry_cost
         FROM "Execution" WHERE "orgId" = $1)
     SELECT
       (SELECT count(*)::int FROM ev) AS events,
       (SELECT (coalesce(sum(calls), 0)::numeric, coalesce(sum(errors), 0)::numeric, coalesce(sum("inputTokens"), 0)::numeric,
                coalesce(sum("outputTokens"), 0)::numeric, coalesce(sum("cacheReadTokens"), 0)::numeric,
                coalesce(sum("cacheWriteTokens"), 0)::numeric, coalesce(sum("costUsd"), 0))
          FROM "UsageRollup" WHERE "orgId" = $1)
       IS NOT DISTINCT FROM
       (SELECT (count(*)::numeric, (count(*) FILTER (WHERE status = 'ERROR'))::numeric, coalesce(sum("inputTokens"), 0)::numeric,
                coalesce(sum("outputTokens"), 0)::numeric, coalesce(sum("cacheReadTokens"), 0)::numeric,
                coalesce(sum("cacheWriteTokens"), 0)::numeric, coalesce(sum("costUsd"), 0))
          FROM ev) AS "rollupsMatchEvents",
       (SELECT count(*)::int FROM expected e FULL JOIN actual a USING ("executionId")
         WHERE e."executionId" IS NULL OR a."executionId" IS NULL
            OR (e.calls, e.tool_calls, e.errors, e.retries, e.input, e.output, e.cache_read, e.cache_write, e.max_input, e.cost, e.retry_cost)
               IS DISTINCT FROM
               (a.calls, a.tool_calls, a.errors, a.retries, a.input, a.output, a.cache_read, a.cache_write, a.max_input, a.cost, a.retry_cost)
       ) AS "executionMismatches",
       ${levelMismatches("UsageHourly", "hour", LOCAL_HOUR_START('ev."occurredAt"', ZONE))} AS "hourlyMismatches",
       ${levelMismatches("UsageDaily", "day", LOCAL_DAY('ev."occurredAt"', ZONE))} AS "dailyMismatches"`,
    [orgId],
  );
  return rows[0] as TLedger;
}

export async function storedEventIdSet(orgId: string): Promise<Set<string>> {
  const { rows } = await pool().query(`SELECT "eventId" FROM "UsageEvent" WHERE "orgId" = $1`, [orgId]);
  return new Set(rows.map((r) => r.eventId as string));
}
