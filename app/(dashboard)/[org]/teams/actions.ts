"use server";

import { archiveTeamAction, createTeamAction, updateTeamAction } from "@/lib/teams/actions";
import { serverAction } from "@/lib/auth/server-action";

export const createTeam = serverAction(createTeamAction);
export const updateTeam = serverAction(updateTeamAction);
export const archiveTeam = serverAction(archiveTeamAction);
