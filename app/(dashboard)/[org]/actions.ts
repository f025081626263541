"use server";

import { signOut } from "@/lib/auth/auth";
import { leaveOrgAction } from "@/lib/orgs/actions";
import { serverAction, userAction } from "@/lib/auth/server-action";

export const leaveOrg = serverAction(leaveOrgAction);
export const signOutAction = userAction("auth.sign-out", signOutNow);

async function signOutNow() {
  await signOut({ redirectTo: "/sign-in" });
}
