// Contract tests of POST /api/v1/events (docs/api.md) for the values a hostile or buggy client
// sends: text Postgres cannot store, nesting, money past the limits, unpriced models. Each is one
// event's problem (422 inside a 207), never the batch's 500. Real HTTP, real Postgres.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { ev, expectErrorShape, storedEventIds } from "../testing/events-api";
import { createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string | null, body: unknown, headers?: Record<string, string>) =>
  api(server.url, "/api/v1/events", { secret, body, headers });

describe("values the database could choke on", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["token count above 2^31", { usage: { prompt_tokens: 3_000_000_000, completion_tokens: 1 } }, "usage"],
    // Each count fits a 32-bit int, their sum (the execution's largest prompt) does not.
    ["cache + input above 2^31 together, in an execution", { execution_id: "x-big", usage: { input_tokens: 1_500_000_000, cache_read_input_tokens: 1_000_000_000, output_tokens: 1 } }, "usage"],
    ["NUL character in an attribution field", { agent: "bad\u0000agent" }, "agent"],
    ["NUL character in metadata", { metadata: { note: "a\u0000b" } }, "metadata"],
    ["NUL character in the id", { id: "nul\u0000id" }, "id"],
  ];

  for (const [name, extra, path] of cases) {
    test(`${name}: single event → 200 or 422 naming '${path}', never 500`, async () => {
      const { secret } = await createTestOrg();
      const res = await post(secret, ev("odd-1", extra));
      expect([200, 422], JSON.stringify(res.body)).toContain(res.status);
      if (res.status === 422) {
        const paths = (res.body.error.details as any[]).map((d) => String(d.path));
        expect(paths.some((p) => p === path || p.startsWith(`${path}.`)), JSON.stringify(paths)).toBe(true);
      }
    });

    test(`${name}: in a batch the good events are still stored (200 or 207)`, async () => {
      const { org, secret } = await createTestOrg();
      const res = await post(secret, { events: [ev("good-1"), ev("odd-1", extra), ev("good-2")] });
      expect([200, 207], JSON.stringify(res.body)).toContain(res.status);
      const stored = await storedEventIds(org.id);
      expect(stored).toEqual(expect.arrayContaining(["good-1", "good-2"]));
      if (res.status === 207) expect(res.body.rejected.map((r: any) => r.index)).toEqual([1]);
    });
  }
});

