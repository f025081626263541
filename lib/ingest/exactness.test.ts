// "Money is exact" (docs/architecture.md §4) checked end to end over HTTP: many tiny costs sum to the exact
// decimal in every view (spend, day groups, executions, rollups), and catalogue pricing of real
// provider usage shapes matches a hand computation.
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { resolveRates } from "../pricing";
import { repriceModel } from "../pricing/reprice";
import { createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const HOUR = 3600 * 1000;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

// Decimal strings compared without floats: "0.010000" and "0.01" are the same amount.
function normDec(s: unknown): string {
  expect(typeof s, `not a decimal string: ${JSON.stringify(s)}`).toBe("string");
  expect(s).toMatch(/^\d+(\.\d+)?$/);
  const [i, f = ""] = (s as string).split(".");
  const frac = f.replace(/0+$/, "");
  return `${i.replace(/^0+(?=\d)/, "")}${frac ? `.${frac}` : ""}`;
}
const sumDec = (values: string[]) => normDec(values.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed());

describe("100,000 events of 0.0000001 USD in one execution", () => {
  const N = 100_000;
  const BATCH = 1000;
  const IN_FLIGHT = 6;
  let org: Awaited<ReturnType<typeof createTestOrg>>;
  let range: string;

  beforeAll(async () => {
    org = await createTestOrg();
    const started = Date.now();
    range = `from=${encodeURIComponent(iso(-3 * 24 * HOUR))}&to=${encodeURIComponent(iso(10 * 60 * 1000))}`;
    const batches: unknown[][] = [];
    for (let b = 0; b < N / BATCH; b++) {
      batches.push(
        Array.from({ length: BATCH }, (_, j) => {
          const i = b * BATCH + j;
          return {
            id: `tiny-${i}`,
            model: "gpt-4o",
            provider: "openai",
            // Half as a JSON number (serialised as 1e-7), half as a decimal string.
            cost_usd: i % 2 ? 0.0000001 : "0.0000001",
            execution_id: "ex-100k",
            // Spread over ~40 hours so many rollup rows and two or three days are involved.
            timestamp: new Date(started - 60_000 - (i % 40) * HOUR - (i % 60) * 1000).toISOString(),
          };
        }),
      );
    }
    let next = 0;
    let accepted = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < batches.length) {
          const events = batches[next++];
          const res = await api(server.url, "/api/v1/events", { secret: org.secret, body: { events } });
          statuses.push(res.status);
          accepted += res.body?.accepted ?? 0;
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(accepted).toBe(N);
  }, 120_000);

  test("GET /api/v1/spend total_usd is exactly \"0.01\"", async () => {
    const res = await api(server.url, `/api/v1/spend?${range}`, { secret: org.secret });
    expect(res.status).toBe(200);
    expect(res.body.total_usd).toBe("0.01");
  });

  test("group_by=day sums to exactly 0.01 and calls to 100,000", async () => {
    const res = await api(server.url, `/api/v1/spend?${range}&group_by=day`, { secret: org.secret });
    expect(res.status).toBe(200);
    expect(res.body.total_usd).toBe("0.01");
    const groups = res.body.groups as any[];
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const g of groups) expect(g.key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sumDec(groups.map((g) => g.cost_usd))).toBe("0.01");
    expect(groups.reduce((n, g) => n + g.calls, 0)).toBe(N);
  });

  test("group_by=model and group_by=execution give one group of exactly 0.01", async () => {
    const byModel = await api(server.url, `/api/v1/spend?${range}&group_by=model`, { secret: org.secret });
    expect(byModel.status).toBe(200);
    expect(byModel.body.groups.map((g: any) => [g.key, normDec(g.cost_usd), g.calls])).toEqual([["gpt-4o", "0.01", N]]);
    const byExecution = await api(server.url, `/api/v1/spend?${range}&group_by=execution`, { secret: org.secret });
    expect(byExecution.status, JSON.stringify(byExecution.body)).toBe(200);
    expect(byExecution.body.groups.map((g: any) => [g.key, normDec(g.cost_usd), g.calls])).toEqual([["ex-100k", "0.01", N]]);
  });

  test("the executions API shows the execution at exactly 0.01", async () => {
    const res = await api(server.url, `/api/v1/executions?${range}`, { secret: org.secret });
    expect(res.status).toBe(200);
    expect(res.body.executions).toHaveLength(1);
    const [ex] = res.body.executions;
    expect(ex.id).toBe("ex-100k");
    expect(normDec(ex.cost_usd)).toBe("0.01");
    expect(ex.calls).toBe(N);
  });

  test("UsageRollup rows, Execution row and raw events all sum to exactly 0.01", async () => {
    const db = pool();
    const rollups = await db.query(`SELECT "costUsd"::text AS cost, calls FROM "UsageRollup" WHERE "orgId" = $1`, [org.org.id]);
    expect(rollups.rows.length).toBeGreaterThanOrEqual(40);
    expect(sumDec(rollups.rows.map((r) => r.cost))).toBe("0.01");
    expect(rollups.rows.reduce((n, r) => n + r.calls, 0)).toBe(N);
    const inSql = await db.query(`SELECT sum("costUsd")::text AS cost FROM "UsageRollup" WHERE "orgId" = $1`, [org.org.id]);
    expect(normDec(inSql.rows[0].cost)).toBe("0.01");
    const execution = await db.query(`SELECT "costUsd"::text AS cost, calls FROM "Execution" WHERE "orgId" = $1`, [org.org.id]);
    expect(execution.rows.map((r) => [normDec(r.cost), r.calls])).toEqual([["0.01", N]]);
    const events = await db.query(`SELECT count(*)::int AS n, sum("costUsd")::text AS cost, count(DISTINCT "costUsd")::int AS distinct_costs FROM "UsageEvent" WHERE "orgId" = $1`, [org.org.id]);
    expect(events.rows[0].n).toBe(N);
    expect(normDec(events.rows[0].cost)).toBe("0.01");
    // The number and the string form were stored as the same exact amount.
    expect(events.rows[0].distinct_costs).toBe(1);
  });
});

