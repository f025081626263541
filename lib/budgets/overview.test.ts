// The budgets page's read model against a real Postgres: events go in through the real API, the
// page's numbers come out of the counters — spend, state, unpriced calls, per-item tops, periods in
// the org's zone, projections and alert history.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { addMember, createTeam, createTestKey, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { archiveBudget, createBudget } from "./manage";
import { budgetsOverview, type TBudgetOverview } from "./overview";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = async (secret: string, events: unknown[]) => {
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const spend = (id: string, usd: string, extra: Record<string, unknown> = {}) => ({ id, kind: "tool", cost_usd: usd, ...extra });
const unpriced = (id: string, extra: Record<string, unknown> = {}) => ({ id, model: "my-finetune-v3", usage: { input_tokens: 100, output_tokens: 10 }, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HOUR = 3_600_000;

async function settled<T>(read: () => Promise<T>, ready: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ready(v) || Date.now() > until) return v;
    await sleep(50);
  }
}

async function world(timezone = "UTC") {
  const t = await createTestOrg({ timezone });
  const owner = await createUser(`owner-${randomBytes(3).toString("hex")}@example.test`);
  const admin = await createUser(`admin-${randomBytes(3).toString("hex")}@example.test`);
  await addMember(t.org.id, owner.id, "OWNER");
  await addMember(t.org.id, admin.id, "ADMIN");
  await addMember(t.org.id, (await createUser()).id, "VIEWER");
  const team = await prisma().team.create({ data: { orgId: t.org.id, slug: "platform", name: "Platform engineering" } });
  const teamKey = await createTestKey({ orgId: t.org.id, name: "ci-agents", scopes: ["ingest"], teamId: team.id });
  return { ...t, team, teamKey, ownersAndAdmins: [owner.email, admin.email].sort() };
}

const byId = async (orgId: string, id: string, now?: Date): Promise<TBudgetOverview> => {
  const page = await budgetsOverview(orgId, now);
  const found = page.active.find((b) => b.id === id);
  if (!found) throw new Error(`budget ${id} not on the page`);
  return found;
};

describe("a team's monthly budget", () => {
  test("spend, percent and state follow the events; unpriced calls are counted at $0 and shown; alerts are listed", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { scope: "TEAM", scopeValue: w.team.id, amountUsd: "10", period: "MONTH" });
    // Another team's spend and the org key's (no team) are not this budget's.
    await post(w.secret, [spend("other", "4")]);

    // Each crossing's alert is recorded just after its write commits: let it land before the next,
    // so each threshold is its own (sent) alert.
    const crossed = (n: number) => settled(() => byId(w.org.id, b.id), (v) => v.alerts.recent.length === n);
    await post(w.teamKey.secret, [spend("a", "5.5"), unpriced("u1"), unpriced("u2")]);
    let view = await crossed(1);
    expect(view).toMatchObject({
      name: "Team platform",
      customName: null,
      target: { scope: "TEAM", label: "Team platform", detail: "Platform engineering", note: null, ref: "team:platform", perItem: false },
      amountUsd: "10.00",
      period: "MONTH",
      enforcement: "ALERT",
      thresholds: [50, 80, 100],
      spentUsd: "5.50",
      calls: 3,
      unpricedCalls: 2,
      percent: 55,
      state: "warning",
      items: null,
      recipients: { explicit: [], defaults: w.ownersAndAdmins },
      webhook: null,
    });

    await post(w.teamKey.secret, [spend("b", "3")]);
    await crossed(2);
    await post(w.teamKey.secret, [spend("c", "3.5")]);
    view = await crossed(3);
    expect(view).toMatchObject({ spentUsd: "12.00", calls: 5, unpricedCalls: 2, percent: 120, state: "exceeded" });
    // Newest first, each threshold once, all sent (each event crossed one threshold).
    expect(view.alerts.recent.map((a) => [a.threshold, a.kind, a.notified, a.spentUsd, a.limitUsd])).toEqual([
      [100, "ACTUAL", true, "12.00", "10.00"],
      [80, "ACTUAL", true, "8.50", "10.00"],
      [50, "ACTUAL", true, "5.50", "10.00"],
    ]);
    expect(view.alerts.sentThisPeriod).toBe(3);
    expect(view.alerts.recent.every((a) => a.periodStart === view.periodStart && a.item === null)).toBe(true);
  });

  test("one jump over several thresholds: the lower ones are listed as passed, not sent", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { name: "Platform", scope: "TEAM", scopeValue: w.team.id, amountUsd: "10", period: "MONTH" });
    await post(w.teamKey.secret, [spend("j", "9")]);
    const view = await settled(() => byId(w.org.id, b.id), (v) => v.alerts.recent.length === 2);
    expect(view.name).toBe("Platform");
    expect(view.alerts.recent.map((a) => [a.threshold, a.notified]).sort()).toEqual([
      [50, false],
      [80, true],
    ]);
    expect(view.alerts.sentThisPeriod).toBe(1);
  });
});

