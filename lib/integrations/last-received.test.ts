import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { ev } from "../testing/events-api";
import { createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { postOtlp, shiftedToNow } from "../testing/otlp";
import claudeCodeLogs from "../otlp/fixtures/claude-code.logs.json";
import { describeReceipts, integrationStatus, lastReceived, timeAgo } from "./last-received";

const MIN = 60_000;

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

describe("lastReceived", () => {
  test("a new org has received nothing: every expected signal says never", async () => {
    const t = await createTestOrg();
    const now = new Date();
    const last = await lastReceived(t.org.id);
    expect(last.claude_code).toEqual([{ signal: "logs", at: null }, { signal: "metrics", at: null }]);
    expect(last.codex).toEqual([{ signal: "logs", at: null }]);
    expect(last.genai).toEqual([{ signal: "traces", at: null }]);
    expect(last.events_api).toEqual([{ signal: "logs", at: null }]);
    expect(describeReceipts(last.claude_code, now)).toBe("never (logs) · never (metrics)");
  });

  test("each source's receipts, an unexpected signal too", async () => {
    const t = await createTestOrg();
    const now = new Date();
    await prisma().telemetryReceipt.createMany({
      data: [
        { orgId: t.org.id, source: "claude_code", signal: "LOGS", lastReceivedAt: new Date(now.getTime() - 3 * MIN) },
        { orgId: t.org.id, source: "codex", signal: "TRACES", lastReceivedAt: new Date(now.getTime() - 2 * 3600_000) },
        { orgId: t.org.id, source: "genai", signal: "TRACES", lastReceivedAt: now },
        { orgId: t.org.id, source: "events_api", signal: "EVENTS", lastReceivedAt: new Date(now.getTime() - 2 * MIN) },
      ],
    });
    const last = await lastReceived(t.org.id);
    expect(describeReceipts(last.claude_code, now)).toBe("3 min ago (logs) · never (metrics)");
    expect(describeReceipts(last.codex, now)).toBe("never (logs) · 2 h ago (traces)");
    expect(describeReceipts(last.genai, now)).toBe("just now (traces)");
    expect(describeReceipts(last.gemini_cli, now)).toBe("never (logs) · never (metrics)");
    expect(describeReceipts(last.events_api, now, false)).toBe("2 min ago");
  });

  test("a post to the events API marks the events API; a Claude Code export marks Claude Code's logs, not the events API", async () => {
    const t = await createTestOrg();
    const res = await api(server.url, "/api/v1/events", { secret: t.secret, body: ev("receipt-1") });
    expect(res.status).toBe(200);
    expect((await lastReceived(t.org.id)).events_api[0].at).toBeInstanceOf(Date);

    const o = await createTestOrg();
    expect((await postOtlp(server.url, "logs", o.secret, shiftedToNow(claudeCodeLogs))).status).toBe(200);
    const last = await lastReceived(o.org.id);
    expect(last.claude_code[0]).toMatchObject({ signal: "logs", at: expect.any(Date) });
    expect(last.events_api[0].at).toBeNull();
  });

  test("org B's receipts never show for org A", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    await prisma().telemetryReceipt.create({ data: { orgId: b.org.id, source: "claude_code", signal: "LOGS", lastReceivedAt: new Date() } });
    await api(server.url, "/api/v1/events", { secret: b.secret, body: ev("receipt-b") });
    const last = await lastReceived(a.org.id);
    expect(Object.values(last).flat().every((r) => r.at === null)).toBe(true);
    expect((await lastReceived(b.org.id)).events_api[0].at).toBeInstanceOf(Date);
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
