// The overview's numbers against hand-computed totals on small hand-written event sets: burn rate
// (also on a 23-hour DST day), the period's projection with and without a budget, ranked spend
// equal to the spend report per dimension, filters, outlier marking, tenant isolation — and the
// page's loader equal to GET /api/v1/spend for the same range and filters.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { refreshAgentBaselines } from "../anomalies/baselines";
import { createBudget } from "../budgets/manage";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { costAt, ingestAt } from "../testing/usage";
import { burnRate } from "./burn-rate";
import { FILTER_DIMENSIONS, parseDashboardView } from "./filters";
import { overviewFor } from "./overview";
import { budgetRefFor, budgetsForView, periodProjection } from "./period-projection";
import { rankedSpend } from "./ranked-spend";
import { spendReport } from "./spend";
import { topExpensiveExecutions } from "./top-executions";

const at = (iso: string) => new Date(iso);

describe("burn rate", () => {
  test("today vs yesterday by the same time and all of yesterday; the last hour's $/h; today's pace in $/day", async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    await ingestAt(
      t,
      [
        costAt("y1", "2026-06-09T10:00:00Z", "4"),
        costAt("y2", "2026-06-09T20:00:00Z", "6"),
        costAt("t1", "2026-06-10T01:00:00Z", "1"),
        costAt("t2", "2026-06-10T14:30:00Z", "2"),
      ],
      at("2026-06-10T15:00:00Z"),
    );
    const b = await burnRate({ orgId: t.org.id, timezone: "UTC", now: at("2026-06-10T15:00:00Z") });
    expect(b).toMatchObject({
      todayUsd: "3.00",
      yesterdayUsd: "10.00",
      yesterdaySameTimeUsd: "4.00",
      changePercent: -25,
      lastHourUsd: "2.00",
      // 3 in 15 of 24 hours.
      todayPaceUsdPerDay: "4.80",
    });
  });

  test("on Berlin's 23-hour spring day the pace scales by 23 hours; 'yesterday by now' is yesterday's same local time", async () => {
    const t = await createTestOrg({ timezone: "Europe/Berlin" });
    await ingestAt(
      t,
      [
        costAt("y-before", "2026-03-28T12:59:00Z", "1"), // 13:59 CET on the 28th
        costAt("y-after", "2026-03-28T13:01:00Z", "5"), // 14:01 CET, after "now" yesterday
        costAt("t1", "2026-03-29T00:10:00Z", "2.30"), // 01:10 CET on the 29th
      ],
      at("2026-03-29T12:00:00Z"),
    );
    // 14:00 CEST: 13 hours into a 23-hour day.
    const b = await burnRate({ orgId: t.org.id, timezone: "Europe/Berlin", now: at("2026-03-29T12:00:00Z") });
    expect(b.dayStart).toBe("2026-03-28T23:00:00.000Z");
    expect(b.dayEnd).toBe("2026-03-29T22:00:00.000Z");
    expect(b.yesterdaySameTimeUsd).toBe("1.00");
    expect(b.yesterdayUsd).toBe("6.00");
    expect(b.todayPaceUsdPerDay).toBe("4.069230769231"); // 2.30 × 23 / 13
    expect(b.lastHourUsd).toBe("0.00");
  });
});

