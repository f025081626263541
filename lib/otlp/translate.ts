import { payloadTooLarge } from "../errors";
import { text } from "./attributes";
import { decodeExport, type TEncoding } from "./decode";
import type { TAttributes, TLogRecord, TResourceLogs, TResourceSpans, TSpan } from "./model";
import type { TSessionRef } from "./sessions";
import { CLAUDE_CODE, claudeCodeEventName, mapClaudeCodeLog } from "./sources/claude-code";
import { CODEX, codexEventName, mapCodexLog } from "./sources/codex";
import { GEMINI_CLI, geminiEventName, mapGeminiLog } from "./sources/gemini-cli";
import { mapGenAiSpan, operationOf } from "./sources/genai";
import type { TMapped, TWireEvent } from "./sources/types";

// An export of log records or spans made into usage events, with nothing stored yet: decoding and
// the source mappers, the CPU-heavy part of an export, in one pure step that can run on another
// thread (./off-thread.ts). Metrics are not translated ahead: what a point means depends on the
// series ledger in the database (./cumulative.ts).

// Records (log records, data points, spans) per export: the OTel SDKs send at most 512 by default.
const OTLP_MAX_RECORDS = 10_000;

export type TTranslatableSignal = "logs" | "traces";
export type TTranslated = { signal: "logs"; translation: TLogTranslation } | { signal: "traces"; translation: TTraceTranslation };

export function translateExport(signal: TTranslatableSignal, encoding: TEncoding, body: Buffer): TTranslated {
  // Scoped to this function, the decoded export (~50,000 objects for 1,000 records) dies here,
  // young, instead of living on while the write is awaited.
  const decoded = decodeExport(signal, encoding, body);
  checkRecordCount(decoded.count);
  if (decoded.signal === "logs") return { signal: "logs", translation: translateLogs(decoded.resources) };
  if (decoded.signal === "traces") return { signal: "traces", translation: translateTraces(decoded.resources) };
  throw new Error(`translateExport: ${signal} is not translated ahead`);
}

export function checkRecordCount(count: number): void {
  if (count > OTLP_MAX_RECORDS) throw payloadTooLarge(`At most ${OTLP_MAX_RECORDS} records per export (got ${count}): lower the exporter's batch size`);
}

// Log records → usage events. Each tool names its events with its own prefix; records of no known
// tool are accepted and ignored (they are not spend).
type TLogSource = {
  source: string;
  defaultAgent: string;
  name: (record: TLogRecord, attrs: TAttributes) => string | null;
  map: (name: string, record: TLogRecord, attrs: TAttributes) => TMapped;
};

const LOG_SOURCES: TLogSource[] = [
  { source: CLAUDE_CODE, defaultAgent: "claude-code", name: claudeCodeEventName, map: mapClaudeCodeLog },
  { source: CODEX, defaultAgent: "codex", name: codexEventName, map: mapCodexLog },
  { source: GEMINI_CLI, defaultAgent: "gemini-cli", name: geminiEventName, map: mapGeminiLog },
];
export const DEFAULT_AGENTS = new Map(LOG_SOURCES.map((s) => [s.source, s.defaultAgent]));

// What an export of log records says, before anything is stored: plain data (it crosses from the
// decoding thread, lib/otlp/off-thread.ts). `source` names the tool each event came from.
export type TLogTranslation = {
  candidates: { event: TWireEvent; session: TSessionRef | null; source: string }[];
  // Why each record of a known tool that could not be counted was rejected.
  malformed: string[];
  // The tools seen in the export (for "last data received").
  seen: string[];
};

export function translateLogs(resources: TResourceLogs[]): TLogTranslation {
  const candidates: TLogTranslation["candidates"] = [];
  const malformed: string[] = [];
  const seen = new Set<string>();
  for (const rl of resources) {
    for (const scope of rl.scopes) {
      for (const record of scope.records) {
        const attrs = record.attributes;
        for (const source of LOG_SOURCES) {
          const name = source.name(record, attrs);
          if (name === null) continue;
          seen.add(source.source);
          const mapped = source.map(name, record, attrs);
          if (mapped.kind === "event") candidates.push({ event: mapped.event, session: mapped.session, source: source.source });
          else if (mapped.kind === "rejected") malformed.push(mapped.reason);
          break;
        }
      }
    }
  }
  return { candidates, malformed, seen: [...seen] };
}

// Spans → usage events (GenAI conventions, ./sources/genai.ts).
// What an export of spans says, before anything is stored: plain data (it crosses from the
// decoding thread, lib/otlp/off-thread.ts).
export type TTraceTranslation = {
  // Each model call with its resource's service.name (the agent when nothing else names one).
  calls: { event: TWireEvent; service: string | null }[];
  malformed: string[];
  // Whether any GenAI span was seen (for "last data received").
  seen: boolean;
};

export function translateTraces(resources: TResourceSpans[]): TTraceTranslation {
  const calls: TTraceTranslation["calls"] = [];
  const malformed: string[] = [];
  let seen = false;
  for (const rs of resources) {
    const service = text(rs.resource.attributes, "service.name");
    // Spans of this resource by id, to find the agents above a model call (same export only:
    // children end, and are exported, before their parents).
    const byId = new Map<string, TSpan>();
    for (const scope of rs.scopes) for (const span of scope.spans) if (span.spanId) byId.set(`${span.traceId}:${span.spanId}`, span);
    for (const scope of rs.scopes) {
      for (const span of scope.spans) {
        const attrs = span.attributes;
        if (!operationOf(attrs)) continue;
        seen = true;
        const agents: string[] = [];
        let parent = span.parentSpanId ? byId.get(`${span.traceId}:${span.parentSpanId}`) : undefined;
        for (let hops = 0; parent && hops < 64; hops++) {
          if (text(parent.attributes, "gen_ai.operation.name") === "invoke_agent") {
            const name = text(parent.attributes, "gen_ai.agent.name");
            if (name) agents.unshift(name);
          }
          parent = parent.parentSpanId ? byId.get(`${parent.traceId}:${parent.parentSpanId}`) : undefined;
        }
        // OTLP requires both ids; without them spans cannot be told apart (nor a re-send from a new span).
        const mapped = span.traceId && span.spanId ? mapGenAiSpan(span, attrs, { agents }) : { kind: "rejected" as const, reason: "a span without traceId or spanId" };
        if (mapped.kind === "event") calls.push({ event: mapped.event, service });
        else if (mapped.kind === "rejected") malformed.push(mapped.reason);
      }
    }
  }
  return { calls, malformed, seen };
}

