// The budgets page's server actions as people use them: typed-in lists, domain errors as form
// errors, a change that keeps what it does not name — and roles that may only look.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { addMember, createTeam, createTestKey, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { archiveBudgetAction, createBudgetAction, updateBudgetAction } from "./actions";
import { createBudget } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

async function world() {
  const t = await createTestOrg();
  const people = {} as Record<"OWNER" | "ADMIN" | "MEMBER" | "VIEWER", string>;
  for (const role of ["OWNER", "ADMIN", "MEMBER", "VIEWER"] as const) {
    const user = await createUser(`${role.toLowerCase()}-${randomBytes(3).toString("hex")}@example.test`);
    await addMember(t.org.id, user.id, role);
    people[role] = user.id;
  }
  const team = await createTeam(t.org.id, "platform");
  const key = await createTestKey({ orgId: t.org.id, name: "platform agents", scopes: ["ingest"], teamId: team.id });
  return { ...t, people, team, key };
}

const create = (w: { org: { slug: string }; people: Record<string, string> }, input: unknown, role = "ADMIN") => createBudgetAction.runAs(w.people[role], w.org.slug, input);
const update = (w: { org: { slug: string }; people: Record<string, string> }, input: unknown, role = "ADMIN") => updateBudgetAction.runAs(w.people[role], w.org.slug, input);
const archive = (w: { org: { slug: string }; people: Record<string, string> }, input: unknown, role = "ADMIN") => archiveBudgetAction.runAs(w.people[role], w.org.slug, input);

describe("budgets.create", () => {
  test("what the form sends — a team from the select, lists typed in one field — becomes the budget, audited", async () => {
    const w = await world();
    const result = await create(w, {
      name: "  Platform  ",
      scope: "TEAM",
      scopeValue: w.team.id,
      amountUsd: "10",
      period: "MONTH",
      enforcement: "BLOCK",
      thresholds: "80%, 50 100",
      recipients: "Lead@Example.test; ops@example.test, lead@example.test",
      webhookUrl: "",
      forecastAlerts: false,
    });
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, data: { id: expect.any(String) } });
    const id = (result as { data: { id: string } }).data.id;
    const budget = await prisma().budget.findUniqueOrThrow({ where: { id } });
    expect(budget).toMatchObject({
      orgId: w.org.id,
      name: "Platform",
      scope: "TEAM",
      scopeValue: w.team.id,
      period: "MONTH",
      enforcement: "BLOCK",
      thresholds: [50, 80, 100],
      recipients: ["lead@example.test", "ops@example.test"],
      webhookUrl: null,
      forecastAlerts: false,
      createdBy: w.people.ADMIN,
    });
    expect(budget.amountUsd.toString()).toBe("10");
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "budget.created", targetId: id, actorId: w.people.ADMIN } })).toBe(1);
  });

  test("free text for an agent, '*' for each task; org needs no value", async () => {
    const w = await world();
    for (const [scope, scopeValue] of [["AGENT", "pr-bot"], ["TASK", "*"], ["EXECUTION", "run-9"], ["ORG", "ignored"]] as const) {
      const r = await create(w, { scope, scopeValue, amountUsd: "5", period: "DAY" });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    }
    const budgets = await prisma().budget.findMany({ where: { orgId: w.org.id }, orderBy: { createdAt: "asc" } });
    expect(budgets.map((b) => [b.scope, b.scopeValue, b.enforcement, b.thresholds])).toEqual([
      ["AGENT", "pr-bot", "ALERT", [50, 80, 100]],
      ["TASK", "*", "ALERT", [50, 80, 100]],
      ["EXECUTION", "run-9", "ALERT", [50, 80, 100]],
      ["ORG", "", "ALERT", [50, 80, 100]],
    ]);
  });

  test("mistakes come back as form errors naming the field, and nothing is made", async () => {
    const w = await world();
    const other = await createTestOrg();
    const foreignTeam = await createTeam(other.org.id, "theirs");
    const base = { scope: "ORG", amountUsd: "10", period: "MONTH" };
    const cases: [unknown, string, RegExp][] = [
      [{ ...base, amountUsd: "ten" }, "amountUsd", /positive amount/],
      [{ ...base, amountUsd: "0" }, "amountUsd", /more than 0/],
      [{ ...base, amountUsd: "-5" }, "amountUsd", /positive amount/],
      [{ ...base, thresholds: "50, 8o" }, "thresholds", /not a whole percent/],
      [{ ...base, thresholds: "0" }, "thresholds[0]", /at least 1/],
      [{ ...base, recipients: "lead@example.test, not-an-address" }, "recipients[1]", /email/],
      [{ ...base, webhookUrl: "http://hooks.example.test/x" }, "webhookUrl", /https/],
      [{ ...base, webhookUrl: "https://me:secret@hooks.example.test/x" }, "webhookUrl", /user name or password/],
      [{ ...base, scope: "TEAM", scopeValue: foreignTeam.id }, "scopeValue", /not a team of this organization/],
      [{ ...base, scope: "AGENT", scopeValue: "" }, "scopeValue", /required/],
      [{ ...base, period: "YEAR" }, "period", /./],
    ];
    for (const [input, path, message] of cases) {
      const r = await create(w, input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe("invalid_request");
      expect(r.error.details, JSON.stringify(r.error)).toContainEqual({ path, message: expect.stringMatching(message) });
    }
    expect(await prisma().budget.count({ where: { orgId: w.org.id } })).toBe(0);
  });
});

