import { pool } from "../db";

export type TCountingSignal = "LOGS" | "METRICS" | "TRACES";
export type TSessionRef = { source: string; sessionId: string };

// Which signal counts a session's spend. Claude Code, Codex and Gemini CLI report the same calls
// twice when both exporters are on — once per call as log events, once as metric counters — so
// each session is counted from one signal only: the first to arrive for it, decided once by the
// primary key (concurrent exports of both signals agree). With both exporters on, log events win:
// they are exported every 5 s, metrics every 60 s, and every session starts with a log event
// (a prompt) before its first call. A session already counted from metrics stays on metrics: its
// log events are then stored as nothing, so no call is counted twice (docs/opentelemetry.md).
//
// A decision never changes once made, so each process remembers the ones it has seen (bounded): a
// session exporting every few seconds costs a statement once, not per export.
const MAX_REMEMBERED = 50_000;
const remembered = new Map<string, TCountingSignal>();

export async function countingSignals(orgId: string, sessions: TSessionRef[], signal: TCountingSignal): Promise<Map<string, TCountingSignal>> {
  const decided = new Map<string, TCountingSignal>();
  const unique = new Map<string, TSessionRef>();
  for (const s of sessions) {
    const key = sessionKey(s);
    const known = remembered.get(`${orgId}\u0000${key}`);
    if (known) decided.set(key, known);
    else unique.set(key, s);
  }
  if (unique.size === 0) return decided;
  // Sorted: concurrent exports take the row locks in one order.
  const list = [...unique.values()].sort((a, b) => (sessionKey(a) < sessionKey(b) ? -1 : 1));
  // DO UPDATE (to itself) rather than DO NOTHING: the row comes back, and a concurrent insert of the
  // same session waits for this one and then reads its decision.
  const { rows } = await pool().query<{ source: string; sessionId: string; countedFrom: TCountingSignal }>(
    `INSERT INTO "TelemetrySession" ("orgId", source, "sessionId", "countedFrom")
     SELECT $1, s, id, $4::"TelemetrySignal" FROM unnest($2::text[], $3::text[]) AS t(s, id)
     ON CONFLICT ("orgId", source, "sessionId") DO UPDATE SET "countedFrom" = "TelemetrySession"."countedFrom"
     RETURNING source, "sessionId", "countedFrom"`,
    [orgId, list.map((s) => s.source), list.map((s) => s.sessionId), signal],
  );
  for (const row of rows) {
    decided.set(sessionKey(row), row.countedFrom);
    // Oldest first out (a Map iterates in insertion order).
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(`${orgId}\u0000${sessionKey(row)}`, row.countedFrom);
  }
  return decided;
}

export const sessionKey = (s: TSessionRef) => `${s.source}\u0000${s.sessionId}`;