describe("per-item budgets", () => {
  test("each task: how many tasks spent, the top five with their percent, how many are over", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { scope: "TASK", scopeValue: "*", amountUsd: "2", period: "MONTH", thresholds: [50, 100] });
    const costs: [string, string][] = [
      ["t1", "0.1"],
      ["t2", "2.5"],
      ["t3", "1.2"],
      ["t4", "0.4"],
      ["t5", "2"],
      ["t6", "0.3"],
      ["t7", "0.05"],
    ];
    await post(w.secret, [...costs.map(([task, usd], i) => spend(`e${i}`, usd, { task })), unpriced("u-t7", { task: "t7" }), spend("no-task", "9")]);
    const view = await byId(w.org.id, b.id);
    expect(view).toMatchObject({
      name: "Each task",
      target: { label: "Each task", ref: "task:*", perItem: true },
      spentUsd: "6.55",
      calls: 8,
      unpricedCalls: 1,
      // The fullest task's: t2 at 2.50 of 2.00.
      percent: 125,
      state: "exceeded",
      projection: null,
      projectionNote: "per_item",
    });
    expect(view.items).toEqual({
      withCalls: 7,
      over: 2,
      top: [
        { item: "t2", spentUsd: "2.50", limitUsd: "2.00", percent: 125, state: "exceeded", calls: 1, unpricedCalls: 0 },
        { item: "t5", spentUsd: "2.00", limitUsd: "2.00", percent: 100, state: "exceeded", calls: 1, unpricedCalls: 0 },
        { item: "t3", spentUsd: "1.20", limitUsd: "2.00", percent: 60, state: "warning", calls: 1, unpricedCalls: 0 },
        { item: "t4", spentUsd: "0.40", limitUsd: "2.00", percent: 20, state: "ok", calls: 1, unpricedCalls: 0 },
        { item: "t6", spentUsd: "0.30", limitUsd: "2.00", percent: 15, state: "ok", calls: 1, unpricedCalls: 0 },
      ],
    });
    // Alerts of a per-item budget name their task.
    const withAlerts = await settled(() => byId(w.org.id, b.id), (v) => v.alerts.recent.length === 5);
    expect(new Set(withAlerts.alerts.recent.map((a) => a.item))).toEqual(new Set(["t2", "t5", "t3"]));
  });

  test("one execution's budget is an ordinary budget for that execution", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "run-42", amountUsd: "1", period: "TOTAL", enforcement: "BLOCK" });
    await post(w.secret, [spend("x1", "0.25", { execution_id: "run-42" }), spend("x2", "5", { execution_id: "run-43" })]);
    expect(await byId(w.org.id, b.id)).toMatchObject({
      name: "Execution run-42",
      target: { label: "Execution run-42", ref: "execution:run-42", perItem: false },
      enforcement: "BLOCK",
      spentUsd: "0.25",
      percent: 25,
      state: "ok",
      items: null,
      periodStart: "1970-01-01T00:00:00.000Z",
      periodEnd: null,
      burnUsdPerDay: null,
      projectionNote: "total",
    });
  });
});

