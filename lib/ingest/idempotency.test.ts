// Idempotency of POST /api/v1/events (docs/api.md): "A duplicate id is counted once, ever; a re-sent
// batch changes nothing." Checked through the API a client uses and against the stored totals.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";

// A 2 ms group-commit window (production's default is 0) instead of the test default 0, so
// concurrent posts really share one write and the in-group de-duplication is exercised too.
// env() is read lazily.
process.env.INGEST_GROUP_MAX_WAIT_MS = "2";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const HOUR = 3600 * 1000;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const RANGE = () => `from=${encodeURIComponent(iso(-36 * 24 * HOUR))}&to=${encodeURIComponent(iso(10 * 60 * 1000))}`;

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });

// Decimal strings compared without floats: "1.50" and "1.5000" are the same amount.
function normDec(s: string): string {
  expect(typeof s, `not a string: ${JSON.stringify(s)}`).toBe("string");
  expect(s).toMatch(/^-?\d+(\.\d+)?$/);
  const [i, f = ""] = s.split(".");
  const frac = f.replace(/0+$/, "");
  return `${i.replace(/^(-?)0+(?=\d)/, "$1")}${frac ? `.${frac}` : ""}`;
}

async function spendTotal(secret: string): Promise<string> {
  const r = await api(server.url, `/api/v1/spend?${RANGE()}`, { secret });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return normDec(r.body.total_usd);
}

// Everything a client or the dashboard could observe about an org's totals.
async function snapshot(orgId: string, secret: string) {
  // (group_by=execution is covered by lib/reports/read-api.test.ts; model and day read the rollups.)
  const byModel = await api(server.url, `/api/v1/spend?${RANGE()}&group_by=model`, { secret });
  const byDay = await api(server.url, `/api/v1/spend?${RANGE()}&group_by=day`, { secret });
  const executions = await api(server.url, `/api/v1/executions?${RANGE()}&limit=100`, { secret });
  expect(byModel.status, JSON.stringify(byModel.body)).toBe(200);
  expect(executions.status).toBe(200);
  const db = pool();
  const events = await db.query(`SELECT count(*)::int AS n, coalesce(sum("costUsd"), 0)::text AS cost FROM "UsageEvent" WHERE "orgId" = $1`, [orgId]);
  const rollups = await db.query(
    `SELECT coalesce(sum("costUsd"), 0)::text AS cost, coalesce(sum(calls), 0)::int AS calls FROM "UsageRollup" WHERE "orgId" = $1`,
    [orgId],
  );
  const execRows = await db.query(
    `SELECT "executionId", calls, retries, "costUsd"::text AS cost, "inputTokens", "outputTokens" FROM "Execution" WHERE "orgId" = $1 ORDER BY "executionId"`,
    [orgId],
  );
  return {
    total: normDec(byModel.body.total_usd),
    byModel: byModel.body.groups.map((g: any) => [g.key, normDec(g.cost_usd), g.calls, g.input_tokens, g.output_tokens]).sort(),
    byDay: byDay.body.groups.map((g: any) => [g.key, normDec(g.cost_usd), g.calls]).sort(),
    executions: executions.body.executions.map((e: any) => [e.id, normDec(e.cost_usd), e.calls, e.retries]).sort(),
    eventCount: events.rows[0].n as number,
    eventCost: normDec(events.rows[0].cost),
    rollupCost: normDec(rollups.rows[0].cost),
    rollupCalls: rollups.rows[0].calls as number,
    execRows: execRows.rows.map((r) => ({ ...r, cost: normDec(r.cost) })),
  };
}

