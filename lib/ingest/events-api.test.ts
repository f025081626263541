// Contract tests of POST /api/v1/events (docs/api.md), written as a client of the API would check it:
// real HTTP against the lean machine router, a real Postgres, a fresh org per test.
import { request as httpRequest } from "node:http";
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

const DAY = 24 * 3600 * 1000;
const MIN = 60 * 1000;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
// "2026-11-20T05:30:00+05:30" for 2026-11-20T00:00:00Z (offsetMin = +330).
const withOffset = (d: Date, offsetMin: number) => {
  const local = new Date(d.getTime() + offsetMin * MIN).toISOString().slice(0, 19);
  const sign = offsetMin >= 0 ? "+" : "-";
  const a = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
};
const B9_AT = new Date(Math.floor((Date.now() - DAY) / 1000) * 1000);

const post = (secret: string | null, body: unknown, headers?: Record<string, string>) =>
  api(server.url, "/api/v1/events", { secret, body, headers });

// Paths in a batch may be relative to the event (index given separately) or absolute (events[i].x).
const relPath = (path: string, index: number) => path.replace(new RegExp(`^events\\[${index}\\]\\.?`), "");

// Sends a raw body with node:http (chunked when no content-length is given).
function rawPost(
  path: string,
  headers: Record<string, string>,
  chunks: Buffer[],
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url + path);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    // The server may answer (413) and stop reading before we finish writing: not a test failure.
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ECONNRESET") reject(err);
    });
    (async () => {
      for (const c of chunks) {
        if (!req.write(c)) await new Promise((r) => req.once("drain", r));
      }
      req.end();
    })().catch(() => undefined);
  });
}

