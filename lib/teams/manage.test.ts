// Teams and cost centers (issue 3 §4): archived, never deleted, so spend history stays attributable;
// a team belongs to at most one cost center and moving it re-attributes new events only; events
// naming a team are never dropped. Checked through the real machine API (POST events, GET spend).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TOrgAccess } from "../auth/membership";
import { orgAccess } from "../auth/membership";
import { pool, prisma } from "../db";
import { issueKeyAs, type TKeyInput } from "../keys/manage";
import { setMemberTeams } from "../orgs/members";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { archiveCostCenter, archiveTeam, createCostCenter, createTeam, listCostCenters, listTeams, renameCostCenter, updateTeam } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const uniq = () => randomBytes(4).toString("hex");

const keyInput = (over: Partial<TKeyInput> = {}): TKeyInput => ({
  name: `key-${uniq()}`,
  teamId: null,
  costCenterId: null,
  scopes: ["ingest", "read"],
  expiresAt: null,
  allowedModels: [],
  rpmLimit: null,
  defaultAgent: null,
  ...over,
});

async function world() {
  // The fixture key has no team and no cost center: events it sends are attributed only by what they name.
  const { org, secret } = await createTestOrg();
  const admin = await createUser();
  await addMember(org.id, admin.id, "ADMIN");
  const access = (await orgAccess(admin.id, org.slug)) as TOrgAccess;
  return { org, secret, admin, access };
}

