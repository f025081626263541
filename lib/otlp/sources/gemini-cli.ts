import { count, text } from "../attributes";
import { attributionFields, attributionOf } from "../attribution";
import type { TAttributes, TLogRecord } from "../model";
import { eventId, eventNameWithPrefix, IGNORED, recordTime, toolCallEvent, tokenCount, type TMapped } from "./types";

// Gemini CLI (packages/core/src/telemetry): one `gemini_cli.api_response` log record per model
// call. Its counts are Gemini's usageMetadata: input (promptTokenCount) INCLUDES cached content,
// output (candidatesTokenCount) EXCLUDES thoughts, and tool-use prompt tokens are input of their
// own — Gemini bills prompt + tool-use prompt as input and candidates + thoughts as output.
export const GEMINI_CLI = "gemini_cli";

export function geminiEventName(record: TLogRecord, attrs: TAttributes): string | null {
  return eventNameWithPrefix(record, attrs, "gemini_cli.");
}

export function mapGeminiLog(name: string, record: TLogRecord, attrs: TAttributes): TMapped {
  if (name === "tool_call") return geminiToolCall(record, attrs);
  if (name !== "api_response" && name !== "api_error") return IGNORED;
  const model = text(attrs, "model");
  if (!model) return { kind: "rejected", reason: `gemini_cli.${name} without a model` };
  const attribution = attributionOf(attrs);
  const timestamp = recordTime(record, attrs);
  const session = attribution.session_id ? { source: GEMINI_CLI, sessionId: attribution.session_id } : null;
  const id = eventId("gemini", attribution.session_id, name, text(attrs, "prompt_id"), record.timeUnixNano, text(attrs, "event.timestamp"), model, text(attrs, "response_id"));
  const latency = count(attrs, "duration_ms");
  // role: main | subagent | utility_* (the CLI's own helper calls).
  const role = text(attrs, "role");
  const common = {
    id,
    kind: "llm",
    provider: "google",
    model,
    ...attributionFields(attribution),
    ...(timestamp ? { timestamp } : {}),
    ...(role && role !== "main" ? { subagent: role.slice(0, 256) } : {}),
    ...(latency !== null ? { latency_ms: Math.min(latency, 86_400_000) } : {}),
  };
  if (name === "api_error") {
    return { kind: "event", session, event: { ...common, status: "error", error_type: (text(attrs, "status_code", "error.type", "error_type") ?? "error").slice(0, 128) } };
  }
  const problems: string[] = [];
  const input = tokenCount(attrs, "input_token_count", problems);
  const cached = tokenCount(attrs, "cached_content_token_count", problems);
  const output = tokenCount(attrs, "output_token_count", problems);
  const thoughts = tokenCount(attrs, "thoughts_token_count", problems);
  const tool = tokenCount(attrs, "tool_token_count", problems);
  if (cached > input) problems.push(`cached_content_token_count (${cached}) exceeds input_token_count (${input}), which includes it`);
  if (problems.length) return { kind: "rejected", reason: `gemini_cli.api_response: ${problems.join("; ")}` };
  return {
    kind: "event",
    session,
    event: {
      ...common,
      usage: { input_tokens: input - cached + tool, cache_read_tokens: cached, output_tokens: output + thoughts, reasoning_tokens: thoughts },
    },
  };
}

// gemini_cli.tool_call: a tool call of the prompt.
function geminiToolCall(record: TLogRecord, attrs: TAttributes): TMapped {
  const tool = text(attrs, "function_name");
  const id = eventId("gemini:tool", text(attrs, "session.id"), text(attrs, "prompt_id"), record.timeUnixNano, text(attrs, "event.timestamp"), tool);
  return toolCallEvent(GEMINI_CLI, record, attrs, id, tool);
}
