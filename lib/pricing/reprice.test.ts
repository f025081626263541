// Reprice history against a real Postgres: after a price is added for a model nothing priced, its
// stored calls are priced again and every total that holds them — executions, hourly rollups,
// budget counters — equals the sum of its events to the last digit (checked against oracles
// written independently of the SQL that maintains them), client-reported costs are never touched,
// concurrent ingest loses or double-counts nothing, alerts fire once, and other orgs are untouched.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBudget } from "../budgets/manage";
import { pool, prisma } from "../db";
import { Decimal } from "../money";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { oracleItem, utcPeriodStart, type TEventRecord as TOracleEvent } from "../testing/counters-oracle";
import { ingestLedger } from "../testing/ingest-ledger";
import { api, startMachineServer } from "../testing/machine-server";
import { addModelPrice, listModelPrices } from "./price-overrides";
import { repriceModel } from "./reprice";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const uniq = () => randomBytes(3).toString("hex");

async function post(secret: string, events: unknown[]) {
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect([200, 207], JSON.stringify(res.body).slice(0, 300)).toContain(res.status);
  return res.body;
}

// A model no catalogue knows: its calls arrive UNPRICED at $0.
const newModel = () => `acme-coder-${uniq()}`;

// Hand-computed price of one call at $2 / $10 / $0.20 / $2.50 per million (input, output, cache read, cache write).
const RATES = { input: "2", output: "10", cacheRead: "0.2", cacheWrite: "2.5" };
function expectedCost(t: { input: number; output: number; cacheRead: number; cacheWrite: number }, r = RATES): Decimal {
  return new Decimal(t.input)
    .times(r.input)
    .plus(new Decimal(t.output).times(r.output))
    .plus(new Decimal(t.cacheRead).times(r.cacheRead))
    .plus(new Decimal(t.cacheWrite).times(r.cacheWrite))
    .div(1_000_000);
}

type TCall = { id: string; at: Date; input: number; output: number; cacheRead: number; cacheWrite: number; reported?: string; model: string; exec?: string; task?: string; agent?: string; user?: string; attempt?: number };

function wire(c: TCall) {
  return {
    id: c.id,
    timestamp: c.at.toISOString(),
    model: c.model,
    provider: "acme",
    usage: { input_tokens: c.input, output_tokens: c.output, cache_read_input_tokens: c.cacheRead, cache_creation_input_tokens: c.cacheWrite },
    ...(c.reported ? { cost_usd: c.reported } : {}),
    ...(c.exec ? { execution_id: c.exec } : {}),
    ...(c.task ? { task: c.task } : {}),
    ...(c.agent ? { agent: c.agent } : {}),
    ...(c.user ? { user: c.user } : {}),
    attempt: c.attempt ?? 1,
  };
}

// Calls over the last `days` days (never before this month's start in UTC when `thisMonth`), with
// executions, retries, tasks, agents and users, some with a reported cost.
function calls(prefix: string, model: string, n: number, seed: number, options: { days?: number; reportedShare?: number; since?: number } = {}): TCall[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const span = (options.days ?? 20) * DAY;
  const since = Math.max(options.since ?? 0, Date.now() - span);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    at: new Date(since + Math.floor(rand() * (Date.now() - since - 60_000))),
    model,
    input: Math.floor(rand() * 20_000),
    output: Math.floor(rand() * 3_000),
    cacheRead: rand() < 0.5 ? Math.floor(rand() * 50_000) : 0,
    cacheWrite: rand() < 0.3 ? Math.floor(rand() * 8_000) : 0,
    reported: rand() < (options.reportedShare ?? 0.2) ? `0.${String(Math.floor(rand() * 1e9)).padStart(9, "0")}` : undefined,
    exec: pick(["x-1", "x-2", "x-3", undefined]),
    task: pick(["t-1", "t-2", undefined]),
    agent: pick(["coder", "reviewer", undefined]),
    user: pick(["ada", "bob", undefined]),
    attempt: rand() < 0.2 ? 2 : 1,
  }));
}

async function postAll(secret: string, all: TCall[]) {
  for (let i = 0; i < all.length; i += 500) await post(secret, all.slice(i, i + 500).map(wire));
}

type TEventRecord = TOracleEvent & { eventId: string };

