// SQL fragments that say which budget applies to which event and where its spend is counted —
// one definition for ingest (lib/ingest/ingest-sql.ts), backfill (./backfill.ts) and the budget check
// (./check.ts), so the three can never disagree.

// A model's name without a release-date suffix: providers answer with the dated snapshot
// ("gpt-4o-2024-08-06", "claude-3-5-haiku-20241022") of the model a client asked for by its plain
// name, and a MODEL budget named "gpt-4o" is meant for all of them — never for "gpt-4o-mini", whose
// suffix is not a date. A budget on a dated name counts that snapshot only.
const MODEL_DATE_SUFFIX = "-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$";
export const MODEL_FAMILY = (model: string) => `regexp_replace(${model}, '${MODEL_DATE_SUFFIX}', '')`;

// Does budget `b` (scope, scopeValue) apply to event `e` (attribution columns of UsageEvent)? An ORG
// budget to all, a TEAM budget to its team's events, …; TASK and EXECUTION budgets to one task /
// execution, or with "*" to each one separately. The one definition of "applies", for ingest's
// join of groups to budgets, backfill and the budget check. A scalar comparison rather than a join
// on (scope, value) pairs: a budget meets each group once (a task named "*" under a "*" budget
// matched both pairs and counted twice), and the ingest statement's generic plan, blind to row
// counts, once joined every group to every budget before expanding each pair's keys (14 ms of a
// 1,000-event batch under 50 budgets; a comparison per pair is ~1 ms).
export const BUDGET_MATCH = (b: string, e: string) => `(${b}."scopeValue" = CASE ${b}.scope
    WHEN 'ORG' THEN ''
    WHEN 'TEAM' THEN ${e}."teamId"
    WHEN 'COST_CENTER' THEN ${e}."costCenterId"
    WHEN 'KEY' THEN ${e}."keyId"
    WHEN 'AGENT' THEN ${e}.agent
    WHEN 'USER' THEN ${e}."userId"
    WHEN 'MODEL' THEN CASE WHEN ${e}.model = ${b}."scopeValue" OR left(${e}.model, length(${b}."scopeValue") + 1) <> ${b}."scopeValue" || '-'
                           THEN ${e}.model ELSE ${MODEL_FAMILY(`${e}.model`)} END
    WHEN 'TASK' THEN CASE WHEN ${b}."scopeValue" = '*' AND ${e}.task IS NOT NULL THEN '*' ELSE ${e}.task END
    WHEN 'EXECUTION' THEN CASE WHEN ${b}."scopeValue" = '*' AND ${e}."executionId" IS NOT NULL THEN '*' ELSE ${e}."executionId" END
  END)`;

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

// The exclusive end of the period starting at `start` (NULL for TOTAL): the next period's start. From
// the local start truncated again — a day whose midnight a DST change skips (Santiago, Havana) starts
// at 01:00 local, and adding a day to that would end it an hour into the next.
export const BUDGET_PERIOD_END = (b: string, start: string, tz: string) => `(CASE ${b}.period
  WHEN 'DAY' THEN (date_trunc('day', (${start}) AT TIME ZONE ${tz}) + interval '1 day') AT TIME ZONE ${tz}
  WHEN 'WEEK' THEN (date_trunc('week', (${start}) AT TIME ZONE ${tz}) + interval '1 week') AT TIME ZONE ${tz}
  WHEN 'MONTH' THEN (date_trunc('month', (${start}) AT TIME ZONE ${tz}) + interval '1 month') AT TIME ZONE ${tz}
  ELSE NULL END)`;

// Per-org lock that orders budget changes against ingest writes: a write holds it shared while it
// reads the org's budgets and stores events; creating or changing a budget holds it exclusively
// while it backfills counters from the stored events. So an event is counted exactly once — by the
// write that saw the budget, or by the backfill that saw the event — never by neither or both.
export const BUDGET_LOCK_KEY = (orgId: string) => `hashtextextended('burnrate.budgets:' || ${orgId}, 0)`;
