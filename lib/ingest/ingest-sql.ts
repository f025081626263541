import { COUNTER_BUDGET_JSON, COUNTER_STATE_COLUMNS, ITEM_LIMIT_JOIN } from "../budgets/counters";
import { BUDGET_ITEM, BUDGET_LOCK_KEY, BUDGET_MATCH, BUDGET_PERIOD_START, LOCAL_DATE, LOCAL_PERIOD_START_OF_DAY } from "../budgets/sql";
import { LOCAL_HOUR_START } from "../rollups/buckets";
import { DAILY_UNPIVOT, LOCAL_DAY } from "../rollups/daily";
import type { TEventRow } from "./prepare";

// The ingest statement (lib/ingest/store.ts runs it and reads its answer).

// Column name → Postgres array type for the unnest() insert. One statement, one round trip:
// arrays scale to thousands of rows without hitting the 65,535-parameter limit of VALUES lists.
export const EVENT_COLUMNS: [keyof TEventRow | string, string, (r: TEventRow) => unknown][] = [
  ["orgId", "text", (r) => r.orgId],
  ["eventId", "text", (r) => r.eventId],
  ["occurredAt", "timestamptz", (r) => r.occurredAt],
  ["keyId", "text", (r) => r.keyId],
  ["kind", '"EventKind"', (r) => r.kind],
  ["provider", "text", (r) => r.provider],
  ["model", "text", (r) => r.model],
  ["inputTokens", "int4", (r) => r.usage.inputTokens],
  ["outputTokens", "int4", (r) => r.usage.outputTokens],
  ["cacheReadTokens", "int4", (r) => r.usage.cacheReadTokens],
  ["cacheWriteTokens", "int4", (r) => r.usage.cacheWriteTokens],
  ["cacheWrite1hTokens", "int4", (r) => r.usage.cacheWrite1hTokens],
  ["reasoningTokens", "int4", (r) => r.usage.reasoningTokens],
  ["costUsd", "numeric", (r) => r.costUsd],
  ["costSource", '"CostSource"', (r) => r.costSource],
  ["executionId", "text", (r) => r.executionId],
  ["task", "text", (r) => r.task],
  ["sessionId", "text", (r) => r.sessionId],
  ["agent", "text", (r) => r.agent],
  ["subagent", "text", (r) => r.subagent],
  ["userId", "text", (r) => r.userId],
  ["teamId", "text", (r) => r.teamId],
  ["unknownTeam", "text", (r) => r.unknownTeam],
  ["costCenterId", "text", (r) => r.costCenterId],
  ["unknownCostCenter", "text", (r) => r.unknownCostCenter],
  ["feature", "text", (r) => r.feature],
  ["repository", "text", (r) => r.repository],
  ["branch", "text", (r) => r.branch],
  ["pullRequest", "text", (r) => r.pullRequest],
  ["attempt", "int4", (r) => r.attempt],
  ["status", '"EventStatus"', (r) => r.status],
  ["errorType", "text", (r) => r.errorType],
  ["tool", "text", (r) => r.tool],
  ["latencyMs", "int4", (r) => r.latencyMs],
  ["fingerprint", "text", (r) => r.fingerprint],
  ["metadata", "jsonb", (r) => r.metadata],
  ["executionEnd", '"ExecutionStatus"', (r) => r.executionEnd],
];

const q = (name: string) => `"${name}"`;

const columnList = EVENT_COLUMNS.map(([name]) => q(name)).join(", ");
const unnestArgs = EVENT_COLUMNS.map(([, type], i) => `$${i + 1}::${type === "jsonb" ? "text" : type}[]`).join(", ");
const selectList = EVENT_COLUMNS.map(([name, type]) => (type === "jsonb" ? `${q(name)}::jsonb` : q(name))).join(", ");

