import { randomBytes } from "node:crypto";
import { prisma } from "../db";
import type { TKeyScope } from "../keys/authenticate";
import { issueKey, type TIssueKeyInput } from "../keys/issue";
import { createOrg } from "../orgs/create";

// A fresh org per test: no truncation, no test sees another's rows.
export async function createTestOrg(options: { timezone?: string; scopes?: TKeyScope[] } = {}) {
  const slug = `t-${randomBytes(6).toString("hex")}`;
  const org = await createOrg({ slug, timezone: options.timezone ?? "UTC" });
  const key = await issueKey({ orgId: org.id, name: "test key", scopes: options.scopes ?? ["ingest", "read"] });
  return { org, key, secret: key.secret };
}

export async function createTestKey(input: TIssueKeyInput) {
  return issueKey(input);
}

export async function createTeam(orgId: string, slug: string, costCenterId: string | null = null) {
  return prisma().team.create({ data: { orgId, slug, name: slug, costCenterId } });
}

export async function createCostCenter(orgId: string, code: string) {
  return prisma().costCenter.create({ data: { orgId, code, name: code } });
}

export async function createUser(email = `u-${randomBytes(5).toString("hex")}@example.test`) {
  return prisma().user.create({ data: { email, emailVerified: new Date() } });
}

export async function addMember(orgId: string, userId: string, role: "OWNER" | "ADMIN" | "MEMBER" | "VIEWER") {
  return prisma().membership.create({ data: { orgId, userId, role } });
}
