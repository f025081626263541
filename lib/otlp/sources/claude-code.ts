import { count, decimal, flag, text } from "../attributes";
import { addAttribution, attributionOf, type TAttribution } from "../attribution";
import type { TAttributes, TLogRecord } from "../model";
import { eventId, eventNameWithPrefix, IGNORED, recordTime, tokenCount, type TMapped, type TWireEvent } from "./types";

// Claude Code's log events (code.claude.com/docs/en/monitoring-usage#events): one record per API
// call (`claude_code.api_request`, with its own cost_usd and Anthropic-style token counts: input
// EXCLUDES cache reads and writes), per failed call (`api_error`) and per tool run (`tool_result`).
// Everything else (prompts, tool decisions, subagent summaries) is not spend.
export const CLAUDE_CODE = "claude_code";

// query_source values of the main conversation; anything else is a subagent or an auxiliary call
// (title, compaction), attributed as its own subagent unless agent.name names one.
const MAIN_QUERY_SOURCES = new Set(["main", "repl_main_thread", "sdk", "print"]);

// Log events and metric points alike: agent.name when a named subagent made the call.
export function claudeCodeSubagent(attrs: TAttributes): string | null {
  const querySource = text(attrs, "query_source");
  return text(attrs, "agent.name") ?? (querySource && !MAIN_QUERY_SOURCES.has(querySource) ? querySource : null);
}

export function claudeCodeEventName(record: TLogRecord, attrs: TAttributes): string | null {
  return eventNameWithPrefix(record, attrs, "claude_code.");
}

// Parallel or resumed processes share a session.id and restart event.sequence: the sequence alone
// is not an identity, the record's time and the request ids are. (A function of its own, not a
// closure per record: the app runs under tsx, whose keepNames names every closure as it is made.)
function fallbackId(name: string, sessionId: string | null, record: TLogRecord, attrs: TAttributes): string {
  return eventId("cc", sessionId, name, text(attrs, "event.sequence"), record.timeUnixNano, text(attrs, "prompt.id"), text(attrs, "client_request_id"), text(attrs, "tool_use_id"));
}

// The fields every event of a record carries, set on the event in place (one object per record:
// this runs for every call an export reports).
function addCommon(event: TWireEvent, attribution: TAttribution, timestamp: string | null, subagent: string | null): void {
  addAttribution(event, attribution);
  if (timestamp) event.timestamp = timestamp;
  if (subagent) event.subagent = subagent;
}

export function mapClaudeCodeLog(name: string, record: TLogRecord, attrs: TAttributes): TMapped {
  if (name !== "api_request" && name !== "api_error" && name !== "tool_result") return IGNORED;
  const attribution = attributionOf(attrs);
  const timestamp = recordTime(record, attrs);
  const querySource = text(attrs, "query_source");
  const subagent = claudeCodeSubagent(attrs);
  const session = attribution.session_id ? { source: CLAUDE_CODE, sessionId: attribution.session_id } : null;
  const latency = count(attrs, "duration_ms");

  if (name === "tool_result") {
    const tool = text(attrs, "tool_name");
    const toolUse = text(attrs, "tool_use_id");
    const ok = flag(attrs, "success");
    const event: TWireEvent = { id: toolUse ? eventId("cc:tool", toolUse) : fallbackId(name, attribution.session_id, record, attrs), kind: "tool" };
    addCommon(event, attribution, timestamp, subagent);
    if (tool) event.tool = tool;
    event.status = ok === false ? "error" : "ok";
    if (ok === false && text(attrs, "error")) event.error_type = text(attrs, "error")!.slice(0, 128);
    if (latency !== null) event.latency_ms = Math.min(latency, 86_400_000);
    return { kind: "event", session, event };
  }

  const model = text(attrs, "model");
  if (!model) return { kind: "rejected", reason: `claude_code.${name} without a model` };
  // Claude Code's attempts at one request share its client_request_id: "the same call" for
  // retry-loop detection (docs/api.md "Fingerprints"), however their sizes differ.
  const clientRequest = text(attrs, "client_request_id");
  const fingerprint = clientRequest ? `cc:${clientRequest}`.slice(0, 128) : null;
  if (name === "api_error") {
    const attempt = count(attrs, "attempt");
    const event: TWireEvent = {
      id: clientRequest ? eventId("cc:err", `${clientRequest}:${attempt ?? 0}`) : fallbackId(name, attribution.session_id, record, attrs),
      kind: "llm",
      provider: "anthropic",
      model,
    };
    addCommon(event, attribution, timestamp, subagent);
    event.status = "error";
    event.error_type = (text(attrs, "status_code") ?? text(attrs, "error") ?? "error").slice(0, 128);
    if (fingerprint) event.fingerprint = fingerprint;
    if (attempt !== null && attempt >= 1) event.attempt = Math.min(attempt, 100_000);
    if (latency !== null) event.latency_ms = Math.min(latency, 86_400_000);
    return { kind: "event", session, event };
  }

  const problems: string[] = [];
  const usage = {
    input_tokens: tokenCount(attrs, "input_tokens", problems),
    output_tokens: tokenCount(attrs, "output_tokens", problems),
    cache_read_tokens: tokenCount(attrs, "cache_read_tokens", problems),
    cache_write_tokens: tokenCount(attrs, "cache_creation_tokens", problems),
  };
  const cost = attrs.cost_usd === undefined ? null : decimal(attrs, "cost_usd");
  if (attrs.cost_usd !== undefined && cost === null) problems.push("cost_usd is not a non-negative amount");
  if (problems.length) return { kind: "rejected", reason: `claude_code.api_request: ${problems.join("; ")}` };
  const requestId = text(attrs, "request_id");
  const event: TWireEvent = {
    id: requestId ? eventId("cc:req", requestId) : fallbackId(name, attribution.session_id, record, attrs),
    kind: "llm",
    provider: "anthropic",
    model,
    usage,
  };
  // The tool's own figure for the call (Claude Code prices it; a subscription's calls too).
  if (cost !== null) event.cost_usd = cost;
  if (fingerprint) event.fingerprint = fingerprint;
  addCommon(event, attribution, timestamp, subagent);
  if (latency !== null) event.latency_ms = Math.min(latency, 86_400_000);
  // Where the call came from, when not the main thread (title, compaction, a subagent's turn).
  if (querySource && !MAIN_QUERY_SOURCES.has(querySource)) event.metadata = { query_source: querySource };
  return { kind: "event", session, event };
}