describe("period projection", () => {
  // $1 a day at noon, June 1–9; now is June 10 00:00 UTC: 9 of 30 days gone.
  const nineDays = () => Array.from({ length: 9 }, (_, i) => costAt(`d${i + 1}`, `2026-06-0${i + 1}T12:00:00Z`, "1"));
  const now = at("2026-06-10T00:00:00Z");

  test("with no budget: the calendar month, $9 in 9 days → $30 by the end, no breach date", async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    await ingestAt(t, nineDays(), now);
    const p = await periodProjection({ orgId: t.org.id, timezone: "UTC", now, budgets: await budgetsForView(t.org.id, {}, now) });
    expect(p).toMatchObject({
      period: "MONTH",
      periodStart: "2026-06-01T00:00:00.000Z",
      periodEnd: "2026-07-01T00:00:00.000Z",
      spentUsd: "9.00",
      budget: null,
      projectedUsd: "30.00",
      burnUsdPerDay: "1.00",
      breachAt: null,
      tooEarly: false,
    });
  });

  test("with the org's $20 monthly budget: the budget's counters and projection, breaching on June 21", async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "20", period: "MONTH" });
    await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "2", period: "DAY", name: "Daily cap" });
    await ingestAt(t, nineDays(), now);
    const budgets = await budgetsForView(t.org.id, {}, now);
    expect(budgets.map((b) => b.period)).toEqual(["MONTH", "DAY"]);
    const p = await periodProjection({ orgId: t.org.id, timezone: "UTC", now, budgets });
    expect(p).toMatchObject({ period: "MONTH", spentUsd: "9.00", projectedUsd: "30.00", projectedPercent: 150, burnUsdPerDay: "1.00" });
    expect(p.budget).toMatchObject({ amountUsd: "20.00", percent: 45, state: "ok" });
    // $20 at $1 a day from June 1.
    expect(p.breachAt).toBe("2026-06-21T00:00:00.000Z");
    // A team filter is not the org's budget.
    expect(await budgetsForView(t.org.id, { team: "platform" }, now)).toEqual([]);
  });

  test("the budget a view maps to", () => {
    expect(budgetRefFor({})).toBe("org");
    expect(budgetRefFor({ team: "platform" })).toBe("team:platform");
    expect(budgetRefFor({ cost_center: "CC-1" })).toBe("cost_center:CC-1");
    expect(budgetRefFor({ repository: "acme/api" })).toBeNull();
    expect(budgetRefFor({ team: "platform", agent: "x" })).toBeNull();
  });
});

