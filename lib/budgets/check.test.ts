// BLOCK budgets and the budget check (GET /api/v1/budget, docs/api.md): over a BLOCK budget the
// events are still stored, the work it covers stops, and the check says no — naming the budget.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { orgWithPeople, settled, spend } from "../testing/budget-alerts";
import { createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { createBudget } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });

describe("BLOCK budgets and the budget check", () => {
  test("an EXECUTION budget with BLOCK: events are still stored, the execution becomes blocked, the check says no", async () => {
    const w = await orgWithPeople();
    await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK", thresholds: [80, 100] });
    const first = await post(w.secret, spend("e1", "3", { execution_id: "run-1" }));
    expect(first.body.execution).toMatchObject({ id: "run-1", state: "ok" });
    const second = await post(w.secret, spend("e2", "3", { execution_id: "run-1" }));
    expect(second.status).toBe(200);
    expect(second.body.accepted).toBe(1);
    expect(second.body.execution).toMatchObject({ id: "run-1", cost_usd: "6.00", state: "blocked", reason: 'Budget "Execution run-1" reached 6.00 of 5.00 USD' });
    expect(second.body.budgets).toEqual([expect.objectContaining({ scope: "execution", item: "run-1", state: "exceeded", enforcement: "block", remaining_usd: "0.00" })]);

    const execution = await settled(
      () => prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "run-1" } }),
      (e) => e.status === "BLOCKED",
    );
    // The same words as the answer gave: the stored reason names the budget by its item too.
    expect(execution.blockedReason).toBe('Budget "Execution run-1" reached 6.00 of 5.00 USD');
    const check = await api(server.url, "/api/v1/budget?execution_id=run-1", { secret: w.secret });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ allowed: false, execution: { id: "run-1", state: "blocked" } });
    expect(check.body.reason).toMatch(/run-1 is blocked/);
    // Another execution has its own budget and is allowed.
    const other = await api(server.url, "/api/v1/budget?execution_id=run-2", { secret: w.secret });
    expect(other.body).toMatchObject({ allowed: true, budgets: [expect.objectContaining({ item: "run-2", spent_usd: "0.00", remaining_usd: "5.00" })] });
    // Over the limit the money is still counted: nothing is dropped.
    await post(w.secret, spend("e3", "1", { execution_id: "run-1" }));
    expect((await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [w.org.id])).rows[0].n).toBe(3);
  });

  test("the check lists every budget that applies to the key and the attribution, with what is left", async () => {
    const w = await orgWithPeople();
    const team = await createTeam(w.org.id, "platform");
    const key = await createTestKey({ orgId: w.org.id, name: "agent", scopes: ["ingest"], teamId: team.id, defaultAgent: "coder" });
    await createBudget(w.org.id, null, { name: "Org", scope: "ORG", amountUsd: "100", period: "MONTH" });
    await createBudget(w.org.id, null, { name: "Platform", scope: "TEAM", scopeValue: team.id, amountUsd: "10", period: "MONTH", enforcement: "BLOCK" });
    await createBudget(w.org.id, null, { name: "Coder", scope: "AGENT", scopeValue: "coder", amountUsd: "50", period: "DAY" });
    await createBudget(w.org.id, null, { name: "Other team", scope: "AGENT", scopeValue: "reviewer", amountUsd: "50", period: "DAY" });
    await post(key.secret, spend("k1", "4"));
    const ok = await api(server.url, "/api/v1/budget", { secret: key.secret });
    expect(ok.body.allowed).toBe(true);
    expect(ok.body.budgets.map((b: any) => [b.name, b.spent_usd, b.remaining_usd, b.state]).sort()).toEqual([
      ["Coder", "4.00", "46.00", "ok"],
      ["Org", "4.00", "96.00", "ok"],
      ["Platform", "4.00", "6.00", "ok"],
    ]);
    await post(key.secret, spend("k2", "7"));
    const no = await api(server.url, "/api/v1/budget?agent=reviewer", { secret: key.secret });
    expect(no.body.allowed).toBe(false);
    expect(no.body.reason).toMatch(/"Platform" is at 11\.00 of 10\.00/);
    expect(no.body.budgets.map((b: any) => b.name).sort()).toEqual(["Org", "Other team", "Platform"]);
    // A key of another org sees none of these.
    const other = await createTestOrg();
    expect((await api(server.url, "/api/v1/budget", { secret: other.secret })).body).toMatchObject({ allowed: true, budgets: [] });
  });

  test("an unnamed budget that blocks is named as alerts name it: by its team's slug", async () => {
    const w = await orgWithPeople();
    const team = await createTeam(w.org.id, "payments");
    const key = await createTestKey({ orgId: w.org.id, name: "agent", scopes: ["ingest"], teamId: team.id });
    await createBudget(w.org.id, null, { scope: "TEAM", scopeValue: team.id, amountUsd: "1", period: "MONTH", enforcement: "BLOCK" });
    await post(key.secret, spend("u1", "2"));
    const no = await api(server.url, "/api/v1/budget", { secret: key.secret });
    expect(no.body.allowed).toBe(false);
    expect(no.body.reason).toMatch(/^Budget "Team payments" is at 2\.00 of 1\.00 USD this month/);
  });
});
