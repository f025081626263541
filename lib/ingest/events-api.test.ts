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