describe("ranked spend and filters", () => {
  // 01:30–05:45 on June 10: whole hours 02–05 from the rollups, the edges from the events.
  const from = at("2026-06-10T01:30:00Z");
  const to = at("2026-06-10T05:45:00Z");
  let orgId = "";
  let otherOrgId = "";

  beforeAll(async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    orgId = t.org.id;
    const eng = await createCostCenter(orgId, "ENG");
    const alpha = await createTeam(orgId, "alpha", eng.id);
    await createTeam(orgId, "beta");
    const alphaKey = await createTestKey({ orgId, name: "alpha key", teamId: alpha.id, scopes: ["ingest"] });
    const llm = (id: string, when: string, usd: string, extra: Record<string, unknown>) => ({ id, timestamp: when, model: "gpt-4o", usage: { input_tokens: 10, output_tokens: 1 }, cost_usd: usd, ...extra });
    await ingestAt(
      t,
      [
        costAt("early", "2026-06-10T01:29:59Z", "100", { team: "alpha", agent: "x" }), // before the range
        llm("e1", "2026-06-10T01:45:00Z", "0.10", { team: "alpha", agent: "x", user: "ann", repository: "acme/api" }), // left edge
        llm("e2", "2026-06-10T02:10:00Z", "1.00", { team: "alpha", agent: "x", user: "ann", repository: "acme/api" }),
        costAt("e3", "2026-06-10T03:10:00Z", "2.00", { team: "beta", agent: "y", user: "bob" }),
        llm("e4", "2026-06-10T04:59:59Z", "0.25", { agent: "y", user: "bob", repository: "acme/web" }),
        costAt("e5", "2026-06-10T05:44:59Z", "0.05", { team: "beta", agent: "x" }), // right edge
        costAt("late", "2026-06-10T05:45:00Z", "100", { team: "beta", agent: "x" }), // after the range
      ],
      at("2026-06-10T06:00:00Z"),
    );
    await ingestAt(t, [llm("k1", "2026-06-10T03:30:00Z", "0.40", { agent: "z" })], at("2026-06-10T06:00:00Z"), { id: alphaKey.id, prefix: alphaKey.prefix, teamId: alpha.id, costCenterId: eng.id });
    // Another org with the same names: never in this org's numbers.
    const other = await createTestOrg({ timezone: "UTC" });
    otherOrgId = other.org.id;
    await createTeam(otherOrgId, "alpha");
    await ingestAt(other, [costAt("o1", "2026-06-10T03:00:00Z", "50", { team: "alpha", agent: "x" }), costAt("o2", "2026-06-10T01:40:00Z", "50", { team: "alpha", agent: "x" })], at("2026-06-10T06:00:00Z"));
  });

  test("hand-computed totals per dimension, rollups and edges together", async () => {
    const r = await rankedSpend({ orgId, timezone: "UTC", from, to });
    expect(r.totalUsd).toBe("3.80");
    expect(r.calls).toBe(6);
    const rows = (d: keyof typeof r.dimensions) => r.dimensions[d].rows.map((x) => [x.key, x.costUsd, x.calls]);
    expect(rows("team")).toEqual([["beta", "2.05", 2], ["alpha", "1.50", 3], [null, "0.25", 1]]);
    expect(rows("agent")).toEqual([["y", "2.25", 2], ["x", "1.15", 3], ["z", "0.40", 1]]);
    expect(rows("model")).toEqual([[null, "2.05", 2], ["gpt-4o", "1.75", 4]]);
    expect(rows("user")).toEqual([["bob", "2.25", 2], ["ann", "1.10", 2], [null, "0.45", 2]]);
    expect(rows("repository")).toEqual([[null, "2.45", 3], ["acme/api", "1.10", 2], ["acme/web", "0.25", 1]]);
    // A team's calls are its cost center's (alpha is in ENG), as are the ENG key's.
    expect(rows("cost_center")).toEqual([[null, "2.30", 3], ["ENG", "1.50", 3]]);
    expect(r.dimensions.key.rows).toHaveLength(2);
  });

  test("each dimension equals the spend report grouped by it, with and without filters", async () => {
    for (const filters of [{}, { team: "alpha" }, { agent: "x", model: "gpt-4o" }, { repository: "acme/api" }, { cost_center: "ENG" }, { user: "bob" }]) {
      const r = await rankedSpend({ orgId, timezone: "UTC", from, to, filters });
      const total = await spendReport({ orgId, timezone: "UTC", from, to, filters });
      expect(r.totalUsd, JSON.stringify(filters)).toBe(total.total_usd);
      for (const d of FILTER_DIMENSIONS) {
        const report = await spendReport({ orgId, timezone: "UTC", from, to, filters, groupBy: d, limit: 10 });
        expect(r.dimensions[d].rows, `${d} ${JSON.stringify(filters)}`).toEqual(report.groups.map((g) => ({ key: g.key, costUsd: g.cost_usd, calls: g.calls })));
      }
    }
  });

  test("filters select by slug / code / prefix / name within the org; an unknown value matches nothing", async () => {
    const report = (filters: Record<string, string>) => spendReport({ orgId, timezone: "UTC", from, to, filters }).then((x) => x.total_usd);
    expect(await report({ team: "alpha" })).toBe("1.50");
    expect(await report({ team: "alpha", agent: "x" })).toBe("1.10");
    expect(await report({ model: "gpt-4o", user: "bob" })).toBe("0.25");
    expect(await report({ cost_center: "ENG" })).toBe("1.50");
    expect(await report({ team: "nope" })).toBe("0.00");
    const key = (await rankedSpend({ orgId, timezone: "UTC", from, to, filters: { agent: "z" } })).dimensions.key.rows[0].key!;
    expect(await report({ key })).toBe("0.40");
    // The other org's team "alpha" and its $100 are not this org's.
    expect(await spendReport({ orgId: otherOrgId, timezone: "UTC", from, to, filters: { team: "alpha" } }).then((x) => x.total_usd)).toBe("100.00");
  });
});

