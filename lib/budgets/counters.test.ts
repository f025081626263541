// Counters exact to the event (docs/architecture.md §6): after random concurrent batches with
// duplicates and retries, every counter equals the sum of the stored events in its scope and period
// — checked against an oracle written independently of the SQL that maintains them.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { Decimal } from "../money";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { localPeriodStart, oracleItem, type TEventRecord } from "../testing/counters-oracle";
import { api, startMachineServer } from "../testing/machine-server";
import { authenticateKey, type TAuthenticatedKey } from "../keys/authenticate";
import { submitEvents } from "../ingest/group-commit";
import { prepareEvents } from "../ingest/prepare";
import { createBudget, updateBudget } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const post = (secret: string, events: unknown[]) => api(server.url, "/api/v1/events", { secret, body: { events } });

async function expectCountersExact(orgId: string) {
  const { timezone } = await prisma().organization.findUniqueOrThrow({ where: { id: orgId } });
  const { rows: events } = await pool().query<TEventRecord>(
    `SELECT "occurredAt", "costUsd"::text AS "costUsd", "costSource", "teamId", "costCenterId", "keyId", agent, "userId", model, task, "executionId"
       FROM "UsageEvent" WHERE "orgId" = $1`,
    [orgId],
  );
  const budgets = await prisma().budget.findMany({ where: { orgId, archivedAt: null } });
  expect(budgets.length).toBeGreaterThan(0);
  for (const b of budgets) {
    const expected = new Map<string, { spent: Decimal; calls: number; unpriced: number }>();
    for (const e of events) {
      const item = oracleItem(b.scope, b.scopeValue, e);
      if (item === null) continue;
      const k = `${localPeriodStart(b.period, e.occurredAt, timezone)}|${item}`;
      const cur = expected.get(k) ?? { spent: new Decimal(0), calls: 0, unpriced: 0 };
      cur.spent = cur.spent.plus(e.costUsd);
      cur.calls++;
      if (e.costSource === "UNPRICED") cur.unpriced++;
      expected.set(k, cur);
    }
    const counters = await prisma().budgetCounter.findMany({ where: { orgId, budgetId: b.id } });
    const actual = new Map(counters.map((c) => [`${c.periodStart.getTime()}|${c.itemKey}`, { spent: new Decimal(c.spentUsd.toString()), calls: Number(c.calls), unpriced: Number(c.unpricedCalls) }]));
    const fmt = (m: Map<string, { spent: Decimal; calls: number; unpriced: number }>) =>
      Object.fromEntries([...m].filter(([, v]) => v.calls > 0).map(([k, v]) => [k, `${v.spent.toFixed()} / ${v.calls} / ${v.unpriced}`]));
    expect(fmt(actual), `${b.scope}:${b.scopeValue} ${b.period}`).toEqual(fmt(expected));
  }
}

async function budgetWorld(timezone = "UTC") {
  const t = await createTestOrg({ timezone });
  const cc = await createCostCenter(t.org.id, `CC-${randomBytes(2).toString("hex")}`);
  const team = await createTeam(t.org.id, `team-${randomBytes(2).toString("hex")}`, cc.id);
  const teamKey = await createTestKey({ orgId: t.org.id, name: "team key", scopes: ["ingest", "read"], teamId: team.id });
  const budgets = [
    { scope: "ORG", period: "MONTH" },
    { scope: "ORG", period: "DAY" },
    { scope: "ORG", period: "WEEK" },
    { scope: "ORG", period: "TOTAL" },
    { scope: "TEAM", scopeValue: team.id, period: "MONTH" },
    { scope: "COST_CENTER", scopeValue: cc.id, period: "MONTH" },
    { scope: "KEY", scopeValue: teamKey.id, period: "DAY" },
    { scope: "AGENT", scopeValue: "coder", period: "MONTH" },
    { scope: "USER", scopeValue: "ada", period: "WEEK" },
    { scope: "MODEL", scopeValue: "gpt-4o", period: "MONTH" },
    { scope: "TASK", scopeValue: "*", period: "MONTH" },
    { scope: "EXECUTION", scopeValue: "*", period: "TOTAL" },
    { scope: "EXECUTION", scopeValue: "x-1", period: "DAY" },
  ] as const;
  for (const b of budgets) await createBudget(t.org.id, null, { amountUsd: "1000", thresholds: [1000], ...b });
  return { ...t, team, cc, teamKey };
}