describe("budgets.update", () => {
  test("changing the amount keeps enforcement, thresholds, recipients, webhook and forecasts as they were", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, {
      name: "Platform",
      scope: "TEAM",
      scopeValue: w.team.id,
      amountUsd: "10",
      period: "WEEK",
      enforcement: "BLOCK",
      thresholds: [90, 100],
      recipients: ["lead@example.test"],
      webhookUrl: "https://hooks.example.test/platform",
      forecastAlerts: false,
    });
    const r = await update(w, { budgetId: b.id, amountUsd: "$1,025" });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, data: { id: b.id } });
    const after = await prisma().budget.findUniqueOrThrow({ where: { id: b.id } });
    expect(after).toMatchObject({
      name: "Platform",
      scope: "TEAM",
      scopeValue: w.team.id,
      period: "WEEK",
      enforcement: "BLOCK",
      thresholds: [90, 100],
      recipients: ["lead@example.test"],
      webhookUrl: "https://hooks.example.test/platform",
      forecastAlerts: false,
    });
    expect(after.amountUsd.toString()).toBe("1025");
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "budget.changed", targetId: b.id } })).toBe(1);
  });

  test("the whole form: a new scope recounts from the period's spend; empty fields clear the name, recipients and webhook", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { name: "Old", scope: "AGENT", scopeValue: "nobody", amountUsd: "10", period: "MONTH", recipients: ["a@example.test"], webhookUrl: "https://hooks.example.test/a" });
    const res = await api(server.url, "/api/v1/events", { secret: w.key.secret, body: { id: "e1", kind: "tool", cost_usd: "6" } });
    expect(res.status).toBe(200);
    const r = await update(w, {
      budgetId: b.id,
      name: "",
      scope: "TEAM",
      scopeValue: w.team.id,
      amountUsd: "10",
      period: "MONTH",
      enforcement: "ALERT",
      thresholds: "50, 100",
      recipients: "",
      webhookUrl: "",
      forecastAlerts: true,
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const after = await prisma().budget.findUniqueOrThrow({ where: { id: b.id }, include: { counters: true } });
    expect(after).toMatchObject({ name: null, scope: "TEAM", scopeValue: w.team.id, thresholds: [50, 100], recipients: [], webhookUrl: null });
    expect(after.counters.map((c) => c.spentUsd.toString())).toEqual(["6"]);
  });

  test("an archived or unknown budget, or another org's, is not found; a bad field is a form error; nothing changes", async () => {
    const w = await world();
    const other = await world();
    const theirs = await createBudget(other.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    const gone = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    expect((await archive(w, { budgetId: gone.id })).ok).toBe(true);
    for (const budgetId of [gone.id, theirs.id, "no-such-budget"]) {
      expect(await update(w, { budgetId, amountUsd: "1" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    }
    const mine = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    expect(await update(w, { budgetId: mine.id, thresholds: "fifty" })).toMatchObject({ ok: false, error: { code: "invalid_request", details: [{ path: "thresholds" }] } });
    expect((await prisma().budget.findUniqueOrThrow({ where: { id: theirs.id } })).amountUsd.toString()).toBe("10");
    expect((await prisma().budget.findUniqueOrThrow({ where: { id: mine.id } })).thresholds).toEqual([50, 80, 100]);
  });
});

// Known bug in lib/budgets/manage.ts (not this module's to change): raising the amount to one with
// cents fails — carryReachedThresholds binds the amount where Postgres infers an integer
// (`${budget.amountUsd} * a.threshold`), "invalid input syntax for type integer". When that is
// fixed (`::numeric`), this test starts failing: turn it into an ordinary test then.
test("raising an amount to $25.50 (cents) is saved", async () => {
  const w = await world();
  const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
  expect(await update(w, { budgetId: b.id, amountUsd: "25.50" })).toMatchObject({ ok: true });
});

describe("budgets.archive", () => {
  test("archives once; the second time it is not found", async () => {
    const w = await world();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH" });
    expect(await archive(w, { budgetId: b.id }, "OWNER")).toEqual({ ok: true, data: null });
    expect((await prisma().budget.findUniqueOrThrow({ where: { id: b.id } })).archivedAt).not.toBeNull();
    expect(await archive(w, { budgetId: b.id }, "OWNER")).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

test("a viewer's or member's attempt changes nothing: no budget made, changed or archived, nothing audited", async () => {
  const w = await world();
  const b = await createBudget(w.org.id, null, { scope: "TEAM", scopeValue: w.team.id, amountUsd: "10", period: "MONTH" });
  const before = await prisma().budget.findUniqueOrThrow({ where: { id: b.id } });
  const audit = await prisma().auditLog.count({ where: { orgId: w.org.id } });
  for (const role of ["VIEWER", "MEMBER"]) {
    expect(await create(w, { scope: "ORG", amountUsd: "1", period: "DAY" }, role)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await update(w, { budgetId: b.id, amountUsd: "1000", enforcement: "BLOCK" }, role)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await archive(w, { budgetId: b.id }, role)).toMatchObject({ ok: false, error: { code: "forbidden" } });
  }
  expect(await prisma().budget.findMany({ where: { orgId: w.org.id } })).toEqual([before]);
  expect(await prisma().auditLog.count({ where: { orgId: w.org.id } })).toBe(audit);
});
