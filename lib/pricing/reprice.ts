import { z } from "zod";
import { storableText } from "../ingest/storable";
import { recordAudit } from "../audit/log";
import { lockOrgBudgets } from "../budgets/backfill";
import { evaluateBudget } from "../budgets/evaluate";
import { BUDGET_ITEM, BUDGET_MATCH, BUDGET_PERIOD_START, LOCAL_PERIOD_START } from "../budgets/sql";
import { prisma } from "../db";
import { invalid, zodDetails } from "../errors";
import { Decimal, formatUsd as displayDecimal } from "../money";
import { LOCAL_HOUR_START } from "../rollups/buckets";
import { DAILY_UNPIVOT, LOCAL_DAY } from "../rollups/daily";
import { findCatalogModel } from "./catalog";
import { priceCall } from "./cost";
import { isDay, toInstant, ZDayOrInstant } from "./dates";
import { exceedsMaxCallCost, MAX_CALL_COST_USD } from "./money";
import { loadPriceOverrides } from "./price-overrides";

// Reprice history: after a price is added (or corrected), the calls already stored for a model in
// a range are priced again with the prices in effect at each call's own time, and every total that
// holds them moves with them — in ONE transaction, so no reader ever sees events disagree with
// their executions, hourly and daily rollups or budget counters.
//
// What is repriced: calls priced by us — from the catalogue (CATALOG), an org override (OVERRIDE)
// or by nothing (UNPRICED, stored at $0). Never a cost the client reported (REPORTED): that figure
// is what the caller says it paid and stays as sent; nor a tool call with no model (NONE).
//
// How totals move: by the exact difference (new − old) of each changed event, summed per execution,
// per hourly rollup row, per daily row and per budget counter — the same grouping the ingest statement uses
// (lib/ingest/ingest-sql.ts; which budgets apply and where a call counts come from lib/budgets/sql.ts),
// so each total stays equal to the sum of its events (the counters' oracle, to the last digit).
// A counter that does not exist is not created: that period was never counted by that budget
// (older than the budget's backfill), and a delta alone would not be its sum.
//
// Concurrency: the transaction first takes the org's budget lock EXCLUSIVELY (lib/budgets/sql.ts
// BUDGET_LOCK_KEY) — ingest takes it shared in its one statement, budget changes exclusively — so
// no ingest write interleaves: writes in flight finish first, and the events are read afterwards
// (each statement here takes a fresh snapshot). A write that waits for us inserts its new events
// after we commit, at the price its process computed, and adds them to the totals as we left them
// (its upserts add to the current row) — nothing is lost or counted twice.
//
// Alerts: re-evaluated after the commit, level-triggered through the unique BudgetAlert row
// (lib/budgets/evaluate.ts): a reprice that lifts a budget past a threshold alerts once; one
// already recorded is never re-sent; lowering spend un-sends nothing.

/** Calls one reprice may touch: the work stays a bounded transaction (about a minute at worst). */
export const MAX_REPRICE_EVENTS = 200_000;
/** The longest range, like the spend API's. */
export const MAX_REPRICE_DAYS = 400;
// About how many calls are read, priced and written per statement, inside the one transaction.
const BATCH = 5_000;

export const ZRepriceInput = z.object({
  model: z.string().trim().min(1, "is required").max(200).superRefine(storableText),
  from: ZDayOrInstant,
  to: ZDayOrInstant,
});
export type TRepriceInput = z.input<typeof ZRepriceInput>;

export type TRepriceSummary = {
  model: string;
  from: string;
  to: string;
  /** Calls of the model in the range priced by the catalogue, an override or nothing. */
  eventsConsidered: number;
  /** Of those, calls whose cost or cost source changed. */
  eventsRepriced: number;
  /** Calls with a client-reported cost in the range: never changed. */
  reportedUntouched: number;
  unpricedBefore: number;
  unpricedAfter: number;
  /** Sum over the considered calls before and after, and the difference (decimal strings, exact). */
  oldTotalUsd: string;
  newTotalUsd: string;
  deltaUsd: string;
  executionsUpdated: number;
  rollupsUpdated: number;
  countersUpdated: number;
  /** Budget alerts recorded by the re-evaluation (each sent once). */
  alerts: number;
};

