import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { ORG_SLUG_PATTERN } from "@/lib/orgs/create";
import { OnboardingForm } from "@/components/onboarding/onboarding-form";
import { createOrganization } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create your organization" };

export default async function OnboardingPage() {
  const user = await requireUser();
  return (
    <main className="mx-auto max-w-md px-6 py-24">
      <h1 className="text-2xl font-semibold tracking-tight">Create your organization</h1>
      <p className="mt-2 text-sm text-slate-600">
        Signed in as {user.email}. Your organization holds teams, keys, budgets and spend; you will be its owner.
      </p>
      <OnboardingForm createOrganization={createOrganization} slugPattern={ORG_SLUG_PATTERN} />
    </main>
  );
}
