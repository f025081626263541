import { forgetDirectory } from "../ingest/directory";
import { prepareEvents, type TEventRow } from "../ingest/prepare";
import { sortRows, storeEvents } from "../ingest/store";
import type { TAuthenticatedKey } from "../keys/authenticate";
import type { createTestOrg } from "./fixtures";

// Stores events through the real ingest path (prepare → store: events, rollups, executions,
// counters) as if received at `receivedAt` — so a test can place calls on any day (a DST change
// in March) that the API's 35-day window would refuse today.
export async function ingestAt(t: Awaited<ReturnType<typeof createTestOrg>>, events: Record<string, unknown>[], receivedAt: Date, keyOverride?: Partial<TAuthenticatedKey>): Promise<void> {
  const key: TAuthenticatedKey = {
    id: t.key.id,
    orgId: t.org.id,
    orgSlug: t.org.slug,
    orgTimezone: t.org.timezone,
    name: "test key",
    prefix: t.key.prefix,
    scopes: ["ingest", "read"],
    teamId: null,
    costCenterId: null,
    defaultAgent: null,
    allowedModels: [],
    rpmLimit: null,
    expiresAt: null,
    ...keyOverride,
  };
  await ingestWithKey(key, events, receivedAt);
}

// The same for an authenticated key; without `receivedAt` each event is taken as received when it
// happened (events months apart, in one write).
export async function ingestWithKey(key: TAuthenticatedKey, events: Record<string, unknown>[], receivedAt?: Date): Promise<void> {
  forgetDirectory(key.orgId);
  const arrivals = receivedAt ? [{ at: receivedAt, events }] : events.map((event) => ({ at: new Date(String(event.timestamp)), events: [event] }));
  const rows: TEventRow[] = [];
  for (const arrival of arrivals) {
    const prepared = await prepareEvents(key, arrival.events, arrival.at);
    if (prepared.rejected.length) throw new Error(`rejected: ${JSON.stringify(prepared.rejected)}`);
    rows.push(...prepared.rows);
  }
  const result = await storeEvents(sortRows(rows));
  if (result.insertedCount !== rows.length) throw new Error(`stored ${result.insertedCount} of ${rows.length}`);
}

// A tool call of a known cost at a given instant: the simplest event whose cost is exact by hand.
export const costAt = (id: string, at: string | Date, usd: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "tool",
  timestamp: typeof at === "string" ? at : at.toISOString(),
  cost_usd: usd,
  ...extra,
});
