// An execution's detail against a real Postgres, from events stored by the real ingest path:
// per-call numbers, the exact running total, retries / errors / tool calls marked, the split by
// subagent adding up to the execution, the call table's keyset pages, the chart's cap, a tampered
// cursor, and tenant isolation.
import { describe, expect, test } from "vitest";
import { DomainError } from "../errors";
import { prepareEvents } from "../ingest/prepare";
import { storeEvents } from "../ingest/store";
import { authenticateKey } from "../keys/authenticate";
import { Decimal } from "../money";
import { createTeam, createTestOrg } from "../testing/fixtures";
import { CALLS_PAGE_SIZE, CHART_MAX_CALLS, executionTimeline } from "./timeline";

async function ingest(secret: string, events: Record<string, unknown>[]): Promise<void> {
  const key = await authenticateKey(secret);
  if (typeof key === "string") throw new Error(key);
  for (let i = 0; i < events.length; i += 500) {
    const { rows, rejected } = await prepareEvents(key, events.slice(i, i + 500));
    expect(rejected, JSON.stringify(rejected)).toEqual([]);
    await storeEvents(rows);
  }
}

const T0 = Date.now() - 3 * 3600_000;
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const call = (id: string, minute: number, extra: Record<string, unknown>) => ({ id, timestamp: at(minute), execution_id: "run-1", ...extra });

// Six calls whose numbers a reader can check by hand.
const RUN_1 = [
  call("c1", 0, { provider: "anthropic", model: "claude-sonnet-4", usage: { input_tokens: 1000, cache_write_tokens: 500, output_tokens: 100 }, cost_usd: "0.10", latency_ms: 2100, agent: "fixer", team: "platform", task: "fix flaky test", user: "ann@acme.dev", repository: "acme/api", pull_request: 1234 }),
  call("c2", 1, { kind: "tool", tool: "run_tests", latency_ms: 31000 }),
  call("c3", 2, { provider: "anthropic", model: "claude-haiku-4", usage: { input_tokens: 200, cache_read_tokens: 1500, cache_write_tokens: 300, output_tokens: 50, reasoning_tokens: 20 }, cost_usd: "0.0525", subagent: "reviewer" }),
  call("c4", 3, { provider: "anthropic", model: "claude-sonnet-4", status: "error", error_type: "rate_limit", attempt: 1, latency_ms: 300 }),
  call("c5", 4, { provider: "anthropic", model: "claude-sonnet-4", usage: { input_tokens: 2500, output_tokens: 10 }, cost_usd: "0.333333333333", attempt: 2 }),
  call("c6", 5, { provider: "anthropic", model: "claude-haiku-4", usage: { input_tokens: 100, output_tokens: 1 }, cost_usd: "1.25", status: "error", error_type: "tool_error", attempt: 3, subagent: "reviewer" }),
];