// Random events over the last 20 days: every attribution, a few unpriced models, tool calls.
function randomEvents(prefix: string, n: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    timestamp: new Date(Date.now() - Math.floor(rand() * 20 * DAY)).toISOString(),
    // A MODEL budget on gpt-4o counts its dated snapshot, not gpt-4o-mini.
    model: pick(["gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-mini", "claude-sonnet-4-5", "no-such-model-z"]),
    cost_usd: rand() < 0.3 ? undefined : `${Math.floor(rand() * 1000)}.${String(Math.floor(rand() * 1e9)).padStart(9, "0")}`,
    usage: { input_tokens: Math.floor(rand() * 5000), output_tokens: Math.floor(rand() * 500) },
    agent: pick(["coder", "reviewer", undefined]),
    user: pick(["ada", "bob", undefined]),
    task: pick(["t-1", "t-2", undefined]),
    execution_id: pick(["x-1", "x-2", "x-3", undefined]),
  }));
}

describe("budget counters", () => {
  // UTC, and a half-hour zone whose days begin at 18:30 UTC (an event's day differs for a quarter of them).
  test.each(["UTC", "Asia/Kolkata"])("equal the stored events in every scope and period after concurrent batches, duplicates and retries (%s)", { timeout: 120_000 }, async (timezone) => {
    const w = await budgetWorld(timezone);
    const batches = [0, 1, 2, 3, 4, 5].map((k) => randomEvents(`b${k}`, 120, 7 + k));
    // Each batch twice, concurrently, from two keys; plus a retry of half of each; plus cross-batch duplicates.
    const sends = batches.flatMap((events, k) => [
      post(k % 2 ? w.secret : w.teamKey.secret, events),
      post(k % 2 ? w.teamKey.secret : w.secret, events),
      post(w.secret, events.slice(0, 60)),
      post(w.teamKey.secret, [...events.slice(100), ...batches[(k + 1) % batches.length].slice(0, 10)]),
    ]);
    const responses = await Promise.all(sends);
    for (const r of responses) expect([200, 207], JSON.stringify(r.body).slice(0, 300)).toContain(r.status);
    const stored = (await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [w.org.id])).rows[0].n;
    expect(stored).toBe(6 * 120);
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(stored);
    await expectCountersExact(w.org.id);
  });

  test("a budget created mid-period starts from the period's real spend; a narrowed one recounts", async () => {
    const t = await createTestOrg();
    await post(t.secret, randomEvents("pre", 80, 99));
    const b = await createBudget(t.org.id, null, { scope: "AGENT", scopeValue: "coder", amountUsd: "100000", period: "MONTH", thresholds: [1000] });
    await createBudget(t.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "100000", period: "WEEK", thresholds: [1000] });
    await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "100000", period: "TOTAL", thresholds: [1000] });
    await expectCountersExact(t.org.id);
    await post(t.secret, randomEvents("post", 40, 5));
    await updateBudget(t.org.id, null, b.id, { scopeValue: "reviewer", period: "DAY" });
    await expectCountersExact(t.org.id);
  });

  test("a task or execution literally named \"*\" counts once under a per-item budget", async () => {
    const t = await createTestOrg();
    await createBudget(t.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "100000", period: "MONTH", thresholds: [1000] });
    await createBudget(t.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "100000", period: "TOTAL", thresholds: [1000] });
    const res = await post(t.secret, [
      { id: "star-1", kind: "tool", cost_usd: "1.25", task: "*", execution_id: "*" },
      { id: "star-2", kind: "tool", cost_usd: "0.5", task: "plain", execution_id: "run-1" },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await expectCountersExact(t.org.id);
    const counters = await prisma().budgetCounter.findMany({ where: { orgId: t.org.id }, orderBy: [{ budgetId: "asc" }, { itemKey: "asc" }] });
    expect(counters.map((c) => [c.itemKey, c.spentUsd.toString()]).sort()).toEqual([["*", "1.25"], ["*", "1.25"], ["plain", "0.5"], ["run-1", "0.5"]]);
  });

  test("a MODEL budget counts the model's dated snapshots (what providers answer with), not a model whose name merely starts the same; its check then blocks", async () => {
    const t = await createTestOrg();
    const b = await createBudget(t.org.id, null, { scope: "MODEL", scopeValue: "gpt-4o", amountUsd: "3", period: "MONTH", enforcement: "BLOCK", thresholds: [100] });
    const res = await post(t.secret, [
      { id: "plain", model: "gpt-4o", cost_usd: "1" },
      { id: "dated", model: "gpt-4o-2024-08-06", cost_usd: "2" },
      { id: "mini", model: "gpt-4o-mini", cost_usd: "4" },
      { id: "other-date", model: "gpt-4o-mini-2024-07-18", cost_usd: "8" },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await expectCountersExact(t.org.id);
    const [counter] = await prisma().budgetCounter.findMany({ where: { budgetId: b.id } });
    expect([counter.spentUsd.toString(), Number(counter.calls)]).toEqual(["3", 2]);
    const check = await api(server.url, "/api/v1/budget?model=gpt-4o", { secret: t.secret });
    expect(check.body.allowed, JSON.stringify(check.body)).toBe(false);
    const mini = await api(server.url, "/api/v1/budget?model=gpt-4o-mini", { secret: t.secret });
    expect(mini.body.allowed, JSON.stringify(mini.body)).toBe(true);
  });

  test("a budget made while events stream in counts each of them exactly once", { timeout: 60_000 }, async () => {
    const t = await createTestOrg();
    const stream = (async () => {
      for (let i = 0; i < 15; i++) await post(t.secret, randomEvents(`s${i}`, 30, i + 1));
    })();
    await new Promise((r) => setTimeout(r, 50));
    await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "100000", period: "MONTH", thresholds: [1000] });
    await createBudget(t.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "100000", period: "TOTAL", thresholds: [1000] });
    await stream;
    await expectCountersExact(t.org.id);
  });

  test("days are the org's: a 25-hour and a 23-hour DST day are one day counter each", async () => {
    const t = await createTestOrg({ timezone: "America/New_York" });
    const day = await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "1000", period: "DAY", thresholds: [1000] });
    const key = await authenticateKey(t.secret);
    if (typeof key === "string") throw new Error(key);
    // Events from fixed dates, validated on a clock a day after them (ingest takes events ≤ 35 days
    // old), so the test means the same whatever day it runs.
    async function store(at: string, events: { id: string; cost_usd: string; timestamp: string }[]) {
      const { rows, rejected } = await prepareEvents(key as TAuthenticatedKey, events.map((e) => ({ kind: "tool", ...e })), new Date(at));
      expect(rejected).toEqual([]);
      await submitEvents(rows, null);
    }
    // 2026-11-01 is 25 hours long in New York (EDT → EST at 02:00); 2026-03-08 is 23 (EST → EDT).
    await store("2026-11-03T00:00:00Z", [
      { id: "a", cost_usd: "1", timestamp: "2026-11-01T04:30:00Z" }, // 00:30 EDT, Nov 1
      { id: "b", cost_usd: "2", timestamp: "2026-11-02T04:30:00Z" }, // 23:30 EST, Nov 1
      { id: "c", cost_usd: "4", timestamp: "2026-11-02T05:10:00Z" }, // 00:10 EST, Nov 2
    ]);
    await store("2026-03-10T00:00:00Z", [
      { id: "d", cost_usd: "8", timestamp: "2026-03-08T05:30:00Z" }, // 00:30 EST, Mar 8
      { id: "e", cost_usd: "16", timestamp: "2026-03-09T03:30:00Z" }, // 23:30 EDT, Mar 8
      { id: "f", cost_usd: "32", timestamp: "2026-03-09T04:10:00Z" }, // 00:10 EDT, Mar 9
    ]);
    const counters = await prisma().budgetCounter.findMany({ where: { budgetId: day.id }, orderBy: { periodStart: "asc" } });
    expect(counters.map((c) => [c.periodStart.toISOString(), c.spentUsd.toString()])).toEqual([
      ["2026-03-08T05:00:00.000Z", "24"],
      ["2026-03-09T04:00:00.000Z", "32"],
      ["2026-11-01T04:00:00.000Z", "3"],
      ["2026-11-02T05:00:00.000Z", "4"],
    ]);
  });
});
