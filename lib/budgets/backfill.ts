import type { Prisma } from "../generated/prisma/client";
import { BUDGET_MATCH, BUDGET_ITEM, BUDGET_PERIOD_AT, BUDGET_LOCK_KEY } from "./sql";

// A budget created, widened or narrowed mid-period starts from the period's real spend, never from
// zero: its counters are recomputed from what is stored, under the org's budget lock held
// exclusively (ingest writes hold it shared), so no event is counted twice or missed.
//
// Which periods: every period a stored or late event can still land in — events may arrive up to 35
// days late — so each counter equals the sum of its period's events (the invariant); a TOTAL budget
// has one period. Source: the hourly rollups for scopes they carry (exact: rollup hours are org-local,
// so a day, week or month is a whole set of them), the events themselves for tasks and executions.

type TTx = Prisma.TransactionClient;

const LATE_EVENT_DAYS = 36;

export async function lockOrgBudgets(tx: TTx, orgId: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${BUDGET_LOCK_KEY("$1")})::text`, orgId);
}

const ROLLUP_SCOPES = new Set(["ORG", "TEAM", "COST_CENTER", "KEY", "AGENT", "USER", "MODEL"]);

export async function backfillCounters(tx: TTx, orgId: string, budgetId: string): Promise<number> {
  await tx.budgetCounter.deleteMany({ where: { orgId, budgetId } });
  const budget = await tx.budget.findFirstOrThrow({ where: { orgId, id: budgetId }, select: { scope: true } });
  // The rollup row stands in for its events: same attribution columns, same local hour.
  const rollupAsEvent = `(SELECT r."orgId", nullif(r."teamId", '') AS "teamId", nullif(r."costCenterId", '') AS "costCenterId", r."keyId",
                                 nullif(r.agent, '') AS agent, nullif(r."userId", '') AS "userId", nullif(r.model, '') AS model,
                                 NULL::text AS task, NULL::text AS "executionId", r.hour AS "occurredAt", r."costUsd",
                                 r.calls, r."unpricedCalls" AS unpriced
                            FROM "UsageRollup" r WHERE r."orgId" = $1 AND (b.period = 'TOTAL' OR r.hour >= since.t))`;
  const events = `(SELECT e."orgId", e."teamId", e."costCenterId", e."keyId", e.agent, e."userId", e.model, e.task, e."executionId",
                          e."occurredAt", e."costUsd", 1 AS calls, (e."costSource" = 'UNPRICED')::int AS unpriced
                     FROM "UsageEvent" e WHERE e."orgId" = $1 AND (b.period = 'TOTAL' OR e."occurredAt" >= since.t))`;
  const source = ROLLUP_SCOPES.has(budget.scope) ? rollupAsEvent : events;
  return tx.$executeRawUnsafe(
    `INSERT INTO "BudgetCounter" (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", calls, "unpricedCalls", "updatedAt")
     SELECT gen_random_uuid()::text, $1, b.id, ${BUDGET_PERIOD_AT("b", 'x."occurredAt"', "o.timezone")}, ${BUDGET_ITEM("b", "x")},
            sum(x."costUsd"), sum(x.calls), sum(x.unpriced), now()
       FROM "Budget" b
       JOIN "Organization" o ON o.id = b."orgId"
      CROSS JOIN LATERAL (SELECT ${BUDGET_PERIOD_AT("b", `now() - interval '${LATE_EVENT_DAYS} days'`, "o.timezone")} AS t) since
      CROSS JOIN LATERAL ${source} x
      WHERE b."orgId" = $1 AND b.id = $2 AND ${BUDGET_MATCH("b", "x")}
      GROUP BY b.id, 4, 5`,
    orgId,
    budgetId,
  );
}
