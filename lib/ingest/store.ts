import { toCounterState, type TCounterBudget, type TCounterState, type TRawCounterState } from "../budgets/counters";
import type { TExecutionRow } from "../anomalies/detect";
import { pool } from "../db";
import { intArrayLiteral, textArrayLiteral, timestampArrayLiteral } from "./array-literal";
import { EVENT_COLUMNS, INGEST_SQL } from "./ingest-sql";
import type { TEventRow } from "./prepare";

// From the write itself only: `detect`, what the runaway detectors need (its `calls` is the count
// after the write, which the detector's per-process call memory is checked against).
export type TExecutionState = { costUsd: string; status: string; blockedReason: string | null; detect?: TExecutionRow };
export type TStoreResult = {
  // Whether this write inserted the event with key `${orgId}\u0000${eventId}` (else it was a duplicate).
  wasInserted: (key: string) => boolean;
  insertedCount: number;
  // `${orgId}\u0000${executionId}` → totals after this write.
  executions: Map<string, TExecutionState>;
  // Per job (index in the write's jobs): the budgets its events fall under, with their counters
  // after this write; `ofInterest` marks those that apply to the job's execution of interest.
  budgets: Map<number, (TCounterState & { ofInterest: boolean })[]>;
  // Counters that reached a threshold with no alert yet: lib/budgets/evaluate.ts records the alerts.
  due: TCounterState[];
};

// One row of the ingest statement's answer (lib/ingest/ingest-sql.ts): which kind in `what`; the
// state columns are set on counter states only.
type TAnswerRow = {
  what: string;
  orgId: string;
  id: string;
  cost: string;
  status: string;
  budget: Record<string, unknown> | null;
  periodStartMs: number | null; // int8, a number by lib/db.ts's parser
  calls: string | null;
  unpricedCalls: string | null;
  limitUsd: string | null;
  dueThresholds: number[] | null;
  blockDue: boolean | null;
};

export const rowKey = (orgId: string, id: string) => `${orgId}\u0000${id}`;

export function sortRows(rows: TEventRow[]): TEventRow[] {
  return rows.sort((a, b) =>
    a.orgId === b.orgId ? (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) : a.orgId < b.orgId ? -1 : 1,
  );
}

// Which jobs (requests) of a group commit sent each row, and each job's execution of interest. Every
// row names its jobs: a counter no job's codes are sent for is read as job 0's, not of interest.
export type TWriteJobs = { jobList: (string | null)[]; jobExecutions: (string | null)[] };

function columnLiteral(type: string, values: unknown[]): string {
  if (type === "int4") return intArrayLiteral(values as (number | null)[]);
  if (type === "timestamptz") return timestampArrayLiteral(values as Date[]);
  return textArrayLiteral(values as (string | null)[]);
}

