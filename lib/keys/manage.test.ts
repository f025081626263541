// Virtual keys in the browser (issue 3 §3, §5, §6): issue (secret shown once, only its SHA-256
// stored), MEMBERs limited to their own teams, revoke effective within 1 s, rotate with a grace
// period, audit rows, and the keys list with spend this month. Checked through the real machine API.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orgAccess } from "../auth/membership";
import { pool, prisma } from "../db";
import type { Role } from "../generated/prisma/enums";
import { setMemberTeams } from "../orgs/members";
import { periodStarts } from "../reports/periods";
import { addMember, createCostCenter, createTeam, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { issueKeyAs, listKeys, revokeKeyAs, rotateKeyAs, type TKeyInput } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const uniq = () => randomBytes(5).toString("hex");
const HOUR = 3600_000;
// The issue's bound: no cache may keep a revoked key valid for more than 1 s (plus a request's slack).
const REVOKE_BOUND_MS = 1100;

const postEvent = (secret: string, extra: Record<string, unknown> = {}) =>
  api(server.url, "/api/v1/events", { secret, body: { id: `ev-${uniq()}`, kind: "tool", cost_usd: "0.01", ...extra } });

const keyInput = (over: Partial<TKeyInput> = {}): TKeyInput => ({
  name: `key-${uniq()}`,
  teamId: null,
  costCenterId: null,
  scopes: ["ingest"],
  expiresAt: null,
  allowedModels: [],
  rpmLimit: null,
  defaultAgent: null,
  ...over,
});

async function accessAs(orgId: string, slug: string, role: Role, email?: string) {
  const user = await createUser(email);
  await addMember(orgId, user.id, role);
  const access = await orgAccess(user.id, slug);
  if (!access) throw new Error("no access");
  return { user, access };
}

// An org with an OWNER, an ADMIN, a MEMBER in team A (not B), and teams A and B.
async function world(options: { timezone?: string } = {}) {
  const { org, secret: readerSecret } = await createTestOrg({ timezone: options.timezone });
  const owner = await accessAs(org.id, org.slug, "OWNER");
  const admin = await accessAs(org.id, org.slug, "ADMIN");
  const member = await accessAs(org.id, org.slug, "MEMBER");
  const teamA = await createTeam(org.id, `a-${uniq()}`);
  const teamB = await createTeam(org.id, `b-${uniq()}`);
  await setMemberTeams(admin.access, { membershipId: member.access.membershipId, teamIds: [teamA.id] });
  return { org, readerSecret, owner, admin, member, teamA, teamB };
}

// Posts with `secret` until it is refused; returns the ms from `since` to the first 401 (or null).
async function msUntilRefused(secret: string, since: number, limitMs = 2500): Promise<{ ms: number | null; body: any }> {
  while (performance.now() - since < limitMs) {
    const r = await postEvent(secret);
    if (r.status === 401) return { ms: performance.now() - since, body: r.body };
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await sleep(25);
  }
  return { ms: null, body: null };
}

async function auditRows(orgId: string, action: string) {
  return prisma().auditLog.findMany({ where: { orgId, action }, orderBy: { createdAt: "asc" } });
}

describe("issuing", () => {
  test("the secret is returned once; the row holds only its SHA-256 (and neither the list nor the audit log shows it)", async () => {
    const w = await world();
    const issued = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id, scopes: ["ingest", "read"] }));
    expect(issued.secret).toMatch(/^br_[0-9A-Za-z]{40,}$/);
    expect(issued.secret.startsWith(issued.prefix)).toBe(true);

    const { rows } = await pool().query(`SELECT row_to_json(k)::text AS json, hash FROM "VirtualKey" k WHERE id = $1`, [issued.id]);
    expect(rows[0].hash).toBe(sha256(issued.secret));
    const body = issued.secret.slice(issued.prefix.length);
    for (let i = 0; i + 12 <= body.length; i += 4) expect(rows[0].json.includes(body.slice(i, i + 12)), "piece of the secret in the row").toBe(false);

    const listed = JSON.stringify(await listKeys(w.org));
    expect(listed.includes(body.slice(0, 12))).toBe(false);
    expect(listed.includes(rows[0].hash)).toBe(false);
    const audit = await pool().query(`SELECT row_to_json(a)::text AS json FROM "AuditLog" a WHERE "orgId" = $1`, [w.org.id]);
    for (const r of audit.rows) expect(r.json.includes(body.slice(0, 12))).toBe(false);

    // And it works.
    expect((await postEvent(issued.secret)).status).toBe(200);
  });

  test("the settings given are the settings stored", async () => {
    const w = await world();
    const cc = await createCostCenter(w.org.id, `CC-${uniq()}`);
    const expiresAt = new Date(Date.now() + 30 * 24 * HOUR);
    const issued = await issueKeyAs(
      w.owner.access,
      keyInput({ name: "ci", teamId: w.teamB.id, costCenterId: cc.id, scopes: ["ingest", "read"], expiresAt, allowedModels: ["gpt-4o"], rpmLimit: 120, defaultAgent: "ci-bot" }),
    );
    expect(await prisma().virtualKey.findUniqueOrThrow({ where: { id: issued.id } })).toMatchObject({
      orgId: w.org.id, name: "ci", teamId: w.teamB.id, costCenterId: cc.id, scopes: ["ingest", "read"], expiresAt, allowedModels: ["gpt-4o"],
      rpmLimit: 120, defaultAgent: "ci-bot", createdBy: w.owner.user.id, revokedAt: null,
    });
  });

  test("key.issued is audited with the actor", async () => {
    const w = await world();
    const issued = await issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id }));
    expect(await auditRows(w.org.id, "key.issued")).toEqual(
      expect.arrayContaining([expect.objectContaining({ actorId: w.member.user.id, targetType: "VirtualKey", targetId: issued.id })]),
    );
  });

  test("a MEMBER issues a key for its own team", async () => {
    const w = await world();
    const issued = await issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id }));
    expect(await prisma().virtualKey.findUniqueOrThrow({ where: { id: issued.id } })).toMatchObject({ teamId: w.teamA.id, createdBy: w.member.user.id });
    expect((await postEvent(issued.secret)).status).toBe(200);
  });

  test("a MEMBER is refused for another team and for no team; nothing is created or audited", async () => {
    const w = await world();
    const before = await prisma().virtualKey.count({ where: { orgId: w.org.id } });
    const auditBefore = await prisma().auditLog.count({ where: { orgId: w.org.id } });
    await expect(issueKeyAs(w.member.access, keyInput({ teamId: w.teamB.id }))).rejects.toMatchObject({ code: "forbidden" });
    await expect(issueKeyAs(w.member.access, keyInput({ teamId: null }))).rejects.toMatchObject({ code: "forbidden" });
    expect(await prisma().virtualKey.count({ where: { orgId: w.org.id } })).toBe(before);
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id } })).toBe(auditBefore);
  });

  test("a MEMBER's right follows its teams: added to B it may issue for B, taken out of A it may not issue for A", async () => {
    const w = await world();
    await setMemberTeams(w.admin.access, { membershipId: w.member.access.membershipId, teamIds: [w.teamB.id] });
    await issueKeyAs(w.member.access, keyInput({ teamId: w.teamB.id }));
    await expect(issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id }))).rejects.toMatchObject({ code: "forbidden" });
  });

  test("a MEMBER of a same-named team in another org gets nothing here", async () => {
    const w = await world();
    const other = await world();
    // The member's membership in org `other` is in other.teamA; it uses that id inside its own org.
    await expect(issueKeyAs(w.member.access, keyInput({ teamId: other.teamA.id }))).rejects.toMatchObject({ code: "invalid_request" });
    await expect(issueKeyAs(w.admin.access, keyInput({ teamId: other.teamA.id }))).rejects.toMatchObject({ code: "invalid_request" });
  });

  test("a MEMBER cannot charge its key to a cost center other than its team's (cost centers are for admins)", async () => {
    const w = await world();
    const teamCc = await createCostCenter(w.org.id, `TEAM-${uniq()}`);
    const financeCc = await createCostCenter(w.org.id, `FIN-${uniq()}`);
    await prisma().team.update({ where: { id: w.teamA.id }, data: { costCenterId: teamCc.id } });
    // The key's own cost center wins over its team's at ingest, so this would move team A's spend.
    await expect(issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id, costCenterId: financeCc.id }))).rejects.toMatchObject({ code: "forbidden" });
    expect(await prisma().virtualKey.count({ where: { orgId: w.org.id, costCenterId: financeCc.id } })).toBe(0);
    // Its team's own cost center, or none (then the team's applies), is fine.
    await issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id, costCenterId: teamCc.id }));
    await issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id }));
    // An admin may.
    await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id, costCenterId: financeCc.id }));
  });

  test("ADMIN and OWNER issue for any team and for no team", async () => {
    const w = await world();
    await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamB.id }));
    await issueKeyAs(w.admin.access, keyInput({ teamId: null }));
    await issueKeyAs(w.owner.access, keyInput({ teamId: w.teamA.id }));
  });
});

