import Decimal from "decimal.js";
import type pg from "pg";
import { pool } from "../db";

// Cumulative metric series → the part of each running total not yet stored as spend.
//
// One row per series (the metric, the resource's and the point's attributes, and the start time:
// a restarted process is a new series, counted from zero). An export's points are turned into
// deltas under a per-series advisory lock held across the whole export, so two app processes never
// count the same increase twice. The write of the events and the ledger cannot share a transaction
// (events go through the group commit), so the ledger records what it is about to store first —
// the value and the id of the event that carries it — and settles after: a crash between the two
// steps leaves a pending value that the next export of the series settles by looking the event up.

export type TCumulativePoint = { seriesKey: string; metric: string; startTimeUnixNano: string; timeUnixNano: string; value: string };
export type TDelta = { seriesKey: string; delta: string; reset: boolean; value: string };

type TLedgerRow = { seriesKey: string; countedValue: string; countedTimeUnixNano: string; resets: number; pendingValue: string | null; pendingEventId: string | null; pendingReset: boolean };

// Ledger work holds a pooled connection for the length of an export: at most this many at once per
// process, so the ingest write it waits on always finds a connection.
const MAX_HOLDERS = 2;
let holders = 0;
const waiting: (() => void)[] = [];

async function acquire(): Promise<void> {
  if (holders < MAX_HOLDERS) {
    holders++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else holders--;
}

export type TLedgerSession = {
  deltas: Map<string, TDelta>;
  // Before the events are written: what each series is about to count, under which event id.
  markPending(pending: { seriesKey: string; eventId: string }[]): Promise<void>;
  // After: series whose event was stored (or already was) count it; the others drop the pending value.
  settle(storedEventIds: Set<string>): Promise<void>;
};

export async function withCumulativeLedger<T>(orgId: string, points: TCumulativePoint[], run: (ledger: TLedgerSession) => Promise<T>): Promise<T> {
  // The newest point of each series carries its whole increase.
  const latest = new Map<string, TCumulativePoint>();
  for (const p of points) {
    const seen = latest.get(p.seriesKey);
    if (!seen || BigInt(p.timeUnixNano) > BigInt(seen.timeUnixNano)) latest.set(p.seriesKey, p);
  }
  const keys = [...latest.keys()].sort();
  await acquire();
  let client: pg.PoolClient | null = null;
  let broken: Error | undefined;
  try {
    client = await pool().connect();
    const c = client;
    // Session-level locks, taken in one order: released on unlock, or by Postgres when a crashed
    // process's connection closes.
    await c.query(`SELECT pg_advisory_lock(k) FROM (SELECT DISTINCT hashtextextended($1 || x, 0) AS k FROM unnest($2::text[]) AS x ORDER BY 1) AS s`, [orgId, keys]);
    const rows = await loadLedger(c, orgId, keys);
    const deltas = new Map<string, TDelta>();
    for (const key of keys) {
      const p = latest.get(key)!;
      const row = rows.get(key);
      // No newer than what is counted: a re-sent (or late) export says nothing new.
      if (row && BigInt(p.timeUnixNano) <= BigInt(row.countedTimeUnixNano)) continue;
      const counted = new Decimal(row?.countedValue ?? 0);
      const value = new Decimal(p.value);
      if (value.isNeg()) continue;
      // A newer point lower than the count, same start time: the series was reset; all of it is new.
      const reset = value.lt(counted);
      const delta = reset ? value : value.minus(counted);
      if (delta.isZero()) continue;
      deltas.set(key, { seriesKey: key, delta: delta.toFixed(), reset, value: value.toFixed() });
    }
    let pendingKeys: string[] = [];
    const session: TLedgerSession = {
      deltas,
      async markPending(pending) {
        pendingKeys = pending.map((p) => p.seriesKey);
        if (!pending.length) return;
        await c.query(
          `INSERT INTO "TelemetrySeries" ("orgId", "seriesKey", metric, "startTimeUnixNano", "countedValue", "pendingValue", "pendingTimeUnixNano", "pendingEventId", "pendingReset", "updatedAt")
           SELECT $1, k, m, st, 0, v, tm, e, r, now() FROM unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::bool[]) AS t(k, m, st, v, tm, e, r)
           ON CONFLICT ("orgId", "seriesKey") DO UPDATE SET "pendingValue" = EXCLUDED."pendingValue", "pendingTimeUnixNano" = EXCLUDED."pendingTimeUnixNano",
             "pendingEventId" = EXCLUDED."pendingEventId", "pendingReset" = EXCLUDED."pendingReset", "updatedAt" = now()`,
          [
            orgId,
            pendingKeys,
            pending.map((p) => latest.get(p.seriesKey)!.metric),
            pending.map((p) => latest.get(p.seriesKey)!.startTimeUnixNano),
            pending.map((p) => deltas.get(p.seriesKey)!.value),
            pending.map((p) => latest.get(p.seriesKey)!.timeUnixNano),
            pending.map((p) => p.eventId),
            pending.map((p) => deltas.get(p.seriesKey)!.reset),
          ],
        );
      },
      async settle(stored) {
        if (!pendingKeys.length) return;
        await settleRows(c, orgId, pendingKeys, stored);
      },
    };
    return await run(session);
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    if (client) {
      const unlocked = await client.query("SELECT pg_advisory_unlock_all()").then(
        () => true,
        () => false,
      );
      // A connection that could not unlock must not go back to the pool holding locks.
      client.release(unlocked ? undefined : (broken ?? new Error("advisory unlock failed")));
    }
    releaseSlot();
  }
}

async function loadLedger(c: pg.PoolClient, orgId: string, keys: string[]): Promise<Map<string, TLedgerRow>> {
  const { rows } = await c.query<TLedgerRow>(
    `SELECT "seriesKey", "countedValue"::text AS "countedValue", "countedTimeUnixNano", resets, "pendingValue"::text AS "pendingValue", "pendingEventId", "pendingReset"
       FROM "TelemetrySeries" WHERE "orgId" = $1 AND "seriesKey" = ANY($2::text[])`,
    [orgId, keys],
  );
  // A pending value left by a crash: counted if its event made it, dropped if not.
  const pending = rows.filter((r) => r.pendingEventId !== null);
  if (pending.length) {
    const { rows: found } = await c.query<{ eventId: string }>(`SELECT "eventId" FROM "UsageEvent" WHERE "orgId" = $1 AND "eventId" = ANY($2::text[])`, [
      orgId,
      [...new Set(pending.map((r) => r.pendingEventId!))],
    ]);
    await settleRows(c, orgId, pending.map((r) => r.seriesKey), new Set(found.map((f) => f.eventId)));
    return loadLedger(c, orgId, keys);
  }
  return new Map(rows.map((r) => [r.seriesKey, r]));
}

async function settleRows(c: pg.PoolClient, orgId: string, keys: string[], stored: Set<string>): Promise<void> {
  await c.query(
    `UPDATE "TelemetrySeries" SET
        "countedValue" = CASE WHEN "pendingEventId" = ANY($3::text[]) THEN "pendingValue" ELSE "countedValue" END,
        "countedTimeUnixNano" = CASE WHEN "pendingEventId" = ANY($3::text[]) THEN "pendingTimeUnixNano" ELSE "countedTimeUnixNano" END,
        resets = resets + CASE WHEN "pendingEventId" = ANY($3::text[]) AND "pendingReset" THEN 1 ELSE 0 END,
        "pendingValue" = NULL, "pendingTimeUnixNano" = NULL, "pendingEventId" = NULL, "pendingReset" = false, "updatedAt" = now()
      WHERE "orgId" = $1 AND "seriesKey" = ANY($2::text[]) AND "pendingEventId" IS NOT NULL`,
    [orgId, keys, [...stored]],
  );
}
