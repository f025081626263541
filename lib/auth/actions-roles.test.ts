import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { prepareEmail } from "../email/templates/registry";
import type { Role } from "../generated/prisma/enums";
import { createBudget } from "../budgets/manage";
import { signDecision } from "../approvals/decision-link";
import { insertTestAlert } from "../testing/alerts";
import { addMember, createCostCenter, createTeam, createTestKey, createTestOrg, createUser } from "../testing/fixtures";
import { sourceFiles } from "../testing/source-files";
import { ACTION_REGISTRY } from "./action";

// Every server action × every role. The modules that define actions are discovered (any file under
// lib/ that calls defineOrgAction), not listed by hand: a new action that is not in this table fails
// the first test, so nobody can add one without saying who may run it.
type TWorld = { teamId: string; costCenterId: string; keyId: string; otherMembershipId: string; invitationId: string; failedAlertEmailId: string; budgetId: string; denyApproval: unknown; anomalyId: string; blockedExecutionId: string };
const uniq = () => randomBytes(3).toString("hex");

const TABLE: Record<string, { allowed: Role[]; input: (w: TWorld) => unknown }> = {
  "keys.issue": { allowed: ["OWNER", "ADMIN", "MEMBER"], input: (w) => ({ name: "agent key", teamId: w.teamId, scopes: ["ingest"] }) },
  "keys.revoke": { allowed: ["OWNER", "ADMIN", "MEMBER"], input: (w) => ({ keyId: w.keyId }) },
  "keys.rotate": { allowed: ["OWNER", "ADMIN", "MEMBER"], input: (w) => ({ keyId: w.keyId, graceHours: 1 }) },
  "teams.create": { allowed: ["OWNER", "ADMIN"], input: () => ({ slug: `t-${uniq()}`, name: "New team" }) },
  "teams.update": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ teamId: w.teamId, name: "Renamed" }) },
  "teams.archive": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ teamId: w.teamId }) },
  "costCenters.create": { allowed: ["OWNER", "ADMIN"], input: () => ({ code: `CC-${uniq()}`, name: "Ops" }) },
  "costCenters.rename": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ costCenterId: w.costCenterId, name: "Renamed" }) },
  "costCenters.archive": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ costCenterId: w.costCenterId }) },
  "members.invite": { allowed: ["OWNER", "ADMIN"], input: () => ({ email: `new-${uniq()}@example.test`, role: "VIEWER" }) },
  "members.revokeInvitation": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ invitationId: w.invitationId }) },
  "members.changeRole": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ membershipId: w.otherMembershipId, role: "VIEWER" }) },
  "members.remove": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ membershipId: w.otherMembershipId }) },
  "members.setTeams": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ membershipId: w.otherMembershipId, teamIds: [w.teamId] }) },
  "members.leave": { allowed: ["OWNER", "ADMIN", "MEMBER", "VIEWER"], input: () => ({}) },
  "settings.setAlertWebhook": { allowed: ["OWNER", "ADMIN"], input: () => ({ url: `https://hooks.example.test/burnrate/${uniq()}` }) },
  "settings.revealWebhookSecret": { allowed: ["OWNER", "ADMIN"], input: () => ({}) },
  "settings.rotateWebhookSecret": { allowed: ["OWNER", "ADMIN"], input: () => ({}) },
  // The world's org posts to a port nothing listens on: the action succeeds, reporting the refusal.
  "settings.sendTestWebhook": { allowed: ["OWNER", "ADMIN"], input: () => ({}) },
  "alerts.resend": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ channel: "email", id: w.failedAlertEmailId }) },
  "budgets.create": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ scope: "TEAM", scopeValue: w.teamId, amountUsd: "10", period: "MONTH" }) },
  "budgets.update": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ budgetId: w.budgetId, amountUsd: "20", enforcement: "BLOCK" }) },
  "budgets.archive": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ budgetId: w.budgetId }) },
  "approvals.decide": { allowed: ["OWNER", "ADMIN"], input: (w) => w.denyApproval },
  "models.addPrice": { allowed: ["OWNER", "ADMIN"], input: () => ({ model: `acme-${uniq()}`, effectiveFrom: "2026-11-01", inputMtok: "1", outputMtok: "2" }) },
  // A catalogue model with no calls in the range: a reprice that changes nothing, still audited.
  // An open anomaly about a blocked execution: members may say they saw it; only owners and admins
  // let the execution run again or change detection.
  "anomalies.acknowledge": { allowed: ["OWNER", "ADMIN", "MEMBER"], input: (w) => ({ anomalyId: w.anomalyId }) },
  "executions.resume": { allowed: ["OWNER", "ADMIN"], input: (w) => ({ executionId: w.blockedExecutionId }) },
  "anomalies.saveSettings": { allowed: ["OWNER", "ADMIN"], input: () => ({ retryLoop: { block: false, minCalls: 4 } }) },
  "models.reprice": { allowed: ["OWNER", "ADMIN"], input: () => ({ model: "gpt-4o", from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() }) },
};