describe("revoking", () => {
  test("the next request with a revoked key gets 401 within 1.1 s, and stays refused", async () => {
    const w = await world();
    const issued = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id }));
    // Warm every cache with a successful request just before the revocation.
    expect((await postEvent(issued.secret)).status).toBe(200);
    await revokeKeyAs(w.admin.access, issued.id);
    const { ms, body } = await msUntilRefused(issued.secret, performance.now());
    expect(ms, "ms until the revoked key was refused").not.toBeNull();
    expect(ms!, `refused after ${Math.round(ms!)} ms`).toBeLessThanOrEqual(REVOKE_BOUND_MS);
    expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.stringMatching(/revoked/i) } });
    for (let i = 0; i < 3; i++) {
      await sleep(300);
      expect((await postEvent(issued.secret)).status).toBe(401);
    }
    expect(await prisma().virtualKey.findUniqueOrThrow({ where: { id: issued.id } })).toMatchObject({ revokedAt: expect.any(Date) });
  });

  test("key.revoked is audited once with the actor; revoking again is a no-op", async () => {
    const w = await world();
    const issued = await issueKeyAs(w.admin.access, keyInput());
    await revokeKeyAs(w.owner.access, issued.id);
    const first = await prisma().virtualKey.findUniqueOrThrow({ where: { id: issued.id } });
    await revokeKeyAs(w.owner.access, issued.id);
    expect(await prisma().virtualKey.findUniqueOrThrow({ where: { id: issued.id } })).toMatchObject({ revokedAt: first.revokedAt });
    expect(await auditRows(w.org.id, "key.revoked")).toEqual([expect.objectContaining({ actorId: w.owner.user.id, targetId: issued.id })]);
  });

  test("a MEMBER revokes a key of its own team, not one of another team nor a team-less key", async () => {
    const w = await world();
    const own = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id }));
    const foreign = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamB.id }));
    const teamless = await issueKeyAs(w.admin.access, keyInput({ teamId: null }));
    await expect(revokeKeyAs(w.member.access, foreign.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(revokeKeyAs(w.member.access, teamless.id)).rejects.toMatchObject({ code: "forbidden" });
    await revokeKeyAs(w.member.access, own.id);
    const rows = await prisma().virtualKey.findMany({ where: { id: { in: [own.id, foreign.id, teamless.id] } } });
    const revoked = Object.fromEntries(rows.map((r) => [r.id, r.revokedAt !== null]));
    expect(revoked).toEqual({ [own.id]: true, [foreign.id]: false, [teamless.id]: false });
    expect((await postEvent(foreign.secret)).status).toBe(200);
    expect(await auditRows(w.org.id, "key.revoked")).toHaveLength(1);
  });

  test("a key of another org is not found, and stays valid", async () => {
    const w = await world();
    const other = await world();
    const theirs = await issueKeyAs(other.admin.access, keyInput());
    await expect(revokeKeyAs(w.owner.access, theirs.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(rotateKeyAs(w.owner.access, theirs.id, 0)).rejects.toMatchObject({ code: "not_found" });
    expect((await postEvent(theirs.secret)).status).toBe(200);
  });
});

