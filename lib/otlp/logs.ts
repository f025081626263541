import type { TAuthenticatedKey } from "../keys/authenticate";
import { countingSignals, sessionKey } from "./sessions";
import { recordReceipts } from "../ingest/receipts";
import { exportMessage, storeTelemetryEvents } from "./store";
import { DEFAULT_AGENTS, type TLogTranslation } from "./translate";

// A translated export of log records (./translate.ts) stored: each session counted from one signal
// (./sessions.ts), the events through the events API's path, "last data received" noted.

export type TExportResult = { rejected: number; message: string };

export async function ingestLogs(key: TAuthenticatedKey, translation: TLogTranslation): Promise<TExportResult> {
  const { candidates } = translation;
  const rejected = new Map<string, string>(translation.malformed.map((reason, i) => [`#${i}`, reason]));
  const notes: string[] = [];
  const decided = await countingSignals(key.orgId, candidates.flatMap((c) => (c.session ? [c.session] : [])), "LOGS");
  const counted = candidates.filter((c) => !c.session || decided.get(sessionKey(c.session)) === "LOGS");
  if (counted.length < candidates.length) {
    notes.push(`${candidates.length - counted.length} records of sessions already counted from their metrics were not counted again`);
  }
  const sourceOf = new Map(counted.map((c) => [c.event.id, c.source]));
  const outcome = await storeTelemetryEvents(
    key,
    counted.map((c) => c.event),
    (e) => DEFAULT_AGENTS.get(sourceOf.get(e.id) ?? "") ?? null,
  );
  await recordReceipts(key, translation.seen, "LOGS");
  // Per record: two records that make one event id (a repeated request_id) are two rejections.
  let rejectedRecords = rejected.size;
  for (const c of counted) if (outcome.rejected.has(c.event.id)) rejectedRecords++;
  for (const [id, reason] of outcome.rejected) rejected.set(id, reason);
  return { rejected: rejectedRecords, message: exportMessage({ count: rejectedRecords, rejected, unpriced: outcome.unpriced, notes }) };
}
