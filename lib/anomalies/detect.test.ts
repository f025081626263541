// Each per-execution detector on hand-built executions, through the real API: caught and not-caught
// cases, the circuit breaker's answer in the same response, one anomaly per (execution, kind) that
// grows with its evidence, and resume.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { resumeExecution } from "../executions/resume";
import { at, failingCall, orgWithOwner } from "../testing/anomalies";
import { api, startMachineServer } from "../testing/machine-server";
import { refreshAgentBaselines } from "./baselines";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });
const failing = failingCall;

const anomaliesOf = (orgId: string) => prisma().anomaly.findMany({ where: { orgId }, orderBy: { detectedAt: "asc" } });

describe("RETRY_LOOP", () => {
  test("the 8× failing call is caught at its 3rd call: that response already says blocked; one anomaly, one email, evidence grows to 8", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 5 * 60_000;
    const states: string[] = [];
    for (let i = 1; i <= 8; i++) {
      const res = await post(w.secret, failing("run-loop", i, base));
      expect(res.status).toBe(200);
      states.push(res.body.execution.state);
      if (i === 3) expect(res.body.execution.reason).toMatch(/^Retry loop: 3 identical calls to claude-sonnet-4-5 failing with rate_limit in 16 s, \$0\.\d\d$/);
    }
    expect(states).toEqual(["ok", "ok", "blocked", "blocked", "blocked", "blocked", "blocked", "blocked"]);
    const anomalies = await anomaliesOf(w.org.id);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ kind: "RETRY_LOOP", executionId: "run-loop", agent: "migration-bot", blocked: true, resolvedAt: null });
    expect(anomalies[0].evidence).toMatchObject({ rule: "retry_loop", calls: 8, errors: 8, error_type: "rate_limit", first_event_id: "run-loop-1" });
    // All 8 calls were stored and priced (a blocked execution's calls are still money spent).
    const execution = await prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "run-loop" } });
    expect(Number(execution.calls)).toBe(8);
    expect(execution.status).toBe("BLOCKED");
    expect(anomalies[0].costUsd.toString()).toBe(execution.costUsd.toString());
    const emails = await prisma().emailOutbox.findMany({ where: { anomalyId: anomalies[0].id } });
    expect(emails.map((e) => e.to[0])).toEqual([w.owner.email]);
    expect(emails[0].subject).toMatch(/^Blocked — Retry loop: run run-loop \(migration-bot\): 3 identical calls to claude-sonnet-4-5 failing with rate_limit/);
    // The budget check refuses it, naming the loop.
    const check = await api(server.url, "/api/v1/budget?execution_id=run-loop", { secret: w.secret });
    expect(check.body).toMatchObject({ allowed: false, execution: { state: "blocked" } });
    expect(check.body.reason).toMatch(/run-loop is blocked: Retry loop: \d identical calls/);
  });

  test("ten distinct calls are not a loop: a context that grows call by call, a different tool each time", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 5 * 60_000;
    const events = Array.from({ length: 10 }, (_, i) => ({
      id: `d-${i}`,
      timestamp: at(base, i * 10),
      execution_id: "run-distinct",
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      usage: { input_tokens: 20_000 + i * 1_500, output_tokens: 300 + 37 * i },
    }));
    const res = await post(w.secret, { events });
    expect(res.body.execution.state).toBe("ok");
    // Same sizes, but each call a different tool: not the same call either.
    const tools = Array.from({ length: 5 }, (_, i) => ({ id: `t-${i}`, timestamp: at(base, 200 + i), execution_id: "run-tools", model: "gpt-4o", usage: { prompt_tokens: 5000, completion_tokens: 40 }, tool: `tool-${i}` }));
    expect((await post(w.secret, { events: tools })).body.execution.state).toBe("ok");
    expect(await anomaliesOf(w.org.id)).toEqual([]);
  });

  test("calls more than the window apart are no loop; a client fingerprint decides sameness when given", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 40 * 60_000;
    // Three identical calls 6 minutes apart: the 1st and 3rd are 12 minutes apart.
    for (let i = 0; i < 3; i++) await post(w.secret, failing("run-slow", i + 1, base, { timestamp: at(base, i * 360) }));
    expect(await anomaliesOf(w.org.id)).toEqual([]);
    // Three calls of very different sizes with one fingerprint: a loop.
    const fp = (i: number, fingerprint: string, input: number) => ({ id: `fp-${fingerprint}-${i}`, timestamp: at(Date.now() - 60_000, i), execution_id: `run-fp-${fingerprint}`, model: "gpt-4o", usage: { prompt_tokens: input, completion_tokens: 10 }, fingerprint });
    const res = await post(w.secret, { events: [fp(1, "abc", 1000), fp(2, "abc", 9000), fp(3, "abc", 30000)] });
    expect(res.body.execution).toMatchObject({ state: "blocked" });
    // Three identical-size calls with three fingerprints: the client says they differ.
    const res2 = await post(w.secret, { events: [fp(1, "x1", 5000), fp(2, "x2", 5000), fp(3, "x3", 5000)].map((e) => ({ ...e, execution_id: "run-fp-distinct" })) });
    expect(res2.body.execution).toMatchObject({ state: "ok", reason: null });
    // (run-fp-abc's input also grew 30×: a CONTEXT_GROWTH of its own.)
    expect((await anomaliesOf(w.org.id)).filter((a) => a.kind === "RETRY_LOOP").map((a) => a.executionId)).toEqual(["run-fp-abc"]);
  });

  test("with the breaker off the loop is recorded and alerted but the execution runs on", async () => {
    const w = await orgWithOwner({ retryLoop: { block: false } });
    const base = Date.now() - 60_000;
    const res = await post(w.secret, { events: [1, 2, 3].map((i) => failing("run-noblock", i, base)) });
    expect(res.body.execution).toMatchObject({ state: "ok", reason: null });
    const [anomaly] = await anomaliesOf(w.org.id);
    expect(anomaly).toMatchObject({ kind: "RETRY_LOOP", blocked: false });
    expect(await prisma().emailOutbox.count({ where: { anomalyId: anomaly.id } })).toBe(1);
  });

  test("resume: the execution runs again, its anomaly is resolved and audit-logged; only a new loop after it blocks again", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 3 * 60_000;
    await post(w.secret, { events: [1, 2, 3].map((i) => failing("run-resume", i, base)) });
    const resumed = await resumeExecution(w.org.id, w.owner.id, "run-resume");
    expect(resumed).toMatchObject({ resumed: true, resolvedAnomalies: 1 });
    expect(await resumeExecution(w.org.id, w.owner.id, "run-resume")).toMatchObject({ resumed: false });
    const audit = await prisma().auditLog.findMany({ where: { orgId: w.org.id, action: "execution.resumed" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: w.owner.id, targetId: "run-resume" });
    // One more identical call right after: the old calls are before the resume, so no loop.
    const now = Date.now();
    const next = await post(w.secret, failing("run-resume", 4, now, { timestamp: new Date(now + 500).toISOString() }));
    expect(next.body.execution).toMatchObject({ state: "ok" });
    // A new loop after the resume: a new anomaly (the first stays resolved as history).
    const again = await post(w.secret, { events: [5, 6].map((i) => failing("run-resume", i, now, { timestamp: new Date(now + 500 + i).toISOString() })) });
    expect(again.body.execution).toMatchObject({ state: "blocked" });
    const anomalies = await anomaliesOf(w.org.id);
    expect(anomalies.map((a) => [a.kind, a.resolvedAt === null])).toEqual([
      ["RETRY_LOOP", false],
      ["RETRY_LOOP", true],
    ]);
  });
});

