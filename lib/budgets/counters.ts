// A budget counter's state as ingest (lib/ingest/store.ts), the sweep and the budget check read it:
// its spend, calls and unpriced calls, its budget, and which thresholds it has reached with no
// alert yet (level-triggered: however the spend got there). Counters move in the statement that
// stores the events (docs/architecture.md §6).

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

// The limit of counter `k` under budget `b`: the budget's amount, plus for a task or an execution
// what approvals and resumes granted that item in that period (BudgetAllowance). The one
// definition, so the ingest answer, the budget check, the sweep's blocking and the budgets page agree.
export const ITEM_LIMIT = (b: string, k: string) => `(${b}."amountUsd" + CASE WHEN ${b}.scope IN ('TASK', 'EXECUTION') THEN coalesce((
    SELECT sum(al."extraUsd") FROM "BudgetAllowance" al
     WHERE al."orgId" = ${k}."orgId" AND al."budgetId" = ${k}."budgetId" AND al."periodStart" = ${k}."periodStart" AND al."itemKey" = ${k}."itemKey"), 0)
  ELSE 0 END)`;

// A counter's budget as its state carries it (TCounterBudget, its amount the budget's own): per
// counter in the reads of a few counters (check, sweep), once per budget in the ingest answer.
export const COUNTER_BUDGET_JSON = (b: string) => `json_build_object('id', ${b}.id, 'name', ${b}.name, 'scope', ${b}.scope,
  'scopeValue', ${b}."scopeValue", 'period', ${b}.period, 'amountUsd', ${b}."amountUsd"::text, 'enforcement', ${b}.enforcement,
  'thresholds', ${b}.thresholds, 'alertEpoch', ${b}."alertEpoch")`;

// The columns of a counter state, for `FROM <counter keys> k JOIN "Budget" b` and ITEM_LIMIT_JOIN, with the
// counter's spend in `spent` (a numeric expression); shared by ingest, the check and the sweep
// (./evaluate.ts). "limitUsd" is the item's limit (ITEM_LIMIT). The due thresholds are looked up
// only for a counter at or over the lowest (most are far below: the ingest answer reads a state
// for every counter a write moves, ~56 for 100 events under 50 budgets); below it, NULL (none; the
// reader spares parsing an empty array).
export const COUNTER_STATE_COLUMNS = (spent: string, calls: string, unpriced: string) => `
  k."orgId", k."budgetId", k."periodStart", k."itemKey", (${spent})::text AS "spentUsd", (${calls})::int8 AS calls,
  (${unpriced})::int8 AS "unpricedCalls", lim.amount::text AS "limitUsd",
  CASE WHEN (${spent}) * 100 < lim.amount * (SELECT min(th) FROM unnest(b.thresholds) th) THEN NULL::int4[]
       ELSE ARRAY(SELECT th FROM unnest(b.thresholds) th
                   WHERE (${spent}) * 100 >= lim.amount * th
                     AND NOT EXISTS (SELECT 1 FROM "BudgetAlert" a
                                      WHERE a."orgId" = k."orgId" AND a."budgetId" = k."budgetId" AND a."periodStart" = k."periodStart"
                                        AND a."itemKey" = k."itemKey" AND a.threshold = th AND a.kind = 'ACTUAL' AND a.epoch = b."alertEpoch")
                   ORDER BY th) END AS "dueThresholds",
  (b.enforcement = 'BLOCK' AND b.scope IN ('TASK', 'EXECUTION') AND (${spent}) >= lim.amount
   AND EXISTS (SELECT 1 FROM "Execution" x WHERE x."orgId" = k."orgId" AND x.status = 'RUNNING'
                 AND ((b.scope = 'EXECUTION' AND x."executionId" = k."itemKey") OR (b.scope = 'TASK' AND x.task = k."itemKey")))) AS "blockDue"`;

// The same allowances for all the items of one budget and period at once, as rows (itemKey, extra):
// for reads over many counters (the budgets page), a hash join instead of a probe per counter.
export const ITEM_ALLOWANCES = (orgId: string, budgetId: string, periodStart: string) => `(
  SELECT al."itemKey", sum(al."extraUsd") AS extra FROM "BudgetAllowance" al
   WHERE al."orgId" = ${orgId} AND al."budgetId" = ${budgetId} AND al."periodStart" = ${periodStart} GROUP BY al."itemKey")`;

// Joined after `"Budget" b` in every FROM that selects COUNTER_STATE_COLUMNS: the limit computed once
// per row (OFFSET 0 keeps the subquery from being pulled up, which copied the expression — and its
// allowance lookup — into each of the three places that read it).
export const ITEM_LIMIT_JOIN = `CROSS JOIN LATERAL (SELECT ${ITEM_LIMIT("b", "k")} AS amount OFFSET 0) lim`;

// A counter state as a query returns it: COUNTER_STATE_COLUMNS, plus its budget (COUNTER_BUDGET_JSON)
// in the same row or, for the ingest answer, by id.
export type TRawCounterState = Omit<TCounterState, "calls" | "unpricedCalls" | "budget" | "periodStart" | "dueThresholds"> & {
  periodStart: Date | string;
  dueThresholds: number[] | null;
  calls: string | number;
  unpricedCalls: string | number;
  limitUsd: string;
  budget?: TCounterBudget;
};

export function toCounterState(row: TRawCounterState, budget: TCounterBudget | undefined = row.budget): TCounterState {
  if (!budget) throw new Error(`counter state without its budget ${row.budgetId}`);
  return {
    orgId: row.orgId,
    budgetId: row.budgetId,
    periodStart: new Date(row.periodStart),
    itemKey: row.itemKey,
    spentUsd: row.spentUsd,
    calls: Number(row.calls),
    unpricedCalls: Number(row.unpricedCalls),
    // The item's limit where it differs from the budget's amount (an approval or a resume granted more).
    budget: row.limitUsd === budget.amountUsd ? budget : { ...budget, amountUsd: row.limitUsd },
    dueThresholds: row.dueThresholds ?? [],
    blockDue: row.blockDue,
  };
}