describe("execution timeline", () => {
  test("per call: tokens by kind, cost and its source, attempt, status, error, tool, latency, subagent — in time order", async () => {
    const { org, secret } = await createTestOrg();
    await createTeam(org.id, "platform");
    await ingest(secret, [...RUN_1].reverse());
    const t = (await executionTimeline({ orgId: org.id, executionId: "run-1" }))!;
    expect(t.calls.map((c) => c.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.calls[0]).toMatchObject({ at: at(0), kind: "llm", model: "claude-sonnet-4", input_tokens: 1000, cache_read_tokens: 0, cache_write_tokens: 500, output_tokens: 100, reasoning_tokens: 0, context_tokens: 1500, cost_usd: "0.10", cost_source: "reported", attempt: 1, status: "ok", latency_ms: 2100, subagent: null });
    expect(t.calls[1]).toMatchObject({ kind: "tool", tool: "run_tests", model: null, cost_usd: "0.00", cost_source: "none", latency_ms: 31000 });
    expect(t.calls[2]).toMatchObject({ input_tokens: 200, cache_read_tokens: 1500, cache_write_tokens: 300, reasoning_tokens: 20, context_tokens: 2000, subagent: "reviewer" });
    expect(t.calls[3]).toMatchObject({ status: "error", error_type: "rate_limit", attempt: 1, cost_usd: "0.00" });
    expect(t.calls[5]).toMatchObject({ status: "error", error_type: "tool_error", attempt: 3, cost_usd: "1.25" });

    expect(t.execution).toMatchObject({
      id: "run-1", agent: "fixer", task: "fix flaky test", team: "platform", team_name: "platform", user: "ann@acme.dev", repository: "acme/api", pull_request: "1234",
      calls: 6, tool_calls: 1, errors: 2, retries: 2, cost_usd: "1.735833333333", retry_cost_usd: "1.583333333333",
      duration_ms: 5 * 60_000, max_context_tokens: 2500, blocked_reason: null,
    });
    expect(t.nextCallsCursor).toBeNull();
  });

  test("the chart's series: cost per call, context per call, an exact running total; retries, errors and tool calls marked", async () => {
    const { org, secret } = await createTestOrg();
    await ingest(secret, RUN_1);
    const { chart, execution } = (await executionTimeline({ orgId: org.id, executionId: "run-1" }))!;
    expect(chart.capped).toBe(false);
    expect(chart.points.map((p) => p.cost_usd)).toEqual(["0.10", "0.00", "0.0525", "0.00", "0.333333333333", "1.25"]);
    expect(chart.points.map((p) => p.context_tokens)).toEqual([1500, 0, 2000, 0, 2500, 100]);
    // By hand: 0.10, 0.10, 0.1525, 0.1525, 0.485833333333, 1.735833333333 — the last is the execution's cost.
    expect(chart.points.map((p) => p.cumulative_usd)).toEqual(["0.10", "0.10", "0.1525", "0.1525", "0.485833333333", "1.735833333333"]);
    expect(chart.points.at(-1)!.cumulative_usd).toBe(execution.cost_usd);
    expect(chart.points.filter((p) => p.retry).map((p) => p.n)).toEqual([5, 6]);
    expect(chart.points.filter((p) => p.error).map((p) => p.n)).toEqual([4, 6]);
    expect(chart.points.filter((p) => p.kind === "tool").map((p) => p.tool)).toEqual(["run_tests"]);
  });

  test("subagent share: main (no subagent) and each subagent, costs adding up to the execution to the last digit", async () => {
    const { org, secret } = await createTestOrg();
    await ingest(secret, RUN_1);
    const { subagents, execution } = (await executionTimeline({ orgId: org.id, executionId: "run-1" }))!;
    // reviewer: 0.0525 + 1.25 = 1.3025 (2 calls) = 75.0 %; main: 0.10 + 0.333333333333 = 0.433333333333 (4 calls) = 25.0 %.
    expect(subagents).toEqual([
      { subagent: "reviewer", calls: 2, cost_usd: "1.3025", share_percent: "75.0" },
      { subagent: null, calls: 4, cost_usd: "0.433333333333", share_percent: "25.0" },
    ]);
    const sum = subagents.reduce((s, r) => s.plus(r.cost_usd), new Decimal(0));
    expect(sum.toFixed(12)).toBe(new Decimal(execution.cost_usd).toFixed(12));
    expect(subagents.reduce((s, r) => s + r.calls, 0)).toBe(execution.calls);
  });

  test("the call table pages by keyset: 250 calls in pages of 100, numbered 1–250, none missing or repeated, same-millisecond calls included", async () => {
    const { org, secret } = await createTestOrg();
    // Pairs of calls share a timestamp: the event id breaks the tie.
    const events = Array.from({ length: 250 }, (_, i) => ({ id: `e${i}`, timestamp: new Date(T0 + Math.floor(i / 2) * 1000).toISOString(), execution_id: "long", kind: "tool", tool: "grep", cost_usd: "0.001" }));
    await ingest(secret, events);
    const seen: number[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    for (let guard = 0; guard < 10; guard++) {
      const t: Awaited<ReturnType<typeof executionTimeline>> = await executionTimeline({ orgId: org.id, executionId: "long", callsCursor: cursor });
      seen.push(...t!.calls.map((c) => c.n));
      pages.push(t!.calls.length);
      expect(t!.callsFrom).toBe(seen.length - t!.calls.length + 1);
      expect(t!.chart.points).toHaveLength(250);
      if (!t!.nextCallsCursor) break;
      cursor = t!.nextCallsCursor;
    }
    expect(pages).toEqual([CALLS_PAGE_SIZE, CALLS_PAGE_SIZE, 50]);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  test(`the chart stops at ${CHART_MAX_CALLS} calls and says so; the totals still count every call`, async () => {
    const { org, secret } = await createTestOrg();
    const n = CHART_MAX_CALLS + 20;
    await ingest(secret, Array.from({ length: n }, (_, i) => ({ id: `x${i}`, timestamp: new Date(T0 + i * 1000).toISOString(), execution_id: "huge", kind: "tool", tool: "ls", cost_usd: "0.01" })));
    const t = (await executionTimeline({ orgId: org.id, executionId: "huge" }))!;
    expect(t.chart.capped).toBe(true);
    expect(t.chart.points).toHaveLength(CHART_MAX_CALLS);
    expect(t.chart.points.at(-1)!.cumulative_usd).toBe("5.00");
    expect(t.execution).toMatchObject({ calls: n, cost_usd: "5.20" });
    expect(t.subagents).toEqual([{ subagent: null, calls: n, cost_usd: "5.20", share_percent: "100.0" }]);
  });

  test("a tampered call-table cursor is a clear bad request (400)", async () => {
    const { org, secret } = await createTestOrg();
    await ingest(secret, RUN_1);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const cursor of ["garbage!", b64({ t: "yesterday", i: "1", n: 0 }), b64({ t: at(0), i: "1 OR 1=1", n: 0 }), b64({ t: at(0), i: "99999999999999999999", n: 0 }), b64({ t: at(0), i: "1", n: -1 })]) {
      const err = await executionTimeline({ orgId: org.id, executionId: "run-1", callsCursor: cursor }).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err.status).toBe(400);
    }
  });

  test("tenant isolation: org A cannot open org B's execution, even under the same id", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    await ingest(b.secret, [...RUN_1, { id: "s1", execution_id: "b-only", kind: "tool", tool: "x", cost_usd: "9" }]);
    await ingest(a.secret, [{ id: "a1", timestamp: at(0), execution_id: "run-1", kind: "tool", tool: "mine", cost_usd: "0.01" }]);
    expect(await executionTimeline({ orgId: a.org.id, executionId: "b-only" })).toBeNull();
    const mine = (await executionTimeline({ orgId: a.org.id, executionId: "run-1" }))!;
    expect(mine.calls.map((c) => c.tool)).toEqual(["mine"]);
    expect(mine.execution.cost_usd).toBe("0.01");
    expect(mine.subagents).toEqual([{ subagent: null, calls: 1, cost_usd: "0.01", share_percent: "100.0" }]);
    expect(await executionTimeline({ orgId: a.org.id, executionId: "nope" })).toBeNull();
  });
});