type TStoredCall = {
  id: string;
  occurredAt: Date;
  provider: string | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  costUsd: string;
  costSource: "REPORTED" | "CATALOG" | "OVERRIDE" | "UNPRICED" | "NONE";
};

const PRICED_BY_US = `('CATALOG', 'OVERRIDE', 'UNPRICED')`;

// A single-dimension level's rows moved by the batch's cost deltas: `<name>_delta` (one row per
// bucket, dimension and value) and `<name>` (the UPDATE, one returned row per row moved).
const LEVEL_UPDATE = (name: string, table: string, bucket: string, bucketOfEvent: string) => `
${name}_delta AS (
  SELECT ${bucketOfEvent} AS ${bucket}, dd.dimension, dd.value, sum(ev.delta) AS cost, sum(ev.unpriced) AS unpriced
    FROM ev JOIN "Organization" o ON o.id = ev."orgId" CROSS JOIN LATERAL ${DAILY_UNPIVOT("ev")}
   GROUP BY 1, 2, 3
),
${name} AS (
  UPDATE "${table}" l SET "costUsd" = l."costUsd" + x.cost, "unpricedCalls" = l."unpricedCalls" + x.unpriced
    FROM ${name}_delta x
   WHERE l."orgId" = $1 AND l.dimension = x.dimension AND l.${bucket} = x.${bucket} AND l.value = x.value
  RETURNING l.${bucket}
)`;