// A rollup row's measures, as every rollup level adds a write's totals to the stored row `t`.
const ROLLUP_MEASURES = ["calls", "errors", "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls"];
const ADD_ROLLUP_MEASURES = (t: string) => ROLLUP_MEASURES.map((c) => `"${c}" = ${t}."${c}" + EXCLUDED."${c}"`).join(",\n    ");

// The event ids' array parameter (every row's, in the write's order): compared with what was inserted.
const EVENT_IDS = `$${EVENT_COLUMNS.findIndex(([name]) => name === "eventId") + 1}::text[]`;
const JOB_LIST = `$${EVENT_COLUMNS.length + 1}::text[]`;
const JOB_EXECUTIONS = `$${EVENT_COLUMNS.length + 2}::text[]`;
const ORG_IDS = `$${EVENT_COLUMNS.length + 3}::text[]`;

// The state columns of the answer's rows that are not counter states.
const STATE_NULLS = `NULL::int8 AS "periodStartMs", NULL::int8 AS calls, NULL::int8 AS "unpricedCalls", NULL::text AS "limitUsd",
       NULL::int4[] AS "dueThresholds", NULL::bool AS "blockDue"`;

// A counter's period start as epoch milliseconds: how the answer's states and its jobs row both key
// a counter for the reader (lib/ingest/store.ts), so the two must be the one expression.
const PERIOD_START_MS = `(extract(epoch FROM "periodStart") * 1000)::int8`;

// A job's code for a group of its events: job × 2, + 1 when the group is the job's execution of interest.
const JOB_CODE = (job: string, g: string) =>
  `((${job}) * 2 + CASE WHEN ${g}."executionId" = (${JOB_EXECUTIONS})[(${job}) + 1] THEN 1 ELSE 0 END)::text`;

// What budgets look at, grouped: the attribution columns (and the org-local day).
const BUDGET_DIMENSIONS = `"orgId", "teamId", "costCenterId", "keyId", agent, "userId", model, task, "executionId"`;