describe("top executions and outliers", () => {
  test("most expensive first; an outlier costs more than 5× its agent's median finished execution (its baseline, last 30 days)", async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    // The baselines are taken as of the database's clock: the runs are days old, so finished (idle).
    const now = new Date();
    const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();
    const run = (id: string, agent: string, usd: string, when = daysAgo(5), extra: Record<string, unknown> = {}) => costAt(`${id}.1`, when, usd, { execution_id: id, agent, ...extra });
    await ingestAt(
      t,
      [
        // a: 1, 1, 2, 2, 3, 11 → median 2; 11 > 10.
        ...["1", "1", "2", "2", "3"].map((usd, i) => run(`a${i}`, "a", usd)),
        run("a-big", "a", "11"),
        // b: 1, 1, 1, 5 → median 1; 5 is not more than 5×.
        ...["1", "1", "1"].map((usd, i) => run(`b${i}`, "b", usd)),
        run("b-edge", "b", "5"),
        // d: 10, 10, 10 recently; cheap runs 32 days ago are outside the window.
        ...["10", "10", "10"].map((usd, i) => run(`d${i}`, "d", usd, daysAgo(4), i === 0 ? { model: "m1", kind: "llm", usage: { input_tokens: 1, output_tokens: 1 } } : {})),
      ],
      now,
    );
    await ingestAt(t, ["0.1", "0.1", "0.1", "0.1"].map((usd, i) => run(`d-old${i}`, "d", usd, daysAgo(32))), now);
    const other = await createTestOrg({ timezone: "UTC" });
    await ingestAt(other, [run("other-huge", "a", "999")], now);
    // No baseline yet (a new org before the job's first run): no median, no mark.
    const before = await topExpensiveExecutions({ orgId: t.org.id, from: new Date(daysAgo(20)), to: now, now, limit: 1 });
    expect(before[0]).toMatchObject({ id: "a-big", agentMedianUsd: null, timesMedian: null, outlier: false });
    await refreshAgentBaselines([t.org.id, other.org.id]);

    const top = await topExpensiveExecutions({ orgId: t.org.id, from: new Date(daysAgo(20)), to: now, now, limit: 10 });
    expect(top.map((x) => [x.id, x.cost_usd, x.outlier])).toEqual([
      ["a-big", "11.00", true],
      ["d0", "10.00", false],
      ["d1", "10.00", false],
      ["d2", "10.00", false],
      ["b-edge", "5.00", false],
      ["a4", "3.00", false],
      ["a2", "2.00", false],
      ["a3", "2.00", false],
      ["a0", "1.00", false],
      ["a1", "1.00", false],
    ]);
    expect(top[0]).toMatchObject({ agentMedianUsd: "2.00", timesMedian: 5.5, calls: 1 });
    expect(top[4]).toMatchObject({ agentMedianUsd: "1.00", timesMedian: 5 });
    expect(top[1].agentMedianUsd).toBe("10.00");

    // The other org's $999 run of an agent named "a" moved neither list nor median.
    // Filters: the agent is the execution's own; a model is one of its calls'.
    const onlyB = await topExpensiveExecutions({ orgId: t.org.id, from: new Date(daysAgo(20)), to: now, now, filters: { agent: "b" } });
    expect(onlyB.map((x) => x.id)).toEqual(["b-edge", "b0", "b1", "b2"]);
    const m1 = await topExpensiveExecutions({ orgId: t.org.id, from: new Date(daysAgo(20)), to: now, now, filters: { model: "m1" } });
    expect(m1.map((x) => x.id)).toEqual(["d0"]);
  });
});