describe("periods, burn rate and projection", () => {
  test("day, week and month periods are the org's (Berlin, the DST night), whatever the server's zone", async () => {
    const w = await world("Europe/Berlin");
    const day = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1", period: "DAY" });
    const week = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1", period: "WEEK" });
    const month = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "1", period: "MONTH" });
    // Sunday 29 March 2026, the night clocks went forward: a 23-hour day.
    const now = new Date("2026-03-29T12:00:00Z");
    const page = await budgetsOverview(w.org.id, now);
    const period = (id: string) => {
      const b = page.active.find((x) => x.id === id)!;
      return [b.periodStart, b.periodEnd];
    };
    expect(period(day.id)).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    expect(period(week.id)).toEqual(["2026-03-22T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    expect(period(month.id)).toEqual(["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"]);
    expect(page.timezone).toBe("Europe/Berlin");
  });

  test("burn rate is this period's dollars a day; the projection waits for a quarter of a day, then says when it breaks", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "5", period: "DAY", thresholds: [100] });
    await post(w.secret, [spend("d1", "3")]);
    const dayStart = new Date(Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR);

    const early = await byId(w.org.id, b.id, new Date(dayStart.getTime() + 2 * HOUR));
    expect(early).toMatchObject({ spentUsd: "3.00", burnUsdPerDay: "36.00", projection: null, projectionNote: "too_early" });

    const noon = await byId(w.org.id, b.id, new Date(dayStart.getTime() + 12 * HOUR));
    expect(noon).toMatchObject({
      burnUsdPerDay: "6.00",
      projection: { projectedUsd: "6.00", percent: 120, over: true, breachAt: new Date(dayStart.getTime() + 20 * HOUR).toISOString() },
      projectionNote: null,
    });

    const evening = await byId(w.org.id, b.id, new Date(dayStart.getTime() + 18 * HOUR));
    expect(evening.projection).toMatchObject({ projectedUsd: "4.00", percent: 80, over: false, breachAt: null });
  });
});

