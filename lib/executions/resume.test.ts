// Resuming a blocked execution with a new per-execution limit, through the real API: every block
// path (the ingest answer, the budget check, the sweep's blocking, the budgets page) follows it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { createBudget } from "../budgets/manage";
import { budgetsOverview } from "../budgets/overview";
import { createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { sleep } from "../testing/events-api";
import { resumeExecution } from "./resume";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });
const spend = (id: string, usd: string, extra: Record<string, unknown> = {}) => ({ id, kind: "tool", cost_usd: usd, ...extra });
const check = (secret: string, executionId: string) => api(server.url, `/api/v1/budget?execution_id=${encodeURIComponent(executionId)}`, { secret });

async function statusOf(orgId: string, executionId: string, want?: string) {
  for (let i = 0; i < 100; i++) {
    const e = await prisma().execution.findFirstOrThrow({ where: { orgId, executionId } });
    if (!want || e.status === want) return e.status;
    await sleep(50);
  }
  return (await prisma().execution.findFirstOrThrow({ where: { orgId, executionId } })).status;
}

describe("resume with a new per-execution limit", () => {
  test("over an 'each execution' BLOCK budget: the limit becomes the new amount for that execution only, and blocks again there", async () => {
    const w = await createTestOrg();
    const b = await createBudget(w.org.id, null, { scope: "EXECUTION", scopeValue: "*", amountUsd: "5", period: "TOTAL", enforcement: "BLOCK" });
    await post(w.secret, spend("a1", "3", { execution_id: "run-1" }));
    expect((await post(w.secret, spend("a2", "3", { execution_id: "run-1" }))).body.execution.state).toBe("blocked");
    expect(await statusOf(w.org.id, "run-1", "BLOCKED")).toBe("BLOCKED");

    // A limit at or below what it spent would block it again at once: refused, nothing changes.
    await expect(resumeExecution(w.org.id, null, "run-1", null, { limitUsd: "6" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(resumeExecution(w.org.id, null, "run-1", null, { limitUsd: "-1" })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await prisma().budgetAllowance.count({ where: { orgId: w.org.id } })).toBe(0);
    expect(await statusOf(w.org.id, "run-1")).toBe("BLOCKED");

    const r = await resumeExecution(w.org.id, null, "run-1", "ok for this one", { limitUsd: "10" });
    expect(r).toMatchObject({ resumed: true, limitUsd: "10" });
    const ok = await check(w.secret, "run-1");
    expect(ok.body).toMatchObject({ allowed: true, execution: { state: "running" } });
    expect(ok.body.budgets).toEqual([expect.objectContaining({ budget_id: b.id, item: "run-1", limit_usd: "10.00", spent_usd: "6.00", remaining_usd: "4.00", state: "warning" })]);
    // Other executions keep the budget's own amount.
    expect((await check(w.secret, "run-2")).body.budgets[0]).toMatchObject({ limit_usd: "5.00" });
    // The budgets page shows the item against its own limit.
    const page = await budgetsOverview(w.org.id);
    expect(page.active[0].items?.top).toEqual([expect.objectContaining({ item: "run-1", spentUsd: "6.00", limitUsd: "10.00", state: "warning", percent: 60 })]);
    expect(page.active[0].items?.over).toBe(0);

    // Under the new limit it runs; at it, it is blocked again, by every path.
    expect((await post(w.secret, spend("a3", "3", { execution_id: "run-1" }))).body.execution.state).not.toBe("blocked");
    const over = await post(w.secret, spend("a4", "1", { execution_id: "run-1" }));
    expect(over.body.execution.state).toBe("blocked");
    expect(await statusOf(w.org.id, "run-1", "BLOCKED")).toBe("BLOCKED");
    const refused = await check(w.secret, "run-1");
    expect(refused.body).toMatchObject({ allowed: false, execution: { state: "blocked" } });
    expect(refused.body.execution.blocked_reason).toMatch(/10\.00 of 10\.00/);
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { orgId: w.org.id, action: "execution.resumed" } });
    expect(audit.details).toMatchObject({ note: "ok for this one", limitUsd: "10" });
  });

  test("stopped by the circuit breaker (no budget applies): the execution gets a BLOCK budget of its own at the new limit", async () => {
    const w = await createTestOrg();
    const base = Date.now() - 60_000;
    const failing = (i: number) => ({
      id: `loop-${i}`,
      timestamp: new Date(base + i * 5000).toISOString(),
      execution_id: "run-loop",
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      usage: { input_tokens: 10_000, output_tokens: 0 },
      status: "error",
      error_type: "rate_limit",
      attempt: i,
    });
    const res = await post(w.secret, { events: [1, 2, 3].map(failing) });
    expect(res.body.execution.state).toBe("blocked");
    const spent = (await prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "run-loop" } })).costUsd.toString();

    const r = await resumeExecution(w.org.id, null, "run-loop", null, { limitUsd: "2.5" });
    expect(r).toMatchObject({ resumed: true, resolvedAnomalies: 1 });
    const budget = await prisma().budget.findFirstOrThrow({ where: { orgId: w.org.id } });
    expect(budget).toMatchObject({ scope: "EXECUTION", scopeValue: "run-loop", enforcement: "BLOCK", period: "TOTAL", thresholds: [100] });
    expect(budget.amountUsd.toString()).toBe("2.5");
    const ok = await check(w.secret, "run-loop");
    expect(ok.body).toMatchObject({ allowed: true });
    expect(ok.body.budgets).toEqual([expect.objectContaining({ item: "run-loop", limit_usd: "2.50", spent_usd: Number(spent).toFixed(2) })]);
  });

  test("without a limit it resumes as before; a non-blocked execution is left alone", async () => {
    const w = await createTestOrg();
    await post(w.secret, spend("x", "1", { execution_id: "run-free" }));
    expect(await resumeExecution(w.org.id, null, "run-free", null, { limitUsd: "5" })).toMatchObject({ resumed: false, limitUsd: null });
    expect(await prisma().budget.count({ where: { orgId: w.org.id } })).toBe(0);
    await expect(resumeExecution(w.org.id, null, "nope")).rejects.toMatchObject({ code: "not_found" });
  });
});
