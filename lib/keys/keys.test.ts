// Virtual keys (docs/architecture.md §4, docs/api.md): "br_" + base62 of ≥ 32 random bytes, shown once, only its SHA-256
// stored, a short prefix shown, expiry and revocation honoured by every machine route.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { generateKey } from "./generate";
import { issueKey, revokeKey } from "./issue";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
// 62^n ≥ 2^256 ⇔ n ≥ 256 / log2(62) ≈ 42.99
const MIN_BASE62_CHARS = Math.ceil(256 / Math.log2(62));

const postEvent = (secret: string, id: string) => api(server.url, "/api/v1/events", { secret, body: { id, kind: "tool", cost_usd: "0.01" } });
const readSpend = (secret: string) => api(server.url, "/api/v1/spend", { secret });

describe("secret format", () => {
  test("br_ + base62 carrying at least 256 bits, all distinct", () => {
    const secrets = Array.from({ length: 500 }, () => generateKey().secret);
    for (const s of secrets) {
      expect(s).toMatch(/^br_[0-9A-Za-z]+$/);
      expect(s.length - 3).toBeGreaterThanOrEqual(MIN_BASE62_CHARS);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
    // Not a constant-padded or low-entropy string: every base62 character shows up across the set,
    // and each position (after any padding digit) varies.
    const body = secrets.map((s) => s.slice(3));
    expect(new Set(body.join("")).size).toBe(62);
    for (let pos = 1; pos < MIN_BASE62_CHARS; pos++) {
      expect(new Set(body.map((b) => b[pos])).size, `position ${pos}`).toBeGreaterThan(30);
    }
  });

  test("issueKey returns the secret once; the row holds only its SHA-256 and a short prefix", async () => {
    const { org } = await createTestOrg();
    const issued = await issueKey({ orgId: org.id, name: "ci agent", scopes: ["ingest", "read"] });
    expect(issued.secret).toMatch(/^br_[0-9A-Za-z]+$/);
    expect(issued.secret.length - 3).toBeGreaterThanOrEqual(MIN_BASE62_CHARS);
    // The prefix is shown in lists: it starts the secret, and is far too short to be the secret.
    expect(issued.secret.startsWith(issued.prefix)).toBe(true);
    expect(issued.prefix.startsWith("br_")).toBe(true);
    expect(issued.prefix.length).toBeLessThanOrEqual(16);
    expect(issued.secret.length - issued.prefix.length).toBeGreaterThanOrEqual(32);

    const { rows } = await pool().query(`SELECT row_to_json(k)::text AS json, hash FROM "VirtualKey" k WHERE id = $1`, [issued.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).toBe(sha256(issued.secret));
    const rowText: string = rows[0].json;
    const secretBody = issued.secret.slice(issued.prefix.length);
    expect(rowText.includes(issued.secret)).toBe(false);
    // No long piece of the unshown part of the secret is stored either (plain, reversed, base64 or hex).
    for (let i = 0; i + 12 <= secretBody.length; i += 4) {
      const piece = secretBody.slice(i, i + 12);
      expect(rowText.includes(piece), `secret piece ${piece} found in row`).toBe(false);
    }
    expect(rowText.includes(Buffer.from(issued.secret).toString("base64"))).toBe(false);
    expect(rowText.includes(Buffer.from(issued.secret).toString("hex"))).toBe(false);
    expect(rowText.includes([...issued.secret].reverse().join(""))).toBe(false);

    // Nor in the audit log of the issue.
    const audit = await pool().query(`SELECT row_to_json(a)::text AS json FROM "AuditLog" a WHERE "orgId" = $1`, [org.id]);
    for (const r of audit.rows) expect(r.json.includes(secretBody.slice(0, 12))).toBe(false);
  });

  test("the secret authenticates; its prefix, a one-character change, or the hash do not", async () => {
    const { org } = await createTestOrg();
    const issued = await issueKey({ orgId: org.id, name: "k", scopes: ["ingest", "read"] });
    expect((await readSpend(issued.secret)).status).toBe(200);
    const last = issued.secret.at(-1)!;
    const flipped = issued.secret.slice(0, -1) + (last === "a" ? "b" : "a");
    for (const wrong of [issued.prefix, flipped, sha256(issued.secret), `${issued.secret}x`, issued.secret.toLowerCase() === issued.secret ? issued.secret.toUpperCase() : issued.secret.toLowerCase()]) {
      const r = await readSpend(wrong);
      expect(r.status, wrong).toBe(401);
      expect(r.body.error.code).toBeTypeOf("string");
    }
    // Extra spaces after the scheme are tolerated and the scheme is case-insensitive (RFC 7235).
    expect((await api(server.url, "/api/v1/spend", { headers: { authorization: `bearer   ${issued.secret}` } })).status).toBe(200);
  });
});

describe("expiry and revocation", () => {
  test("an expired key gets 401 on every route", async () => {
    const { org } = await createTestOrg();
    const key = await createTestKey({ orgId: org.id, name: "expired", scopes: ["ingest", "read"], expiresAt: new Date(Date.now() - 60_000) });
    for (const r of [await postEvent(key.secret, "e1"), await readSpend(key.secret), await api(server.url, "/api/v1/executions", { secret: key.secret })]) {
      expect(r.status).toBe(401);
      expect(Object.keys(r.body)).toEqual(["error"]);
    }
  });

  test("a key expiring in 1.2 s works until then and is refused right after", async () => {
    const { org } = await createTestOrg();
    const expiresAt = new Date(Date.now() + 1200);
    const key = await createTestKey({ orgId: org.id, name: "short", scopes: ["ingest", "read"], expiresAt });
    expect((await postEvent(key.secret, "before")).status).toBe(200);
    expect((await readSpend(key.secret)).status).toBe(200);
    await sleep(expiresAt.getTime() - Date.now() + 20);
    expect((await postEvent(key.secret, "after")).status).toBe(401);
    expect((await readSpend(key.secret)).status).toBe(401);
  });

  test("a revoked key is refused within 1.1 s on every route, other keys of the org keep working", async () => {
    const { org, key, secret } = await createTestOrg();
    const other = await createTestKey({ orgId: org.id, name: "other", scopes: ["ingest", "read"] });
    // Warm any cache first.
    expect((await postEvent(secret, "w1")).status).toBe(200);
    expect((await readSpend(secret)).status).toBe(200);
    expect(await revokeKey(org.id, key.prefix)).toBe(1);
    await sleep(1100);
    expect((await postEvent(secret, "w2")).status).toBe(401);
    expect((await readSpend(secret)).status).toBe(401);
    expect((await api(server.url, "/api/v1/executions", { secret })).status).toBe(401);
    expect((await postEvent(other.secret, "w3")).status).toBe(200);
    // Revoking again is a no-op; the key stays revoked.
    expect(await revokeKey(org.id, key.prefix)).toBe(0);
    const { rows } = await pool().query(`SELECT "revokedAt" FROM "VirtualKey" WHERE id = $1`, [key.id]);
    expect(rows[0].revokedAt).toBeInstanceOf(Date);
  });

  test("another org cannot revoke a key by its prefix", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    expect(await revokeKey(b.org.id, a.key.prefix)).toBe(0);
    await sleep(1100);
    expect((await readSpend(a.secret)).status).toBe(200);
  });
});
