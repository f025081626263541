import { text } from "../attributes";
import { attributionFields, attributionOf } from "../attribution";
import type { TAttributes, TLogRecord } from "../model";
import { eventId, eventNameWithPrefix, IGNORED, recordTime, toolCallEvent, tokenCount, type TMapped } from "./types";

// OpenAI Codex CLI (codex-rs/otel): the tokens of a model call arrive on the `codex.sse_event` log
// record whose event.kind is `response.completed` — input INCLUDES cached input, reasoning is PART
// of output — with no price, so the catalogue prices it. conversation.id is the session.
export const CODEX = "codex";

export function codexEventName(record: TLogRecord, attrs: TAttributes): string | null {
  return eventNameWithPrefix(record, attrs, "codex.");
}

export function mapCodexLog(name: string, record: TLogRecord, attrs: TAttributes): TMapped {
  if (name === "tool_result") return codexToolResult(record, attrs);
  if (name !== "sse_event" || text(attrs, "event.kind") !== "response.completed" || attrs.input_token_count === undefined) return IGNORED;
  const model = text(attrs, "model", "slug");
  if (!model) return { kind: "rejected", reason: "codex.sse_event response.completed without a model" };
  const problems: string[] = [];
  const input = tokenCount(attrs, "input_token_count", problems);
  const cached = tokenCount(attrs, "cached_token_count", problems);
  const output = tokenCount(attrs, "output_token_count", problems);
  const reasoning = tokenCount(attrs, "reasoning_token_count", problems);
  if (cached > input) problems.push(`cached_token_count (${cached}) exceeds input_token_count (${input}), which includes it`);
  if (reasoning > output) problems.push(`reasoning_token_count (${reasoning}) exceeds output_token_count (${output}), which includes it`);
  if (problems.length) return { kind: "rejected", reason: `codex.sse_event: ${problems.join("; ")}` };
  const attribution = attributionOf(attrs);
  const timestamp = recordTime(record, attrs);
  const conversation = attribution.session_id;
  const responseId = text(attrs, "response.id", "response_id");
  return {
    kind: "event",
    session: conversation ? { source: CODEX, sessionId: conversation } : null,
    event: {
      id: responseId
        ? eventId("codex:resp", responseId)
        : eventId("codex", conversation, record.timeUnixNano, text(attrs, "event.timestamp"), model, input, output, cached, reasoning),
      kind: "llm",
      provider: "openai",
      model,
      usage: { input_tokens: input - cached, cache_read_tokens: cached, output_tokens: output, reasoning_tokens: reasoning },
      ...attributionFields(attribution),
      ...(timestamp ? { timestamp } : {}),
    },
  };
}

// codex.tool_result: a tool call of the conversation, identified by its call_id.
function codexToolResult(record: TLogRecord, attrs: TAttributes): TMapped {
  const callId = text(attrs, "call_id");
  const tool = text(attrs, "tool_name");
  const id = callId ? eventId("codex:tool", callId) : eventId("codex:tool", text(attrs, "conversation.id"), record.timeUnixNano, text(attrs, "event.timestamp"), tool);
  return toolCallEvent(CODEX, record, attrs, id, tool);
}
