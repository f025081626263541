import { prisma } from "../db";
import type { TIntegrationId } from "./snippets";

// "Last data received" for each integration: when each OpenTelemetry source last sent each signal,
// and when the events API last took a request (TelemetryReceipt, kept by lib/ingest/receipts.ts —
// written at most every 15 s per process, so "just now" is as fine as it gets).
export type TSignal = "logs" | "metrics" | "traces";
export type TReceipt = { signal: TSignal; at: Date | null };
export type TLastReceived = Record<TIntegrationId, TReceipt[]>;

// The signals each source sends (shown as "never" until they arrive). Any other signal that does
// arrive is listed too.
export const EXPECTED_SIGNALS: Record<Exclude<TIntegrationId, "events_api">, TSignal[]> = {
  claude_code: ["logs", "metrics"],
  codex: ["logs"],
  gemini_cli: ["logs", "metrics"],
  genai: ["traces"],
};

const SIGNAL_NAME = { LOGS: "logs", METRICS: "metrics", TRACES: "traces", EVENTS: null } as const;
const SIGNAL_ORDER: TSignal[] = ["logs", "metrics", "traces"];

export async function lastReceived(orgId: string): Promise<TLastReceived> {
  const receipts = await prisma().telemetryReceipt.findMany({ where: { orgId }, select: { source: true, signal: true, lastReceivedAt: true } });
  // The events API has one "signal" (its line shows no signal name).
  const events = receipts.find((r) => r.source === "events_api" && r.signal === "EVENTS");
  const result = { events_api: [{ signal: "logs", at: events?.lastReceivedAt ?? null }] } as TLastReceived;
  for (const [source, expected] of Object.entries(EXPECTED_SIGNALS) as [keyof typeof EXPECTED_SIGNALS, TSignal[]][]) {
    const mine = receipts.filter((r) => r.source === source);
    const signals = SIGNAL_ORDER.filter((s) => expected.includes(s) || mine.some((r) => SIGNAL_NAME[r.signal] === s));
    result[source] = signals.map((signal) => ({ signal, at: mine.find((r) => SIGNAL_NAME[r.signal] === signal)?.lastReceivedAt ?? null }));
  }
  return result;
}

// "just now", "3 min ago", "5 h ago", "2 days ago"; a clock a little ahead reads "just now".
export function timeAgo(at: Date, now: Date): string {
  const seconds = Math.floor((now.getTime() - at.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

// "3 min ago (logs) · never (metrics)"; for the events API "2 min ago".
export function describeReceipts(receipts: TReceipt[], now: Date, withSignal = true): string {
  return receipts.map((r) => `${r.at ? timeAgo(r.at, now) : "never"}${withSignal ? ` (${r.signal})` : ""}`).join(" · ");
}

// `latest`: how long ago the newest data arrived (null: never).
export type TIntegrationStatus = { text: string; state: "live" | "stale" | "never"; title: string; latest: string | null };

// One integration's line and dot: live when something arrived in the last 24 hours, stale when only
// before, never when nothing ever did. The title has the exact times in the org's time zone.
export function integrationStatus(receipts: TReceipt[], now: Date, timezone: string, withSignal = true): TIntegrationStatus {
  const times = receipts.map((r) => r.at?.getTime() ?? 0);
  const newest = Math.max(0, ...times);
  const state = newest === 0 ? "never" : now.getTime() - newest <= 24 * 3600_000 ? "live" : "stale";
  const format = new Intl.DateTimeFormat("en-US", { timeZone: timezone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const title = receipts.map((r) => `${withSignal ? `${r.signal}: ` : ""}${r.at ? `${format.format(r.at)} (${timezone})` : "never"}`).join(" · ");
  return { text: describeReceipts(receipts, now, withSignal), state, title, latest: newest ? timeAgo(new Date(newest), now) : null };
}