describe("rotating", () => {
  test("grace 0: the old key is refused within 1.1 s, the new one works at once", async () => {
    const w = await world();
    const old = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id }));
    expect((await postEvent(old.secret)).status).toBe(200);
    const rotated = await rotateKeyAs(w.admin.access, old.id, 0);
    const since = performance.now();
    expect(rotated.secret).not.toBe(old.secret);
    expect(rotated.id).not.toBe(old.id);
    expect((await postEvent(rotated.secret)).status).toBe(200);
    const { ms } = await msUntilRefused(old.secret, since);
    expect(ms, "ms until the rotated-out key was refused").not.toBeNull();
    expect(ms!, `refused after ${Math.round(ms!)} ms`).toBeLessThanOrEqual(REVOKE_BOUND_MS);
    expect((await postEvent(rotated.secret)).status).toBe(200);
  });

  test("grace 2 h: the old key works now and expires in 2 h; moved into the past it is refused within 1.1 s", async () => {
    const w = await world();
    const old = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id }));
    expect((await postEvent(old.secret)).status).toBe(200);
    const before = Date.now();
    const rotated = await rotateKeyAs(w.admin.access, old.id, 2);
    const after = Date.now();
    expect((await postEvent(old.secret)).status).toBe(200);
    expect((await postEvent(rotated.secret)).status).toBe(200);

    const oldRow = await prisma().virtualKey.findUniqueOrThrow({ where: { id: old.id } });
    expect(oldRow.revokedAt).toBeNull();
    expect(oldRow.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 2 * HOUR - 1000);
    expect(oldRow.expiresAt!.getTime()).toBeLessThanOrEqual(after + 2 * HOUR + 1000);
    const states = Object.fromEntries((await listKeys(w.org)).map((k) => [k.id, k.state]));
    expect(states[old.id]).toBe("active");
    expect(states[rotated.id]).toBe("active");

    await prisma().virtualKey.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const { ms, body } = await msUntilRefused(old.secret, performance.now());
    expect(ms, "ms until the expired key was refused").not.toBeNull();
    expect(ms!, `refused after ${Math.round(ms!)} ms`).toBeLessThanOrEqual(REVOKE_BOUND_MS);
    expect(body.error.message).toMatch(/expired/i);
    expect((await postEvent(rotated.secret)).status).toBe(200);
    expect(Object.fromEntries((await listKeys(w.org)).map((k) => [k.id, k.state]))[old.id]).toBe("expired");
  });

  test("the grace period never extends a key that expires sooner", async () => {
    const w = await world();
    const soon = new Date(Date.now() + HOUR);
    const old = await issueKeyAs(w.admin.access, keyInput({ expiresAt: soon }));
    await rotateKeyAs(w.admin.access, old.id, 24);
    expect((await prisma().virtualKey.findUniqueOrThrow({ where: { id: old.id } })).expiresAt).toEqual(soon);
  });

  test("the new key keeps name, team, cost center, scopes and settings; only its secret is new", async () => {
    const w = await world();
    const cc = await createCostCenter(w.org.id, `CC-${uniq()}`);
    const expiresAt = new Date(Date.now() + 10 * 24 * HOUR);
    const old = await issueKeyAs(
      w.admin.access,
      keyInput({ name: "deploy bot", teamId: w.teamA.id, costCenterId: cc.id, scopes: ["ingest", "read"], expiresAt, allowedModels: ["claude-sonnet-4"], rpmLimit: 60, defaultAgent: "deployer" }),
    );
    const rotated = await rotateKeyAs(w.member.access, old.id, 1);
    const [a, b] = await Promise.all([old.id, rotated.id].map((id) => prisma().virtualKey.findUniqueOrThrow({ where: { id } })));
    const settings = (k: typeof a) => ({ orgId: k.orgId, name: k.name, teamId: k.teamId, costCenterId: k.costCenterId, scopes: k.scopes, allowedModels: k.allowedModels, rpmLimit: k.rpmLimit, defaultAgent: k.defaultAgent });
    expect(settings(b)).toEqual(settings(a));
    expect(b.expiresAt).toEqual(expiresAt);
    expect(b).toMatchObject({ rotatedFromId: old.id, createdBy: w.member.user.id, revokedAt: null });
    expect(b.hash).toBe(sha256(rotated.secret));
    expect(b.hash).not.toBe(a.hash);
    expect(rotated.secret.startsWith(rotated.prefix)).toBe(true);
    // It really carries the read scope and the default agent.
    expect((await api(server.url, "/api/v1/spend", { secret: rotated.secret })).status).toBe(200);
    const r = await postEvent(rotated.secret, { id: `ev-agent-${uniq()}` });
    expect(r.status).toBe(200);
    const { rows } = await pool().query(`SELECT agent, "teamId", "costCenterId" FROM "UsageEvent" WHERE "orgId" = $1 AND "keyId" = $2`, [w.org.id, rotated.id]);
    expect(rows).toEqual([{ agent: "deployer", teamId: w.teamA.id, costCenterId: cc.id }]);
  });

  test("key.rotated is audited with the actor, the old key as target and the new prefix", async () => {
    const w = await world();
    const old = await issueKeyAs(w.admin.access, keyInput());
    const rotated = await rotateKeyAs(w.owner.access, old.id, 3);
    const rows = await auditRows(w.org.id, "key.rotated");
    expect(rows).toEqual([expect.objectContaining({ actorId: w.owner.user.id, targetId: old.id, details: expect.objectContaining({ oldPrefix: old.prefix, newPrefix: rotated.prefix, graceHours: 3 }) })]);
    const secretBody = rotated.secret.slice(rotated.prefix.length, rotated.prefix.length + 12);
    expect(JSON.stringify(rows[0]).includes(secretBody)).toBe(false);
  });

  test("a revoked key cannot be rotated back to life", async () => {
    const w = await world();
    const old = await issueKeyAs(w.admin.access, keyInput());
    await revokeKeyAs(w.admin.access, old.id);
    const countBefore = await prisma().virtualKey.count({ where: { orgId: w.org.id } });
    await expect(rotateKeyAs(w.admin.access, old.id, 0)).rejects.toMatchObject({ code: "invalid_request" });
    expect(await prisma().virtualKey.count({ where: { orgId: w.org.id } })).toBe(countBefore);
  });

  test("a MEMBER cannot rotate a key of another team or a team-less key: no new key, the old one untouched", async () => {
    const w = await world();
    const foreign = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamB.id }));
    const teamless = await issueKeyAs(w.admin.access, keyInput());
    const countBefore = await prisma().virtualKey.count({ where: { orgId: w.org.id } });
    await expect(rotateKeyAs(w.member.access, foreign.id, 0)).rejects.toMatchObject({ code: "forbidden" });
    await expect(rotateKeyAs(w.member.access, teamless.id, 2)).rejects.toMatchObject({ code: "forbidden" });
    expect(await prisma().virtualKey.count({ where: { orgId: w.org.id } })).toBe(countBefore);
    for (const id of [foreign.id, teamless.id]) {
      expect(await prisma().virtualKey.findUniqueOrThrow({ where: { id } })).toMatchObject({ revokedAt: null, expiresAt: null });
    }
    expect(await auditRows(w.org.id, "key.rotated")).toHaveLength(0);
    expect((await postEvent(foreign.secret)).status).toBe(200);
  });
});

