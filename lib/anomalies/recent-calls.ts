import type { TEventRow } from "../ingest/prepare";
import type { TCall } from "./detect";

// This process's memory of the recent calls of executions it wrote, so that the retry-loop rule
// after a write needs no read of calls it has just written (nor, for an execution the write started,
// of any). It is never trusted on its own: an
// entry holds the execution's call count it accounts for, and is used only when that count plus
// the calls this write inserted equals the count the write's own statement returned — exact, so a
// call written by another replica (or a concurrent write of this one) makes it a miss, and the
// calls are read from Postgres again. Bounded: the loop window's calls (up to 500) of the executions
// written most recently — at most 5,000 of them and 200,000 calls in all (~100 MB). Without the
// second bound it could hold 2.5 million calls; a heap snapshot after a one-minute bench held 195,000,
// and every full collection marks all of them.

type TEntry = { count: number; windowMs: number; calls: TCall[] };

const MAX_EXECUTIONS = 5_000;
const MAX_CALLS = 500;
export const MAX_TOTAL_CALLS = 200_000;
const entries = new Map<string, TEntry>();
let totalCalls = 0;

export function callOf(row: TEventRow): TCall {
  return {
    eventId: row.eventId,
    occurredAt: row.occurredAt,
    kind: row.kind,
    model: row.model,
    tool: row.tool,
    errorType: row.errorType,
    status: row.status,
    fingerprint: row.fingerprint,
    costUsd: row.costUsd,
    input: row.usage.inputTokens + row.usage.cacheReadTokens + row.usage.cacheWriteTokens,
    output: row.usage.outputTokens,
  };
}

// The window's calls, newest first, as the database read returns them.
function pruned(calls: TCall[], windowMs: number, resumedAt: Date | null): TCall[] {
  calls.sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.eventId < b.eventId ? 1 : -1));
  const newest = calls[0]?.occurredAt.getTime() ?? 0;
  const from = Math.max(newest - windowMs - 1, resumedAt?.getTime() ?? -Infinity);
  return calls.filter((c) => c.occurredAt.getTime() > from).slice(0, MAX_CALLS);
}

// An execution with no calls before this write: nothing to remember to know all of them.
const NO_CALLS: TEntry = { count: 0, windowMs: Infinity, calls: [] };

// The calls after this write, if the entry accounts for every call before it — or the write
// inserted every call the execution has (it started it); else null (read them).
export function recentCallsAfterWrite(key: string, totalAfter: number, inserted: TCall[], windowMs: number, resumedAt: Date | null): TCall[] | null {
  const remembered = entries.get(key);
  if (remembered) forget(key, remembered);
  const entry = remembered ?? (inserted.length === totalAfter ? NO_CALLS : undefined);
  if (!entry || entry.count + inserted.length !== totalAfter || entry.windowMs < windowMs) return null;
  const calls = pruned([...entry.calls, ...inserted], windowMs, resumedAt);
  remember(key, { count: totalAfter, windowMs, calls });
  return calls;
}

// What a read from Postgres returned: the calls in the window and the count they account for (read
// in the same statement).
export function rememberCalls(key: string, count: number, calls: TCall[], windowMs: number): void {
  remember(key, { count, windowMs, calls: calls.slice(0, MAX_CALLS) });
}

function remember(key: string, entry: TEntry): void {
  const before = entries.get(key);
  if (before) forget(key, before);
  entries.set(key, entry);
  totalCalls += entry.calls.length;
  // Least recently written first out (a Map iterates in insertion order).
  while (entries.size > MAX_EXECUTIONS || totalCalls > MAX_TOTAL_CALLS) {
    const [oldestKey, oldest] = entries.entries().next().value!;
    forget(oldestKey, oldest);
  }
}

function forget(key: string, entry: TEntry): void {
  entries.delete(key);
  totalCalls -= entry.calls.length;
}

export function forgetRecentCalls(): void {
  entries.clear();
  totalCalls = 0;
}
