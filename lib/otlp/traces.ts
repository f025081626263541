import type { TAuthenticatedKey } from "../keys/authenticate";
import type { TExportResult } from "./logs";
import { recordReceipts } from "../ingest/receipts";
import { exportMessage, storeTelemetryEvents } from "./store";
import { GENAI } from "./sources/genai";
import type { TTraceTranslation } from "./translate";

// A translated export of spans (./translate.ts) stored. Spans are the only signal read for GenAI
// apps (their gen_ai.client.token.usage metrics repeat the same calls), so no session decision is
// needed. A span's event id is its trace and span id: a re-sent export changes nothing.

export async function ingestTraces(key: TAuthenticatedKey, translation: TTraceTranslation): Promise<TExportResult> {
  const events = translation.calls.map((c) => c.event);
  const serviceOf = new Map(translation.calls.map((c) => [c.event.id, c.service]));
  const rejected = new Map<string, string>(translation.malformed.map((reason, i) => [`#${i}`, reason]));
  const outcome = await storeTelemetryEvents(key, events, (e) => serviceOf.get(e.id) ?? null);
  if (translation.seen) await recordReceipts(key, [GENAI], "TRACES");
  let rejectedSpans = rejected.size;
  for (const e of events) if (outcome.rejected.has(e.id)) rejectedSpans++;
  for (const [id, reason] of outcome.rejected) rejected.set(id, reason);
  return { rejected: rejectedSpans, message: exportMessage({ count: rejectedSpans, rejected, unpriced: outcome.unpriced, notes: [] }) };
}
