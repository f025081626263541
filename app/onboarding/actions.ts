"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { userAction } from "@/lib/auth/server-action";
import { ActionError } from "@/lib/auth/action";
import { createOrgWithOwner } from "@/lib/orgs/members";
import { ZOrgSlug } from "@/lib/orgs/create";

export type TOnboardingState = { error?: string };

const ZCreateOrg = z.object({
  name: z.string().trim().min(2, "Name your organization").max(100),
  slug: ZOrgSlug,
  timezone: z.string().min(1).max(64),
});

async function createOrganizationNow(user: { id: string }, _state: TOnboardingState, form: FormData): Promise<TOnboardingState> {
  const parsed = ZCreateOrg.safeParse({ name: form.get("name"), slug: form.get("slug"), timezone: form.get("timezone") });
  if (!parsed.success) return { error: `${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}` };
  try {
    await createOrgWithOwner(user.id, parsed.data);
  } catch (err) {
    if (err instanceof ActionError) return { error: err.message };
    if (err && typeof err === "object" && "code" in err && err.code === "P2002") return { error: `The address /${parsed.data.slug} is taken; pick another.` };
    throw err;
  }
  redirect(`/${parsed.data.slug}/overview`);
}

export const createOrganization = userAction(createOrganizationNow);