describe("what each budget covers, who hears of it, and what is archived", () => {
  test("scopes as people read them; recipients, webhooks; archived budgets apart; another org's never", async () => {
    const w = await world();
    const cc = await prisma().costCenter.create({ data: { orgId: w.org.id, code: "ENG-100", name: "Engineering", ownerEmail: "CFO@example.test" } });
    const oldTeam = await createTeam(w.org.id, "old-team");
    const revoked = await createTestKey({ orgId: w.org.id, name: "old key", scopes: ["ingest"] });
    await prisma().virtualKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    await prisma().organization.update({ where: { id: w.org.id }, data: { alertWebhookUrl: "https://hooks.example.test/org" } });

    const mk = (input: Parameters<typeof createBudget>[2]) => createBudget(w.org.id, null, input);
    const org = await mk({ scope: "ORG", amountUsd: "100", period: "MONTH", recipients: ["Lead@Example.test"], webhookUrl: "https://hooks.example.test/own/T000SECRETTOKEN0000?key=x" });
    const ccB = await mk({ scope: "COST_CENTER", scopeValue: cc.id, amountUsd: "50", period: "MONTH" });
    const keyB = await mk({ scope: "KEY", scopeValue: w.teamKey.id, amountUsd: "5", period: "DAY" });
    const revokedB = await mk({ scope: "KEY", scopeValue: revoked.id, amountUsd: "5", period: "DAY" });
    const oldTeamB = await mk({ scope: "TEAM", scopeValue: oldTeam.id, amountUsd: "5", period: "WEEK" });
    // The team is archived after its budget was made: the budget stays, and says so.
    await prisma().team.update({ where: { id: oldTeam.id }, data: { archivedAt: new Date() } });
    const agent = await mk({ scope: "AGENT", scopeValue: "pr-bot", amountUsd: "5", period: "WEEK" });
    const user = await mk({ scope: "USER", scopeValue: "ada", amountUsd: "5", period: "WEEK" });
    const model = await mk({ scope: "MODEL", scopeValue: "gpt-4o", amountUsd: "5", period: "WEEK" });
    const eachExec = await mk({ scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL" });
    const gone = await mk({ name: "Retired", scope: "AGENT", scopeValue: "legacy", amountUsd: "5", period: "WEEK" });
    await archiveBudget(w.org.id, null, gone.id);
    const other = await createTestOrg();
    await createBudget(other.org.id, null, { scope: "ORG", amountUsd: "1", period: "DAY" });

    const page = await budgetsOverview(w.org.id);
    const get = (id: string) => page.active.find((b) => b.id === id)!;
    expect(page.active).toHaveLength(9);
    expect(page.archived.map((a) => [a.id, a.name, a.target.ref])).toEqual([[gone.id, "Retired", "agent:legacy"]]);

    expect(get(org.id)).toMatchObject({
      name: "Organization",
      target: { label: "Whole organization", ref: "org" },
      recipients: { explicit: ["lead@example.test"], defaults: [] },
      // Every member sees the URL with its secret parts masked; the editors get the whole of it.
      webhook: { url: "https://hooks.example.test/own/T000SECRETTOKEN0000?key=x", shown: "https://hooks.example.test/own/T000…?…", source: "budget" },
    });
    expect(get(ccB.id)).toMatchObject({
      name: "Cost center ENG-100",
      target: { label: "Cost center ENG-100", detail: "Engineering", ref: "cost_center:ENG-100" },
      // The cost center's owner hears of its budget too.
      recipients: { explicit: [], defaults: [...w.ownersAndAdmins, "cfo@example.test"].sort() },
      webhook: { url: "https://hooks.example.test/org", shown: "https://hooks.example.test/org", source: "org" },
    });
    expect(get(keyB.id).target).toMatchObject({ label: `Key ${w.teamKey.prefix}`, detail: "ci-agents", note: null, ref: `key:${w.teamKey.prefix}` });
    expect(get(revokedB.id).target).toMatchObject({ label: `Key ${revoked.prefix}`, note: "revoked" });
    expect(get(oldTeamB.id).target).toMatchObject({ label: "Team old-team", note: "archived" });
    expect(get(agent.id)).toMatchObject({ name: "Agent pr-bot", target: { label: "Agent pr-bot", ref: "agent:pr-bot" } });
    expect(get(user.id).target).toMatchObject({ label: "User ada", ref: "user:ada" });
    expect(get(model.id).target).toMatchObject({ label: "Model gpt-4o", ref: "model:gpt-4o" });
    expect(get(eachExec.id)).toMatchObject({ name: "Each execution", target: { perItem: true, ref: "execution:*" }, items: { withCalls: 0, over: 0, top: [] } });
    // Nothing spent anywhere yet: every budget is ok at 0 %, and none of the other org's is here.
    expect(page.active.every((b) => b.spentUsd === "0.00" && b.percent === 0 && b.state === "ok")).toBe(true);
  });

  test("the worst budgets come first", async () => {
    const w = await world();
    const a = await createBudget(w.org.id, null, { name: "A ok", scope: "ORG", amountUsd: "100", period: "MONTH" });
    const b = await createBudget(w.org.id, null, { name: "B over", scope: "ORG", amountUsd: "1", period: "MONTH" });
    const c = await createBudget(w.org.id, null, { name: "C warning", scope: "ORG", amountUsd: "3", period: "MONTH" });
    await post(w.secret, [spend("s", "2")]);
    expect((await budgetsOverview(w.org.id)).active.map((x) => x.id)).toEqual([b.id, c.id, a.id]);
  });
});