const storedEvents = async (orgId: string) =>
  (
    await pool().query<TEventRecord>(
      `SELECT "eventId", "occurredAt", "costUsd"::text AS "costUsd", "costSource", "teamId", "costCenterId", "keyId", agent, "userId", model, task, "executionId"
         FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "eventId"`,
      [orgId],
    )
  ).rows;

// events = executions = rollups = counters, to the last digit.
async function expectTotalsExact(orgId: string) {
  const ledger = await ingestLedger(orgId);
  expect(ledger.rollupsMatchEvents, "rollup totals = event totals").toBe(true);
  expect(ledger.executionMismatches, "executions = their events").toBe(0);
  expect(ledger.hourlyMismatches, "hourly rows (dimension, hour, value) = their events").toBe(0);
  expect(ledger.dailyMismatches, "daily rows (dimension, day, value) = their events").toBe(0);

  // Every hourly rollup row (UTC org: the hour is date_trunc'd) = its events, cost and unpriced calls.
  const { rows: rollupDrift } = await pool().query(
    `WITH ev AS (
       SELECT date_trunc('hour', "occurredAt") AS hour, "keyId", coalesce("teamId", '') AS "teamId", coalesce("costCenterId", '') AS "costCenterId",
              coalesce(agent, '') AS agent, coalesce(model, '') AS model, coalesce("userId", '') AS "userId", coalesce(repository, '') AS repository,
              count(*)::bigint AS calls, sum("costUsd") AS cost, count(*) FILTER (WHERE "costSource" = 'UNPRICED')::bigint AS unpriced
         FROM "UsageEvent" WHERE "orgId" = $1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)
     SELECT * FROM ev FULL JOIN (SELECT * FROM "UsageRollup" WHERE "orgId" = $1) r
       USING (hour, "keyId", "teamId", "costCenterId", agent, model, "userId", repository)
      WHERE (ev.calls, ev.cost, ev.unpriced) IS DISTINCT FROM (r.calls, r."costUsd", r."unpricedCalls")`,
    [orgId],
  );
  expect(rollupDrift, "every rollup row = its events (cost, unpriced calls)").toEqual([]);

  const events = await storedEvents(orgId);
  const budgets = await prisma().budget.findMany({ where: { orgId, archivedAt: null } });
  for (const b of budgets) {
    const expected = new Map<string, { spent: Decimal; calls: number; unpriced: number }>();
    for (const e of events) {
      const item = oracleItem(b.scope, b.scopeValue, e);
      if (item === null) continue;
      const k = `${utcPeriodStart(b.period, e.occurredAt)}|${item}`;
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

// An org with budgets in every scope that the calls fall under.
async function world() {
  const t = await createTestOrg();
  const cc = await createCostCenter(t.org.id, `CC-${uniq()}`);
  const team = await createTeam(t.org.id, `team-${uniq()}`, cc.id);
  const teamKey = await createTestKey({ orgId: t.org.id, name: "team key", scopes: ["ingest", "read"], teamId: team.id });
  return { ...t, team, cc, teamKey };
}

async function budgetsEverywhere(w: Awaited<ReturnType<typeof world>>, model: string) {
  const budgets = [
    { scope: "ORG", period: "MONTH" },
    { scope: "ORG", period: "DAY" },
    { scope: "ORG", period: "WEEK" },
    { scope: "ORG", period: "TOTAL" },
    { scope: "TEAM", scopeValue: w.team.id, period: "MONTH" },
    { scope: "COST_CENTER", scopeValue: w.cc.id, period: "MONTH" },
    { scope: "KEY", scopeValue: w.teamKey.id, period: "DAY" },
    { scope: "AGENT", scopeValue: "coder", period: "MONTH" },
    { scope: "USER", scopeValue: "ada", period: "WEEK" },
    { scope: "MODEL", scopeValue: model, period: "MONTH" },
    { scope: "TASK", scopeValue: "*", period: "MONTH" },
    { scope: "EXECUTION", scopeValue: "*", period: "TOTAL" },
    { scope: "EXECUTION", scopeValue: "x-1", period: "DAY" },
  ] as const;
  for (const b of budgets) await createBudget(w.org.id, null, { amountUsd: "1000000", thresholds: [1000], ...b });
}

describe("reprice", () => {
  test("after a price is added for an unpriced model, repricing makes events = executions = rollups = counters to the last digit; reported costs stay", { timeout: 120_000 }, async () => {
    const w = await world();
    const model = newModel();
    await budgetsEverywhere(w, model);
    const mine = calls("a", model, 400, 11);
    const other = calls("o", "gpt-4o", 60, 12, { reportedShare: 0 });
    await postAll(w.secret, mine.slice(0, 200));
    await postAll(w.teamKey.secret, mine.slice(200));
    await post(w.secret, other.map((c) => ({ ...wire(c), provider: "openai" })));
    await expectTotalsExact(w.org.id);

    const before = new Map((await storedEvents(w.org.id)).map((e) => [e.eventId, e]));
    const reported = mine.filter((c) => c.reported);
    const priced = mine.filter((c) => !c.reported);
    expect(reported.length).toBeGreaterThan(20);
    expect(priced.every((c) => before.get(c.id)!.costSource === "UNPRICED" && before.get(c.id)!.costUsd === "0.000000000000")).toBe(true);

    const from = new Date(Date.now() - 30 * DAY);
    await addModelPrice(w.org.id, null, {
      model,
      effectiveFrom: from.toISOString(),
      inputMtok: RATES.input,
      outputMtok: RATES.output,
      cacheReadMtok: RATES.cacheRead,
      cacheWriteMtok: RATES.cacheWrite,
    });
    // Small batches: many statements in the one transaction, hours split across them.
    const summary = await repriceModel(w.org.id, null, { model, from: from.toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, { batchSize: 7 });

    // The summary, against prices computed by hand.
    const expectedTotal = priced.reduce((sum, c) => sum.plus(expectedCost(c)), new Decimal(0));
    expect(summary).toMatchObject({
      eventsConsidered: priced.length,
      eventsRepriced: priced.length,
      reportedUntouched: reported.length,
      unpricedBefore: priced.length,
      unpricedAfter: 0,
      oldTotalUsd: "0.00",
      alerts: 0,
    });
    expect(new Decimal(summary.newTotalUsd).eq(expectedTotal), `${summary.newTotalUsd} = ${expectedTotal.toFixed()}`).toBe(true);
    expect(new Decimal(summary.deltaUsd).eq(expectedTotal)).toBe(true);

    const after = new Map((await storedEvents(w.org.id)).map((e) => [e.eventId, e]));
    for (const c of priced) {
      const e = after.get(c.id)!;
      expect(e.costSource, c.id).toBe("OVERRIDE");
      expect(new Decimal(e.costUsd).eq(expectedCost(c)), `${c.id}: ${e.costUsd}`).toBe(true);
    }
    // A cost the client reported is what it paid: never repriced.
    for (const c of reported) expect(after.get(c.id)).toEqual(before.get(c.id));
    // Other models' calls are untouched.
    for (const c of other) expect(after.get(c.id)).toEqual(before.get(c.id));
    await expectTotalsExact(w.org.id);

    // Audited: who, which model and range, how many calls, old and new totals.
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { orgId: w.org.id, action: "model.repriced" } });
    expect(audit.details).toMatchObject({ model, eventsRepriced: summary.eventsRepriced, oldTotalUsd: "0.00", newTotalUsd: summary.newTotalUsd });

    // Repricing again changes nothing.
    const again = await repriceModel(w.org.id, null, { model, from: from.toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
    expect(again).toMatchObject({ eventsRepriced: 0, oldTotalUsd: summary.newTotalUsd, newTotalUsd: summary.newTotalUsd, deltaUsd: "0.00" });
    expect(await storedEvents(w.org.id)).toEqual([...after.values()]);
  });

  test("each call is priced with the price in effect at its own time: a later price applies only from its date", async () => {
    const w = await world();
    const model = newModel();
    await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1000000", period: "TOTAL", thresholds: [1000] });
    const boundary = Date.now() - 5 * DAY;
    const early = { id: "early", at: new Date(boundary - DAY), model, input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 };
    const late = { id: "late", at: new Date(boundary + DAY), model, input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 };
    await post(w.secret, [wire(early), wire(late)]);
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(boundary - 10 * DAY).toISOString(), inputMtok: "1", outputMtok: "1" });
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(boundary).toISOString(), inputMtok: "3", outputMtok: "3" });
    const summary = await repriceModel(w.org.id, null, { model, from: new Date(boundary - 10 * DAY).toISOString(), to: new Date().toISOString() });
    expect(summary).toMatchObject({ eventsRepriced: 2, newTotalUsd: "4.00" });
    const costs = Object.fromEntries((await storedEvents(w.org.id)).map((e) => [e.eventId, new Decimal(e.costUsd).toFixed()]));
    expect(costs).toEqual({ early: "1", late: "3" });
    await expectTotalsExact(w.org.id);
  });

  test("a reprice limited to a range touches only the calls in it", async () => {
    const w = await world();
    const model = newModel();
    await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1000000", period: "TOTAL", thresholds: [1000] });
    const t0 = Date.now() - 6 * DAY;
    await post(w.secret, [0, 1, 2, 3].map((d) => wire({ id: `d${d}`, at: new Date(t0 + d * DAY), model, input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 })));
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(t0 - DAY).toISOString(), inputMtok: "1", outputMtok: "1" });
    // [d1, d3): d1 and d2.
    await repriceModel(w.org.id, null, { model, from: new Date(t0 + DAY).toISOString(), to: new Date(t0 + 3 * DAY).toISOString() });
    const sources = Object.fromEntries((await storedEvents(w.org.id)).map((e) => [e.eventId, e.costSource]));
    expect(sources).toEqual({ d0: "UNPRICED", d1: "OVERRIDE", d2: "OVERRIDE", d3: "UNPRICED" });
    await expectTotalsExact(w.org.id);
  });

  test("ingest running concurrently with a reprice loses and double-counts nothing", { timeout: 120_000 }, async () => {
    const w = await world();
    const model = newModel();
    await budgetsEverywhere(w, model);
    await postAll(w.secret, calls("pre", model, 600, 3, { reportedShare: 0.1 }));
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(Date.now() - 30 * DAY).toISOString(), inputMtok: "2", outputMtok: "10" });
    let sent = 600;
    let streaming = true;
    // The same model (now priced at ingest) and another, from both keys, while the reprices run.
    const stream = (async () => {
      for (let i = 0; streaming || i < 4; i++) {
        const batch = [...calls(`s${i}`, model, 30, 100 + i, { days: 3 }), ...calls(`g${i}`, "gpt-4o", 10, 200 + i, { days: 3 })];
        await post(i % 2 ? w.secret : w.teamKey.secret, batch.map(wire));
        sent += batch.length;
      }
    })();
    const range = { model, from: new Date(Date.now() - 30 * DAY).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const first = await repriceModel(w.org.id, null, range, { batchSize: 40 });
    const second = await repriceModel(w.org.id, null, range);
    streaming = false;
    await stream;
    expect(first.eventsRepriced).toBeGreaterThan(400);
    // Calls that arrived after the price was added were priced by ingest itself: nothing left to change.
    expect(second.unpricedAfter).toBe(0);
    const stored = (await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [w.org.id])).rows[0].n;
    expect(stored).toBe(sent);
    await expectTotalsExact(w.org.id);
  });

  test("alerts: a reprice that lifts a budget past 80 % alerts once; repricing again re-sends nothing; lowering un-sends nothing", { timeout: 60_000 }, async () => {
    const w = await world();
    const model = newModel();
    const budget = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH", thresholds: [50, 80, 100], recipients: ["lead@example.test"] });
    const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
    const at = new Date(Math.max(monthStart, Date.now() - 2 * HOUR));
    // $3 reported (30 %), and 17 calls of a million input tokens nothing prices yet.
    await post(w.secret, [
      { id: "paid", kind: "tool", cost_usd: "3", timestamp: at.toISOString() },
      ...Array.from({ length: 17 }, (_, i) => wire({ id: `u${i}`, at, model, input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 })),
    ]);
    const alerts = () => prisma().budgetAlert.findMany({ where: { orgId: w.org.id, budgetId: budget.id }, orderBy: { threshold: "asc" } });
    const outbox = () => prisma().emailOutbox.count({ where: { orgId: w.org.id, alertId: { not: null } } });
    await new Promise((r) => setTimeout(r, 300)); // any alert of the ingest itself would be recorded by now
    expect(await alerts()).toEqual([]);

    const range = { model, from: new Date(at.getTime() - HOUR).toISOString(), to: new Date().toISOString() };
    // 17 × $0.33 = $5.61 → $8.61: 86 %.
    await addModelPrice(w.org.id, null, { model, effectiveFrom: range.from, inputMtok: "0.33", outputMtok: "1" });
    const lifted = await repriceModel(w.org.id, null, range);
    expect(lifted).toMatchObject({ eventsRepriced: 17, newTotalUsd: "5.61", alerts: 1 });
    expect((await alerts()).map((a) => [a.threshold, a.notified])).toEqual([
      [50, false],
      [80, true],
    ]);
    expect(await outbox()).toBe(1);

    // Again, and with a price that lifts it further but not to 100 %: nothing re-sent.
    expect((await repriceModel(w.org.id, null, range)).alerts).toBe(0);
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(at.getTime() - 30 * 60_000).toISOString(), inputMtok: "0.35", outputMtok: "1" });
    expect(await repriceModel(w.org.id, null, range)).toMatchObject({ newTotalUsd: "5.95", alerts: 0 });
    // Lowering the spend below 50 % removes no alert.
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(at.getTime() - 20 * 60_000).toISOString(), inputMtok: "0.01", outputMtok: "1" });
    expect(await repriceModel(w.org.id, null, range)).toMatchObject({ newTotalUsd: "0.17", alerts: 0 });
    expect((await alerts()).length).toBe(2);
    expect(await outbox()).toBe(1);
    // Lifting past 100 % alerts once more, for 100 only.
    await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(at.getTime() - 10 * 60_000).toISOString(), inputMtok: "0.5", outputMtok: "1" });
    expect(await repriceModel(w.org.id, null, range)).toMatchObject({ newTotalUsd: "8.50", alerts: 1 });
    expect((await alerts()).map((a) => [a.threshold, a.notified])).toEqual([
      [50, false],
      [80, true],
      [100, true],
    ]);
    expect(await outbox()).toBe(2);
    const counter = await prisma().budgetCounter.findFirstOrThrow({ where: { budgetId: budget.id } });
    expect(counter.spentUsd.toString()).toBe("11.5");
  });

  test("tenant isolation: a price and a reprice in org A never touch org B", async () => {
    const a = await world();
    const b = await world();
    const model = newModel();
    for (const w of [a, b]) {
      await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1000000", period: "MONTH", thresholds: [1000] });
      await post(w.secret, calls("c", model, 50, 5, { reportedShare: 0 }).map(wire));
    }
    const snapshot = async (orgId: string) => ({
      events: await storedEvents(orgId),
      rollups: (await pool().query(`SELECT * FROM "UsageRollup" WHERE "orgId" = $1 ORDER BY id`, [orgId])).rows,
      executions: (await pool().query(`SELECT * FROM "Execution" WHERE "orgId" = $1 ORDER BY id`, [orgId])).rows,
      counters: (await pool().query(`SELECT * FROM "BudgetCounter" WHERE "orgId" = $1 ORDER BY id`, [orgId])).rows,
      audit: await prisma().auditLog.count({ where: { orgId } }),
    });
    const before = await snapshot(b.org.id);
    const from = new Date(Date.now() - 30 * DAY).toISOString();
    await addModelPrice(a.org.id, null, { model, effectiveFrom: from, inputMtok: "2", outputMtok: "10" });
    const summary = await repriceModel(a.org.id, null, { model, from, to: new Date().toISOString() });
    expect(summary.eventsRepriced).toBeGreaterThan(40);
    expect(await snapshot(b.org.id)).toEqual(before);
    // B's new calls of the model stay unpriced: A's price is A's.
    const body = await post(b.secret, [wire({ id: "new", at: new Date(), model, input: 1000, output: 10, cacheRead: 0, cacheWrite: 0 })]);
    expect(body.warnings).toEqual([expect.objectContaining({ code: "unpriced_model" })]);
    // And B has no price of A's to reprice with.
    await expect(repriceModel(b.org.id, null, { model, from, to: new Date().toISOString() })).rejects.toMatchObject({ code: "invalid_request" });
  });

  describe("bad input is refused with a clear error and nothing written", () => {
    async function unchanged(orgId: string, run: () => Promise<unknown>, expected: object) {
      const before = { events: await storedEvents(orgId), audit: await prisma().auditLog.count({ where: { orgId } }), ledger: await ingestLedger(orgId) };
      await expect(run()).rejects.toMatchObject(expected);
      expect({ events: await storedEvents(orgId), audit: await prisma().auditLog.count({ where: { orgId } }), ledger: await ingestLedger(orgId) }).toEqual(before);
    }

    test("a model with no price anywhere, from ≥ to, a range over 400 days, too many calls, a price that breaks the per-call limit", async () => {
      const w = await world();
      const model = newModel();
      await post(w.secret, calls("c", model, 12, 9, { reportedShare: 0 }).map(wire));
      const from = new Date(Date.now() - 30 * DAY).toISOString();
      const now = new Date().toISOString();
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model, from, to: now }), {
        code: "invalid_request",
        message: expect.stringContaining("Add a price for it first"),
        details: [{ path: "model", message: "has no price to apply" }],
      });
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model: "gpt-4o", from: now, to: from }), { code: "invalid_request", details: [{ path: "from", message: "must be before 'to'" }] });
      // Text Postgres cannot compare is a field error, not a database error.
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model: "gpt\u0000-4o", from, to: now }), { code: "invalid_request", details: [expect.objectContaining({ path: "model" })] });
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model: "gpt-4o", from: "2024-01-01", to: "2026-01-01" }), {
        code: "invalid_request",
        details: [{ path: "from", message: "the range is limited to 400 days" }],
      });
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model: "gpt-4o", from: "yesterday", to: now }), { code: "invalid_request", details: [expect.objectContaining({ path: "from" })] });
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model: "", from, to: now }), { code: "invalid_request", details: [expect.objectContaining({ path: "model" })] });

      await addModelPrice(w.org.id, null, { model, effectiveFrom: from, inputMtok: "2", outputMtok: "10" });
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model, from, to: now }, { maxEvents: 5 }), {
        code: "invalid_request",
        message: expect.stringContaining("at most 5"),
      });
      // $1,000,000 per million input tokens puts a 20,000-token call at $20,000: over the $10,000 per-call bound.
      await addModelPrice(w.org.id, null, { model, effectiveFrom: new Date(Date.now() - 31 * DAY).toISOString(), inputMtok: "1000000", outputMtok: "1" });
      await prisma().modelPrice.deleteMany({ where: { orgId: w.org.id, inputMtok: "2" } });
      await unchanged(w.org.id, () => repriceModel(w.org.id, null, { model, from, to: now }), { code: "invalid_request", message: expect.stringContaining("per-call limit") });
    });

    test("a price with bad rates, no model or a bad date; the same price twice", async () => {
      const w = await world();
      const base = { model: "acme-x", effectiveFrom: "2026-11-01", inputMtok: "1", outputMtok: "2" };
      for (const [input, path] of [
        [{ ...base, inputMtok: "-1" }, "inputMtok"],
        [{ ...base, outputMtok: "abc" }, "outputMtok"],
        [{ ...base, cacheReadMtok: "1e3" }, "cacheReadMtok"],
        [{ ...base, inputMtok: "2000000" }, "inputMtok"],
        [{ ...base, inputMtok: "0.0000000001" }, "inputMtok"],
        [{ ...base, model: " " }, "model"],
        [{ ...base, model: "acme\u0000x" }, "model"],
        [{ ...base, model: "acme-\ud800" }, "model"],
        [{ ...base, provider: "a\u0000" }, "provider"],
        [{ ...base, effectiveFrom: "2026-13-01" }, "effectiveFrom"],
      ] as const) {
        await expect(addModelPrice(w.org.id, null, input), JSON.stringify(input)).rejects.toMatchObject({ code: "invalid_request", details: [expect.objectContaining({ path })] });
      }
      const added = await addModelPrice(w.org.id, null, { ...base, cacheReadMtok: "" });
      expect(added).toMatchObject({ model: "acme-x", provider: null, inputMtok: "1.00", outputMtok: "2.00", cacheReadMtok: null, effectiveTo: null, effectiveFrom: "2026-11-01T00:00:00.000Z" });
      await expect(addModelPrice(w.org.id, null, { ...base, model: "ACME-X" })).rejects.toMatchObject({ code: "conflict" });
      // Another provider, or another date, is another price.
      await addModelPrice(w.org.id, null, { ...base, provider: "acme" });
      const later = await addModelPrice(w.org.id, null, { ...base, effectiveFrom: "2026-11-15", inputMtok: "0.5" });
      expect(later.effectiveTo).toBe(null);
      const list = await listModelPrices(w.org.id);
      expect(list.map((p) => [p.provider, p.effectiveFrom.slice(0, 10), p.effectiveTo?.slice(0, 10) ?? null])).toEqual([
        [null, "2026-11-15", null],
        [null, "2026-11-01", "2026-11-15"],
        ["acme", "2026-11-01", "2026-11-15"],
      ]);
      expect(await prisma().modelPrice.count({ where: { orgId: w.org.id } })).toBe(3);
      expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "model_price.added" } })).toBe(3);
    });
  });
});
