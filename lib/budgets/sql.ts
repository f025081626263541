// SQL fragments that say which budget applies to which event and where its spend is counted —
// one definition for ingest (lib/ingest/store.ts), backfill (./backfill.ts) and the budget check
// (./check.ts), so the three can never disagree.

// The (scope, scopeValue) pairs of the budgets that apply to event `e` (attribution columns of
// UsageEvent): an ORG budget to all, a TEAM budget to its team's events, …; TASK and EXECUTION
// budgets to one task / execution, or with "*" to each one separately. The one definition of
// "applies": ingest hash-joins budgets on these pairs; BUDGET_APPLIES tests one budget against them.
export const BUDGET_KEYS = (e: string) => `(VALUES
  ('ORG'::"BudgetScope", ''::text), ('TEAM', ${e}."teamId"), ('COST_CENTER', ${e}."costCenterId"), ('KEY', ${e}."keyId"),
  ('AGENT', ${e}.agent), ('USER', ${e}."userId"), ('MODEL', ${e}.model),
  ('TASK', ${e}.task), ('TASK', CASE WHEN ${e}.task IS NOT NULL THEN '*' END),
  ('EXECUTION', ${e}."executionId"), ('EXECUTION', CASE WHEN ${e}."executionId" IS NOT NULL THEN '*' END)
) AS budget_key(scope, value)`;

// Does budget `b` (scope, scopeValue) apply to event `e`?
export const BUDGET_APPLIES = (b: string, e: string) =>
  `EXISTS (SELECT 1 FROM ${BUDGET_KEYS(e)} WHERE budget_key.scope = ${b}.scope AND budget_key.value = ${b}."scopeValue")`;

// The counter an event's spend goes to within a budget: one per task / execution for per-item
// budgets, one for the others.
export const BUDGET_ITEM = (b: string, e: string) =>
  `(CASE ${b}.scope WHEN 'TASK' THEN ${e}.task WHEN 'EXECUTION' THEN ${e}."executionId" ELSE '' END)`;

// Calendar periods in the org's time zone: a day is the org's day (23 or 25 hours across DST), a week
// starts on Monday (ISO), a month on the 1st; a TOTAL budget has one period starting at the epoch.
export const TOTAL_PERIOD_START = "'1970-01-01T00:00:00Z'::timestamptz";

export const LOCAL_PERIOD_START = (unit: "day" | "week" | "month", ts: string, tz: string) =>
  `(date_trunc('${unit}', (${ts}) AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;

// The same from an org-local date (`LOCAL_DATE`): for many events, one time-zone conversion per
// event to get its date, and the period starts per distinct date.
export const LOCAL_DATE = (ts: string, tz: string) => `((${ts}) AT TIME ZONE ${tz})::date`;
export const LOCAL_PERIOD_START_OF_DAY = (unit: "day" | "week" | "month", day: string, tz: string) =>
  `(date_trunc('${unit}', (${day})::timestamp) AT TIME ZONE ${tz})`;

// Picks the period start for budget `b` from precomputed local day / week / month starts.
export const BUDGET_PERIOD_START = (b: string, day: string, week: string, month: string) =>
  `(CASE ${b}.period WHEN 'DAY' THEN ${day} WHEN 'WEEK' THEN ${week} WHEN 'MONTH' THEN ${month} ELSE ${TOTAL_PERIOD_START} END)`;

// The period holding `ts` for budget `b`, computed directly (one timestamp, not a batch).
export const BUDGET_PERIOD_AT = (b: string, ts: string, tz: string) =>
  BUDGET_PERIOD_START(b, LOCAL_PERIOD_START("day", ts, tz), LOCAL_PERIOD_START("week", ts, tz), LOCAL_PERIOD_START("month", ts, tz));

// The exclusive end of the period starting at `start` (NULL for TOTAL).
export const BUDGET_PERIOD_END = (b: string, start: string, tz: string) => `(CASE ${b}.period
  WHEN 'DAY' THEN (((${start}) AT TIME ZONE ${tz}) + interval '1 day') AT TIME ZONE ${tz}
  WHEN 'WEEK' THEN (((${start}) AT TIME ZONE ${tz}) + interval '1 week') AT TIME ZONE ${tz}
  WHEN 'MONTH' THEN (((${start}) AT TIME ZONE ${tz}) + interval '1 month') AT TIME ZONE ${tz}
  ELSE NULL END)`;

// Per-org lock that orders budget changes against ingest writes: a write holds it shared while it
// reads the org's budgets and stores events; creating or changing a budget holds it exclusively
// while it backfills counters from the stored events. So an event is counted exactly once — by the
// write that saw the budget, or by the backfill that saw the event — never by neither or both.
export const BUDGET_LOCK_KEY = (orgId: string) => `hashtextextended('burnrate.budgets:' || ${orgId}, 0)`;