// Events, their executions, their rollups (hourly by attribution; hourly and daily per dimension) and
// their budget counters in ONE statement (one round trip, one transaction): totals can never disagree
// with the events. Only rows actually inserted (not duplicates) feed the aggregates. Aggregates are
// grouped (one upsert per row) and ordered by their unique key, and the events arrive sorted by
// (orgId, eventId), so concurrent statements lock rows in the same order and cannot deadlock. The
// statement also reads back every budget the request's events fall under (duplicates too), for the
// response and for alerts.
//
// It first takes each org's budget lock, shared (lib/budgets/sql.ts BUDGET_LOCK_KEY): a budget
// change holds it exclusively while it recounts, so it waits for the writes in flight (see
// lib/budgets/manage.ts for why that makes every event count exactly once).
export const INGEST_SQL = `
WITH lk AS MATERIALIZED (
  SELECT count(pg_advisory_xact_lock_shared(k)) AS locks
    FROM (SELECT ${BUDGET_LOCK_KEY("id")} AS k FROM unnest(${ORG_IDS}) AS id ORDER BY id) AS orgs
),
-- The request's orgs' time zones, read once by id, for the budget grouping (g): taken by a subquery
-- rather than a join, which keeps the planner's row estimate for the events, so it groups them by
-- hashing instead of sorting a thousand rows on twelve keys (a join made it 5 rows).
oz AS MATERIALIZED (
  SELECT id, timezone FROM "Organization" WHERE id = ANY(${ORG_IDS})
),
-- No row can be written before the lock: every row comes through this join with it.
input AS (
  SELECT t.* FROM lk, unnest(${unnestArgs}, ${JOB_LIST}) AS t(${columnList}, "jobList")
),
ins AS (
  INSERT INTO "UsageEvent" (${columnList})
  SELECT ${selectList} FROM input
  ON CONFLICT ("orgId", "eventId") DO NOTHING
  RETURNING "orgId", "eventId", "occurredAt", "keyId", kind, model, "inputTokens", "outputTokens",
            "cacheReadTokens", "cacheWriteTokens", "costUsd", "costSource", "executionId", task, agent, "userId",
            "teamId", "costCenterId", repository, "pullRequest", attempt, status, "executionEnd"
),
exec AS (
  INSERT INTO "Execution" AS x (id, "orgId", "executionId", agent, task, "teamId", "userId", repository,
    "pullRequest", "firstSeenAt", "lastSeenAt", calls, "toolCalls", errors, retries, "inputTokens",
    "outputTokens", "cacheReadTokens", "cacheWriteTokens", "maxInputTokens", "firstInputTokens", "firstLlmAt", "costUsd", "retryCostUsd", status, "endedAt")
  SELECT gen_random_uuid()::text, "orgId", "executionId", min(agent), min(task), min("teamId"), min("userId"),
         min(repository), min("pullRequest"), min("occurredAt"), max("occurredAt"), count(*),
         count(*) FILTER (WHERE kind = 'TOOL'), count(*) FILTER (WHERE status = 'ERROR'),
         count(*) FILTER (WHERE attempt > 1), sum("inputTokens"), sum("outputTokens"), sum("cacheReadTokens"),
         sum("cacheWriteTokens"), max("inputTokens" + "cacheReadTokens" + "cacheWriteTokens"),
         coalesce((array_agg("inputTokens" + "cacheReadTokens" + "cacheWriteTokens" ORDER BY "occurredAt", "eventId") FILTER (WHERE kind = 'LLM'))[1], 0),
         min("occurredAt") FILTER (WHERE kind = 'LLM'), sum("costUsd"),
         coalesce(sum("costUsd") FILTER (WHERE attempt > 1), 0),
         -- An event with execution_status ends its execution; the latest such event says how.
         coalesce((array_agg("executionEnd" ORDER BY "occurredAt" DESC) FILTER (WHERE "executionEnd" IS NOT NULL))[1], 'RUNNING'),
         CASE WHEN bool_or("executionEnd" IS NOT NULL) THEN now() END
    FROM ins WHERE "executionId" IS NOT NULL
   GROUP BY "orgId", "executionId"
   ORDER BY "orgId", "executionId"
  ON CONFLICT ("orgId", "executionId") DO UPDATE SET
    agent = coalesce(x.agent, EXCLUDED.agent),
    task = coalesce(x.task, EXCLUDED.task),
    "teamId" = coalesce(x."teamId", EXCLUDED."teamId"),
    "userId" = coalesce(x."userId", EXCLUDED."userId"),
    repository = coalesce(x.repository, EXCLUDED.repository),
    "pullRequest" = coalesce(x."pullRequest", EXCLUDED."pullRequest"),
    "firstSeenAt" = least(x."firstSeenAt", EXCLUDED."firstSeenAt"),
    "lastSeenAt" = greatest(x."lastSeenAt", EXCLUDED."lastSeenAt"),
    calls = x.calls + EXCLUDED.calls,
    "toolCalls" = x."toolCalls" + EXCLUDED."toolCalls",
    errors = x.errors + EXCLUDED.errors,
    retries = x.retries + EXCLUDED.retries,
    "inputTokens" = x."inputTokens" + EXCLUDED."inputTokens",
    "outputTokens" = x."outputTokens" + EXCLUDED."outputTokens",
    "cacheReadTokens" = x."cacheReadTokens" + EXCLUDED."cacheReadTokens",
    "cacheWriteTokens" = x."cacheWriteTokens" + EXCLUDED."cacheWriteTokens",
    "maxInputTokens" = greatest(x."maxInputTokens", EXCLUDED."maxInputTokens"),
    -- The first LLM call by time, even when it arrives late.
    "firstInputTokens" = CASE WHEN EXCLUDED."firstLlmAt" < x."firstLlmAt" OR x."firstLlmAt" IS NULL THEN EXCLUDED."firstInputTokens" ELSE x."firstInputTokens" END,
    "firstLlmAt" = least(x."firstLlmAt", EXCLUDED."firstLlmAt"),
    "costUsd" = x."costUsd" + EXCLUDED."costUsd",
    "retryCostUsd" = x."retryCostUsd" + EXCLUDED."retryCostUsd",
    -- Ended stays ended (a late call still counts); a blocked execution stays blocked.
    status = CASE WHEN x.status = 'BLOCKED' OR EXCLUDED."endedAt" IS NULL THEN x.status ELSE EXCLUDED.status END,
    "endedAt" = coalesce(x."endedAt", EXCLUDED."endedAt")
  RETURNING "orgId", "executionId", "costUsd", status, "blockedReason", calls, agent, "firstInputTokens", "maxInputTokens",
            "lastSeenAt", "resumedAt"
),
-- The inserted events summed per hourly rollup row, once: the hourly upsert writes these rows and
-- the single-dimension levels unpivot them (fewer rows than the events themselves).
rg AS MATERIALIZED (
  SELECT i."orgId", ${LOCAL_HOUR_START('i."occurredAt"', "o.timezone")} AS hour, o.timezone,
         i."keyId", coalesce(i."teamId", '') AS "teamId", coalesce(i."costCenterId", '') AS "costCenterId",
         coalesce(i.agent, '') AS agent, coalesce(i.model, '') AS model, coalesce(i."userId", '') AS "userId",
         coalesce(i.repository, '') AS repository, count(*) AS calls,
         count(*) FILTER (WHERE i.status = 'ERROR') AS errors, sum(i."inputTokens") AS "inputTokens",
         sum(i."outputTokens") AS "outputTokens", sum(i."cacheReadTokens") AS "cacheReadTokens",
         sum(i."cacheWriteTokens") AS "cacheWriteTokens", sum(i."costUsd") AS "costUsd",
         count(*) FILTER (WHERE i."costSource" = 'UNPRICED') AS "unpricedCalls"
    FROM ins i JOIN "Organization" o ON o.id = i."orgId"
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),
roll AS (
  INSERT INTO "UsageRollup" AS r ("orgId", hour, "keyId", "teamId", "costCenterId", agent, model, "userId",
    repository, calls, errors, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
  SELECT "orgId", hour, "keyId", "teamId", "costCenterId", agent, model, "userId", repository, calls, errors,
         "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls"
    FROM rg
   ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT ("orgId", hour, "keyId", "teamId", "costCenterId", agent, model, "userId", repository) DO UPDATE SET
    ${ADD_ROLLUP_MEASURES("r")}
),
-- The same rows, one per (hour, dimension, value): the hourly single-dimension level writes these and
-- the daily level sums them by the org-local day.
hd AS MATERIALIZED (
  SELECT rg."orgId", rg.hour, rg.timezone, dd.dimension, dd.value, sum(rg.calls) AS calls, sum(rg.errors) AS errors,
         sum(rg."inputTokens") AS "inputTokens", sum(rg."outputTokens") AS "outputTokens", sum(rg."cacheReadTokens") AS "cacheReadTokens",
         sum(rg."cacheWriteTokens") AS "cacheWriteTokens", sum(rg."costUsd") AS "costUsd", sum(rg."unpricedCalls") AS "unpricedCalls"
    FROM rg CROSS JOIN LATERAL ${DAILY_UNPIVOT("rg", true)}
   GROUP BY 1, 2, 3, 4, 5
),
hourly AS (
  INSERT INTO "UsageHourly" AS h ("orgId", hour, dimension, value, calls, errors, "inputTokens", "outputTokens",
    "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
  SELECT "orgId", hour, dimension, value, calls, errors, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens",
         "costUsd", "unpricedCalls"
    FROM hd
   ORDER BY "orgId", dimension, hour, value
  ON CONFLICT ("orgId", dimension, hour, value) DO UPDATE SET
    ${ADD_ROLLUP_MEASURES("h")}
),
daily AS (
  INSERT INTO "UsageDaily" AS d ("orgId", day, dimension, value, calls, errors, "inputTokens", "outputTokens",
    "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
  SELECT hd."orgId", ${LOCAL_DAY("hd.hour", "hd.timezone")}, hd.dimension, hd.value, sum(hd.calls), sum(hd.errors),
         sum(hd."inputTokens"), sum(hd."outputTokens"), sum(hd."cacheReadTokens"), sum(hd."cacheWriteTokens"),
         sum(hd."costUsd"), sum(hd."unpricedCalls")
    FROM hd
   GROUP BY 1, 3, 2, 4
   ORDER BY 1, 3, 2, 4
  ON CONFLICT ("orgId", dimension, day, value) DO UPDATE SET
    ${ADD_ROLLUP_MEASURES("d")}
),
-- The request's orgs' live budgets, read once: matched to the events (gb) and joined to the counters
-- (st) from here, never from the whole table.
bm AS MATERIALIZED (
  SELECT b.id, b."orgId", b.name, b.scope, b."scopeValue", b.period, b."amountUsd", b.enforcement, b.thresholds, b."alertEpoch"
    FROM "Budget" b
   WHERE b."orgId" = ANY(${ORG_IDS}) AND b."archivedAt" IS NULL
),
-- Every valid row of the request with whether this write inserted it (a duplicate still falls under
-- its budgets for the response, but moves no counter), grouped by what budgets look at: the
-- attribution columns and the org-local day, whose day / week / month starts are then computed once
-- per group rather than per event.
g AS MATERIALIZED (
  SELECT e."jobList", ${BUDGET_DIMENSIONS.split(", ").map((c) => `e.${c}`).join(", ")},
         ${LOCAL_PERIOD_START_OF_DAY("day", "e.day", "e.timezone")} AS d, ${LOCAL_PERIOD_START_OF_DAY("week", "e.day", "e.timezone")} AS w,
         ${LOCAL_PERIOD_START_OF_DAY("month", "e.day", "e.timezone")} AS m,
         coalesce(sum(e."costUsd") FILTER (WHERE e.stored), 0) AS cost,
         -- int4 (a write holds at most 5,000 rows): the counters' sums then add int8s, not numerics.
         (count(*) FILTER (WHERE e.stored))::int4 AS calls,
         (count(*) FILTER (WHERE e.stored AND e."costSource" = 'UNPRICED'))::int4 AS unpriced
    FROM (SELECT t.*, ${LOCAL_DATE('t."occurredAt"', "t.timezone")} AS day
            FROM (SELECT i.*,
                         -- Every row inserted (the common write): no lookup; else a hashed set of the inserted.
                         CASE WHEN (SELECT count(*) FROM ins) = cardinality(${EVENT_IDS}) THEN true
                              ELSE (i."orgId", i."eventId") IN (SELECT n."orgId", n."eventId" FROM ins n) END AS stored,
                         -- One org (the common write): its zone read once; several: looked up per event.
                         CASE WHEN cardinality(${ORG_IDS}) = 1 THEN (SELECT oz.timezone FROM oz LIMIT 1)
                              ELSE (SELECT oz.timezone FROM oz WHERE oz.id = i."orgId") END AS timezone
                    FROM input i
                   WHERE EXISTS (SELECT 1 FROM bm) OFFSET 0) AS t) AS e
   GROUP BY e."jobList", ${BUDGET_DIMENSIONS.split(", ").map((c) => `e.${c}`).join(", ")}, e.timezone, e.day
),
-- Each group also says which jobs sent it, one code per job: job × 2, + 1 when the group is that
-- job's execution of interest (computed once per group, not per group × budget; a group sent by one
-- job, the common case, without a subquery).
gj AS MATERIALIZED (
  SELECT g.*, CASE WHEN strpos(g."jobList", ',') = 0 THEN ${JOB_CODE('g."jobList"::int', "g")}
                   ELSE (SELECT string_agg(${JOB_CODE("j", "g")}, ',') FROM unnest(string_to_array(g."jobList", ',')::int[]) AS j) END AS "jobCodes"
    FROM g
),
-- Each group under each budget that applies (BUDGET_MATCH): a comparison per (group, budget) of the org.
-- Read once, by the counters' aggregate: inlined there rather than stored and read back.
gb AS (
  SELECT g."jobCodes", g."orgId", g."executionId", g.cost, g.calls, g.unpriced, bm.id AS "budgetId",
         ${BUDGET_PERIOD_START("bm", "g.d", "g.w", "g.m")} AS "periodStart", ${BUDGET_ITEM("bm", "g")} AS "itemKey"
    FROM gj g JOIN bm ON bm."orgId" = g."orgId" AND ${BUDGET_MATCH("bm", "g")}
),
-- Every counter the request falls under, with what this write adds to it (zero for a counter only
-- duplicates fall under) and the codes of the jobs whose events fall under it (repeats included: the
-- reader folds them, cheaper than a DISTINCT here); "plain" when they are all job 0's, not of
-- interest — the reader's default, so the common counter needs no codes sent.
-- Grouped on its keys in the "C" collation: the (group, budget) pairs are sorted to be summed (2,400
-- for 1,000 events), and a byte-order sort of ids takes abbreviated keys where the database's
-- collation compares each pair through strcoll (−2.5 to −6 ms a write of 1,000 events under 50
-- budgets). The keys leave in the default collation again, as the columns they are compared with.
counters AS MATERIALIZED (
  SELECT "orgId" COLLATE "default" AS "orgId", "budgetId" COLLATE "default" AS "budgetId", "periodStart",
         "itemKey" COLLATE "default" AS "itemKey", cost, calls, unpriced, "jobCodes", plain
    FROM (SELECT "orgId" COLLATE "C" AS "orgId", "budgetId" COLLATE "C" AS "budgetId", "periodStart", "itemKey" COLLATE "C" AS "itemKey",
                 sum(cost) AS cost, sum(calls) AS calls, sum(unpriced) AS unpriced,
                 string_agg("jobCodes", ',') AS "jobCodes", bool_and("jobCodes" = '0') AS plain
            FROM gb GROUP BY 1, 2, 3, 4) AS byte_order
),
up AS (
  INSERT INTO "BudgetCounter" AS c (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", calls, "unpricedCalls", "updatedAt")
  SELECT gen_random_uuid()::text, "orgId", "budgetId", "periodStart", "itemKey", cost, calls, unpriced, now() FROM counters
   WHERE calls > 0
   -- Byte order too: only ingest statements lock counters while others may (budget changes and
   -- repricing hold the org's budget lock exclusively), and they all lock in this one order.
   ORDER BY "orgId" COLLATE "C", "budgetId" COLLATE "C", "periodStart", "itemKey" COLLATE "C"
  ON CONFLICT ("orgId", "budgetId", "periodStart", "itemKey") DO UPDATE SET
    "spentUsd" = c."spentUsd" + EXCLUDED."spentUsd",
    calls = c.calls + EXCLUDED.calls,
    "unpricedCalls" = c."unpricedCalls" + EXCLUDED."unpricedCalls",
    "updatedAt" = now()
  RETURNING "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", calls, "unpricedCalls"
),
-- Every counter the request falls under, after this write: as this write left it (up), or as it
-- stands for one that only duplicates fall under. Two disjoint sets, appended, each row then looking
-- up its budget and counter by key: LATERAL with LIMIT keeps every lookup a probe per row, whatever
-- the (generic, estimate-blind) plan thinks the row counts are.
st AS (
  SELECT ${COUNTER_STATE_COLUMNS(`k."spentUsd"`, "k.calls", `k."unpricedCalls"`)}
    FROM (SELECT * FROM up
          UNION ALL
          SELECT k."orgId", k."budgetId", k."periodStart", k."itemKey", coalesce(c."spentUsd", 0), coalesce(c.calls, 0), coalesce(c."unpricedCalls", 0)
            FROM counters k LEFT JOIN LATERAL (
              SELECT c."spentUsd", c.calls, c."unpricedCalls" FROM "BudgetCounter" c
               WHERE c."orgId" = k."orgId" AND c."budgetId" = k."budgetId" AND c."periodStart" = k."periodStart" AND c."itemKey" = k."itemKey"
               LIMIT 1) c ON true
           WHERE k.calls = 0) AS k
    CROSS JOIN LATERAL (SELECT * FROM bm WHERE bm.id = k."budgetId" LIMIT 1) b ${ITEM_LIMIT_JOIN}
)


-- How many rows this write inserted, and which — but only when some were duplicates: a batch of new
-- events (the common case) needs no row back per event.
SELECT 'inserted' AS what, NULL AS "orgId", NULL AS id, count(*)::text AS cost, NULL::text AS status, NULL::json AS budget,
       ${STATE_NULLS} FROM ins
UNION ALL
SELECT 'event', "orgId", "eventId", NULL, NULL, NULL, ${STATE_NULLS} FROM ins WHERE (SELECT count(*) FROM ins) < cardinality(${EVENT_IDS})
UNION ALL
-- With what the runaway detectors need (lib/anomalies/detect.ts), so the common write needs no read
-- after it: the org's settings, the agent's baseline, and — only for a resumed execution, the one
-- kind that can have them — the kinds a person resolved.
SELECT 'execution', x."orgId", x."executionId", x."costUsd"::text, x.status::text,
       json_build_object('blockedReason', x."blockedReason", 'calls', x.calls, 'agent', x.agent, 'firstInputTokens', x."firstInputTokens",
                         'maxInputTokens', x."maxInputTokens", 'lastSeenAt', x."lastSeenAt", 'resumedAt', x."resumedAt",
                         'settings', o."anomalySettings", 'median', ab."medianExecutionCostUsd"::text, 'history', ab."finishedExecutions",
                         'resolved', CASE WHEN x."resumedAt" IS NULL THEN '{}'::text[] ELSE ARRAY(
                           SELECT DISTINCT a.kind::text FROM "Anomaly" a WHERE a."orgId" = x."orgId" AND a."executionId" = x."executionId"
                              AND a."resolvedAt" IS NOT NULL) END),
       ${STATE_NULLS}
  FROM exec x JOIN "Organization" o ON o.id = x."orgId"
  LEFT JOIN "AgentBaseline" ab ON ab."orgId" = x."orgId" AND ab.agent = x.agent
UNION ALL
-- Each counter's state in columns of its own (row_to_json cost twice as much), its budget once below;
-- the period start as epoch milliseconds (the reader's Date from a number, not from timestamp text).
SELECT 'state', "orgId", "budgetId", "spentUsd", "itemKey", NULL, ${PERIOD_START_MS}, calls, "unpricedCalls", "limitUsd", "dueThresholds", "blockDue"
  FROM st
UNION ALL
SELECT 'budget', "orgId", id, NULL, NULL, ${COUNTER_BUDGET_JSON("bm")}, ${STATE_NULLS} FROM bm WHERE id IN (SELECT "budgetId" FROM counters)
UNION ALL
-- Which jobs each counter's events came from, in one row, for the counters that are not plain: the
-- reader pairs them with the states by key (joining the two sets here is a nested loop over CTE
-- scans, quadratic in the counters). The period start as epoch milliseconds, as the reader keys it.
SELECT 'jobs', NULL, NULL, NULL, NULL,
       json_agg(json_build_array("budgetId", ${PERIOD_START_MS}, "itemKey", "jobCodes")), ${STATE_NULLS}
  FROM counters
 WHERE "jobCodes" IS NOT NULL AND NOT plain`;
