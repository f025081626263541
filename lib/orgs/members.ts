import { createHash, randomBytes } from "node:crypto";
import { conflict, forbidden, invalid, notFound } from "../errors";
import type { TOrgAccess } from "../auth/membership";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { emailStatusByKey, enqueueEmail, kickOutbox } from "../email/outbox";
import type { Role } from "../generated/prisma/enums";

export const INVITATION_TTL_DAYS = 7;

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

// The invitation's email in the outbox: one per invitation (a re-invite is a new invitation).
export const invitationEmailKey = (invitationId: string) => `invitation/${invitationId}`;

export async function listMembers(orgId: string) {
  const [members, invitations] = await Promise.all([
    prisma().membership.findMany({
      where: { orgId },
      orderBy: { createdAt: "asc" },
      include: { user: { select: { email: true, name: true } }, teams: { select: { team: { select: { id: true, slug: true } } } } },
    }),
    prisma().invitation.findMany({ where: { orgId, acceptedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } }),
  ]);
  const emails = await emailStatusByKey(orgId, invitations.map((i) => invitationEmailKey(i.id)));
  return { members, invitations: invitations.map((i) => ({ ...i, emailStatus: emails.get(invitationEmailKey(i.id)) ?? null })) };
}

// Only an OWNER may make or touch owners; admins manage everyone else.
function assertMayAssign(access: TOrgAccess, role: Role) {
  if (role === "OWNER" && access.role !== "OWNER") throw forbidden("Only an owner can make someone an owner.");
}

export async function inviteMember(access: TOrgAccess, input: { email: string; role: Role; appUrl: string; inviterName: string }) {
  assertMayAssign(access, input.role);
  const email = input.email.trim().toLowerCase();
  // GitHub sign-in stores addresses as GitHub gives them: compare without case.
  const existing = await prisma().membership.findFirst({ where: { orgId: access.org.id, user: { email: { equals: email, mode: "insensitive" } } } });
  if (existing) throw conflict(`${email} is already a member.`);
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITATION_TTL_DAYS * 24 * 3600_000);
  const invitation = await prisma().$transaction(async (tx) => {
    // A new invitation replaces a pending one to the same address: one valid link per person.
    await tx.invitation.deleteMany({ where: { orgId: access.org.id, email, acceptedAt: null } });
    const created = await tx.invitation.create({
      data: { orgId: access.org.id, email, role: input.role, tokenHash: tokenHash(token), invitedBy: access.userId, expiresAt },
    });
    await recordAudit(tx, { orgId: access.org.id, actorId: access.userId, action: "member.invited", targetType: "Invitation", targetId: created.id, details: { email, role: input.role } });
    // The email commits with the invitation: a provider outage cannot undo one or lose the other.
    await enqueueEmail(tx, {
      template: "invitation",
      to: email,
      orgId: access.org.id,
      idempotencyKey: invitationEmailKey(created.id),
      payload: { url: `${input.appUrl}/invite/${token}`, orgName: access.org.name, inviterName: input.inviterName, role: input.role, expiresAt },
    });
    return created;
  });
  void kickOutbox();
  return invitation;
}

// Withdraws a pending invitation: its link stops working at once.
export async function revokeInvitation(access: TOrgAccess, invitationId: string) {
  const invitation = await prisma().invitation.findFirst({ where: { orgId: access.org.id, id: invitationId, acceptedAt: null } });
  if (!invitation) throw notFound("No such pending invitation.");
  await prisma().$transaction(async (tx) => {
    await tx.invitation.delete({ where: { id: invitation.id } });
    await recordAudit(tx, { orgId: access.org.id, actorId: access.userId, action: "member.invitation_revoked", targetType: "Invitation", targetId: invitation.id, details: { email: invitation.email, role: invitation.role } });
  });
}

export async function invitationByToken(token: string) {
  const invitation = await prisma().invitation.findUnique({ where: { tokenHash: tokenHash(token) }, include: { org: { select: { slug: true, name: true, deletedAt: true } } } });
  if (!invitation || invitation.org.deletedAt) return null;
  return invitation;
}

// Single use: the UPDATE … WHERE acceptedAt IS NULL claims it, so two clicks cannot both join.
export async function acceptInvitation(user: { id: string; email: string | null }, token: string): Promise<{ orgSlug: string }> {
  const invitation = await invitationByToken(token);
  if (!invitation) throw notFound("This invitation does not exist.");
  if (invitation.acceptedAt) throw invalid("This invitation has already been used.");
  if (invitation.expiresAt <= new Date()) throw invalid("This invitation has expired; ask for a new one.");
  if (!user.email || user.email.toLowerCase() !== invitation.email) {
    throw forbidden(`This invitation is for ${invitation.email}; sign in with that address.`);
  }
  await prisma().$transaction(async (tx) => {
    const claimed = await tx.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: new Date() } });
    if (claimed.count !== 1) throw invalid("This invitation has already been used.");
    const member =
      (await tx.membership.findFirst({ where: { orgId: invitation.orgId, userId: user.id } })) ??
      (await tx.membership.create({ data: { orgId: invitation.orgId, userId: user.id, role: invitation.role } }));
    await recordAudit(tx, { orgId: invitation.orgId, actorId: user.id, action: "member.joined", targetType: "Membership", targetId: member.id, details: { email: invitation.email, role: invitation.role } });
  });
  return { orgSlug: invitation.org.slug };
}

type TTx = Parameters<Parameters<ReturnType<typeof prisma>["$transaction"]>[0]>[0];

