import type { PoolClient } from "pg";

// Budget counters move in the transaction that stores the events (docs/architecture.md §6): the
// ingest statement says by how much (deltas, from inserted events only); this, its last statement,
// applies them — aggregated per counter, in the counters' key order (no deadlock between writes),
// as late as possible (every write touches the ORG budget's row: its lock is held only from here to
// COMMIT). It also reads back every counter the request's events fall under, and which of them
// reached a threshold that has no alert yet (level-triggered: however the spend got there).

export type TBudgetDelta = { orgId: string; budgetId: string; periodStart: string; itemKey: string; costUsd: string; calls: number; unpriced: number };
export type TTouchedBudget = { orgId: string; budgetId: string; periodStart: string; itemKey: string };

export type TCounterBudget = {
  id: string;
  name: string | null;
  scope: string;
  scopeValue: string;
  period: string;
  amountUsd: string;
  enforcement: "ALERT" | "BLOCK";
  thresholds: number[];
  alertEpoch: number;
};

export type TCounterState = {
  orgId: string;
  budgetId: string;
  periodStart: Date;
  itemKey: string;
  spentUsd: string;
  calls: number;
  unpricedCalls: number;
  budget: TCounterBudget;
  // Thresholds (percent) the spend has reached with no ACTUAL alert in the budget's epoch yet.
  dueThresholds: number[];
  // A BLOCK budget of a task / execution at or over its amount whose work still runs.
  blockDue: boolean;
};

const key = (t: { orgId: string; budgetId: string; periodStart: string | Date; itemKey: string }) =>
  `${t.orgId}\u0000${t.budgetId}\u0000${new Date(t.periodStart).toISOString()}\u0000${t.itemKey}`;

// The columns of a counter state, for `FROM <counter keys> k JOIN "Budget" b` with the counter's
// spend in `spent` (a numeric expression); shared with the sweep (./evaluate.ts).
export const COUNTER_STATE_COLUMNS = (spent: string, calls: string, unpriced: string) => `
  k."orgId", k."budgetId", k."periodStart", k."itemKey", (${spent})::text AS "spentUsd", (${calls})::int8 AS calls,
  (${unpriced})::int8 AS "unpricedCalls",
  json_build_object('id', b.id, 'name', b.name, 'scope', b.scope, 'scopeValue', b."scopeValue", 'period', b.period,
                    'amountUsd', b."amountUsd"::text, 'enforcement', b.enforcement, 'thresholds', b.thresholds,
                    'alertEpoch', b."alertEpoch") AS budget,
  ARRAY(SELECT th FROM unnest(b.thresholds) th
         WHERE (${spent}) * 100 >= b."amountUsd" * th
           AND NOT EXISTS (SELECT 1 FROM "BudgetAlert" a
                            WHERE a."orgId" = k."orgId" AND a."budgetId" = k."budgetId" AND a."periodStart" = k."periodStart"
                              AND a."itemKey" = k."itemKey" AND a.threshold = th AND a.kind = 'ACTUAL' AND a.epoch = b."alertEpoch")
         ORDER BY th) AS "dueThresholds",
  (b.enforcement = 'BLOCK' AND b.scope IN ('TASK', 'EXECUTION') AND (${spent}) >= b."amountUsd"
   AND EXISTS (SELECT 1 FROM "Execution" x WHERE x."orgId" = k."orgId" AND x.status = 'RUNNING'
                 AND ((b.scope = 'EXECUTION' AND x."executionId" = k."itemKey") OR (b.scope = 'TASK' AND x.task = k."itemKey")))) AS "blockDue"`;