describe("ill-formed values are one event's problem, never a 500", () => {
  // Nested `depth` levels of objects: {"a":{"a":…{"a":1}}}; deep(1) = {"a":1}.
  const deep = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };
  const metadataPath = (depth: number) => `metadata${".a".repeat(depth - 1)}`;
  // Too deep for JSON.stringify here as well: a marker that `wire` replaces with the raw text.
  const nestedArrays = (depth: number): unknown => `__NESTED_ARRAYS_${depth}__`;
  const LONE_HIGH = "\ud800";
  const LONE_LOW = "\udc00";

  // The path names the first container past level 8 (metadata itself is level 1).
  const cases: [string, Record<string, unknown>, string][] = [
    // 8 KB of JSON: the size check used to recurse through it and overflow the stack.
    ["arrays nested 4,000 deep in metadata", { metadata: { list: nestedArrays(4000) } }, `metadata.list${"[0]".repeat(7)}`],
    ["arrays nested 100,000 deep in metadata", { metadata: { list: nestedArrays(100_000) } }, `metadata.list${"[0]".repeat(7)}`],
    ["objects nested 4,000 deep in metadata", { metadata: deep(4000) }, metadataPath(9)],
    ["metadata nested 9 levels", { metadata: deep(9) }, metadataPath(9)],
    ["arrays nested 12 deep in metadata", { metadata: { list: nestedArrays(12) } }, `metadata.list${"[0]".repeat(7)}`],
    ["arrays nested 100,000 deep in an unknown usage field", { usage: { prompt_tokens: 1, completion_tokens: 1, extra: nestedArrays(100_000) } }, `usage.extra${"[0]".repeat(7)}`],
    ["lone surrogate in a metadata value", { metadata: { note: `x${LONE_HIGH}y` } }, "metadata.note"],
    ["lone surrogate deep in metadata", { metadata: { a: { b: [1, 2, `${LONE_LOW}`] } } }, "metadata.a.b[2]"],
    ["lone surrogate in a metadata key", { metadata: { [`k${LONE_HIGH}`]: "v" } }, `metadata.k${LONE_HIGH}`],
    ["lone surrogate in a usage key", { usage: { prompt_tokens: 1, completion_tokens: 1, [`x${LONE_LOW}`]: 0 } }, `usage.x${LONE_LOW}`],
    ["lone surrogate in a usage value", { usage: { prompt_tokens: 1, completion_tokens: 1, service_tier: LONE_HIGH } }, "usage.service_tier"],
    ["lone surrogate in the id", { id: `lone-${LONE_HIGH}` }, "id"],
    ["lone surrogate in the model", { model: `gpt-4o${LONE_HIGH}` }, "model"],
    ["lone surrogate in the agent", { agent: `bot${LONE_LOW}` }, "agent"],
    ["lone surrogate in the team", { team: `t${LONE_LOW}` }, "team"],
    ["lone surrogate in pull_request", { pull_request: `pr${LONE_HIGH}` }, "pull_request"],
    ["lone surrogate in error_type", { status: "error", error_type: LONE_HIGH }, "error_type"],
    ["NUL in a nested metadata value", { metadata: { a: ["ok", "a\u0000b"] } }, "metadata.a[1]"],
    ["NUL in a metadata key", { metadata: { "a\u0000": 1 } }, "metadata.a\u0000"],
    ["1e400 (Infinity) in metadata", { metadata: { big: Infinity } }, "metadata.big"],
    // Validation copies objects by assignment, where "__proto__" sets the prototype: the key would vanish.
    ["__proto__ as a metadata key", { metadata: { ["__proto__"]: { polluted: true }, k: 1 } }, "metadata.__proto__"],
  ];
  // Bodies are written by hand where JSON.stringify would not say it (1e400, very deep arrays).
  const wire = (value: unknown) =>
    JSON.stringify(value, (_k, v) => (v === Infinity ? "__INF__" : v))
      .replaceAll('"__INF__"', "1e400")
      .replace(/"__NESTED_ARRAYS_(\d+)__"/g, (_m, n) => "[".repeat(Number(n)) + "]".repeat(Number(n)));

  for (const [name, extra, path] of cases) {
    test(`${name}: 422 naming '${path}' alone, 207 next to 99 good events`, async () => {
      const { org, secret } = await createTestOrg();
      const single = await api(server.url, "/api/v1/events", { secret, rawBody: wire(ev("odd", extra)), headers: { "content-type": "application/json" } });
      expect(single.status, JSON.stringify(single.body)).toBe(422);
      expectErrorShape(single.body);
      expect(single.body.error.details.map((d: any) => d.path)).toContain(path);

      const events = Array.from({ length: 100 }, (_, i) => (i === 57 ? ev("odd", extra) : ev(`good-${i}`)));
      const batch = await api(server.url, "/api/v1/events", { secret, rawBody: wire({ events }), headers: { "content-type": "application/json" } });
      expect(batch.status, JSON.stringify(batch.body)).toBe(207);
      expect(batch.body.accepted).toBe(99);
      expect(batch.body.duplicates).toBe(0);
      expect(batch.body.rejected.map((r: any) => r.index)).toEqual([57]);
      expect(batch.body.rejected[0].errors.map((e: any) => e.path)).toContain(path);
      expect((await storedEventIds(org.id)).length).toBe(99);
    });
  }

  test("metadata nested exactly 8 levels is accepted and stored as sent", async () => {
    const { org, secret } = await createTestOrg();
    const res = await post(secret, ev("deep-8", { metadata: deep(8) }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { rows } = await pool().query(`SELECT metadata FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
    expect(rows[0].metadata).toEqual(deep(8));
  });

  test("ids that differ only in a lone surrogate do not collide: both rejected, counts match storage", async () => {
    const { org, secret } = await createTestOrg();
    const first = await post(secret, { events: [ev("lone-\ud800"), ev("ok-1")] });
    const second = await post(secret, { events: [ev("lone-\udc00"), ev("ok-2")] });
    for (const res of [first, second]) {
      expect(res.status, JSON.stringify(res.body)).toBe(207);
      expect(res.body).toMatchObject({ accepted: 1, duplicates: 0 });
      expect(res.body.rejected.map((r: any) => [r.index, r.errors.map((e: any) => e.path)])).toEqual([[0, ["id"]]]);
    }
    expect(await storedEventIds(org.id)).toEqual(["ok-1", "ok-2"]);
  });

  test("a well-formed surrogate pair (emoji) is fine everywhere", async () => {
    const { org, secret } = await createTestOrg();
    const res = await post(secret, ev("emoji-😀", { agent: "bot-🤖", metadata: { "k😀": ["😀", { x: "é" }] } }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await storedEventIds(org.id)).toEqual(["emoji-😀"]);
  });
});

describe("money stays within what the totals can hold", () => {
  const wire = (body: string) => ({ rawBody: body, headers: { "content-type": "application/json" } });

  test("cost_usd above 10,000 USD per call is refused with the limit named; at the limit it is taken", async () => {
    const { org, secret } = await createTestOrg();
    const refused: [string, string][] = [
      ["big-string", `{"id":"big-string","model":"m","cost_usd":"999999999999.999999999999999999"}`],
      ["just-over", `{"id":"just-over","model":"m","cost_usd":"10000.000000000001"}`],
      ["over-number", `{"id":"over-number","model":"m","cost_usd":10000.5}`],
      ["huge-number", `{"id":"huge-number","model":"m","cost_usd":1e300}`],
      ["inf-number", `{"id":"inf-number","model":"m","cost_usd":1e400}`],
      ["exp-string", `{"id":"exp-string","model":"m","cost_usd":"1e5"}`],
      ["minus-zero-string", `{"id":"minus-zero-string","model":"m","cost_usd":"-0"}`],
    ];
    for (const [id, body] of refused) {
      const res = await api(server.url, "/api/v1/events", { secret, ...wire(body) });
      expect(res.status, `${id}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.error.details.map((d: any) => d.path), id).toEqual(["cost_usd"]);
    }
    const over = await api(server.url, "/api/v1/events", { secret, ...wire(refused[1][1]) });
    expect(over.body.error.details[0].message).toMatch(/10000/);

    const taken: [string, string, string][] = [
      ["at-limit", `{"id":"at-limit","model":"m","cost_usd":"10000.000000000000"}`, "10000"],
      ["at-limit-number", `{"id":"at-limit-number","model":"m","cost_usd":10000}`, "10000"],
      ["minus-zero", `{"id":"minus-zero","model":"m","cost_usd":-0}`, "0"],
      ["leading-zeros", `{"id":"leading-zeros","model":"m","cost_usd":"000009999.5"}`, "9999.5"],
    ];
    for (const [id, body] of taken) {
      const res = await api(server.url, "/api/v1/events", { secret, ...wire(body) });
      expect(res.status, `${id}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const { rows } = await pool().query(
      `SELECT "eventId", trim_scale("costUsd")::text AS cost FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "eventId"`,
      [org.id],
    );
    expect(rows.map((r) => [r.eventId, r.cost])).toEqual(
      taken.map(([id, , cost]) => [id, cost]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
  });

  test("a catalogue price above the per-call limit (absurd token counts) is refused, naming usage and the limit", async () => {
    const { org, secret } = await createTestOrg();
    // gpt-4o output is 10 USD per million tokens: 2e9 tokens would be 20,000 USD for one call.
    const res = await post(secret, { events: [ev("absurd", { usage: { prompt_tokens: 0, completion_tokens: 2_000_000_000 } }), ev("fine")] });
    expect(res.status, JSON.stringify(res.body)).toBe(207);
    expect(res.body.rejected).toEqual([
      { index: 0, id: "absurd", errors: [{ path: "usage", message: expect.stringMatching(/20000.*10000 USD/) }] },
    ]);
    expect(await storedEventIds(org.id)).toEqual(["fine"]);
  });

  test("an execution and a rollup far beyond the old numeric(30,12) still take the next event", async () => {
    const { org, secret } = await createTestOrg();
    const first = await post(secret, { id: "e1", kind: "tool", cost_usd: "1", execution_id: "ex-huge" });
    expect(first.status).toBe(200);
    // Just under numeric(30,12)'s 10^18 — ~10^14 events at the per-call limit; one more used to overflow.
    const huge = "999999999999999999";
    await pool().query(`UPDATE "Execution" SET "costUsd" = $2, "retryCostUsd" = $2 WHERE "orgId" = $1`, [org.id, huge]);
    await pool().query(`UPDATE "UsageRollup" SET "costUsd" = $2 WHERE "orgId" = $1`, [org.id, huge]);
    const next = await post(secret, { id: "e2", kind: "tool", cost_usd: "10000", attempt: 2, execution_id: "ex-huge" });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.execution.cost_usd).toBe("1000000000000009999.00");
    const { rows } = await pool().query(
      `SELECT (SELECT trim_scale("costUsd")::text FROM "Execution" WHERE "orgId" = $1) AS execution,
              (SELECT trim_scale("retryCostUsd")::text FROM "Execution" WHERE "orgId" = $1) AS retry,
              (SELECT trim_scale(sum("costUsd"))::text FROM "UsageRollup" WHERE "orgId" = $1) AS rollup`,
      [org.id],
    );
    expect(rows[0]).toEqual({ execution: "1000000000000009999", retry: "1000000000000009999", rollup: "1000000000000009999" });
  });
});

describe("unpriced models are said out loud", () => {
  test("warnings name every valid event no price applied to, by index and model; priced, reported and invalid events get none", async () => {
    const { secret } = await createTestOrg();
    const events = [
      ev("w0"), // gpt-4o: catalogue
      ev("w1", { model: "acme-finetune-7" }),
      ev("w2", { model: "acme-finetune-7", cost_usd: "0.2" }), // reported: priced by the client
      ev("w3", { usage: { prompt_tokens: -1 } }), // invalid: rejected, no warning
      { id: "w4", kind: "tool", tool: "grep" }, // nothing to price
      { id: "w5", kind: "tool", model: "mystery-embedder", provider: "acme" },
      ev("w1", { model: "acme-finetune-7" }), // duplicate in the batch: still a valid, unpriced event
    ];
    const first = await post(secret, { events });
    expect(first.status, JSON.stringify(first.body)).toBe(207);
    expect(first.body).toMatchObject({ accepted: 5, duplicates: 1 });
    const expected = [
      { index: 1, code: "unpriced_model", model: "acme-finetune-7" },
      { index: 5, code: "unpriced_model", model: "mystery-embedder" },
      { index: 6, code: "unpriced_model", model: "acme-finetune-7" },
    ];
    expect(first.body.warnings).toEqual(expected);
    // Re-sent: all duplicates, the same warnings.
    const again = await post(secret, { events });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 6 });
    expect(again.body.warnings).toEqual(expected);
  });

  test("a single event: 200 with the warning; a priced one: warnings is []", async () => {
    const { secret } = await createTestOrg();
    const unpriced = await post(secret, ev("s1", { model: "not-in-any-catalogue" }));
    expect(unpriced.status).toBe(200);
    expect(unpriced.body.warnings).toEqual([{ index: 0, code: "unpriced_model", model: "not-in-any-catalogue" }]);
    const priced = await post(secret, ev("s2"));
    expect(priced.status).toBe(200);
    expect(priced.body.warnings).toEqual([]);
    expect(Object.keys(priced.body)).toEqual(["accepted", "duplicates", "rejected", "warnings", "budgets", "execution"]);
  });
});