// One batch of changed calls ($2: JSON [{id, cost, source}]) and every total that holds them.
const APPLY_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($2::json) AS t(id bigint, cost numeric, source text)
),
ev AS MATERIALIZED (
  SELECT e.id, e."orgId", e."occurredAt", e."keyId", e."teamId", e."costCenterId", e.agent, e.model, e."userId",
         e.repository, e.task, e."executionId", e.attempt,
         i.cost - e."costUsd" AS delta,
         (i.source = 'UNPRICED')::int - (e."costSource" = 'UNPRICED')::int AS unpriced,
         i.cost AS "newCost", i.source::"CostSource" AS "newSource"
    FROM input i JOIN "UsageEvent" e ON e."orgId" = $1 AND e.id = i.id
   WHERE e."costSource" IN ${PRICED_BY_US}
),
events AS (
  UPDATE "UsageEvent" u SET "costUsd" = ev."newCost", "costSource" = ev."newSource"
    FROM ev WHERE u."orgId" = $1 AND u.id = ev.id
  RETURNING u.id
),
xd AS (
  SELECT "executionId", sum(delta) AS cost, coalesce(sum(delta) FILTER (WHERE attempt > 1), 0) AS retry
    FROM ev WHERE "executionId" IS NOT NULL GROUP BY "executionId"
),
executions AS (
  UPDATE "Execution" x SET "costUsd" = x."costUsd" + xd.cost, "retryCostUsd" = x."retryCostUsd" + xd.retry
    FROM xd WHERE x."orgId" = $1 AND x."executionId" = xd."executionId"
  RETURNING x.id
),
rd AS (
  SELECT ${LOCAL_HOUR_START('ev."occurredAt"', "o.timezone")} AS hour, ev."keyId", coalesce(ev."teamId", '') AS "teamId",
         coalesce(ev."costCenterId", '') AS "costCenterId", coalesce(ev.agent, '') AS agent, coalesce(ev.model, '') AS model,
         coalesce(ev."userId", '') AS "userId", coalesce(ev.repository, '') AS repository,
         sum(ev.delta) AS cost, sum(ev.unpriced) AS unpriced
    FROM ev JOIN "Organization" o ON o.id = ev."orgId"
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),
rollups AS (
  UPDATE "UsageRollup" r SET "costUsd" = r."costUsd" + rd.cost, "unpricedCalls" = r."unpricedCalls" + rd.unpriced
    FROM rd
   WHERE r."orgId" = $1 AND r.hour = rd.hour AND r."keyId" = rd."keyId" AND r."teamId" = rd."teamId"
     AND r."costCenterId" = rd."costCenterId" AND r.agent = rd.agent AND r.model = rd.model AND r."userId" = rd."userId"
     AND r.repository = rd.repository
  RETURNING r.id
),
${LEVEL_UPDATE("hourly", "UsageHourly", "hour", LOCAL_HOUR_START('ev."occurredAt"', "o.timezone"))},
${LEVEL_UPDATE("daily", "UsageDaily", "day", LOCAL_DAY('ev."occurredAt"', "o.timezone"))},
g AS (
  SELECT ev."orgId", ev."teamId", ev."costCenterId", ev."keyId", ev.agent, ev."userId", ev.model, ev.task, ev."executionId",
         ${LOCAL_PERIOD_START("day", 'ev."occurredAt"', "o.timezone")} AS d, ${LOCAL_PERIOD_START("week", 'ev."occurredAt"', "o.timezone")} AS w,
         ${LOCAL_PERIOD_START("month", 'ev."occurredAt"', "o.timezone")} AS m,
         sum(ev.delta) AS cost, sum(ev.unpriced) AS unpriced
    FROM ev JOIN "Organization" o ON o.id = ev."orgId"
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
),
cd AS (
  SELECT bm.id AS "budgetId", ${BUDGET_PERIOD_START("bm", "g.d", "g.w", "g.m")} AS "periodStart", ${BUDGET_ITEM("bm", "g")} AS "itemKey",
         sum(g.cost) AS cost, sum(g.unpriced) AS unpriced
    FROM g JOIN "Budget" bm ON bm."orgId" = $1 AND bm."archivedAt" IS NULL AND ${BUDGET_MATCH("bm", "g")}
   GROUP BY 1, 2, 3
),
counters AS (
  UPDATE "BudgetCounter" c SET "spentUsd" = c."spentUsd" + cd.cost, "unpricedCalls" = c."unpricedCalls" + cd.unpriced, "updatedAt" = now()
    FROM cd
   WHERE c."orgId" = $1 AND c."budgetId" = cd."budgetId" AND c."periodStart" = cd."periodStart" AND c."itemKey" = cd."itemKey"
  RETURNING c."budgetId"
)
SELECT (SELECT count(*) FROM ev)::int AS "eventsExpected", (SELECT count(*) FROM events)::int AS events,
       (SELECT count(*) FROM xd)::int AS "executionsExpected", (SELECT count(*) FROM executions)::int AS executions,
       (SELECT count(*) FROM rd)::int AS "rollupsExpected", (SELECT count(*) FROM rollups)::int AS rollups,
       (SELECT count(*) FROM hourly_delta)::int AS "hourlyExpected", (SELECT count(*) FROM hourly)::int AS hourly,
       (SELECT count(*) FROM daily_delta)::int AS "dailyExpected", (SELECT count(*) FROM daily)::int AS daily,
       (SELECT count(*) FROM counters)::int AS counters,
       ARRAY(SELECT DISTINCT "budgetId" FROM counters) AS budgets`;

type TApplied = {
  eventsExpected: number;
  events: number;
  executionsExpected: number;
  executions: number;
  rollupsExpected: number;
  rollups: number;
  hourlyExpected: number;
  hourly: number;
  dailyExpected: number;
  daily: number;
  counters: number;
  budgets: string[];
};

const rangeError = (message: string) => invalid("Invalid range", [{ path: "from", message }]);

export async function repriceModel(
  orgId: string,
  actorId: string | null,
  input: TRepriceInput,
  options: { maxEvents?: number; batchSize?: number } = {},
): Promise<TRepriceSummary> {
  const parsed = ZRepriceInput.safeParse(input);
  if (!parsed.success) throw invalid("Invalid reprice", zodDetails(parsed.error));
  const { model } = parsed.data;
  const maxEvents = options.maxEvents ?? MAX_REPRICE_EVENTS;
  const batchSize = options.batchSize ?? BATCH;
  const org = await prisma().organization.findUniqueOrThrow({ where: { id: orgId }, select: { timezone: true } });
  const from = await toInstant(parsed.data.from, org.timezone);
  // "to 2026-11-30" means through the end of that day in the org's zone.
  const to = await toInstant(parsed.data.to, org.timezone, isDay(parsed.data.to));
  if (from >= to) throw rangeError("must be before 'to'");
  if (to.getTime() - from.getTime() > MAX_REPRICE_DAYS * 86_400_000) throw rangeError(`the range is limited to ${MAX_REPRICE_DAYS} days`);

  const { summary, budgets } = await prisma().$transaction(
    async (tx) => {
      // Exclusive: ingest writes in flight finish first, new ones wait until we commit.
      await lockOrgBudgets(tx, orgId);
      const overrides = await loadPriceOverrides(orgId, tx);
      // Where the model's calls are, from the hourly rollups (an hour holds every call of its
      // rollup rows): the work is bounded by the model's calls, never by everything else the org
      // sent in the range — the lock held here stalls the org's ingest.
      const hours = await tx.$queryRawUnsafe<{ hour: Date; calls: number }[]>(
        `SELECT hour, sum(calls)::int AS calls FROM "UsageRollup"
          WHERE "orgId" = $1 AND hour >= ${LOCAL_HOUR_START("$2::timestamptz", "$4::text")} AND hour < $3::timestamptz AND lower(model) = lower($5)
          GROUP BY hour ORDER BY hour`,
        orgId,
        from,
        to,
        org.timezone,
        model,
      );
      const calls = hours.reduce((n, h) => n + h.calls, 0);
      if (calls > maxEvents) {
        throw invalid(
          `That range holds ${calls.toLocaleString("en-US")} calls of ${model}; one reprice handles at most ${maxEvents.toLocaleString("en-US")}. Split the range.`,
          [{ path: "from", message: `at most ${maxEvents} calls per reprice` }],
        );
      }
      // Repricing a model nothing prices would only write $0 again: say what to do instead (checked
      // again per call below, for a model the catalogue knows only under the provider calls name).
      const m = model.toLowerCase();
      let known = overrides.some((o) => o.model.trim().toLowerCase() === m) || findCatalogModel(null, model) !== null;

      let oldTotal = new Decimal(0);
      let newTotal = new Decimal(0);
      let considered = 0;
      let reported = 0;
      let repriced = 0;
      let unpricedBefore = 0;
      let unpricedAfter = 0;
      let executions = 0;
      let rollups = 0;
      let counters = 0;
      const budgets = new Set<string>();
      // Whole hours per batch, about BATCH calls each (an hour with more is a batch of its own).
      const chunks: Date[][] = [];
      let chunk: Date[] = [];
      let inChunk = 0;
      for (const h of hours) {
        if (chunk.length && inChunk + h.calls > batchSize) {
          chunks.push(chunk);
          chunk = [];
          inChunk = 0;
        }
        chunk.push(h.hour);
        inChunk += h.calls;
      }
      if (chunk.length) chunks.push(chunk);

      for (const chunkHours of chunks) {
        const stored = await tx.$queryRawUnsafe<TStoredCall[]>(
          `SELECT e.id::text, e."occurredAt", e.provider, e.model, e."inputTokens", e."outputTokens", e."cacheReadTokens",
                  e."cacheWriteTokens", e."cacheWrite1hTokens", e."reasoningTokens", e."costUsd"::text AS "costUsd", e."costSource"::text AS "costSource"
             FROM json_array_elements_text($5::json) AS h(hour)
             JOIN "UsageEvent" e ON e."orgId" = $1
                  AND e."occurredAt" >= greatest(h.hour::timestamptz, $2::timestamptz)
                  AND e."occurredAt" < least(h.hour::timestamptz + interval '1 hour', $3::timestamptz)
            WHERE lower(e.model) = lower($4)
            ORDER BY e."occurredAt", e.id`,
          orgId,
          from,
          to,
          model,
          JSON.stringify(chunkHours.map((h) => new Date(h).toISOString())),
        );
        const changed: { id: string; cost: string; source: string }[] = [];
        for (const call of stored) {
          // What the client reported it paid stays as sent; NONE has no price to apply.
          if (call.costSource === "REPORTED") reported++;
          if (call.costSource !== "CATALOG" && call.costSource !== "OVERRIDE" && call.costSource !== "UNPRICED") continue;
          if (!known && call.provider && findCatalogModel(call.provider, model)) known = true;
          const price = priceCall({
            provider: call.provider,
            model: call.model,
            usage: {
              inputTokens: call.inputTokens,
              outputTokens: call.outputTokens,
              cacheReadTokens: call.cacheReadTokens,
              cacheWriteTokens: call.cacheWriteTokens,
              cacheWrite1hTokens: call.cacheWrite1hTokens,
              reasoningTokens: call.reasoningTokens,
            },
            at: call.occurredAt,
            overrides,
          });
          // The same bound ingest holds every priced call to, so no total can overflow.
          if (exceedsMaxCallCost(price.costUsd)) {
            throw invalid(
              `The prices now in effect put one call of ${model} (at ${call.occurredAt.toISOString()}) at ${price.costUsd} USD, above the per-call limit of ${MAX_CALL_COST_USD} USD: check the price.`,
              [{ path: "model", message: "a call would cost more than the per-call limit" }],
            );
          }
          considered++;
          oldTotal = oldTotal.plus(call.costUsd);
          newTotal = newTotal.plus(price.costUsd);
          if (call.costSource === "UNPRICED") unpricedBefore++;
          if (price.costSource === "UNPRICED") unpricedAfter++;
          if (!new Decimal(price.costUsd).eq(call.costUsd) || price.costSource !== call.costSource) {
            changed.push({ id: call.id, cost: price.costUsd, source: price.costSource });
          }
        }
        if (changed.length) {
          const [applied] = await tx.$queryRawUnsafe<TApplied[]>(APPLY_SQL, orgId, JSON.stringify(changed));
          // Every changed call belongs to an execution (if it names one) and to an hourly rollup row;
          // a missing one means the totals had already drifted: refuse rather than write half.
          if (applied.events !== changed.length || applied.eventsExpected !== changed.length || applied.executions !== applied.executionsExpected || applied.rollups !== applied.rollupsExpected || applied.hourly !== applied.hourlyExpected || applied.daily !== applied.dailyExpected) {
            throw new Error(`reprice: totals out of step for org ${orgId} (${JSON.stringify(applied)}, ${changed.length} changed calls)`);
          }
          repriced += applied.events;
          executions += applied.executions;
          rollups += applied.rollups;
          counters += applied.counters;
          for (const b of applied.budgets) budgets.add(b);
        }
      }
      if (!known) {
        throw invalid(`No price for ${model}: neither the catalogue nor this organization's prices know it. Add a price for it first, then reprice.`, [
          { path: "model", message: "has no price to apply" },
        ]);
      }

      const summary: Omit<TRepriceSummary, "alerts"> = {
        model,
        from: from.toISOString(),
        to: to.toISOString(),
        eventsConsidered: considered,
        eventsRepriced: repriced,
        reportedUntouched: reported,
        unpricedBefore,
        unpricedAfter,
        oldTotalUsd: displayDecimal(oldTotal.toFixed()),
        newTotalUsd: displayDecimal(newTotal.toFixed()),
        deltaUsd: displayDecimal(newTotal.minus(oldTotal).toFixed()),
        executionsUpdated: executions,
        rollupsUpdated: rollups,
        countersUpdated: counters,
      };
      await recordAudit(tx, {
        orgId,
        actorId,
        action: "model.repriced",
        targetType: "Model",
        targetId: model,
        details: {
          model,
          from: summary.from,
          to: summary.to,
          eventsRepriced: repriced,
          eventsConsidered: considered,
          reportedUntouched: reported,
          oldTotalUsd: summary.oldTotalUsd,
          newTotalUsd: summary.newTotalUsd,
          deltaUsd: summary.deltaUsd,
        },
      });
      return { summary, budgets: [...budgets].sort() };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );

  // After the commit, in their own transactions (as after an ingest): thresholds the new spend
  // reaches alert once; those already recorded conflict and send nothing.
  let alerts = 0;
  for (const budgetId of budgets) {
    try {
      alerts += (await evaluateBudget(orgId, budgetId)).alerts;
    } catch (err) {
      // The reprice is committed: the sweep re-evaluates every budget within a minute.
      console.error(`[reprice] alert evaluation of budget ${budgetId} failed; the sweep will retry:`, err);
    }
  }
  return { ...summary, alerts };
}