const post = async (secret: string, extra: Record<string, unknown>) => {
  const r = await api(server.url, "/api/v1/events", { secret, body: { id: `ev-${uniq()}-${uniq()}`, kind: "tool", ...extra } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.accepted).toBe(1);
  return r.body;
};

// GET /api/v1/spend?group_by=… → { [label]: cost_usd }, plus the total.
async function spendBy(secret: string, groupBy: "team" | "cost_center"): Promise<{ total: string; groups: Record<string, string> }> {
  const r = await api(server.url, `/api/v1/spend?group_by=${groupBy}`, { secret });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { total: r.body.total_usd, groups: Object.fromEntries(r.body.groups.map((g: { key: string | null; cost_usd: string }) => [g.key ?? "(none)", g.cost_usd])) };
}

describe("archiving a team", () => {
  test("keeps its spend attributed to its slug in GET /api/v1/spend?group_by=team", async () => {
    const w = await world();
    const alpha = await createTeam(w.org.id, w.admin.id, { slug: `alpha-${uniq()}`, name: "Alpha" });
    const beta = await createTeam(w.org.id, w.admin.id, { slug: `beta-${uniq()}`, name: "Beta" });
    await post(w.secret, { team: alpha.slug, cost_usd: "1.25" });
    await post(w.secret, { team: alpha.slug, cost_usd: "0.75" });
    await post(w.secret, { team: beta.slug, cost_usd: "0.5" });
    expect(await spendBy(w.secret, "team")).toEqual({ total: "2.50", groups: { [alpha.slug]: "2.00", [beta.slug]: "0.50" } });

    await archiveTeam(w.org.id, w.admin.id, alpha.id);
    expect(await spendBy(w.secret, "team")).toEqual({ total: "2.50", groups: { [alpha.slug]: "2.00", [beta.slug]: "0.50" } });

    // Archived, not deleted: the row and its events are all still there.
    expect(await prisma().team.findUniqueOrThrow({ where: { id: alpha.id } })).toMatchObject({ archivedAt: expect.any(Date), slug: alpha.slug });
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1 AND "teamId" = $2`, [w.org.id, alpha.id]);
    expect(rows[0].n).toBe(2);
    const listed = await listTeams(w.org.id);
    expect(listed.map((t) => t.slug)).toEqual([beta.slug, alpha.slug]);
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "team.archived", actorId: w.admin.id, targetId: alpha.id } })).toBe(1);
  });

  test("archiving twice, or a team of another org, is not found", async () => {
    const w = await world();
    const other = await world();
    const team = await createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T" });
    await archiveTeam(w.org.id, w.admin.id, team.id);
    await expect(archiveTeam(w.org.id, w.admin.id, team.id)).rejects.toMatchObject({ code: "not_found" });
    const theirs = await createTeam(other.org.id, other.admin.id, { slug: `t-${uniq()}`, name: "T" });
    await expect(archiveTeam(w.org.id, w.admin.id, theirs.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await prisma().team.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ archivedAt: null });
  });

  test("an archived team cannot get new keys, whoever asks", async () => {
    const w = await world();
    const team = await createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T" });
    const owner = await createUser();
    await addMember(w.org.id, owner.id, "OWNER");
    const member = await createUser();
    const membership = await addMember(w.org.id, member.id, "MEMBER");
    await setMemberTeams(w.access, { membershipId: membership.id, teamIds: [team.id] });
    // Before archiving the member may.
    await issueKeyAs((await orgAccess(member.id, w.org.slug))!, keyInput({ teamId: team.id }));
    await archiveTeam(w.org.id, w.admin.id, team.id);
    const before = await prisma().virtualKey.count({ where: { orgId: w.org.id } });
    for (const userId of [w.admin.id, owner.id, member.id]) {
      const access = (await orgAccess(userId, w.org.slug))!;
      await expect(issueKeyAs(access, keyInput({ teamId: team.id })), access.role).rejects.toMatchObject({ code: "invalid_request" });
    }
    expect(await prisma().virtualKey.count({ where: { orgId: w.org.id } })).toBe(before);
  });

  test("events naming an archived team's slug are accepted and still counted, attributed to that team", async () => {
    const w = await world();
    const alpha = await createTeam(w.org.id, w.admin.id, { slug: `alpha-${uniq()}`, name: "Alpha" });
    const beta = await createTeam(w.org.id, w.admin.id, { slug: `beta-${uniq()}`, name: "Beta" });
    // A key of team beta sends an event naming alpha after alpha was archived (an agent still configured for it).
    const betaKey = await issueKeyAs(w.access, keyInput({ teamId: beta.id }));
    await post(w.secret, { team: alpha.slug, cost_usd: "1" });
    await archiveTeam(w.org.id, w.admin.id, alpha.id);
    const fromFixture = await post(w.secret, { team: alpha.slug, cost_usd: "0.3" });
    const fromBeta = await post(betaKey.secret, { team: alpha.slug, cost_usd: "0.02" });
    expect(fromFixture.rejected).toEqual([]);
    expect(fromBeta.rejected).toEqual([]);

    const spend = await spendBy(w.secret, "team");
    expect(spend.total).toBe("1.32");
    expect(spend.groups).toEqual({ [alpha.slug]: "1.32" });
    const { rows } = await pool().query(`SELECT "teamId", "unknownTeam" FROM "UsageEvent" WHERE "orgId" = $1`, [w.org.id]);
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toEqual({ teamId: alpha.id, unknownTeam: null });
  });

  test("an event naming a team that does not exist goes to the key's team, flagged, never dropped", async () => {
    const w = await world();
    const beta = await createTeam(w.org.id, w.admin.id, { slug: `beta-${uniq()}`, name: "Beta" });
    const betaKey = await issueKeyAs(w.access, keyInput({ teamId: beta.id }));
    const ghost = `ghost-${uniq()}`;
    await post(betaKey.secret, { team: ghost, cost_usd: "0.07" });
    // A key with no team: still counted, with no team.
    await post(w.secret, { team: ghost, cost_usd: "0.01" });
    const spend = await spendBy(w.secret, "team");
    expect(spend).toEqual({ total: "0.08", groups: { [beta.slug]: "0.07", "(none)": "0.01" } });
    const { rows } = await pool().query(`SELECT "teamId", "unknownTeam" FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "costUsd" DESC`, [w.org.id]);
    expect(rows).toEqual([{ teamId: beta.id, unknownTeam: ghost }, { teamId: null, unknownTeam: ghost }]);
  });

  test("a team created a moment ago is found by the very next event", async () => {
    const w = await world();
    await post(w.secret, { cost_usd: "0.01" }); // loads the org directory into the cache
    const fresh = await createTeam(w.org.id, w.admin.id, { slug: `fresh-${uniq()}`, name: "Fresh" });
    await post(w.secret, { team: fresh.slug, cost_usd: "0.02" });
    expect((await spendBy(w.secret, "team")).groups[fresh.slug]).toBe("0.02");
  });
});

describe("cost centers", () => {
  test("moving a team to another cost center re-attributes new events, not old ones", async () => {
    const w = await world();
    const ccA = await createCostCenter(w.org.id, w.admin.id, { code: `A-${uniq()}`, name: "A" });
    const ccB = await createCostCenter(w.org.id, w.admin.id, { code: `B-${uniq()}`, name: "B" });
    const team = await createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T", costCenterId: ccA.id });
    // Two routes to the team: a key of the team (no team named), and a team-less key naming the team.
    const teamKey = await issueKeyAs(w.access, keyInput({ teamId: team.id }));
    await post(teamKey.secret, { cost_usd: "1" });
    await post(w.secret, { team: team.slug, cost_usd: "0.5" });
    expect((await spendBy(w.secret, "cost_center")).groups).toEqual({ [ccA.code]: "1.50" });

    await updateTeam(w.org.id, w.admin.id, { teamId: team.id, costCenterId: ccB.id });
    await post(teamKey.secret, { cost_usd: "2" });
    await post(w.secret, { team: team.slug, cost_usd: "4" });
    expect(await spendBy(w.secret, "cost_center")).toEqual({ total: "7.50", groups: { [ccA.code]: "1.50", [ccB.code]: "6.00" } });
    // The team's total is unaffected by the move.
    expect((await spendBy(w.secret, "team")).groups).toEqual({ [team.slug]: "7.50" });
    expect(await prisma().auditLog.findFirst({ where: { orgId: w.org.id, action: "team.cost_center_changed" } })).toMatchObject({
      actorId: w.admin.id,
      targetId: team.id,
      details: { from: ccA.id, to: ccB.id },
    });

    // Out of any cost center: new events have none; the old ones keep theirs.
    await updateTeam(w.org.id, w.admin.id, { teamId: team.id, costCenterId: null });
    await post(teamKey.secret, { cost_usd: "0.25" });
    expect(await spendBy(w.secret, "cost_center")).toEqual({ total: "7.75", groups: { [ccA.code]: "1.50", [ccB.code]: "6.00", "(none)": "0.25" } });
  });

  test("a rename alone changes no attribution and writes no cost-center audit row", async () => {
    const w = await world();
    const cc = await createCostCenter(w.org.id, w.admin.id, { code: `A-${uniq()}`, name: "A" });
    const team = await createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T", costCenterId: cc.id });
    await updateTeam(w.org.id, w.admin.id, { teamId: team.id, name: "Renamed" });
    expect(await prisma().team.findUniqueOrThrow({ where: { id: team.id } })).toMatchObject({ name: "Renamed", costCenterId: cc.id, slug: team.slug });
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "team.cost_center_changed" } })).toBe(0);
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "team.renamed" } })).toBe(1);
  });

  test("a team cannot join a cost center of another org or an archived one", async () => {
    const w = await world();
    const other = await world();
    const theirs = await createCostCenter(other.org.id, other.admin.id, { code: `X-${uniq()}`, name: "X" });
    const archived = await createCostCenter(w.org.id, w.admin.id, { code: `Z-${uniq()}`, name: "Z" });
    await archiveCostCenter(w.org.id, w.admin.id, archived.id);
    await expect(createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T", costCenterId: theirs.id })).rejects.toMatchObject({ code: "invalid_request" });
    const team = await createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T" });
    await expect(updateTeam(w.org.id, w.admin.id, { teamId: team.id, costCenterId: archived.id })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(issueKeyAs(w.access, keyInput({ costCenterId: archived.id }))).rejects.toMatchObject({ code: "invalid_request" });
    expect(await prisma().team.findUniqueOrThrow({ where: { id: team.id } })).toMatchObject({ costCenterId: null });
  });

  test("archiving a cost center keeps its spend attributed to its code", async () => {
    const w = await world();
    const cc = await createCostCenter(w.org.id, w.admin.id, { code: `OPS-${uniq()}`, name: "Ops" });
    const team = await createTeam(w.org.id, w.admin.id, { slug: `t-${uniq()}`, name: "T", costCenterId: cc.id });
    await post(w.secret, { team: team.slug, cost_usd: "3.3" });
    await archiveCostCenter(w.org.id, w.admin.id, cc.id);
    expect((await spendBy(w.secret, "cost_center")).groups).toEqual({ [cc.code]: "3.30" });
    await renameCostCenter(w.org.id, w.admin.id, { costCenterId: cc.id, name: "Operations" });
    const listed = await listCostCenters(w.org.id);
    expect(listed).toEqual([expect.objectContaining({ id: cc.id, name: "Operations", archivedAt: expect.any(Date), _count: { teams: 1 } })]);
    expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: { in: ["cost_center.created", "cost_center.archived", "cost_center.renamed"] } } })).toBe(3);
  });
});
