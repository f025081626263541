import { z } from "zod";
import { defineOrgAction } from "../auth/action";
import { prisma } from "../db";
import { env } from "../env";
import { changeRole, inviteMember, leaveOrg, removeMember, revokeInvitation, setMemberTeams } from "./members";

const ZRole = z.enum(["OWNER", "ADMIN", "MEMBER", "VIEWER"]);

export function appUrl(): string {
  return env().APP_URL ?? `http://localhost:${env().PORT}`;
}

export const inviteMemberAction = defineOrgAction(
  { name: "members.invite", permission: "member.manage", input: z.object({ email: z.email("Enter an email address"), role: ZRole }) },
  async (access, input) => {
    const inviter = await prisma().user.findUnique({ where: { id: access.userId }, select: { name: true, email: true } });
    const invitation = await inviteMember(access, { ...input, appUrl: appUrl(), inviterName: inviter?.name ?? inviter?.email ?? "A teammate" });
    return invitation.id;
  },
);

export const revokeInvitationAction = defineOrgAction(
  { name: "members.revokeInvitation", permission: "member.manage", input: z.object({ invitationId: z.string().min(1) }) },
  async (access, input) => {
    await revokeInvitation(access, input.invitationId);
    return null;
  },
);

export const changeRoleAction = defineOrgAction(
  { name: "members.changeRole", permission: "member.manage", input: z.object({ membershipId: z.string().min(1), role: ZRole }) },
  async (access, input) => {
    await changeRole(access, input);
    return null;
  },
);

export const removeMemberAction = defineOrgAction(
  { name: "members.remove", permission: "member.manage", input: z.object({ membershipId: z.string().min(1) }) },
  async (access, input) => {
    await removeMember(access, input.membershipId);
    return null;
  },
);

export const setMemberTeamsAction = defineOrgAction(
  { name: "members.setTeams", permission: "member.manage", input: z.object({ membershipId: z.string().min(1), teamIds: z.array(z.string().min(1)).max(200) }) },
  async (access, input) => {
    await setMemberTeams(access, input);
    return null;
  },
);

export const leaveOrgAction = defineOrgAction(
  { name: "members.leave", permission: "org.read", input: z.object({}) },
  async (access) => {
    await leaveOrg(access);
    return null;
  },
);
