import { expect, test } from "vitest";
import { prisma } from "../db";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { revokeKeys } from "../keys/issue";
import { attributionOptions, ingestKeyOptions, parseSetupSearch } from "./setup-options";

test("the key picker lists the org's active, unexpired keys with the ingest scope, by name and prefix", async () => {
  const t = await createTestOrg({ scopes: ["ingest", "read"] });
  const team = await createTeam(t.org.id, "platform");
  const cc = await createKeyWorld(t.org.id, team.id);
  const options = await ingestKeyOptions(t.org.id);
  expect(options.map((k) => k.name).sort()).toEqual(["claude code", "test key"]);
  const claude = options.find((k) => k.name === "claude code")!;
  expect(claude).toMatchObject({ id: cc.claude.id, prefix: cc.claude.prefix, team: "platform", placeholder: `<paste the key ${cc.claude.prefix}…>` });
  // The secret is never part of what the page gets.
  expect(JSON.stringify(options)).not.toContain(cc.claude.secret);
});

async function createKeyWorld(orgId: string, teamId: string) {
  const claude = await createTestKey({ orgId, name: "claude code", teamId, scopes: ["ingest"] });
  await createTestKey({ orgId, name: "read only", scopes: ["read"] });
  await createTestKey({ orgId, name: "expired", scopes: ["ingest"], expiresAt: new Date(Date.now() - 1000) });
  const revoked = await createTestKey({ orgId, name: "revoked", scopes: ["ingest"] });
  await revokeKeys(orgId, [{ id: revoked.id, prefix: revoked.prefix, name: "revoked" }], null);
  return { claude };
}

test("teams (with their cost center) and cost centers: active ones only", async () => {
  const t = await createTestOrg();
  const cc = await createCostCenter(t.org.id, "ENG-1");
  await createTeam(t.org.id, "platform", cc.id);
  const old = await createTeam(t.org.id, "old-team");
  await prisma().team.update({ where: { id: old.id }, data: { archivedAt: new Date() } });
  const options = await attributionOptions(t.org.id);
  expect(options.teams.map((x) => [x.slug, x.costCenterCode])).toEqual([["platform", "ENG-1"]]);
  expect(options.costCenters.map((x) => x.code)).toEqual(["ENG-1"]);
});

test("org B's keys, teams and cost centers never show for org A", async () => {
  const a = await createTestOrg();
  const b = await createTestOrg();
  const bTeam = await createTeam(b.org.id, "b-team");
  await createCostCenter(b.org.id, "B-CC");
  await createTestKey({ orgId: b.org.id, name: "b ingest", teamId: bTeam.id, scopes: ["ingest"] });
  const keys = await ingestKeyOptions(a.org.id);
  expect(keys.map((k) => k.id)).toEqual([a.key.id]);
  const options = await attributionOptions(a.org.id);
  expect(options).toEqual({ teams: [], costCenters: [] });
  // A URL naming B's team or cost center picks nothing in A.
  const bOptions = await attributionOptions(b.org.id);
  expect(parseSetupSearch({ team: "b-team", cc: "B-CC" }, options)).toEqual({ team: null, costCenter: null, repository: null });
  expect(parseSetupSearch({ team: "b-team", cc: "B-CC" }, bOptions)).toMatchObject({ team: { slug: "b-team" }, costCenter: { code: "B-CC" } });
});

test("the URL's choices: known slugs and codes only, the first of repeated parameters, a bounded repository", () => {
  const options = { teams: [{ id: "t1", slug: "platform", name: "Platform", costCenterCode: null }], costCenters: [{ id: "c1", code: "ENG", name: "Eng" }] };
  expect(parseSetupSearch({ team: ["platform", "x"], cc: "ENG", repo: " acme/api " }, options)).toMatchObject({ team: { id: "t1" }, costCenter: { id: "c1" }, repository: "acme/api" });
  expect(parseSetupSearch({ team: "nope", repo: "x".repeat(257) }, options)).toEqual({ team: null, costCenter: null, repository: null });
});
