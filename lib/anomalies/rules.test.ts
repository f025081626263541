// The per-execution rules as pure functions, at their edges: the window, the size tolerance, the
// fingerprint, the per-call limit and the growth floor.
import { describe, expect, test } from "vitest";
import { findContextGrowth, findMedianSpike, findPerCallSpike, findRetryLoop, type TCall } from "./detect";
import { DEFAULT_ANOMALY_SETTINGS as D } from "./settings";

const t0 = Date.parse("2026-11-28T10:00:00Z");
const call = (i: number, over: Partial<TCall> = {}): TCall => ({
  eventId: `e${i}`,
  occurredAt: new Date(t0 + i * 60_000),
  kind: "LLM",
  model: "gpt-4o",
  tool: null,
  errorType: "rate_limit",
  status: "ERROR",
  fingerprint: null,
  costUsd: "0.10",
  input: 10_000,
  output: 0,
  ...over,
});

describe("findRetryLoop", () => {
  test("3 same calls within 10 minutes are a loop; the 3rd at 10 min + 1 ms is not", () => {
    expect(findRetryLoop([call(0), call(5), call(10)], D)).toMatchObject({ calls: 3, first_event_id: "e0", cost_usd: "0.3", errors: 3 });
    expect(findRetryLoop([call(0), call(5), call(10, { occurredAt: new Date(t0 + 600_001) })], D)).toBeNull();
  });

  test("sizes within ±2 % are the same call; 2.1 % apart are not", () => {
    expect(findRetryLoop([call(0, { input: 10_000 }), call(1, { input: 10_150 }), call(2, { input: 9_950 })], D)).toMatchObject({ calls: 3 });
    expect(findRetryLoop([call(0, { input: 10_000 }), call(1, { input: 10_210 }), call(2, { input: 10_420 })], D)).toBeNull();
  });

  test("a different model, tool or error type is a different call; a tool call without a fingerprint never loops", () => {
    expect(findRetryLoop([call(0), call(1, { model: "gpt-4o-mini" }), call(2)], D)).toBeNull();
    expect(findRetryLoop([call(0), call(1, { errorType: "timeout" }), call(2)], D)).toBeNull();
    const tool = (i: number) => call(i, { kind: "TOOL", model: null, tool: "bash", input: 0, errorType: null, status: "OK" });
    expect(findRetryLoop([tool(0), tool(1), tool(2)], D)).toBeNull();
    expect(findRetryLoop([0, 1, 2].map((i) => ({ ...tool(i), fingerprint: "bash:npm test" })), D)).toMatchObject({ calls: 3, fingerprint: "bash:npm test" });
  });

  test("the largest cluster wins; its newest call anchors the evidence", () => {
    const loop = findRetryLoop([call(0), call(1), call(2), call(3), call(4, { input: 50_000 }), call(5, { input: 50_000 }), call(6, { input: 50_000 })], D);
    expect(loop).toMatchObject({ calls: 4, first_event_id: "e0", last_at: new Date(t0 + 3 * 60_000).toISOString() });
  });
});

test("findPerCallSpike: strictly over the limit, LLM calls only, the costliest one", () => {
  expect(findPerCallSpike([call(0, { costUsd: "2" })], D)).toBeNull();
  expect(findPerCallSpike([call(0, { costUsd: "2.000001" }), call(1, { costUsd: "3.5" })], D)).toMatchObject({ event_id: "e1", cost_usd: "3.5", limit_usd: "2" });
  expect(findPerCallSpike([call(0, { kind: "TOOL", costUsd: "9" })], D)).toBeNull();
  expect(findPerCallSpike([call(0, { costUsd: "9" })], { ...D, costSpike: { ...D.costSpike, perCallLimitUsd: null } })).toBeNull();
});

test("findMedianSpike: more than 5× a median of at least 20 runs, and at least $0.50", () => {
  expect(findMedianSpike({ costUsd: "0.51", median: "0.1", history: 20 }, D)).toMatchObject({ factor: 5.1 });
  expect(findMedianSpike({ costUsd: "0.50", median: "0.1", history: 20 }, D)).toBeNull();
  expect(findMedianSpike({ costUsd: "0.49", median: "0.01", history: 20 }, D)).toBeNull();
  expect(findMedianSpike({ costUsd: "9", median: "0.1", history: 19 }, D)).toBeNull();
  expect(findMedianSpike({ costUsd: "9", median: "0", history: 50 }, D)).toBeNull();
});

test("findContextGrowth: 5× the first call and at least 100k tokens", () => {
  expect(findContextGrowth({ firstInputTokens: 20_000, maxInputTokens: 100_000, calls: 9 }, D)).toMatchObject({ growth: 5 });
  expect(findContextGrowth({ firstInputTokens: 21_000, maxInputTokens: 100_000, calls: 9 }, D)).toBeNull();
  expect(findContextGrowth({ firstInputTokens: 3_000, maxInputTokens: 99_999, calls: 9 }, D)).toBeNull();
  expect(findContextGrowth({ firstInputTokens: 0, maxInputTokens: 500_000, calls: 9 }, D)).toBeNull();
});
