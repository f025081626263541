"use server";

import { redirect } from "next/navigation";
import { ActionError } from "@/lib/auth/action";
import { userAction } from "@/lib/auth/server-action";
import { acceptInvitation } from "@/lib/orgs/members";

async function acceptNow(user: { id: string; email: string | null }, token: string): Promise<{ ok: false; error: { message: string } }> {
  let orgSlug: string;
  try {
    ({ orgSlug } = await acceptInvitation(user, token));
  } catch (err) {
    if (err instanceof ActionError) return { ok: false, error: { message: err.message } };
    throw err;
  }
  redirect(`/${orgSlug}/overview`);
}

export const acceptInvite = userAction(acceptNow);
