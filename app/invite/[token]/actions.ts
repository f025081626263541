"use server";

import { redirect } from "next/navigation";
import { userAction } from "@/lib/auth/server-action";
import { acceptInvitation } from "@/lib/orgs/members";

export const acceptInvite = userAction("invitations.accept", async (user, token: string) => {
  const { orgSlug } = await acceptInvitation(user, token);
  redirect(`/${orgSlug}/overview`);
});