describe("COST_SPIKE", () => {
  test("one LLM call over the $2 per-call limit blocks at once; $1.99 does not, nor a tool's own $5 cost", async () => {
    const w = await orgWithOwner();
    const ok = await post(w.secret, { id: "c1", execution_id: "run-cheap", model: "claude-opus-4-1", cost_usd: "1.99" });
    expect(ok.body.execution.state).toBe("ok");
    const tool = await post(w.secret, { id: "c0", execution_id: "run-tool", kind: "tool", tool: "browser", cost_usd: "5" });
    expect(tool.body.execution.state).toBe("ok");
    const res = await post(w.secret, { id: "c2", execution_id: "run-pricey", model: "claude-opus-4-1", cost_usd: "2.40" });
    expect(res.body.execution).toMatchObject({ state: "blocked" });
    expect(res.body.execution.reason).toBe("Cost spike: one call to claude-opus-4-1 cost $2.40, over the per-call limit of $2.00");
    const anomalies = await anomaliesOf(w.org.id);
    expect(anomalies.map((a) => [a.kind, a.executionId, (a.evidence as { rule: string }).rule])).toEqual([["COST_SPIKE", "run-pricey", "per_call"]]);
  });

  test("an execution over 5× its agent's median of 20+ finished runs is a spike; with 19 runs there is no median yet", async () => {
    // Cents are noise (minUsd $0.50): this org's runs are dimes, so the floor is lowered to see the rule.
    const w = await orgWithOwner({ costSpike: { minUsd: "0.10" } });
    const run = (id: string, usd: string, end = true) => ({ id: `${id}-e`, execution_id: id, agent: "reviewer", kind: "tool", cost_usd: usd, ...(end ? { execution_status: "done" } : {}) });
    await post(w.secret, { events: Array.from({ length: 19 }, (_, i) => run(`r${i}`, "0.10")) });
    await refreshAgentBaselines([w.org.id]);
    expect((await post(w.secret, run("big-early", "0.80", false))).body.execution.state).toBe("ok");
    await post(w.secret, run("r19", "0.12"));
    await refreshAgentBaselines([w.org.id]);
    const baseline = await prisma().agentBaseline.findUniqueOrThrow({ where: { orgId_agent: { orgId: w.org.id, agent: "reviewer" } } });
    expect([baseline.finishedExecutions, baseline.medianExecutionCostUsd.toString()]).toEqual([20, "0.1"]);
    // Under 5× ($0.50): nothing. Over: a COST_SPIKE that says how far over, not blocked by default.
    expect((await post(w.secret, run("normal", "0.45", false))).body.execution.state).toBe("ok");
    const res = await post(w.secret, run("big", "0.60", false));
    expect(res.body.execution.state).toBe("ok");
    const anomalies = await anomaliesOf(w.org.id);
    expect(anomalies.map((a) => [a.executionId, a.evidence])).toEqual([["big", { rule: "agent_median", cost_usd: "0.6", median_usd: "0.1", factor: 6, history: 20 }]]);
  });
});

