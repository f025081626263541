import { forgetDirectory } from "../ingest/directory";
import { prepareEvents } from "../ingest/prepare";
import { sortRows, storeEvents } from "../ingest/store";
import type { TAuthenticatedKey } from "../keys/authenticate";
import type { createTestOrg } from "./fixtures";

// Stores events through the real ingest path (prepare → store: events, rollups, executions,
// counters) as if received at `receivedAt` — so a test can place calls on any day (a DST change
// in March) that the API's 35-day window would refuse today.
export async function ingestAt(t: Awaited<ReturnType<typeof createTestOrg>>, events: Record<string, unknown>[], receivedAt: Date, keyOverride?: Partial<TAuthenticatedKey>): Promise<void> {
  forgetDirectory(t.org.id);
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
  const prepared = await prepareEvents(key, events, receivedAt);
  if (prepared.rejected.length) throw new Error(`rejected: ${JSON.stringify(prepared.rejected)}`);
  const result = await storeEvents(sortRows(prepared.rows));
  if (result.inserted.size !== prepared.rows.length) throw new Error(`stored ${result.inserted.size} of ${prepared.rows.length}`);
}

// A tool call of a known cost at a given instant: the simplest event whose cost is exact by hand.
export const costAt = (id: string, at: string | Date, usd: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "tool",
  timestamp: typeof at === "string" ? at : at.toISOString(),
  cost_usd: usd,
  ...extra,
});
