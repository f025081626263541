// Organizations and roles (issue 3 §2): invitations by email (expiring, single use, with a role),
// owners protected from admins, and the last owner can never disappear. The role × action table
// lives in lib/auth/actions-roles.test.ts; this file checks behaviour behind those actions.
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import type { TOrgAccess } from "../auth/membership";
import { orgAccess } from "../auth/membership";
import { pool, prisma } from "../db";
import type { Role } from "../generated/prisma/enums";
import { emailsDelivered } from "../testing/email";
import { addMember, createTeam, createTestOrg, createUser } from "../testing/fixtures";
import { acceptInvitation, changeRole, invitationByToken, invitationEmailKey, inviteMember, leaveOrg, removeMember, setMemberTeams } from "./members";

const APP_URL = "https://burnrate.example.test";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const uniq = () => randomBytes(5).toString("hex");

beforeAll(() => {
  // Capture every email in the CapturedEmail table, whatever the surrounding shell has set.
  delete process.env.RESEND_API_KEY;
});

async function accessFor(userId: string, slug: string): Promise<TOrgAccess> {
  const access = await orgAccess(userId, slug);
  if (!access) throw new Error(`no access for ${userId} in ${slug}`);
  return access;
}

// An org with one person of the given role (the "actor") and, unless it is the actor, one OWNER.
async function orgWith(role: Role) {
  const { org } = await createTestOrg();
  const actor = await createUser();
  await addMember(org.id, actor.id, role);
  let owner = actor;
  if (role !== "OWNER") {
    owner = await createUser();
    await addMember(org.id, owner.id, "OWNER");
  }
  return { org, actor, owner, access: await accessFor(actor.id, org.slug) };
}

async function membershipOf(orgId: string, userId: string) {
  return prisma().membership.findUnique({ where: { orgId_userId: { orgId, userId } } });
}

async function ownerCount(orgId: string) {
  return prisma().membership.count({ where: { orgId, role: "OWNER" } });
}

// The invitation email sent to `to`: exactly one, with a /invite/<token> link.
async function invitationToken(to: string): Promise<string> {
  await emailsDelivered(to);
  const mails = await prisma().capturedEmail.findMany({ where: { to: { has: to } }, orderBy: { createdAt: "desc" } });
  expect(mails, `emails to ${to}`).toHaveLength(1);
  const match = /\/invite\/([A-Za-z0-9_-]+)/.exec(mails[0].text) ?? /\/invite\/([A-Za-z0-9_-]+)/.exec(mails[0].html);
  expect(match, "an /invite/<token> link in the email").not.toBeNull();
  const token = match![1];
  // The same link is in both the HTML and the plain-text part.
  expect(mails[0].html).toContain(`${APP_URL}/invite/${token}`);
  expect(mails[0].text).toContain(`${APP_URL}/invite/${token}`);
  return token;
}

async function invite(access: TOrgAccess, role: Role, to = `inv-${uniq()}@example.test`) {
  const invitation = await inviteMember(access, { email: to, role, appUrl: APP_URL, inviterName: "Ada Admin" });
  return { invitation, to, token: await invitationToken(to) };
}

