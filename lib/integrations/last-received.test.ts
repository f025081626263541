import { describe, expect, test } from "vitest";
import { prisma } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { ingestAt } from "../testing/usage";
import { describeReceipts, integrationStatus, lastEventReceivedAt, lastReceived, timeAgo } from "./last-received";

const MIN = 60_000;

function call(id: string, at: Date) {
  return { id, timestamp: at.toISOString(), provider: "openai", model: "gpt-4o-mini", usage: { input_tokens: 10, output_tokens: 2 } };
}

describe("lastReceived", () => {
  test("a new org has received nothing: every expected signal says never", async () => {
    const t = await createTestOrg();
    const now = new Date();
    const last = await lastReceived(t.org.id, now);
    expect(last.claude_code).toEqual([{ signal: "logs", at: null }, { signal: "metrics", at: null }]);
    expect(last.codex).toEqual([{ signal: "logs", at: null }]);
    expect(last.genai).toEqual([{ signal: "traces", at: null }]);
    expect(last.events_api).toEqual([{ signal: "logs", at: null }]);
    expect(describeReceipts(last.claude_code, now)).toBe("never (logs) · never (metrics)");
  });

  test("each source's receipts, an unexpected signal too, and the newest event's arrival", async () => {
    const t = await createTestOrg();
    const now = new Date();
    await prisma().telemetryReceipt.createMany({
      data: [
        { orgId: t.org.id, source: "claude_code", signal: "LOGS", lastReceivedAt: new Date(now.getTime() - 3 * MIN) },
        { orgId: t.org.id, source: "codex", signal: "TRACES", lastReceivedAt: new Date(now.getTime() - 2 * 3600_000) },
        { orgId: t.org.id, source: "genai", signal: "TRACES", lastReceivedAt: now },
      ],
    });
    await ingestAt(t, [call("a", new Date(now.getTime() - 10 * MIN))], new Date(now.getTime() - 9 * MIN));
    // A backdated call received later still counts as the newest arrival.
    await ingestAt(t, [call("b", new Date(now.getTime() - 24 * 3600_000))], new Date(now.getTime() - 2 * MIN));

    const last = await lastReceived(t.org.id, now);
    expect(describeReceipts(last.claude_code, now)).toBe("3 min ago (logs) · never (metrics)");
    expect(describeReceipts(last.codex, now)).toBe("never (logs) · 2 h ago (traces)");
    expect(describeReceipts(last.genai, now)).toBe("just now (traces)");
    expect(describeReceipts(last.gemini_cli, now)).toBe("never (logs) · never (metrics)");
    // Events are stamped on arrival by the database: the newest is the backdated call sent last.
    const newest = await prisma().usageEvent.findFirstOrThrow({ where: { orgId: t.org.id, eventId: "b" }, select: { receivedAt: true } });
    expect(last.events_api[0].at).toEqual(newest.receivedAt);
    expect(describeReceipts(last.events_api, new Date(newest.receivedAt.getTime() + 2 * MIN), false)).toBe("2 min ago");
  });

  test("org B's receipts and events never show for org A", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const now = new Date();
    await prisma().telemetryReceipt.create({ data: { orgId: b.org.id, source: "claude_code", signal: "LOGS", lastReceivedAt: now } });
    await ingestAt(b, [call("b-1", new Date(now.getTime() - MIN))], now);
    const last = await lastReceived(a.org.id, now);
    expect(Object.values(last).flat().every((r) => r.at === null)).toBe(true);
    expect(await lastEventReceivedAt(a.org.id, now)).toBeNull();
    expect(await lastEventReceivedAt(b.org.id, now)).toBeInstanceOf(Date);
  });
});

test("timeAgo reads as a person says it", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const ago = (ms: number) => timeAgo(new Date(now.getTime() - ms), now);
  expect(ago(-5000)).toBe("just now");
  expect(ago(59_000)).toBe("just now");
  expect(ago(3 * MIN)).toBe("3 min ago");
  expect(ago(59 * MIN)).toBe("59 min ago");
  expect(ago(5 * 3600_000)).toBe("5 h ago");
  expect(ago(50 * 3600_000)).toBe("2 days ago");
});

test("an integration's status: live within a day, stale before, never without data", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  expect(integrationStatus([{ signal: "logs", at: new Date("2026-11-28T11:57:00Z") }, { signal: "metrics", at: null }], now, "UTC")).toEqual({
    text: "3 min ago (logs) · never (metrics)",
    state: "live",
    title: "logs: Nov 28, 11:57 (UTC) · metrics: never",
    latest: "3 min ago",
  });
  expect(integrationStatus([{ signal: "traces", at: new Date("2026-11-25T12:00:00Z") }], now, "UTC").state).toBe("stale");
  expect(integrationStatus([{ signal: "logs", at: null }], now, "UTC", false)).toEqual({ text: "never", state: "never", title: "never", latest: null });
});
