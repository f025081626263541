import { count, isoFromNanos, text } from "../attributes";
import { attributionFields, attributionOf } from "../attribution";
import type { TAttributes, TSpan } from "../model";
import { eventId, IGNORED, tokenCount, type TMapped } from "./types";

// OpenTelemetry GenAI semantic conventions (LangGraph, OpenAI Agents SDK, OpenLLMetry,
// OpenInference…): a model-call span is one usage event; `invoke_agent` spans often repeat the sum
// of their children and are never counted (their name attributes the calls below them);
// `execute_tool` spans are tool calls. gen_ai.usage.input_tokens INCLUDES cache reads and writes
// and output INCLUDES reasoning — unless the cache counts exceed it, which only an instrumentation
// reporting Anthropic's exclusive input can send; then it is read that way.
export const GENAI = "genai";

const MODEL_CALLS = new Set(["chat", "generate_content", "text_completion", "embeddings"]);

export type TSpanContext = {
  // gen_ai.agent.name of the invoke_agent spans above this one in the same export, outermost first.
  agents: string[];
};

export function operationOf(attrs: TAttributes): string | null {
  return text(attrs, "gen_ai.operation.name");
}

export function mapGenAiSpan(span: TSpan, attrs: TAttributes, context: TSpanContext): TMapped {
  const operation = operationOf(attrs);
  if (!operation || (!MODEL_CALLS.has(operation) && operation !== "execute_tool")) return IGNORED;
  const attribution = attributionOf(attrs);
  const own = text(attrs, "gen_ai.agent.name");
  const outer = context.agents[0] ?? null;
  const inner = context.agents.at(-1) ?? own;
  // The outermost agent owns the run; a different agent inside it is a subagent.
  const agent = text(attrs, "burnrate.agent", "agent") ?? outer ?? own;
  const subagent = inner && agent && inner !== agent ? inner : null;
  const timestamp = isoFromNanos(span.endTimeUnixNano) ?? isoFromNanos(span.startTimeUnixNano);
  const latencyMs = span.endTimeUnixNano !== "0" && span.startTimeUnixNano !== "0" ? Number((BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1_000_000n) : null;
  const session = attribution.session_id ? { source: GENAI, sessionId: attribution.session_id } : null;
  const common = {
    id: eventId("span", `${span.traceId}:${span.spanId}`),
    ...attributionFields({ ...attribution, agent, execution_id: attribution.execution_id ?? (span.traceId || null) }),
    ...(subagent ? { subagent } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(latencyMs !== null && latencyMs >= 0 ? { latency_ms: Math.min(latencyMs, 86_400_000) } : {}),
    ...(span.statusCode === 2 ? { status: "error", error_type: (text(attrs, "error.type") ?? "error").slice(0, 128) } : {}),
  };
  if (operation === "execute_tool") {
    const tool = text(attrs, "gen_ai.tool.name");
    return { kind: "event", session, event: { ...common, kind: "tool", ...(tool ? { tool: tool.slice(0, 128) } : {}) } };
  }
  const model = text(attrs, "gen_ai.response.model", "gen_ai.request.model");
  if (!model) return { kind: "rejected", reason: `${operation} span without gen_ai.request.model or gen_ai.response.model` };
  const problems: string[] = [];
  const inputKey = attrs["gen_ai.usage.input_tokens"] !== undefined ? "gen_ai.usage.input_tokens" : "gen_ai.usage.prompt_tokens";
  const outputKey = attrs["gen_ai.usage.output_tokens"] !== undefined ? "gen_ai.usage.output_tokens" : "gen_ai.usage.completion_tokens";
  const input = tokenCount(attrs, inputKey, problems);
  const output = tokenCount(attrs, outputKey, problems);
  const cacheRead = tokenCount(attrs, "gen_ai.usage.cache_read.input_tokens", problems);
  const cacheWrite = tokenCount(attrs, "gen_ai.usage.cache_creation.input_tokens", problems);
  const reasoning = tokenCount(attrs, "gen_ai.usage.reasoning.output_tokens", problems);
  if (reasoning > output) problems.push(`gen_ai.usage.reasoning.output_tokens (${reasoning}) exceeds ${outputKey} (${output}), which includes it`);
  if (problems.length) return { kind: "rejected", reason: `${operation} span: ${problems.join("; ")}` };
  const inclusive = cacheRead + cacheWrite <= input;
  const provider = text(attrs, "gen_ai.provider.name", "gen_ai.system");
  return {
    kind: "event",
    session,
    event: {
      ...common,
      kind: "llm",
      ...(provider ? { provider: provider.slice(0, 64) } : {}),
      model,
      usage: {
        input_tokens: inclusive ? input - cacheRead - cacheWrite : input,
        cache_read_tokens: cacheRead,
        cache_write_tokens: cacheWrite,
        output_tokens: output,
        reasoning_tokens: reasoning,
      },
      ...(count(attrs, "burnrate.attempt") ? { attempt: count(attrs, "burnrate.attempt") } : {}),
    },
  };
}
