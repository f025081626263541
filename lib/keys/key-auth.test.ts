// Contract tests of API-key authentication on the machine routes (docs/api.md): missing, unknown,
// revoked and expired keys, scopes and rpm limits — real HTTP, a real Postgres, a fresh org per test.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ev, expectErrorShape, sleep, storedEventIds } from "../testing/events-api";
import { createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { generateKey } from "./generate";
import { revokeKey } from "./issue";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string | null, body: unknown, headers?: Record<string, string>) =>
  api(server.url, "/api/v1/events", { secret, body, headers });

describe("authentication and scopes", () => {
  test("401 for a missing, malformed or unknown key (events and read routes)", async () => {
    const { org } = await createTestOrg();
    const unknown = generateKey().secret; // well-formed, never issued
    const attempts: { secret?: string | null; headers?: Record<string, string> }[] = [
      { secret: null },
      { secret: "br_short" },
      { secret: "not-a-key-at-all-0000000000000000000000000000000" },
      { secret: unknown },
      { headers: { authorization: `Basic ${Buffer.from("u:p").toString("base64")}` } },
      { headers: { authorization: "Bearer" } },
    ];
    for (const a of attempts) {
      const ev1 = await api(server.url, "/api/v1/events", { secret: a.secret, headers: a.headers, body: ev("auth1") });
      expect(ev1.status, JSON.stringify(a)).toBe(401);
      expectErrorShape(ev1.body);
      for (const path of ["/api/v1/spend", "/api/v1/executions"]) {
        const r = await api(server.url, path, { secret: a.secret, headers: a.headers });
        expect(r.status, `${path} ${JSON.stringify(a)}`).toBe(401);
        expectErrorShape(r.body);
      }
    }
    expect(await storedEventIds(org.id)).toEqual([]);
  });

  test("401 is answered before the body is judged (bad JSON, wrong content type)", async () => {
    const r1 = await api(server.url, "/api/v1/events", { secret: null, rawBody: "{oops", headers: { "content-type": "application/json" } });
    expect(r1.status).toBe(401);
    const r2 = await api(server.url, "/api/v1/events", { secret: null, rawBody: "x", headers: { "content-type": "text/plain" } });
    expect(r2.status).toBe(401);
  });

  test("a revoked key fails within 1.1 s", async () => {
    const { org, key, secret } = await createTestOrg();
    const before = await post(secret, ev("rv1"));
    expect(before.status).toBe(200);
    expect(await revokeKey(org.id, key.prefix)).toBe(1);
    await sleep(1100);
    const after = await post(secret, ev("rv2"));
    expect(after.status).toBe(401);
    expectErrorShape(after.body);
    const read = await api(server.url, "/api/v1/spend", { secret });
    expect(read.status).toBe(401);
    expect(await storedEventIds(org.id)).toEqual(["rv1"]);
  });

  test("an expired key is refused, and a key that expires while cached stops working", async () => {
    const { org } = await createTestOrg();
    const expired = await createTestKey({ orgId: org.id, name: "old", scopes: ["ingest", "read"], expiresAt: new Date(Date.now() - 1000) });
    const r = await post(expired.secret, ev("ex1"));
    expect(r.status).toBe(401);
    expectErrorShape(r.body);
    const expiresAt = new Date(Date.now() + 1500);
    const soon = await createTestKey({ orgId: org.id, name: "soon", scopes: ["ingest", "read"], expiresAt });
    expect((await post(soon.secret, ev("ex2"))).status).toBe(200);
    await sleep(expiresAt.getTime() - Date.now() + 50);
    const late = await post(soon.secret, ev("ex3"));
    expect(late.status).toBe(401);
    expectErrorShape(late.body);
    expect(await storedEventIds(org.id)).toEqual(["ex2"]);
  });

  test("403 when the key lacks the scope", async () => {
    const { org, secret: ingestOnly } = await createTestOrg({ scopes: ["ingest"] });
    for (const path of ["/api/v1/spend", "/api/v1/executions", "/api/v1/spend?group_by=team"]) {
      const r = await api(server.url, path, { secret: ingestOnly });
      expect(r.status, path).toBe(403);
      expectErrorShape(r.body);
    }
    const readOnly = await createTestKey({ orgId: org.id, name: "reader", scopes: ["read"] });
    const w = await post(readOnly.secret, ev("sc1"));
    expect(w.status).toBe(403);
    expectErrorShape(w.body);
    expect(await storedEventIds(org.id)).toEqual([]);
    // The default scope of a new key is ingest only.
    const dflt = await createTestKey({ orgId: org.id, name: "default" });
    expect((await api(server.url, "/api/v1/spend", { secret: dflt.secret })).status).toBe(403);
    expect((await post(dflt.secret, ev("sc2"))).status).toBe(200);
  });

  test("429 with Retry-After when a key exceeds its rpm limit", async () => {
    const { org } = await createTestOrg();
    const limited = await createTestKey({ orgId: org.id, name: "limited", scopes: ["ingest", "read"], rpmLimit: 2 });
    expect((await post(limited.secret, ev("rl1"))).status).toBe(200);
    expect((await post(limited.secret, ev("rl2"))).status).toBe(200);
    const third = await post(limited.secret, ev("rl3"));
    expect(third.status).toBe(429);
    expectErrorShape(third.body);
    const retryAfter = Number(third.headers.get("retry-after"));
    // A sliding minute: the two hits weigh until enough of the next minute has passed (≤ 2 min).
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120).toBe(true);
    expect(await storedEventIds(org.id)).toEqual(["rl1", "rl2"]);
  });
});

// A field value that passes validation must never make the database fail the request (500), and
// one odd event must never cost its neighbours in a batch: each is either stored or rejected (422/207).