describe("catalogue pricing end to end", () => {
  // Rates the catalogue must hold for the hand computations below (USD per million tokens).
  test("the catalogue rates used here", () => {
    const at = new Date();
    const gpt4o = resolveRates({ provider: "openai", model: "gpt-4o", at })!.rates;
    expect([gpt4o.inputMtok, gpt4o.cacheReadMtok, gpt4o.outputMtok].map(String)).toEqual(["2.5", "1.25", "10"]);
    const sonnet = resolveRates({ provider: "anthropic", model: "claude-sonnet-4-20250514", at })!.rates;
    expect([sonnet.inputMtok, sonnet.cacheReadMtok, sonnet.cacheWriteMtok, sonnet.outputMtok].map(String)).toEqual(["3", "0.3", "3.75", "15"]);
    expect(sonnet.tiers).toEqual([]);
  });

  test("OpenAI chat usage with cached tokens, Anthropic usage with cache read + write, OpenAI Responses usage", async () => {
    const { secret } = await createTestOrg();
    const range = `from=${encodeURIComponent(iso(-24 * HOUR))}&to=${encodeURIComponent(iso(10 * 60 * 1000))}`;
    const events = [
      {
        // 12345 prompt of which 2345 cached, 678 completion:
        // 10000 × 2.5 + 2345 × 1.25 + 678 × 10 = 25000 + 2931.25 + 6780 = 34711.25 µ$ = 0.03471125
        id: "chat",
        provider: "openai",
        model: "gpt-4o",
        execution_id: "ex-chat",
        usage: { prompt_tokens: 12345, completion_tokens: 678, total_tokens: 13023, prompt_tokens_details: { cached_tokens: 2345, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
      },
      {
        // input 1000 (uncached), cache read 20000, cache write 5000, output 700:
        // 1000 × 3 + 20000 × 0.3 + 5000 × 3.75 + 700 × 15 = 3000 + 6000 + 18750 + 10500 = 38250 µ$ = 0.03825
        id: "anthropic",
        provider: "anthropic",
        model: "claude-sonnet-4-20250514",
        execution_id: "ex-anthropic",
        usage: { input_tokens: 1000, cache_read_input_tokens: 20000, cache_creation_input_tokens: 5000, output_tokens: 700 },
      },
      {
        // Responses: input 5000 incl. 1000 cached, output 300:
        // 4000 × 2.5 + 1000 × 1.25 + 300 × 10 = 10000 + 1250 + 3000 = 14250 µ$ = 0.01425
        id: "responses",
        provider: "openai",
        model: "gpt-4o",
        execution_id: "ex-responses",
        usage: { input_tokens: 5000, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 300, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 5300 },
      },
      // A reported cost wins over the catalogue.
      { id: "reported", provider: "openai", model: "gpt-4o", execution_id: "ex-reported", cost_usd: "0.5", usage: { prompt_tokens: 1000000, completion_tokens: 0 } },
    ];
    const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.accepted).toBe(4);

    const byExecution = await api(server.url, `/api/v1/executions?${range}&limit=10`, { secret });
    expect(byExecution.status).toBe(200);
    const costs = Object.fromEntries(byExecution.body.executions.map((e: any) => [e.id, normDec(e.cost_usd)]));
    expect(costs).toEqual({ "ex-chat": "0.03471125", "ex-anthropic": "0.03825", "ex-responses": "0.01425", "ex-reported": "0.5" });

    const byModel = await api(server.url, `/api/v1/spend?${range}&group_by=model`, { secret });
    expect(byModel.status).toBe(200);
    const models = Object.fromEntries(byModel.body.groups.map((g: any) => [g.key, normDec(g.cost_usd)]));
    // gpt-4o: 0.03471125 + 0.01425 + 0.5
    expect(models).toEqual({ "gpt-4o": "0.54896125", "claude-sonnet-4-20250514": "0.03825" });
    expect(normDec(byModel.body.total_usd)).toBe("0.58721125");
  });

  test("Anthropic one-hour cache writes: 2× input, kept on the event, and a repricing prices them the same", async () => {
    const { org, secret } = await createTestOrg();
    // input 1000, cache read 2000, writes 4000 of which 3000 for one hour, output 100:
    // 1000 × 3 + 2000 × 0.3 + 1000 × 3.75 + 3000 × 6 + 100 × 15 = 3000 + 600 + 3750 + 18000 + 1500 = 26850 µ$
    const usage = { input_tokens: 1000, cache_read_input_tokens: 2000, cache_creation_input_tokens: 4000, output_tokens: 100,
                    cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 3000 } };
    const res = await api(server.url, "/api/v1/events", { secret, body: { id: "ttl-1h", provider: "anthropic", model: "claude-sonnet-4-20250514", execution_id: "ex-1h", usage } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(normDec(res.body.execution.cost_usd)).toBe("0.02685");
    const stored = async () =>
      (await pool().query(`SELECT "cacheWriteTokens", "cacheWrite1hTokens", "costUsd"::text AS cost FROM "UsageEvent" WHERE "orgId" = $1`, [org.id])).rows;
    expect((await stored()).map((r) => [r.cacheWriteTokens, r.cacheWrite1hTokens, normDec(r.cost)])).toEqual([[4000, 3000, "0.02685"]]);
    const summary = await repriceModel(org.id, null, { model: "claude-sonnet-4-20250514", from: iso(-HOUR), to: iso(60_000) });
    expect(summary).toMatchObject({ eventsConsidered: 1, eventsRepriced: 0 });
    expect((await stored()).map((r) => normDec(r.cost))).toEqual(["0.02685"]);
  });

  test("1000 single-token gpt-4o calls sum to exactly 0.0025", async () => {
    const { secret } = await createTestOrg();
    const range = `from=${encodeURIComponent(iso(-24 * HOUR))}&to=${encodeURIComponent(iso(10 * 60 * 1000))}`;
    const events = Array.from({ length: 1000 }, (_, i) => ({ id: `one-${i}`, provider: "openai", model: "gpt-4o", usage: { prompt_tokens: 1, completion_tokens: 0 } }));
    expect((await api(server.url, "/api/v1/events", { secret, body: { events } })).body.accepted).toBe(1000);
    const res = await api(server.url, `/api/v1/spend?${range}`, { secret });
    expect(normDec(res.body.total_usd)).toBe("0.0025");
  });
});
