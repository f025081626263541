import type { TAuthenticatedKey } from "../keys/authenticate";
import type { TAttributes, TLogRecord, TResourceLogs } from "./model";
import { countingSignals, sessionKey } from "./sessions";
import { recordReceipts } from "../ingest/receipts";
import { exportMessage, storeTelemetryEvents } from "./store";
import { CLAUDE_CODE, claudeCodeEventName, mapClaudeCodeLog } from "./sources/claude-code";
import { CODEX, codexEventName, mapCodexLog } from "./sources/codex";
import { GEMINI_CLI, geminiEventName, mapGeminiLog } from "./sources/gemini-cli";
import type { TMapped, TWireEvent } from "./sources/types";

// Log records → usage events. Each tool names its events with its own prefix; records of no known
// tool are accepted and ignored (they are not spend).
type TLogSource = {
  source: string;
  defaultAgent: string;
  name: (record: TLogRecord, attrs: TAttributes) => string | null;
  map: (name: string, record: TLogRecord, attrs: TAttributes) => TMapped;
};

export const LOG_SOURCES: TLogSource[] = [
  { source: CLAUDE_CODE, defaultAgent: "claude-code", name: claudeCodeEventName, map: mapClaudeCodeLog },
  { source: CODEX, defaultAgent: "codex", name: codexEventName, map: mapCodexLog },
  { source: GEMINI_CLI, defaultAgent: "gemini-cli", name: geminiEventName, map: mapGeminiLog },
];

export type TExportResult = { rejected: number; message: string };

export async function ingestLogs(key: TAuthenticatedKey, resources: TResourceLogs[]): Promise<TExportResult> {
  const candidates: { event: TWireEvent; session: { source: string; sessionId: string } | null; source: TLogSource }[] = [];
  const rejected = new Map<string, string>();
  const seen = new Set<string>();
  let malformed = 0;
  for (const rl of resources) {
    for (const scope of rl.scopes) {
      for (const record of scope.records) {
        const attrs = record.attributes;
        for (const source of LOG_SOURCES) {
          const name = source.name(record, attrs);
          if (name === null) continue;
          seen.add(source.source);
          const mapped = source.map(name, record, attrs);
          if (mapped.kind === "event") candidates.push({ event: mapped.event, session: mapped.session, source });
          else if (mapped.kind === "rejected") rejected.set(`#${malformed++}`, mapped.reason);
          break;
        }
      }
    }
  }
  // The decoded export is done with: let it go before waiting on the database, so its ~50,000
  // objects die young instead of being promoted while the group commit runs (GC was a fifth of
  // the server's CPU under load).
  resources.length = 0;

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
    (e) => {
      const s = sourceOf.get(e.id);
      return s ? s.defaultAgent : null;
    },
  );
  await recordReceipts(key, seen, "LOGS");
  // Per record: two records that make one event id (a repeated request_id) are two rejections.
  let rejectedRecords = rejected.size;
  for (const c of counted) if (outcome.rejected.has(c.event.id)) rejectedRecords++;
  for (const [id, reason] of outcome.rejected) rejected.set(id, reason);
  return { rejected: rejectedRecords, message: exportMessage({ count: rejectedRecords, rejected, unpriced: outcome.unpriced, notes }) };
}

