import { createHash } from "node:crypto";
import { count, flag, isoFromNanos, text } from "../attributes";
import { attributionFields, attributionOf } from "../attribution";
import type { TAttributes, TLogRecord } from "../model";
import type { TSessionRef } from "../sessions";

// What a source mapper makes of one log record or span: a usage event in the events API's wire
// format (docs/api.md), validated and stored by the same path as POST /api/v1/events.
export type TWireEvent = Record<string, unknown> & { id: string };

export type TMapped =
  | { kind: "event"; event: TWireEvent; session: TSessionRef | null }
  // Telemetry that is not spend (a prompt, a tool decision, a span of plain code).
  | { kind: "ignored" }
  // Spend the source describes but this record does not say well enough to count.
  | { kind: "rejected"; reason: string };

export const IGNORED: TMapped = { kind: "ignored" };

// Deterministic event ids: a re-sent export makes the same ids, so it changes nothing. Ids the
// tool made unique (an API request id, a tool-use id) are used as they are; otherwise a hash of
// what identifies the record. Max 128 characters (the events API's limit).
export function eventId(prefix: string, ...parts: (string | number | null | undefined)[]): string {
  const raw = parts.map((p) => (p == null ? "" : String(p))).join("\u0000");
  if (parts.length === 1 && raw.length > 0 && raw.length <= 100 && /^[\w.:-]+$/.test(raw)) return `${prefix}:${raw}`;
  return `${prefix}:${createHash("sha256").update(raw).digest("base64url").slice(0, 32)}`;
}

// A token count attribute: absent is 0; present but not a whole non-negative number is a problem.
export function tokenCount(attrs: TAttributes, key: string, problems: string[]): number {
  if (attrs[key] === undefined) return 0;
  const n = count(attrs, key);
  if (n === null) {
    problems.push(`${key} is not a whole number of tokens`);
    return 0;
  }
  return n;
}

// A log record's event name without the tool's prefix ("claude_code.api_request" → "api_request"),
// or null when it is not that tool's. Tools put the name in different places: Claude Code in the
// body, Codex and Gemini CLI in the event.name attribute (Codex's eventName is its tracing call
// site), newer SDKs in eventName.
export function eventNameWithPrefix(record: TLogRecord, attrs: TAttributes, prefix: string): string | null {
  for (const name of [text(attrs, "event.name"), record.eventName, typeof record.body === "string" ? record.body : null]) {
    if (name && name.startsWith(prefix)) return name.slice(prefix.length);
  }
  return null;
}

// When a record happened: the tool's own event.timestamp, else the record's time, else when the
// SDK observed it (Codex leaves timeUnixNano at 0).
export function recordTime(record: TLogRecord, attrs: TAttributes): string | null {
  return text(attrs, "event.timestamp") ?? isoFromNanos(record.timeUnixNano) ?? isoFromNanos(record.observedTimeUnixNano);
}

// A tool call a coding agent logged (no cost of its own); all three spell its outcome `success`
// and its time `duration_ms`.
export function toolCallEvent(source: string, record: TLogRecord, attrs: TAttributes, id: string, tool: string | null): TMapped {
  const attribution = attributionOf(attrs);
  const timestamp = recordTime(record, attrs);
  const ok = flag(attrs, "success");
  const latency = count(attrs, "duration_ms");
  return {
    kind: "event",
    session: attribution.session_id ? { source, sessionId: attribution.session_id } : null,
    event: {
      id,
      kind: "tool",
      ...(tool ? { tool: tool.slice(0, 128) } : {}),
      status: ok === false ? "error" : "ok",
      ...attributionFields(attribution),
      ...(timestamp ? { timestamp } : {}),
      ...(latency !== null ? { latency_ms: Math.min(latency, 86_400_000) } : {}),
    },
  };
}