describe("single event: 422 names the bad field", () => {
  const longId = "x".repeat(129);
  const bigMetadata = { blob: "a".repeat(4200) };
  const manyKeys = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"]));
  const cases: [string, Record<string, unknown>, string][] = [
    ["negative prompt_tokens", ev("v1", { usage: { prompt_tokens: -5, completion_tokens: 1 } }), "usage.prompt_tokens"],
    ["non-integer prompt_tokens", ev("v2", { usage: { prompt_tokens: 1.5, completion_tokens: 1 } }), "usage.prompt_tokens"],
    ["string completion_tokens", ev("v3", { usage: { prompt_tokens: 1, completion_tokens: "12" } }), "usage.completion_tokens"],
    ["negative canonical input_tokens", ev("v4", { usage: { input_tokens: -1, output_tokens: 1, cache_read_tokens: 0 } }), "usage.input_tokens"],
    ["non-integer canonical output_tokens", ev("v5", { usage: { input_tokens: 1, output_tokens: 2.5, cache_read_tokens: 0 } }), "usage.output_tokens"],
    ["negative cache_read_tokens", ev("v6", { usage: { input_tokens: 1, output_tokens: 1, cache_read_tokens: -3 } }), "usage.cache_read_tokens"],
    ["negative anthropic cache_read_input_tokens", ev("v7", { usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: -3 } }), "usage.cache_read_input_tokens"],
    ["non-integer nested cached_tokens", ev("v8", { usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 1.5 } } }), "usage.prompt_tokens_details.cached_tokens"],
    ["timestamp not a date", ev("v9", { timestamp: "yesterday" }), "timestamp"],
    ["timestamp older than 35 days", ev("v10", { timestamp: iso(-35 * DAY - 10 * MIN) }), "timestamp"],
    ["timestamp more than 5 min ahead", ev("v11", { timestamp: iso(6 * MIN) }), "timestamp"],
    ["model missing for default kind llm", { id: "v12", usage: { prompt_tokens: 1, completion_tokens: 1 } }, "model"],
    ["model missing for kind llm", { id: "v13", kind: "llm", cost_usd: 0.01 }, "model"],
    ["unknown field", ev("v14", { executionId: "x1" }), "executionId"],
    ["metadata with 33 keys", ev("v15", { metadata: manyKeys }), "metadata"],
    ["metadata larger than 4 KiB", ev("v16", { metadata: bigMetadata }), "metadata"],
    ["metadata not an object", ev("v17", { metadata: "hello" }), "metadata"],
    ["negative cost_usd number", ev("v18", { cost_usd: -0.01 }), "cost_usd"],
    ["negative cost_usd string", ev("v19", { cost_usd: "-1" }), "cost_usd"],
    ["cost_usd garbage", ev("v20", { cost_usd: "abc" }), "cost_usd"],
    ["id longer than 128 chars", ev(longId), "id"],
    ["id missing", { model: "gpt-4o", usage: { prompt_tokens: 1 } }, "id"],
    ["id empty", ev(""), "id"],
    ["id not a string", ev("x", { id: 12345 }), "id"],
    ["kind not llm|tool", ev("v21", { kind: "chat" }), "kind"],
    ["status not ok|error", ev("v22", { status: "failed" }), "status"],
    ["attempt 0", ev("v23", { attempt: 0 }), "attempt"],
    ["attempt non-integer", ev("v24", { attempt: 1.5 }), "attempt"],
    ["latency_ms negative", ev("v25", { latency_ms: -1 }), "latency_ms"],
    ["team not a string", ev("v26", { team: 42 }), "team"],
    ["usage not an object", ev("v27", { usage: [1, 2] }), "usage"],
    ["timestamp on a day that does not exist", ev("v28", { timestamp: "2026-02-30T00:00:00Z" }), "timestamp"],
    ["timestamp in year 0000", ev("v29", { timestamp: "0000-01-01T00:00:00Z" }), "timestamp"],
    ["timestamp in year 10000", ev("v30", { timestamp: "10000-01-01T00:00:00Z" }), "timestamp"],
    ["attempt past int4", ev("v31", { attempt: 2_147_483_648 }), "attempt"],
    ["latency_ms past int4", ev("v32", { latency_ms: 2_147_483_648 }), "latency_ms"],
  ];

  test("each bad field gives 422 with details[*].path naming it, and nothing is stored", async () => {
    const { org, secret } = await createTestOrg();
    const failures: string[] = [];
    for (const [name, body, path] of cases) {
      const res = await post(secret, body);
      const details: any[] = Array.isArray(res.body?.error?.details) ? res.body.error.details : [];
      const paths = details.map((d) => relPath(String(d.path), 0));
      if (res.status !== 422) failures.push(`${name}: status ${res.status} ${JSON.stringify(res.body)}`);
      else if (!paths.includes(path)) failures.push(`${name}: expected path '${path}', got ${JSON.stringify(paths)}`);
      else {
        expectErrorShape(res.body);
        for (const d of details) expect(typeof d.message).toBe("string");
      }
    }
    expect(failures).toEqual([]);
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("boundary values are accepted", async () => {
    const { org, secret } = await createTestOrg();
    const ok: Record<string, unknown>[] = [
      ev("a".repeat(128)),
      ev("b1", { timestamp: iso(-35 * DAY + 10 * MIN) }),
      ev("b2", { timestamp: iso(4 * MIN) }),
      ev("b3", { metadata: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, "v"])) }),
      ev("b4", { metadata: { blob: "a".repeat(3900) } }),
      { id: "b5", kind: "tool", tool: "grep" },
      ev("b6", { cost_usd: 0 }),
      ev("b7", { cost_usd: "0.000000000001" }),
      ev("b8", { usage: { prompt_tokens: 0, completion_tokens: 0 } }),
      ev("b9", { timestamp: withOffset(B9_AT, 330) }),
      ev("b10", { attempt: 100_000, latency_ms: 86_400_000 }),
    ];
    for (const body of ok) {
      const res = await post(secret, body);
      expect(res.status, `${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.accepted).toBe(1);
      expect(res.body.duplicates).toBe(0);
      expect(res.body.rejected).toEqual([]);
    }
    expect((await storedEventIds(org.id)).length).toBe(ok.length);
    // An offset timestamp is stored as the instant it names.
    const { rows } = await pool().query(`SELECT "occurredAt" FROM "UsageEvent" WHERE "orgId" = $1 AND "eventId" = 'b9'`, [org.id]);
    expect((rows[0].occurredAt as Date).toISOString()).toBe(B9_AT.toISOString());
  });

  test("200 response has the documented shape", async () => {
    const { secret } = await createTestOrg();
    const res = await post(secret, ev("shape-1", { execution_id: "ex-shape", cost_usd: "0.25" }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    expect(Array.isArray(res.body.budgets)).toBe(true);
    expect(res.body.execution).toMatchObject({ id: "ex-shape" });
    expect(typeof res.body.execution.cost_usd).toBe("string");
    expect(res.body.execution.cost_usd).toMatch(/^0\.250*$/);
    expect(["ok", "warning", "exceeded", "blocked"]).toContain(res.body.execution.state);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });
});

describe("batches", () => {
  test("some bad events → 207 with rejected[{index,id,errors[{path,message}]}], the good ones stored", async () => {
    const { org, secret } = await createTestOrg();
    const res = await post(secret, {
      events: [
        ev("g0"),
        ev("b1", { usage: { prompt_tokens: -1, completion_tokens: 1 } }),
        ev("g2", { cost_usd: "0.5" }),
        { id: "b3", usage: { prompt_tokens: 1 } },
        { model: "gpt-4o" },
        ev("g5", { kind: "tool", model: undefined }),
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(207);
    expect(res.body.accepted).toBe(3);
    expect(res.body.duplicates).toBe(0);
    const rejected = res.body.rejected as any[];
    expect(rejected.map((r) => r.index)).toEqual([1, 3, 4]);
    expect(rejected.map((r) => r.id)).toEqual(["b1", "b3", null]);
    for (const r of rejected) {
      expect(Object.keys(r).sort()).toEqual(["errors", "id", "index"]);
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) {
        expect(typeof e.path).toBe("string");
        expect(typeof e.message).toBe("string");
      }
    }
    expect(rejected[0].errors.map((e: any) => relPath(e.path, 1))).toContain("usage.prompt_tokens");
    expect(rejected[1].errors.map((e: any) => relPath(e.path, 3))).toContain("model");
    expect(rejected[2].errors.map((e: any) => relPath(e.path, 4))).toContain("id");
    expect(await storedEventIds(org.id)).toEqual(["g0", "g2", "g5"]);
  });

  test("all events bad → 422 whose details carry index and path", async () => {
    const { org, secret } = await createTestOrg();
    const res = await post(secret, {
      events: [ev("a0", { timestamp: iso(-40 * DAY) }), ev("a1", { cost_usd: -1 }), ev("a2", { bogus: true })],
    });
    expect(res.status).toBe(422);
    expectErrorShape(res.body);
    const details = res.body.error.details as any[];
    expect(Array.isArray(details)).toBe(true);
    const byIndex = new Map<number, string[]>();
    for (const d of details) {
      expect(typeof d.index).toBe("number");
      byIndex.set(d.index, [...(byIndex.get(d.index) ?? []), relPath(d.path, d.index)]);
    }
    expect([...byIndex.keys()].sort()).toEqual([0, 1, 2]);
    expect(byIndex.get(0)).toContain("timestamp");
    expect(byIndex.get(1)).toContain("cost_usd");
    expect(byIndex.get(2)).toContain("bogus");
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("1000 events are accepted; 1001 → 413 and nothing stored", async () => {
    const { org, secret } = await createTestOrg();
    const mk = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ id: `${p}${i}`, kind: "tool", cost_usd: "0.001" }));
    const over = await post(secret, { events: mk(1001, "o") });
    expect(over.status).toBe(413);
    expectErrorShape(over.body);
    expect(await storedEventIds(org.id)).toEqual([]);
    const ok = await post(secret, { events: mk(1000, "k") });
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(1000);
    expect((await storedEventIds(org.id)).length).toBe(1000);
  });

  test("a body over 1 MiB → 413 (with content-length), nothing stored", async () => {
    const { org, secret } = await createTestOrg();
    // 300 events × ~3.9 KiB metadata ≈ 1.2 MiB, each event itself valid.
    const events = Array.from({ length: 300 }, (_, i) => ev(`big${i}`, { metadata: { blob: "m".repeat(3900) } }));
    const body = JSON.stringify({ events });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    const res = await api(server.url, "/api/v1/events", { secret, rawBody: body, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expectErrorShape(res.body);
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("a body over 1 MiB sent chunked (no content-length) → 413", async () => {
    const { org, secret } = await createTestOrg();
    const events = Array.from({ length: 300 }, (_, i) => ev(`chunk${i}`, { metadata: { blob: "m".repeat(3900) } }));
    const buf = Buffer.from(JSON.stringify({ events }));
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 64 * 1024) chunks.push(buf.subarray(i, i + 64 * 1024));
    const res = await rawPost("/api/v1/events", { authorization: `Bearer ${secret}`, "content-type": "application/json", "transfer-encoding": "chunked" }, chunks);
    expect(res.status).toBe(413);
    expectErrorShape(res.body);
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("batch envelope errors: events not an array, empty, extra top-level field → 422", async () => {
    const { secret } = await createTestOrg();
    for (const body of [{ events: "x" }, { events: [] }, { events: [ev("e1")], extra: 1 }]) {
      const res = await post(secret, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expectErrorShape(res.body);
    }
  });
});

describe("transport errors", () => {
  test("415 for a non-JSON content type (text/plain, none)", async () => {
    const { org, secret } = await createTestOrg();
    const json = JSON.stringify(ev("ct1"));
    const plain = await api(server.url, "/api/v1/events", { secret, rawBody: json, headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
    expectErrorShape(plain.body);
    const form = await api(server.url, "/api/v1/events", { secret, rawBody: "id=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    expectErrorShape(form.body);
    const none = await api(server.url, "/api/v1/events", { secret, rawBody: Buffer.from(json), method: "POST" });
    expect(none.status).toBe(415);
    expectErrorShape(none.body);
    // With charset parameter it is JSON.
    const ok = await api(server.url, "/api/v1/events", { secret, rawBody: json, headers: { "content-type": "application/json; charset=utf-8" } });
    expect(ok.status).toBe(200);
    expect(await storedEventIds(org.id)).toEqual(["ct1"]);
  });

  test("400 for malformed JSON and for an empty body", async () => {
    const { org, secret } = await createTestOrg();
    for (const raw of ['{"id": "x",', "{id: 'x'}", "", "nul"]) {
      const res = await api(server.url, "/api/v1/events", { secret, rawBody: raw, method: "POST", headers: { "content-type": "application/json" } });
      expect(res.status, JSON.stringify(raw)).toBe(400);
      expectErrorShape(res.body);
    }
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("400 for a body that is JSON but neither an event nor a batch (array, number, string, null)", async () => {
    const { org, secret } = await createTestOrg();
    for (const raw of ["[]", '[{"id":"a","model":"gpt-4o"}]', "42", '"event"', "null"]) {
      const res = await api(server.url, "/api/v1/events", { secret, rawBody: raw, headers: { "content-type": "application/json" } });
      expect(res.status, raw).toBe(400);
      expectErrorShape(res.body);
    }
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("404 and 405 use the error shape", async () => {
    const { secret } = await createTestOrg();
    const notFound = await api(server.url, "/api/v1/nope", { secret });
    expect(notFound.status).toBe(404);
    expectErrorShape(notFound.body);
    const wrongMethod = await api(server.url, "/api/v1/events", { secret, method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expectErrorShape(wrongMethod.body);
  });
});

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
