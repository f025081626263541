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
export async function countingSignals(orgId: string, sessions: TSessionRef[], signal: TCountingSignal): Promise<Map<string, TCountingSignal>> {
  const decided = new Map<string, TCountingSignal>();
  const unique = new Map<string, TSessionRef>();
  for (const s of sessions) unique.set(sessionKey(s), s);
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
  for (const row of rows) decided.set(sessionKey(row), row.countedFrom);
  return decided;
}

export const sessionKey = (s: TSessionRef) => `${s.source}\u0000${s.sessionId}`;