describe("idempotency", () => {
  test("the same id sent twice → accepted:0, duplicates:1, counted once", async () => {
    const { org, secret } = await createTestOrg();
    const event = { id: "dup-1", model: "gpt-4o", cost_usd: "0.75", execution_id: "ex-1", usage: { prompt_tokens: 100, completion_tokens: 10 } };
    const first = await post(secret, event);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const second = await post(secret, event);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    // The execution echoed back still shows the cost counted once.
    expect(normDec(second.body.execution.cost_usd)).toBe("0.75");

    const s = await snapshot(org.id, secret);
    expect(s.total).toBe("0.75");
    expect(s.eventCount).toBe(1);
    expect(s.rollupCost).toBe("0.75");
    expect(s.rollupCalls).toBe(1);
    expect(s.executions).toEqual([["ex-1", "0.75", 1, 0]]);
    expect(s.byModel).toEqual([["gpt-4o", "0.75", 1, 100, 10]]);
  });

  test("a duplicate id with different content changes nothing (first write wins)", async () => {
    const { org, secret } = await createTestOrg();
    expect((await post(secret, { id: "same", model: "gpt-4o", cost_usd: "1", execution_id: "ex-a" })).body.accepted).toBe(1);
    const before = await snapshot(org.id, secret);
    const again = await post(secret, { id: "same", model: "claude-x", cost_usd: "99", execution_id: "ex-b", team: "t" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await snapshot(org.id, secret)).toEqual(before);
    expect(before.total).toBe("1");
  });

  test("a re-sent batch changes nothing; a batch with some new ids counts only the new ones", async () => {
    const { org, secret } = await createTestOrg();
    const events = Array.from({ length: 50 }, (_, i) => ({
      id: `b-${i}`,
      model: i % 2 ? "gpt-4o" : "gpt-4o-mini",
      provider: "openai",
      usage: { prompt_tokens: 1000 + i, completion_tokens: 10 + i },
      execution_id: `ex-${i % 3}`,
      attempt: i % 5 === 0 ? 2 : 1,
      timestamp: iso(-(i % 4) * HOUR - 60_000),
    }));
    const first = await post(secret, { events });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 50, duplicates: 0 });
    const before = await snapshot(org.id, secret);
    expect(before.eventCount).toBe(50);
    expect(before.rollupCost).toBe(before.total);

    const resent = await post(secret, { events });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ accepted: 0, duplicates: 50, rejected: [] });
    expect(await snapshot(org.id, secret)).toEqual(before);

    // Re-sent in another order, split differently: still nothing.
    const reversed = [...events].reverse();
    const r1 = await post(secret, { events: reversed.slice(0, 17) });
    const r2 = await post(secret, { events: reversed.slice(17) });
    expect(r1.body.accepted + r2.body.accepted).toBe(0);
    expect(await snapshot(org.id, secret)).toEqual(before);

    // 50 old + 5 new of 1 USD each, in ex-0: only the 5 new count.
    const fresh = Array.from({ length: 5 }, (_, i) => ({ id: `new-${i}`, model: "gpt-4o", cost_usd: "1", execution_id: "ex-0" }));
    const mixed = await post(secret, { events: [...events, ...fresh] });
    expect(mixed.body).toMatchObject({ accepted: 5, duplicates: 50 });
    const after = await snapshot(org.id, secret);
    expect(after.eventCount).toBe(55);
    const ex0Before = before.executions.find((e: any) => e[0] === "ex-0");
    const ex0After = after.executions.find((e: any) => e[0] === "ex-0");
    expect(ex0After[2]).toBe(ex0Before[2] + 5);
  });

  test("20 concurrent requests with the same id → exactly one accepted, one row, totals once", async () => {
    const { org, secret } = await createTestOrg();
    const event = { id: "race-1", model: "gpt-4o", cost_usd: "0.3", execution_id: "ex-race", usage: { prompt_tokens: 7, completion_tokens: 3 } };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(secret, event)));
    for (const r of responses) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(1);
    expect(responses.reduce((n, r) => n + r.body.duplicates, 0)).toBe(19);
    const s = await snapshot(org.id, secret);
    expect(s.eventCount).toBe(1);
    expect(s.total).toBe("0.3");
    expect(s.rollupCost).toBe("0.3");
    expect(s.rollupCalls).toBe(1);
    expect(s.executions).toEqual([["ex-race", "0.3", 1, 0]]);
    expect(s.execRows.map((r: any) => [r.calls, r.inputTokens, r.outputTokens])).toEqual([[1, 7, 3]]);
  });

  test("20 concurrent overlapping batches → each id counted once", async () => {
    const { org, secret } = await createTestOrg();
    const shared = Array.from({ length: 10 }, (_, i) => ({ id: `s-${i}`, kind: "tool", cost_usd: "0.01", execution_id: "ex-overlap" }));
    const batches = Array.from({ length: 20 }, (_, b) => {
      const own = { id: `own-${b}`, kind: "tool", cost_usd: "0.1", execution_id: "ex-overlap" };
      // Every batch holds all shared ids in a different order, plus one of its own.
      const rotated = [...shared.slice(b % 10), ...shared.slice(0, b % 10)];
      return b % 2 ? [own, ...rotated.reverse()] : [...rotated, own];
    });
    const responses = await Promise.all(batches.map((events) => post(secret, { events })));
    for (const r of responses) expect(r.status).toBe(200);
    expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(30);
    expect(responses.reduce((n, r) => n + r.body.duplicates, 0)).toBe(20 * 11 - 30);
    const s = await snapshot(org.id, secret);
    expect(s.eventCount).toBe(30);
    expect(s.total).toBe("2.1"); // 10 × 0.01 + 20 × 0.1
    expect(s.rollupCost).toBe("2.1");
    expect(s.executions).toEqual([["ex-overlap", "2.1", 30, 0]]);
  });

  test("duplicates inside one batch are counted once", async () => {
    const { org, secret } = await createTestOrg();
    const res = await post(secret, {
      events: [
        { id: "a", kind: "tool", cost_usd: "1", execution_id: "ex" },
        { id: "a", kind: "tool", cost_usd: "1", execution_id: "ex" },
        { id: "b", kind: "tool", cost_usd: "2", execution_id: "ex" },
        { id: "a", kind: "tool", cost_usd: "5", execution_id: "ex" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 2, rejected: [] });
    const s = await snapshot(org.id, secret);
    expect(s.eventCount).toBe(2);
    expect(s.total).toBe("3");
    expect(s.executions).toEqual([["ex", "3", 2, 0]]);
    expect(normDec(res.body.execution.cost_usd)).toBe("3");
  });

  test("two orgs may use the same event id independently (also concurrently)", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const ea = { id: "shared-id", kind: "tool", cost_usd: "1.5", execution_id: "x" };
    const eb = { id: "shared-id", kind: "tool", cost_usd: "2.5", execution_id: "x" };
    const ra = await post(a.secret, ea);
    const rb = await post(b.secret, eb);
    expect(ra.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(rb.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await spendTotal(a.secret)).toBe("1.5");
    expect(await spendTotal(b.secret)).toBe("2.5");

    // Concurrent: 10 from each org with another shared id → one accepted per org.
    const mixed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i % 2 ? a.secret : b.secret, { id: "race-shared", kind: "tool", cost_usd: "1" })),
    );
    const acceptedA = mixed.filter((_, i) => i % 2).reduce((n, r) => n + r.body.accepted, 0);
    const acceptedB = mixed.filter((_, i) => !(i % 2)).reduce((n, r) => n + r.body.accepted, 0);
    expect([acceptedA, acceptedB]).toEqual([1, 1]);
    expect(await spendTotal(a.secret)).toBe("2.5");
    expect(await spendTotal(b.secret)).toBe("3.5");
    const { rows } = await pool().query(
      `SELECT "orgId", count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = ANY($1) GROUP BY "orgId"`,
      [[a.org.id, b.org.id]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.orgId, r.n]))).toEqual({ [a.org.id]: 2, [b.org.id]: 2 });
  });

  test("a rejected event does not claim its id: the fixed event is accepted later", async () => {
    const { secret } = await createTestOrg();
    const bad = await post(secret, { id: "fixme", model: "gpt-4o", usage: { prompt_tokens: -1 } });
    expect(bad.status).toBe(422);
    const good = await post(secret, { id: "fixme", model: "gpt-4o", cost_usd: "0.2" });
    expect(good.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await spendTotal(secret)).toBe("0.2");
  });
});
