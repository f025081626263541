import { kickAlertDeliveries, queueAlertNotifications } from "../alerts/notify";
import { pool } from "../db";
import { ITEM_LIMIT } from "./counters";
import { alertEvent, channelsOf, loadAlertBudget } from "./evaluate";
import { projectPeriodEnd, type TProjection } from "./projection";
import { BUDGET_PERIOD_AT, BUDGET_PERIOD_END } from "./sql";

// The forecast job (every few minutes): each active budget with forecast alerts whose current
// period projects to ≥ 100 % while still under it gets one FORECAST alert per period, naming the
// projected breach date — exactly once, by the same unique row as threshold alerts. A forecast row
// is always epoch 0: a raised amount starts a new epoch for thresholds, but the period has had its
// warning (a second forecast after each edit would be noise). Rows of any epoch count as sent (an
// earlier version wrote the budget's epoch).
const FORECAST_EPOCH = 0;
export async function forecastBudgets(now = new Date()): Promise<{ checked: number; alerts: number }> {
  const { rows } = await pool().query<{
    orgId: string;
    budgetId: string;
    periodStart: Date;
    periodEnd: Date | null;
    itemKey: string;
    spentUsd: string;
    amountUsd: string;
    period: string;
  }>(
    `WITH cur AS (
       SELECT b.*, ${BUDGET_PERIOD_AT("b", "$1::timestamptz", "o.timezone")} AS ps, o.timezone
         FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId"
        WHERE b."archivedAt" IS NULL AND b."forecastAlerts" AND b.period <> 'TOTAL'
          -- A forecast is about a pool of money; "each task / execution" budgets alert as items cross.
          AND NOT (b.scope IN ('TASK', 'EXECUTION') AND b."scopeValue" = '*')
     )
     SELECT c."orgId", c."budgetId", c."periodStart", ${BUDGET_PERIOD_END("cur", "cur.ps", "cur.timezone")} AS "periodEnd",
            c."itemKey", c."spentUsd"::text AS "spentUsd", lim.amount::text AS "amountUsd", cur.period
       FROM cur JOIN "BudgetCounter" c ON c."orgId" = cur."orgId" AND c."budgetId" = cur.id AND c."periodStart" = cur.ps
      CROSS JOIN LATERAL (SELECT ${ITEM_LIMIT("cur", "c")} AS amount) lim
      WHERE c."spentUsd" < lim.amount
        AND NOT EXISTS (SELECT 1 FROM "BudgetAlert" a WHERE a."orgId" = c."orgId" AND a."budgetId" = c."budgetId"
                          AND a."periodStart" = c."periodStart" AND a."itemKey" = c."itemKey" AND a.kind = 'FORECAST')`,
    [now],
  );
  let alerts = 0;
  for (const row of rows) {
    const projection = projectPeriodEnd({ ...row, now });
    if (!projection?.breachAt) continue;
    if (await recordForecast(row, projection)) alerts++;
  }
  if (alerts) kickAlertDeliveries();
  return { checked: rows.length, alerts };
}

async function recordForecast(
  counter: { orgId: string; budgetId: string; periodStart: Date; itemKey: string; spentUsd: string },
  projection: TProjection,
): Promise<boolean> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const budget = await loadAlertBudget(client, counter.orgId, counter.budgetId, counter.periodStart, counter.itemKey);
    if (!budget || budget.archivedAt) {
      await client.query("ROLLBACK");
      return false;
    }
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch, "spentUsd", "limitUsd", "projectedAt")
       VALUES (gen_random_uuid()::text, $1, $2, $3, $4, 100, 'FORECAST', $5, $6, $7, $8)
       ON CONFLICT ("orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch) DO NOTHING RETURNING id`,
      [counter.orgId, counter.budgetId, counter.periodStart, counter.itemKey, FORECAST_EPOCH, counter.spentUsd, budget.amountUsd, projection.breachAt],
    );
    if (rows.length) {
      const event = await alertEvent(client, budget, counter, { id: rows[0].id, kind: "FORECAST", threshold: 100, alsoPassed: [], projectedAt: projection.breachAt });
      await queueAlertNotifications(client, event, await channelsOf(client, counter.orgId, budget));
    }
    await client.query("COMMIT");
    return rows.length > 0;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