// An org with an extra owner, a team the actor belongs to, a cost center, a key and another member.
async function world(role: Role) {
  const { org } = await createTestOrg();
  const owner = await createUser();
  await addMember(org.id, owner.id, "OWNER");
  const actor = await createUser();
  const membership = await addMember(org.id, actor.id, role);
  const cc = await createCostCenter(org.id, `CC-${uniq()}`);
  const team = await createTeam(org.id, `team-${uniq()}`, cc.id);
  await prisma().teamMember.create({ data: { orgId: org.id, teamId: team.id, membershipId: membership.id } });
  const key = await createTestKey({ orgId: org.id, name: "existing", teamId: team.id });
  const other = await addMember(org.id, (await createUser()).id, "MEMBER");
  const invitation = await prisma().invitation.create({
    data: { orgId: org.id, email: `pending-${uniq()}@example.test`, role: "VIEWER", tokenHash: randomBytes(32).toString("hex"), expiresAt: new Date(Date.now() + 86_400_000) },
  });
  await prisma().organization.update({ where: { id: org.id }, data: { alertWebhookUrl: "http://127.0.0.1:9/hooks/burnrate" } });
  const client = await pool().connect();
  const alert = await insertTestAlert(client, { org }).finally(() => client.release());
  const email = prepareEmail("budget-alert", { timezone: "UTC", event: alert.event });
  const failedEmail = await prisma().emailOutbox.create({
    data: { orgId: org.id, alertId: alert.alertId, to: ["lead@example.test"], subject: email.subject, template: "budget-alert", payload: email.payload as object, idempotencyKey: `alert/${alert.alertId}/lead@example.test`, status: "FAILED", lastError: "Resend refused the email" },
  });
  const budget = await createBudget(org.id, null, { scope: "TEAM", scopeValue: team.id, amountUsd: "10", period: "MONTH" });
  const approval = await prisma().approval.create({
    data: { orgId: org.id, executionId: "run-1", amountUsd: "5", reason: "more", requestedByKeyId: key.id, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  const denyApproval = { approvalId: approval.id, ...signDecision(org.id, approval.id, "deny", approval.expiresAt) };
  const blockedExecutionId = `run-${uniq()}`;
  await prisma().execution.create({ data: { orgId: org.id, executionId: blockedExecutionId, firstSeenAt: new Date(), lastSeenAt: new Date(), status: "BLOCKED", blockedAt: new Date(), blockedReason: "Retry loop: test" } });
  const anomaly = await prisma().anomaly.create({
    data: { orgId: org.id, kind: "RETRY_LOOP", subject: `execution:${blockedExecutionId}`, executionId: blockedExecutionId, severity: "HIGH", blocked: true, evidence: { rule: "retry_loop", calls: 3 } },
  });
  return {
    org,
    actor,
    w: { teamId: team.id, costCenterId: cc.id, keyId: key.id, otherMembershipId: other.id, invitationId: invitation.id, failedAlertEmailId: failedEmail.id, budgetId: budget.id, denyApproval, anomalyId: anomaly.id, blockedExecutionId },
  };
}

beforeAll(async () => {
  const candidates = sourceFiles("lib", (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && f !== path.join("lib", "auth", "action.ts"));
  for (const file of candidates) {
    if ((await readFile(file, "utf8")).includes("defineOrgAction(")) await import(/* @vite-ignore */ path.resolve(file));
  }
});

test("every action defined anywhere in lib/ has a row in the role table, and every row an action", async () => {
  expect(ACTION_REGISTRY.size).toBeGreaterThan(0);
  expect([...ACTION_REGISTRY.keys()].sort()).toEqual(Object.keys(TABLE).sort());
});

test("app/ exports server actions only through serverAction(<registered definition>)", async () => {
  // Every "use server" module in app/, whatever its name.
  const files: string[] = [];
  for (const file of sourceFiles("app", (f) => /\.tsx?$/.test(f))) {
    const source = await readFile(file, "utf8");
    if (/actions\.tsx?$/.test(file) || /^\s*["']use server["']/m.test(source)) files.push(file);
  }
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const source = await readFile(file, "utf8");
    expect(source.startsWith('"use server"'), `${file} must start with "use server"`).toBe(true);
    // Type exports are erased; everything else exported from a "use server" file is callable.
    const exports = source.split("\n").filter((line) => line.startsWith("export ") && !line.startsWith("export type "));
    for (const line of exports) {
      // Org-scoped actions go through a registered definition (membership + role check inside);
      // the only others allowed are the ones that need no org: sign-in, onboarding, invitations.
      expect(line, `${file}: ${line}`).toMatch(/^export const \w+ = (serverAction\(\w+Action\)|userAction\("[\w.-]+", (\w+\)|async \(.*)|publicAction\(\w+\));?$/);
    }
  }
});

const ROLES: Role[] = ["OWNER", "ADMIN", "MEMBER", "VIEWER"];

describe.each(Object.entries(TABLE))("%s", (name, row) => {
  test.each(ROLES)("as %s", async (role) => {
    const { org, actor, w } = await world(role);
    const auditBefore = await prisma().auditLog.count({ where: { orgId: org.id } });
    const result = await ACTION_REGISTRY.get(name)!.runAs(actor.id, org.slug, row.input(w));
    if (row.allowed.includes(role)) {
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    } else {
      expect(result).toMatchObject({ ok: false, error: { code: "forbidden" } });
      // Refused means nothing happened.
      expect(await prisma().auditLog.count({ where: { orgId: org.id } })).toBe(auditBefore);
    }
  });
});

describe("org isolation", () => {
  let a: Awaited<ReturnType<typeof world>>;
  let b: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    a = await world("OWNER");
    b = await world("OWNER");
  });

  test.each(Object.keys(TABLE))("%s: a member of A is told B does not exist, and B is untouched", async (name) => {
    const auditBefore = await prisma().auditLog.count({ where: { orgId: b.org.id } });
    const result = await ACTION_REGISTRY.get(name)!.runAs(a.actor.id, b.org.slug, TABLE[name].input(b.w));
    expect(result).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await prisma().auditLog.count({ where: { orgId: b.org.id } })).toBe(auditBefore);
  });

  test.each(["budgets.update", "budgets.archive", "approvals.decide", "alerts.resend", "members.revokeInvitation", "keys.revoke", "keys.rotate", "teams.update", "teams.archive", "costCenters.rename", "costCenters.archive", "members.changeRole", "members.remove", "members.setTeams", "anomalies.acknowledge", "executions.resume"])(
    "%s: B's ids used inside A's org are not found, and B is untouched",
    async (name) => {
      const auditBefore = await prisma().auditLog.count({ where: { orgId: b.org.id } });
      const result = await ACTION_REGISTRY.get(name)!.runAs(a.actor.id, a.org.slug, TABLE[name].input(b.w));
      expect(result.ok).toBe(false);
      expect(await prisma().auditLog.count({ where: { orgId: b.org.id } })).toBe(auditBefore);
      expect(await prisma().virtualKey.findUnique({ where: { id: b.w.keyId } })).toMatchObject({ revokedAt: null });
      expect(await prisma().budget.findUnique({ where: { id: b.w.budgetId } })).toMatchObject({ archivedAt: null, enforcement: "ALERT" });
      expect(await prisma().anomaly.findUnique({ where: { id: b.w.anomalyId } })).toMatchObject({ acknowledgedAt: null, resolvedAt: null });
      expect(await prisma().execution.findFirst({ where: { orgId: b.org.id, executionId: b.w.blockedExecutionId } })).toMatchObject({ status: "BLOCKED" });
    },
  );

  test("no session → unauthenticated", async () => {
    const result = await ACTION_REGISTRY.get("keys.issue")!.runAs(null, a.org.slug, TABLE["keys.issue"].input(a.w));
    expect(result).toMatchObject({ ok: false, error: { code: "unauthorized" } });
  });
});
