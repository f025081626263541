import type { TAuthenticatedKey } from "../keys/authenticate";
import { prepareEvents } from "../ingest/prepare";
import { submitEvents } from "../ingest/group-commit";
import type { TWireEvent } from "./sources/types";

// The last step of every OTLP export: the usage events made from it go through the events API's
// own path — validation, pricing, attribution, the one ingest statement, budgets, alerts, runaway
// detection. (The source's "last data received" is lib/ingest/receipts.ts.)

export type TStoreOutcome = {
  // Event ids stored now or before (a re-sent export): counted exactly once either way.
  taken: Set<string>;
  // Per event id, why it was not stored.
  rejected: Map<string, string>;
  // Models no price covers (stored at $0).
  unpriced: Set<string>;
};

export async function storeTelemetryEvents(key: TAuthenticatedKey, events: TWireEvent[], defaultAgent: (e: TWireEvent) => string | null): Promise<TStoreOutcome> {
  const outcome: TStoreOutcome = { taken: new Set(), rejected: new Map(), unpriced: new Set() };
  if (events.length === 0) return outcome;
  // The key's default agent, else the tool's own name: set here so prepareEvents sees one event.
  for (const e of events) {
    if (e.agent == null) {
      const agent = key.defaultAgent ?? defaultAgent(e);
      if (agent) e.agent = agent.slice(0, 256);
    }
  }
  const { rows, rejected, warnings } = await prepareEvents(key, events);
  for (const r of rejected) {
    outcome.rejected.set(events[r.index].id, r.errors.map((e) => (e.path ? `${e.path} ${e.message}` : e.message)).join("; "));
  }
  for (const w of warnings) if (w.model) outcome.unpriced.add(w.model);
  if (rows.length) {
    await submitEvents(rows, null);
    for (const row of rows) outcome.taken.add(row.eventId);
  }
  return outcome;
}

// The partialSuccess message (OTLP: why records were rejected; a warning when none was).
// `count`: the records (or data points) rejected, which the reasons may cover several at a time.
export function exportMessage(parts: { count: number; rejected: Map<string, string>; unpriced: Set<string>; notes: string[] }): string {
  const out: string[] = [];
  if (parts.count) {
    const reasons = new Map<string, number>();
    for (const reason of parts.rejected.values()) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const listed = [...reasons].slice(0, 5).map(([reason, n]) => (n > 1 ? `${reason} (×${n})` : reason));
    out.push(`${parts.count} rejected: ${listed.join(" | ")}${reasons.size > 5 ? ` | and ${reasons.size - 5} other reasons` : ""}`);
  }
  if (parts.unpriced.size) out.push(`unpriced (stored at $0, add a price on the Models page): ${[...parts.unpriced].slice(0, 10).join(", ")}`);
  out.push(...parts.notes);
  return out.join(". ");
}
