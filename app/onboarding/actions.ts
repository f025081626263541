"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { userAction } from "@/lib/auth/server-action";
import { invalid, zodDetails } from "@/lib/errors";
import { createOrg, ZOrgSlug } from "@/lib/orgs/create";

const ZCreateOrg = z.object({
  name: z.string().trim().min(2, "Name your organization").max(100),
  slug: ZOrgSlug,
  timezone: z.string().min(1).max(64),
});

export const createOrganization = userAction("onboarding.create-org", async (user, form: FormData) => {
  const parsed = ZCreateOrg.safeParse({ name: form.get("name"), slug: form.get("slug"), timezone: form.get("timezone") });
  if (!parsed.success) throw invalid("Please check the highlighted fields.", zodDetails(parsed.error));
  await createOrg({ ...parsed.data, ownerId: user.id });
  redirect(`/${parsed.data.slug}/overview`);
});