describe("CONTEXT_GROWTH", () => {
  test("input per call growing 5× from 20k to 120k tokens is caught (not blocked by default); 3k to 30k is a normal agent", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 10 * 60_000;
    const grow = (run: string, sizes: number[]) =>
      sizes.map((input, i) => ({ id: `${run}-${i}`, timestamp: at(base, i * 30), execution_id: run, model: "gpt-4o", usage: { prompt_tokens: input, completion_tokens: 200 + i } }));
    expect((await post(w.secret, { events: grow("small", [3000, 9000, 18_000, 30_000]) })).body.execution.state).toBe("ok");
    expect((await post(w.secret, { events: grow("big", [20_000, 50_000, 80_000]) })).body.execution.state).toBe("ok");
    expect(await anomaliesOf(w.org.id)).toEqual([]);
    await post(w.secret, { events: grow("big", [20_000, 50_000, 80_000, 120_000]).slice(3) });
    const anomalies = await anomaliesOf(w.org.id);
    expect(anomalies.map((a) => [a.kind, a.executionId, a.blocked, a.evidence])).toEqual([
      ["CONTEXT_GROWTH", "big", false, { rule: "context_growth", first_input_tokens: 20_000, max_input_tokens: 120_000, growth: 6, calls: 4 }],
    ]);
  });

  test("a late first call still sets the base the growth is measured from", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 10 * 60_000;
    await post(w.secret, { id: "late-2", timestamp: at(base, 60), execution_id: "late", model: "gpt-4o", usage: { prompt_tokens: 150_000, completion_tokens: 1 } });
    await post(w.secret, { id: "late-1", timestamp: at(base, 0), execution_id: "late", model: "gpt-4o", usage: { prompt_tokens: 5_000, completion_tokens: 1 } });
    const { rows } = await pool().query(`SELECT "firstInputTokens", "maxInputTokens" FROM "Execution" WHERE "orgId" = $1 AND "executionId" = 'late'`, [w.org.id]);
    expect(rows[0]).toEqual({ firstInputTokens: 5000, maxInputTokens: 150000 });
    expect((await anomaliesOf(w.org.id)).map((a) => a.kind)).toEqual(["CONTEXT_GROWTH"]);
  });
});

test("org B's events never touch org A's anomalies or executions", async () => {
  const a = await orgWithOwner();
  const b = await orgWithOwner();
  const base = Date.now() - 60_000;
  await post(b.secret, { events: [1, 2, 3].map((i) => failing("shared-id", i, base)) });
  await post(a.secret, failing("shared-id", 1, base, { id: "a-only" }));
  expect(await anomaliesOf(a.org.id)).toEqual([]);
  expect((await prisma().execution.findFirstOrThrow({ where: { orgId: a.org.id, executionId: "shared-id" } })).status).toBe("RUNNING");
  expect((await anomaliesOf(b.org.id)).map((x) => x.executionId)).toEqual(["shared-id"]);
});