const APPLY_SQL = `
WITH d AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::numeric[], $6::int8[], $7::int8[])
    AS t("orgId", "budgetId", "periodStart", "itemKey", cost, calls, unpriced)
),
up AS (
  INSERT INTO "BudgetCounter" AS c (id, "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", calls, "unpricedCalls", "updatedAt")
  SELECT gen_random_uuid()::text, "orgId", "budgetId", "periodStart", "itemKey", cost, calls, unpriced, now() FROM d
   ORDER BY "orgId", "budgetId", "periodStart", "itemKey"
  ON CONFLICT ("orgId", "budgetId", "periodStart", "itemKey") DO UPDATE SET
    "spentUsd" = c."spentUsd" + EXCLUDED."spentUsd",
    calls = c.calls + EXCLUDED.calls,
    "unpricedCalls" = c."unpricedCalls" + EXCLUDED."unpricedCalls",
    "updatedAt" = now()
  RETURNING "orgId", "budgetId", "periodStart", "itemKey", "spentUsd", calls, "unpricedCalls"
),
k AS (
  SELECT * FROM unnest($8::text[], $9::text[], $10::timestamptz[], $11::text[]) AS t("orgId", "budgetId", "periodStart", "itemKey")
)
SELECT ${COUNTER_STATE_COLUMNS(`coalesce(up."spentUsd", c."spentUsd", 0)`, `coalesce(up.calls, c.calls, 0)`, `coalesce(up."unpricedCalls", c."unpricedCalls", 0)`)}
  FROM k
  JOIN "Budget" b ON b.id = k."budgetId" AND b."orgId" = k."orgId"
  LEFT JOIN up ON up."orgId" = k."orgId" AND up."budgetId" = k."budgetId" AND up."periodStart" = k."periodStart" AND up."itemKey" = k."itemKey"
  -- Counters this write did not move (only duplicates fell under them): as they stand.
  LEFT JOIN "BudgetCounter" c ON up."budgetId" IS NULL AND c."orgId" = k."orgId" AND c."budgetId" = k."budgetId"
       AND c."periodStart" = k."periodStart" AND c."itemKey" = k."itemKey"`;

export type TRawCounterState = Omit<TCounterState, "calls" | "unpricedCalls"> & { calls: string | number; unpricedCalls: string | number };

export function toCounterState(row: TRawCounterState): TCounterState {
  return { ...row, calls: Number(row.calls), unpricedCalls: Number(row.unpricedCalls), periodStart: new Date(row.periodStart) };
}

export async function applyBudgetDeltas(
  client: PoolClient,
  deltas: TBudgetDelta[],
  touched: TTouchedBudget[],
): Promise<{ touched: Map<string, TCounterState>; due: TCounterState[] }> {
  const states = new Map<string, TCounterState>();
  // Every counter that moves is also read back (a delta's events are among the request's).
  const keys = new Map<string, TTouchedBudget>();
  for (const t of [...touched, ...deltas]) keys.set(key(t), { orgId: t.orgId, budgetId: t.budgetId, periodStart: t.periodStart, itemKey: t.itemKey });
  if (keys.size === 0) return { touched: states, due: [] };
  // Locks are taken in the counters' key order by the statement itself (ORDER BY in the upsert).
  const sorted = deltas;
  const ks = [...keys.values()];
  const { rows } = await client.query<TRawCounterState>({
    name: "burnrate_budget_counters_v1",
    text: APPLY_SQL,
    values: [
      sorted.map((d) => d.orgId),
      sorted.map((d) => d.budgetId),
      sorted.map((d) => d.periodStart),
      sorted.map((d) => d.itemKey),
      sorted.map((d) => d.costUsd),
      sorted.map((d) => d.calls),
      sorted.map((d) => d.unpriced),
      ks.map((k) => k.orgId),
      ks.map((k) => k.budgetId),
      ks.map((k) => k.periodStart),
      ks.map((k) => k.itemKey),
    ],
  });
  const due: TCounterState[] = [];
  for (const raw of rows) {
    const state = toCounterState(raw);
    states.set(key(state), state);
    if (state.dueThresholds.length || state.blockDue) due.push(state);
  }
  return { touched: states, due };
}