describe("listKeys", () => {
  test("spend this month per key as an exact decimal string, in the org's time zone", async () => {
    // India is UTC+5:30: the month starts at 18:30 UTC, and rollup hours start at :30.
    const w = await world({ timezone: "Asia/Kolkata" });
    const busy = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamA.id }));
    const idle = await issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id }));
    const amounts = ["1.1", "0.000000000123", "2.25", "0.000000000877"];
    for (const cost_usd of amounts) expect((await postEvent(busy.secret, { cost_usd })).status).toBe(200);
    // Batch form too.
    const batch = await api(server.url, "/api/v1/events", {
      secret: busy.secret,
      body: { events: [{ id: `b1-${uniq()}`, kind: "tool", cost_usd: "0.1" }, { id: `b2-${uniq()}`, kind: "tool", cost_usd: 0.2 }] },
    });
    expect(batch.status).toBe(200);
    // 1.1 + 0.000000000123 + 2.25 + 0.000000000877 + 0.1 + 0.2, summed exactly.
    let expected = "3.650000001";
    // Last month in Kolkata (10 minutes before its month started) does not count; 10 minutes after does.
    const { monthStart } = await periodStarts("Asia/Kolkata");
    expect((await postEvent(busy.secret, { cost_usd: "100", timestamp: new Date(monthStart.getTime() - 10 * 60_000).toISOString() })).status).toBe(200);
    if (Date.now() - monthStart.getTime() > 11 * 60_000) {
      expect((await postEvent(busy.secret, { cost_usd: "0.35", timestamp: new Date(monthStart.getTime() + 10 * 60_000).toISOString() })).status).toBe(200);
      expected = "4.000000001";
    }
    const rows = await listKeys(w.org);
    const byId = Object.fromEntries(rows.map((k) => [k.id, k]));
    expect(byId[busy.id].spendThisMonthUsd).toBe(expected);
    expect(byId[idle.id].spendThisMonthUsd).toBe("0.00");
  });

  test("sub-cent spend is exact, not rounded", async () => {
    const w = await world();
    const key = await issueKeyAs(w.admin.access, keyInput());
    for (const cost_usd of ["0.000000000001", "0.000000000002", "12.3456789"]) expect((await postEvent(key.secret, { cost_usd })).status).toBe(200);
    const row = (await listKeys(w.org)).find((k) => k.id === key.id)!;
    expect(row.spendThisMonthUsd).toBe("12.345678900003");
  });

  test("created by (email, or the operator CLI), team, prefix, state active / revoked / expired, last used", async () => {
    const w = await world();
    const active = await issueKeyAs(w.member.access, keyInput({ teamId: w.teamA.id }));
    const revoked = await issueKeyAs(w.admin.access, keyInput({ teamId: w.teamB.id }));
    const expired = await issueKeyAs(w.owner.access, keyInput());
    await revokeKeyAs(w.admin.access, revoked.id);
    await prisma().virtualKey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    expect((await postEvent(active.secret)).status).toBe(200);

    const rows = await listKeys(w.org);
    const byId = Object.fromEntries(rows.map((k) => [k.id, k]));
    expect(byId[active.id]).toMatchObject({ state: "active", createdBy: w.member.user.email, team: w.teamA.slug, prefix: active.prefix });
    expect(byId[revoked.id]).toMatchObject({ state: "revoked", createdBy: w.admin.user.email, team: w.teamB.slug });
    expect(byId[expired.id]).toMatchObject({ state: "expired", createdBy: w.owner.user.email, team: null });
    // The fixture's key was issued by the operator CLI (no user).
    expect(rows.filter((k) => k.createdBy === "operator CLI")).toHaveLength(1);
    // Another org's keys never show up.
    const other = await world();
    const theirs = await issueKeyAs(other.admin.access, keyInput());
    expect((await listKeys(w.org)).map((k) => k.id)).not.toContain(theirs.id);
    // lastUsedAt is a hint written in the background: it appears shortly after use.
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 40 && !lastUsedAt; i++) {
      lastUsedAt = (await listKeys(w.org)).find((k) => k.id === active.id)!.lastUsedAt;
      if (!lastUsedAt) await sleep(50);
    }
    expect(lastUsedAt).not.toBeNull();
  });
});