describe("the page's loader against GET /api/v1/spend", () => {
  let server: Awaited<ReturnType<typeof startMachineServer>>;
  beforeAll(async () => {
    server = await startMachineServer();
  });
  afterAll(() => server.close());

  test("the range total and every breakdown equal the API's for the same range and filters; another org's events never appear", async () => {
    const t = await createTestOrg({ timezone: "Asia/Kolkata" });
    await createTeam(t.org.id, "alpha");
    const other = await createTestOrg({ timezone: "Asia/Kolkata" });
    await createTeam(other.org.id, "alpha");
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const events = [
      costAt("p1", ago(5), "0.123456", { team: "alpha", agent: "x", execution_id: "r1" }),
      costAt("p2", ago(70), "1.5", { team: "alpha", agent: "y", execution_id: "r1" }),
      costAt("p3", ago(60 * 30), "2.25", { agent: "x", execution_id: "r2" }),
      costAt("p4", ago(60 * 24 * 3), "4", { team: "alpha", agent: "x", user: "ann", execution_id: "r3" }),
    ];
    for (const [secret, list] of [[t.secret, events], [other.secret, events.map((e) => ({ ...e, cost_usd: "77" }))]] as const) {
      const res = await api(server.url, "/api/v1/events", { secret, body: { events: list } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    for (const query of [{ range: "7d" }, { range: "today", team: "alpha" }, { range: "30d", agent: "x", team: "alpha" }, { range: "7d", user: "ann" }]) {
      const view = parseDashboardView(query);
      const o = await overviewFor({ id: t.org.id, timezone: "Asia/Kolkata" }, view, new Date());
      const params = new URLSearchParams({ from: o.range.from, to: o.range.to, ...view.filters });
      const whole = await api(server.url, `/api/v1/spend?${params}`, { secret: t.secret });
      expect(whole.status, JSON.stringify(whole.body)).toBe(200);
      expect(o.rangeTotalUsd, JSON.stringify(query)).toBe(whole.body.total_usd);
      // The chart's buckets add up to the same total.
      const chartSum = o.chart.points.reduce((s, p) => s + Math.round(Number(p.total) * 1e6), 0) / 1e6;
      expect(chartSum).toBeCloseTo(Number(whole.body.total_usd), 6);
      for (const d of FILTER_DIMENSIONS) {
        const grouped = await api(server.url, `/api/v1/spend?${params}&group_by=${d}&limit=10`, { secret: t.secret });
        expect(o.ranked.dimensions[d].rows, `${d} ${JSON.stringify(query)}`).toEqual(grouped.body.groups.map((g: { key: string | null; cost_usd: string; calls: number }) => ({ key: g.key, costUsd: g.cost_usd, calls: g.calls })));
      }
      for (const ex of o.topExecutions) expect(Number(ex.cost_usd)).toBeLessThan(77);
    }
    const all = await overviewFor({ id: t.org.id, timezone: "Asia/Kolkata" }, parseDashboardView({ range: "7d" }), new Date());
    expect(all.rangeTotalUsd).toBe("7.873456");
    expect(all.empty).toBe(false);
    expect(all.topExecutions.map((x) => x.id)).toEqual(["r3", "r2", "r1"]);
    expect(all.alerts).toEqual([]);

    // A $0.10 monthly org budget: the newest call alone passes it. The period card reads that
    // budget, and its alerts are the latest alerts (the other org's never).
    await createBudget(t.org.id, null, { scope: "ORG", amountUsd: "0.10", period: "MONTH", name: "Tiny" });
    await createBudget(other.org.id, null, { scope: "ORG", amountUsd: "0.10", period: "MONTH", name: "Other org's" });
    for (const [secret, id] of [[t.secret, "p5"], [other.secret, "o5"]]) {
      const res = await api(server.url, "/api/v1/events", { secret, body: { events: [costAt(id, ago(1), "0.20")] } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    let withAlerts = all;
    for (let i = 0; i < 50 && !withAlerts.alerts.some((a) => a.threshold === 100); i++) {
      await new Promise((r) => setTimeout(r, 100));
      withAlerts = await overviewFor({ id: t.org.id, timezone: "Asia/Kolkata" }, parseDashboardView({}), new Date());
    }
    expect(withAlerts.alerts.find((a) => a.threshold === 100)).toMatchObject({ budgetName: "Tiny", kind: "threshold", limitUsd: "0.10" });
    expect(withAlerts.alerts.every((a) => a.budgetName === "Tiny")).toBe(true);
    expect(withAlerts.period.budget).toMatchObject({ name: "Tiny", amountUsd: "0.10", state: "exceeded" });

    // The API validates the filters as it does every query parameter.
    const bad = await api(server.url, `/api/v1/spend?team=`, { secret: t.secret });
    expect(bad.status).toBe(422);
    const unknown = await api(server.url, `/api/v1/spend?task=x`, { secret: t.secret });
    expect(unknown.status).toBe(422);
  });

  test("an org with no events is empty (the page shows the first-event guide)", async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    const o = await overviewFor({ id: t.org.id, timezone: "UTC" }, parseDashboardView({}), new Date());
    expect(o.empty).toBe(true);
    expect(o.rangeTotalUsd).toBe("0.00");
    expect(o.chart.points.every((p) => p.total === "0.00")).toBe(true);
  });
});
