import Link from "next/link";
import { redirect } from "next/navigation";
import { userOrgs } from "@/lib/auth/membership";
import { currentUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

// Signed in: straight to the first org (or onboarding for a new person). Signed out: the pitch.
export default async function Home() {
  const user = await currentUser();
  if (user) {
    const orgs = await userOrgs(user.id);
    redirect(orgs.length ? `/${orgs[0].org.slug}/overview` : "/onboarding");
  }
  return (
    <main className="mx-auto max-w-2xl px-6 py-24">
      <h1 className="text-4xl font-semibold tracking-tight"><span className="text-orange-600">●</span> Burnrate</h1>
      <p className="mt-4 text-lg text-slate-600">
        Know which agent, task and team spent your LLM money — and stop a runaway before it drains the budget.
      </p>
      <p className="mt-8">
        <Link href="/sign-in" className="rounded-md bg-slate-900 px-4 py-2 text-white hover:bg-slate-700">Sign in</Link>
      </p>
    </main>
  );
}
