"use server";

import { changeRoleAction, inviteMemberAction, removeMemberAction, revokeInvitationAction, setMemberTeamsAction } from "@/lib/orgs/actions";
import { serverAction } from "@/lib/auth/server-action";

export const inviteMember = serverAction(inviteMemberAction);
export const changeRole = serverAction(changeRoleAction);
export const removeMember = serverAction(removeMemberAction);
export const setMemberTeams = serverAction(setMemberTeamsAction);
export const revokeInvitation = serverAction(revokeInvitationAction);