// Stores rows that are already sorted by (orgId, eventId) and unique on it: one statement.
export async function storeEvents(rows: readonly TEventRow[], jobs?: TWriteJobs): Promise<TStoreResult> {
  const orgIds = [...new Set(rows.map((r) => r.orgId))].sort();
  const params = [
    ...EVENT_COLUMNS.map(([, type, pick]) => columnLiteral(type, rows.map(pick))),
    textArrayLiteral(jobs?.jobList ?? rows.map(() => null)),
    textArrayLiteral(jobs?.jobExecutions ?? []),
    textArrayLiteral(orgIds),
  ];
  // A named statement is parsed and planned once per connection, not once per write.
  const { rows: out } = await pool().query<TAnswerRow>({
    name: "burnrate_ingest_v18",
    text: INGEST_SQL,
    values: params,
  });
  const inserted = new Set<string>();
  let insertedCount = 0;
  const executions = new Map<string, TExecutionState>();
  const due: TCounterState[] = [];
  const budgets: TStoreResult["budgets"] = new Map();
  const stateRows: TAnswerRow[] = [];
  const counterBudgets = new Map<string, TCounterBudget>();
  const jobCodes = new Map<string, string>();
  for (const row of out) {
    if (row.what === "inserted") insertedCount = Number(row.cost);
    else if (row.what === "event") inserted.add(rowKey(row.orgId, row.id));
    else if (row.what === "execution") {
      const x = row.budget as Omit<TExecutionRow, "orgId" | "executionId" | "lastSeenAt" | "resumedAt"> & { blockedReason: string | null; lastSeenAt: string; resumedAt: string | null };
      executions.set(rowKey(row.orgId, row.id), {
        costUsd: row.cost,
        status: row.status,
        blockedReason: x.blockedReason,
        detect: { ...x, orgId: row.orgId, executionId: row.id, costUsd: row.cost, calls: Number(x.calls), lastSeenAt: new Date(x.lastSeenAt), resumedAt: x.resumedAt ? new Date(x.resumedAt) : null },
      });
    }
    else if (row.what === "state") stateRows.push(row);
    else if (row.what === "budget") counterBudgets.set(row.id, row.budget as unknown as TCounterBudget);
    else if (row.what === "jobs") {
      for (const [budgetId, periodStartMs, itemKey, codes] of (row.budget ?? []) as unknown as [string, number, string, string][]) {
        jobCodes.set(`${budgetId}\u0000${periodStartMs}\u0000${itemKey}`, codes);
      }
    }
  }
  for (const row of stateRows) {
    const raw: TRawCounterState = {
      orgId: row.orgId,
      budgetId: row.id,
      periodStart: new Date(row.periodStartMs!),
      itemKey: row.status,
      spentUsd: row.cost,
      calls: row.calls!,
      unpricedCalls: row.unpricedCalls!,
      limitUsd: row.limitUsd!,
      dueThresholds: row.dueThresholds,
      blockDue: row.blockDue!,
    };
    const state = toCounterState(raw, counterBudgets.get(row.id));
    if (state.dueThresholds.length || state.blockDue) due.push(state);
    if (!jobs) continue;
    // A budget id is unique across orgs. A counter with no codes sent is plain: job 0's, not of interest.
    const codes = jobCodes.get(`${row.id}\u0000${row.periodStartMs}\u0000${row.status}`) ?? "0";
    for (const [job, ofInterest] of jobsOfCounter(codes)) {
      let list = budgets.get(job);
      if (!list) budgets.set(job, (list = []));
      list.push({ ...state, ofInterest });
    }
  }
  const wasInserted = insertedCount === rows.length ? () => true : (key: string) => inserted.has(key);
  return { wasInserted, insertedCount, executions, budgets, due };
}

// A counter's job codes ("0,1,0": job × 2, + 1 where the job's execution of interest is under it),
// folded: each job once, of interest if any of its codes says so.
export function jobsOfCounter(jobCodes: string | null): Map<number, boolean> {
  const jobs = new Map<number, boolean>();
  if (!jobCodes) return jobs;
  for (const part of jobCodes.split(",")) {
    const code = Number(part);
    const job = code >> 1;
    jobs.set(job, jobs.get(job) === true || (code & 1) === 1);
  }
  return jobs;
}

export async function loadExecutionStates(keys: { orgId: string; executionId: string }[]): Promise<Map<string, TExecutionState>> {
  const result = new Map<string, TExecutionState>();
  if (keys.length === 0) return result;
  const { rows } = await pool().query(
    `SELECT "orgId", "executionId", "costUsd"::text AS cost, status::text AS status, "blockedReason"
       FROM "Execution" e JOIN unnest($1::text[], $2::text[]) AS k(org, ex) ON e."orgId" = k.org AND e."executionId" = k.ex`,
    [keys.map((k) => k.orgId), keys.map((k) => k.executionId)],
  );
  for (const row of rows) result.set(rowKey(row.orgId, row.executionId), { costUsd: row.cost, status: row.status, blockedReason: row.blockedReason });
  return result;
}