// Owner-changing operations serialize per org: lock the org row, then re-read the caller's role
// and the owner count inside the same transaction — two owners leaving at once cannot both win.
async function withOrgLock<T>(access: TOrgAccess, run: (tx: TTx, actorRole: Role, owners: number) => Promise<T>): Promise<T> {
  return prisma().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${access.org.id} FOR UPDATE`;
    const actor = await tx.membership.findFirst({ where: { id: access.membershipId, orgId: access.org.id }, select: { role: true } });
    if (!actor) throw forbidden("You are no longer a member of this organization.");
    const owners = await tx.membership.count({ where: { orgId: access.org.id, role: "OWNER" } });
    return run(tx, actor.role, owners);
  });
}

async function memberOf(tx: TTx, access: TOrgAccess, membershipId: string) {
  const member = await tx.membership.findFirst({ where: { orgId: access.org.id, id: membershipId }, include: { user: { select: { email: true } } } });
  if (!member) throw notFound("No such member.");
  return member;
}

export async function changeRole(access: TOrgAccess, input: { membershipId: string; role: Role }) {
  await withOrgLock(access, async (tx, actorRole, owners) => {
    const member = await memberOf(tx, access, input.membershipId);
    if (actorRole !== "OWNER" && actorRole !== "ADMIN") throw forbidden("Your role cannot change roles.");
    if (member.role === "OWNER" && actorRole !== "OWNER") throw forbidden("Admins cannot change an owner's role.");
    if (input.role === "OWNER" && actorRole !== "OWNER") throw forbidden("Only an owner can make someone an owner.");
    if (member.role === "OWNER" && input.role !== "OWNER" && owners <= 1) {
      throw invalid("The last owner cannot step down; make someone else an owner first.");
    }
    await tx.membership.update({ where: { id: member.id }, data: { role: input.role } });
    await recordAudit(tx, { orgId: access.org.id, actorId: access.userId, action: "member.role_changed", targetType: "Membership", targetId: member.id, details: { email: member.user.email, from: member.role, to: input.role } });
  });
}

export async function removeMember(access: TOrgAccess, membershipId: string) {
  await withOrgLock(access, async (tx, actorRole, owners) => {
    const member = await memberOf(tx, access, membershipId);
    if (actorRole !== "OWNER" && actorRole !== "ADMIN") throw forbidden("Your role cannot remove members.");
    if (member.role === "OWNER" && actorRole !== "OWNER") throw forbidden("Admins cannot remove an owner.");
    if (member.role === "OWNER" && owners <= 1) throw invalid("The last owner cannot be removed.");
    await tx.membership.delete({ where: { id: member.id } });
    await recordAudit(tx, { orgId: access.org.id, actorId: access.userId, action: "member.removed", targetType: "Membership", targetId: member.id, details: { email: member.user.email } });
  });
}

export async function leaveOrg(access: TOrgAccess) {
  await withOrgLock(access, async (tx, actorRole, owners) => {
    if (actorRole === "OWNER" && owners <= 1) {
      throw invalid("You are the last owner: make someone else an owner before leaving.");
    }
    await tx.membership.delete({ where: { id: access.membershipId } });
    await recordAudit(tx, { orgId: access.org.id, actorId: access.userId, action: "member.left", targetType: "Membership", targetId: access.membershipId });
  });
}

// The operator CLI's `member add`: makes an address a member with a role, under the same org lock
// and last-owner rule as the members page; the audit row commits with the change.
export async function setMemberByOperator(orgId: string, input: { email: string; role: Role }): Promise<{ membershipId: string; change: "added" | "changed" | "unchanged" }> {
  const email = input.email.trim().toLowerCase();
  return prisma().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Organization" WHERE id = ${orgId} FOR UPDATE`;
    const user = await tx.user.upsert({ where: { email }, update: {}, create: { email } });
    const existing = await tx.membership.findFirst({ where: { orgId, userId: user.id } });
    if (existing?.role === input.role) return { membershipId: existing.id, change: "unchanged" as const };
    if (existing?.role === "OWNER") {
      const owners = await tx.membership.count({ where: { orgId, role: "OWNER" } });
      if (owners <= 1) throw invalid(`${email} is the org's only owner: make someone else an owner first.`);
    }
    const membership = existing
      ? await tx.membership.update({ where: { id: existing.id }, data: { role: input.role } })
      : await tx.membership.create({ data: { orgId, userId: user.id, role: input.role } });
    await recordAudit(tx, {
      orgId,
      actorId: null,
      action: existing ? "member.role_changed" : "member.joined",
      targetType: "Membership",
      targetId: membership.id,
      details: existing ? { email, from: existing.role, to: input.role, via: "operator CLI" } : { email, role: input.role, via: "operator CLI" },
    });
    return { membershipId: membership.id, change: existing ? ("changed" as const) : ("added" as const) };
  });
}

export async function setMemberTeams(access: TOrgAccess, input: { membershipId: string; teamIds: string[] }) {
  const member = await memberOf(prisma(), access, input.membershipId);
  const teams = await prisma().team.findMany({ where: { orgId: access.org.id, id: { in: input.teamIds } }, select: { id: true } });
  if (teams.length !== new Set(input.teamIds).size) throw invalid("Unknown team.");
  await prisma().$transaction([
    prisma().teamMember.deleteMany({ where: { orgId: access.org.id, membershipId: member.id } }),
    prisma().teamMember.createMany({ data: teams.map((t) => ({ orgId: access.org.id, teamId: t.id, membershipId: member.id })) }),
  ]);
}