describe("invitations", () => {
  test("the invited person gets an email with a link; accepting joins with the invited role", async () => {
    const { org, actor, access } = await orgWith("ADMIN");
    const { invitation, to, token } = await invite(access, "MEMBER");
    const mail = await prisma().capturedEmail.findFirstOrThrow({ where: { to: { has: to } } });
    expect(mail.subject).toContain(org.name);
    expect(invitation).toMatchObject({ orgId: org.id, email: to, role: "MEMBER", invitedBy: actor.id, acceptedAt: null });
    // Expiring: about 7 days out.
    const days = (invitation.expiresAt.getTime() - Date.now()) / (24 * 3600_000);
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const invitee = await createUser(to);
    expect(await acceptInvitation({ id: invitee.id, email: to }, token)).toEqual({ orgSlug: org.slug });
    expect(await membershipOf(org.id, invitee.id)).toMatchObject({ role: "MEMBER" });
    expect(await prisma().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).toMatchObject({ acceptedAt: expect.any(Date) });
    const actions = (await prisma().auditLog.findMany({ where: { orgId: org.id }, orderBy: { createdAt: "asc" } })).map((a) => [a.action, a.actorId]);
    expect(actions).toEqual(expect.arrayContaining([["member.invited", actor.id], ["member.joined", invitee.id]]));
  });

  test("the invitation, its audit row and its queued email commit together — or none of them", async () => {
    const { org, actor, access } = await orgWith("ADMIN");
    const to = `inv-${uniq()}@example.test`;
    const invitation = await inviteMember(access, { email: to, role: "VIEWER", appUrl: APP_URL, inviterName: "Ada Admin" });
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "member.invited", targetId: invitation.id, actorId: actor.id } })).toBe(1);
    const queued = await prisma().emailOutbox.findUniqueOrThrow({ where: { idempotencyKey: invitationEmailKey(invitation.id) } });
    expect(queued).toMatchObject({ orgId: org.id, to: [to], template: "invitation", subject: `Ada Admin invited you to ${org.name} on Burnrate` });

    // An email that cannot be queued (here: a link that is not a URL) rolls the invitation back too.
    const other = `inv-${uniq()}@example.test`;
    await expect(inviteMember(access, { email: other, role: "VIEWER", appUrl: "not a url", inviterName: "Ada Admin" })).rejects.toThrow();
    expect(await prisma().invitation.count({ where: { orgId: org.id, email: other } })).toBe(0);
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "member.invited" } })).toBe(1);
    expect(await prisma().emailOutbox.count({ where: { to: { has: other } } })).toBe(0);
  });

  test.each(["ADMIN", "VIEWER"] as const)("an invitation as %s grants exactly that role", async (role) => {
    const { org, access } = await orgWith("OWNER");
    const { to, token } = await invite(access, role);
    const invitee = await createUser(to);
    await acceptInvitation(invitee, token);
    expect(await membershipOf(org.id, invitee.id)).toMatchObject({ role });
  });

  test("an address typed in capitals is stored lowercased; the person signing in with it can accept", async () => {
    const { org, access } = await orgWith("OWNER");
    const local = `cap-${uniq()}`;
    const invitation = await inviteMember(access, { email: ` ${local.toUpperCase()}@EXAMPLE.TEST `, role: "VIEWER", appUrl: APP_URL, inviterName: "Ada" });
    expect(invitation.email).toBe(`${local}@example.test`);
    const token = await invitationToken(`${local}@example.test`);
    const invitee = await createUser(`${local}@example.test`);
    await acceptInvitation(invitee, token);
    expect(await membershipOf(org.id, invitee.id)).toMatchObject({ role: "VIEWER" });
  });

  test("only the token's SHA-256 is stored: the token appears nowhere in the invitation row or the audit log", async () => {
    const { org, access } = await orgWith("OWNER");
    const { invitation, token } = await invite(access, "MEMBER");
    expect(token.length).toBeGreaterThanOrEqual(32);
    const { rows } = await pool().query(`SELECT row_to_json(i)::text AS json, "tokenHash" FROM "Invitation" i WHERE id = $1`, [invitation.id]);
    expect(rows[0].tokenHash).toBe(sha256(token));
    const json: string = rows[0].json;
    expect(json.includes(token)).toBe(false);
    for (let i = 0; i + 12 <= token.length; i += 4) expect(json.includes(token.slice(i, i + 12)), "a piece of the token").toBe(false);
    expect(json.includes(Buffer.from(token, "base64url").toString("hex"))).toBe(false);
    const audit = await pool().query(`SELECT row_to_json(a)::text AS json FROM "AuditLog" a WHERE "orgId" = $1`, [org.id]);
    for (const r of audit.rows) expect(r.json.includes(token.slice(0, 16))).toBe(false);
    // The hash itself is not a working token.
    expect(await invitationByToken(rows[0].tokenHash)).toBeNull();
    expect(await invitationByToken(token)).toMatchObject({ id: invitation.id });
  });

  test("the link is single use: a second accept fails and changes nothing", async () => {
    const { org, access } = await orgWith("OWNER");
    const { to, token } = await invite(access, "MEMBER");
    const invitee = await createUser(to);
    await acceptInvitation(invitee, token);
    await expect(acceptInvitation(invitee, token)).rejects.toMatchObject({ code: "invalid_request" });
    expect(await prisma().membership.count({ where: { orgId: org.id, userId: invitee.id } })).toBe(1);
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "member.joined" } })).toBe(1);
  });

  test("two accepts racing (Promise.all): exactly one succeeds, exactly one membership", async () => {
    const { org, access } = await orgWith("OWNER");
    const { to, token } = await invite(access, "ADMIN");
    const invitee = await createUser(to);
    const results = await Promise.allSettled([acceptInvitation(invitee, token), acceptInvitation(invitee, token), acceptInvitation(invitee, token)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) {
      expect(r.reason).toMatchObject({ code: "invalid_request" });
    }
    expect(await prisma().membership.findMany({ where: { orgId: org.id, userId: invitee.id } })).toEqual([expect.objectContaining({ role: "ADMIN" })]);
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "member.joined" } })).toBe(1);
  });

  test("an expired invitation fails and creates no membership", async () => {
    const { org, access } = await orgWith("OWNER");
    const { invitation, to, token } = await invite(access, "MEMBER");
    await prisma().invitation.update({ where: { id: invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const invitee = await createUser(to);
    await expect(acceptInvitation(invitee, token)).rejects.toMatchObject({ code: "invalid_request", message: expect.stringMatching(/expired/i) });
    expect(await membershipOf(org.id, invitee.id)).toBeNull();
    // Not consumed either.
    expect(await prisma().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).toMatchObject({ acceptedAt: null });
  });

  test("a person signed in with a different email cannot use the link (and does not burn it)", async () => {
    const { org, access } = await orgWith("OWNER");
    const { invitation, to, token } = await invite(access, "ADMIN");
    const intruder = await createUser();
    await expect(acceptInvitation(intruder, token)).rejects.toMatchObject({ code: "forbidden" });
    await expect(acceptInvitation({ id: intruder.id, email: null }, token)).rejects.toMatchObject({ code: "forbidden" });
    expect(await membershipOf(org.id, intruder.id)).toBeNull();
    expect(await prisma().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).toMatchObject({ acceptedAt: null });
    // The rightful person still can.
    const invitee = await createUser(to);
    await acceptInvitation(invitee, token);
    expect(await membershipOf(org.id, invitee.id)).toMatchObject({ role: "ADMIN" });
  });

  test("an unknown or tampered token is not found", async () => {
    const { access } = await orgWith("OWNER");
    const { to, token } = await invite(access, "MEMBER");
    const invitee = await createUser(to);
    const tampered = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    await expect(acceptInvitation(invitee, tampered)).rejects.toMatchObject({ code: "not_found" });
    await expect(acceptInvitation(invitee, "")).rejects.toMatchObject({ code: "not_found" });
  });

  test("an invitation to an org deleted since is not found", async () => {
    const { org, access } = await orgWith("OWNER");
    const { to, token } = await invite(access, "MEMBER");
    await prisma().organization.update({ where: { id: org.id }, data: { deletedAt: new Date() } });
    const invitee = await createUser(to);
    await expect(acceptInvitation(invitee, token)).rejects.toMatchObject({ code: "not_found" });
    expect(await membershipOf(org.id, invitee.id)).toBeNull();
  });

  test("an ADMIN cannot invite an OWNER: refused, no invitation, no email", async () => {
    const { org, access } = await orgWith("ADMIN");
    const to = `would-be-owner-${uniq()}@example.test`;
    await expect(inviteMember(access, { email: to, role: "OWNER", appUrl: APP_URL, inviterName: "Ada" })).rejects.toMatchObject({ code: "forbidden" });
    expect(await prisma().invitation.count({ where: { orgId: org.id } })).toBe(0);
    expect(await prisma().emailOutbox.count({ where: { to: { has: to } } })).toBe(0);
    expect(await prisma().capturedEmail.count({ where: { to: { has: to } } })).toBe(0);
  });

  test("an OWNER can invite an OWNER", async () => {
    const { org, access } = await orgWith("OWNER");
    const { to, token } = await invite(access, "OWNER");
    const invitee = await createUser(to);
    await acceptInvitation(invitee, token);
    expect(await membershipOf(org.id, invitee.id)).toMatchObject({ role: "OWNER" });
  });

  test("inviting an existing member is a conflict: no invitation, no email", async () => {
    const { org, access } = await orgWith("OWNER");
    const member = await createUser();
    await addMember(org.id, member.id, "VIEWER");
    await expect(inviteMember(access, { email: member.email!, role: "ADMIN", appUrl: APP_URL, inviterName: "Ada" })).rejects.toMatchObject({ code: "conflict" });
    // The same address typed differently is the same person.
    await expect(inviteMember(access, { email: member.email!.toUpperCase(), role: "ADMIN", appUrl: APP_URL, inviterName: "Ada" })).rejects.toMatchObject({ code: "conflict" });
    expect(await prisma().invitation.count({ where: { orgId: org.id } })).toBe(0);
    expect(await prisma().emailOutbox.count({ where: { to: { has: member.email! } } })).toBe(0);
    expect(await prisma().capturedEmail.count({ where: { to: { has: member.email! } } })).toBe(0);
    expect(await membershipOf(org.id, member.id)).toMatchObject({ role: "VIEWER" });
  });

  test("inviting a member whose account email has capitals (e.g. from GitHub) is still a conflict", async () => {
    const { org, access } = await orgWith("OWNER");
    const local = `Gh-${uniq()}`;
    const member = await createUser(`${local}@Example.test`);
    await addMember(org.id, member.id, "VIEWER");
    await expect(inviteMember(access, { email: `${local.toLowerCase()}@example.test`, role: "ADMIN", appUrl: APP_URL, inviterName: "Ada" })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await prisma().invitation.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("a member of another org can be invited (orgs are separate)", async () => {
    const { access } = await orgWith("OWNER");
    const other = await createTestOrg();
    const person = await createUser();
    await addMember(other.org.id, person.id, "OWNER");
    const invitation = await inviteMember(access, { email: person.email!, role: "MEMBER", appUrl: APP_URL, inviterName: "Ada" });
    await acceptInvitation(person, await invitationToken(person.email!));
    expect(await membershipOf(invitation.orgId, person.id)).toMatchObject({ role: "MEMBER" });
    expect(await membershipOf(other.org.id, person.id)).toMatchObject({ role: "OWNER" });
  });
});

describe("owners", () => {
  test("an ADMIN cannot remove an OWNER", async () => {
    const { org, owner, access } = await orgWith("ADMIN");
    const target = await membershipOf(org.id, owner.id);
    await expect(removeMember(access, target!.id)).rejects.toMatchObject({ code: "forbidden" });
    expect(await membershipOf(org.id, owner.id)).toMatchObject({ role: "OWNER" });
  });

  test("an ADMIN cannot remove an OWNER even when there are several owners", async () => {
    const { org, owner, access } = await orgWith("ADMIN");
    await addMember(org.id, (await createUser()).id, "OWNER");
    const target = await membershipOf(org.id, owner.id);
    await expect(removeMember(access, target!.id)).rejects.toMatchObject({ code: "forbidden" });
    expect(await ownerCount(org.id)).toBe(2);
  });

  test.each(["ADMIN", "MEMBER", "VIEWER"] as const)("an ADMIN cannot demote an OWNER to %s", async (role) => {
    const { org, owner, access } = await orgWith("ADMIN");
    await addMember(org.id, (await createUser()).id, "OWNER");
    const target = await membershipOf(org.id, owner.id);
    await expect(changeRole(access, { membershipId: target!.id, role })).rejects.toMatchObject({ code: "forbidden" });
    expect(await membershipOf(org.id, owner.id)).toMatchObject({ role: "OWNER" });
  });

  test("an ADMIN cannot make anyone an owner, itself included", async () => {
    const { org, actor, access } = await orgWith("ADMIN");
    const other = await createUser();
    const otherMembership = await addMember(org.id, other.id, "MEMBER");
    await expect(changeRole(access, { membershipId: otherMembership.id, role: "OWNER" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(changeRole(access, { membershipId: access.membershipId, role: "OWNER" })).rejects.toMatchObject({ code: "forbidden" });
    expect(await membershipOf(org.id, actor.id)).toMatchObject({ role: "ADMIN" });
    expect(await membershipOf(org.id, other.id)).toMatchObject({ role: "MEMBER" });
  });

  test("an ADMIN manages non-owners: demotes an admin, removes a member", async () => {
    const { org, access } = await orgWith("ADMIN");
    const a = await addMember(org.id, (await createUser()).id, "ADMIN");
    const m = await addMember(org.id, (await createUser()).id, "MEMBER");
    await changeRole(access, { membershipId: a.id, role: "VIEWER" });
    await removeMember(access, m.id);
    expect(await prisma().membership.findUnique({ where: { id: a.id } })).toMatchObject({ role: "VIEWER" });
    expect(await prisma().membership.findUnique({ where: { id: m.id } })).toBeNull();
  });

  test("the last OWNER cannot leave", async () => {
    const { org, actor, access } = await orgWith("OWNER");
    await addMember(org.id, (await createUser()).id, "ADMIN");
    await expect(leaveOrg(access)).rejects.toMatchObject({ code: "invalid_request" });
    expect(await membershipOf(org.id, actor.id)).toMatchObject({ role: "OWNER" });
  });

  test("the last OWNER cannot be removed (not even by itself)", async () => {
    const { org, actor, access } = await orgWith("OWNER");
    await expect(removeMember(access, access.membershipId)).rejects.toMatchObject({ code: "invalid_request" });
    expect(await membershipOf(org.id, actor.id)).toMatchObject({ role: "OWNER" });
  });

  test.each(["ADMIN", "MEMBER", "VIEWER"] as const)("the last OWNER cannot be demoted to %s", async (role) => {
    const { org, actor, access } = await orgWith("OWNER");
    await expect(changeRole(access, { membershipId: access.membershipId, role })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await membershipOf(org.id, actor.id)).toMatchObject({ role: "OWNER" });
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "member.role_changed" } })).toBe(0);
  });

  test("with two owners one may leave; then the other is the last and may not", async () => {
    const { org, actor, access } = await orgWith("OWNER");
    const second = await createUser();
    await addMember(org.id, second.id, "OWNER");
    await leaveOrg(access);
    expect(await membershipOf(org.id, actor.id)).toBeNull();
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "member.left", actorId: actor.id } })).toBe(1);
    await expect(leaveOrg(await accessFor(second.id, org.slug))).rejects.toMatchObject({ code: "invalid_request" });
    expect(await ownerCount(org.id)).toBe(1);
  });

  test("with two owners one may remove or demote the other", async () => {
    const { org, access } = await orgWith("OWNER");
    const b = await addMember(org.id, (await createUser()).id, "OWNER");
    await changeRole(access, { membershipId: b.id, role: "ADMIN" });
    expect(await ownerCount(org.id)).toBe(1);
    const c = await addMember(org.id, (await createUser()).id, "OWNER");
    await removeMember(access, c.id);
    expect(await ownerCount(org.id)).toBe(1);
  });

  test("an OWNER can make an ADMIN an owner (audited), who can then let the first owner leave", async () => {
    const { org, actor, access } = await orgWith("OWNER");
    const admin = await createUser();
    const adminMembership = await addMember(org.id, admin.id, "ADMIN");
    await changeRole(access, { membershipId: adminMembership.id, role: "OWNER" });
    expect(await membershipOf(org.id, admin.id)).toMatchObject({ role: "OWNER" });
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { orgId: org.id, action: "member.role_changed" } });
    expect(audit).toMatchObject({ actorId: actor.id, targetId: adminMembership.id, details: { from: "ADMIN", to: "OWNER" } });
    await leaveOrg(access);
    expect(await ownerCount(org.id)).toBe(1);
  });

  test("members and viewers may leave", async () => {
    for (const role of ["MEMBER", "VIEWER", "ADMIN"] as const) {
      const { org, actor, access } = await orgWith(role);
      await leaveOrg(access);
      expect(await membershipOf(org.id, actor.id)).toBeNull();
    }
  });

  test("two owners leaving at the same moment: the org still has an owner", async () => {
    const { org, access } = await orgWith("OWNER");
    const second = await createUser();
    await addMember(org.id, second.id, "OWNER");
    const secondAccess = await accessFor(second.id, org.slug);
    const results = await Promise.allSettled([leaveOrg(access), leaveOrg(secondAccess)]);
    expect(await ownerCount(org.id), "owners left after both tried to leave").toBe(1);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  test("two owners demoting each other at the same moment: the org still has an owner", async () => {
    const { org, access } = await orgWith("OWNER");
    const second = await createUser();
    const secondMembership = await addMember(org.id, second.id, "OWNER");
    const secondAccess = await accessFor(second.id, org.slug);
    await Promise.allSettled([
      changeRole(access, { membershipId: secondMembership.id, role: "ADMIN" }),
      changeRole(secondAccess, { membershipId: access.membershipId, role: "ADMIN" }),
    ]);
    expect(await ownerCount(org.id), "owners left after each demoted the other").toBeGreaterThanOrEqual(1);
  });

  test("unknown membership ids, and ids from another org, are not found", async () => {
    const { access } = await orgWith("OWNER");
    const other = await orgWith("OWNER");
    await expect(changeRole(access, { membershipId: "nope", role: "VIEWER" })).rejects.toMatchObject({ code: "not_found" });
    await expect(removeMember(access, other.access.membershipId)).rejects.toMatchObject({ code: "not_found" });
    await expect(changeRole(access, { membershipId: other.access.membershipId, role: "VIEWER" })).rejects.toMatchObject({ code: "not_found" });
    expect(await membershipOf(other.org.id, other.actor.id)).toMatchObject({ role: "OWNER" });
  });
});

describe("setMemberTeams", () => {
  test("replaces a member's teams; a team of another org is refused and nothing changes", async () => {
    const { org, access } = await orgWith("ADMIN");
    const m = await addMember(org.id, (await createUser()).id, "MEMBER");
    const a = await createTeam(org.id, `a-${uniq()}`);
    const b = await createTeam(org.id, `b-${uniq()}`);
    const foreign = await createTeam((await createTestOrg()).org.id, `f-${uniq()}`);
    const teamsOf = async () => (await prisma().teamMember.findMany({ where: { membershipId: m.id } })).map((t) => t.teamId).sort();
    await setMemberTeams(access, { membershipId: m.id, teamIds: [a.id, b.id] });
    expect(await teamsOf()).toEqual([a.id, b.id].sort());
    await setMemberTeams(access, { membershipId: m.id, teamIds: [b.id] });
    expect(await teamsOf()).toEqual([b.id]);
    await expect(setMemberTeams(access, { membershipId: m.id, teamIds: [a.id, foreign.id] })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await teamsOf()).toEqual([b.id]);
    await setMemberTeams(access, { membershipId: m.id, teamIds: [] });
    expect(await teamsOf()).toEqual([]);
  });
});
