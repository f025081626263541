import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { githubEnabled } from "@/lib/auth/auth";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { currentUser } from "@/lib/auth/session";
import { mailboxEnabled } from "@/lib/email/config";
import { SignInForm } from "@/components/auth/sign-in-form";
import { requestMagicLink, signInWithGitHub } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  RateLimited: "Too many sign-in emails requested for this address or network. Try again later.",
  Verification: "That sign-in link has expired or was already used. Request a new one.",
  AccessDenied: "Access denied.",
  // Auth.js says "Configuration" for any failure while handling the request — most often an address
  // it cannot use; the server log has the cause.
  Configuration: "That sign-in request could not be handled. Check the email address and try again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string; retry?: string }> }) {
  const { callbackUrl: rawCallback, error, retry } = await searchParams;
  const callbackUrl = safeCallbackPath(rawCallback, "");
  if (await currentUser()) redirect(callbackUrl || "/");
  const retryMinutes = Number(retry);
  return (
    <main className="mx-auto max-w-sm px-6 py-24">
      <h1 className="text-2xl font-semibold tracking-tight"><span className="text-orange-600">●</span> Sign in to Burnrate</h1>
      <p className="mt-2 text-sm text-slate-600">We email you a link; no password needed.</p>
      {error && <p role="alert" className="mt-4 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">{error === "RateLimited" && retryMinutes > 0
            ? `Too many sign-in emails requested for this address or network. Try again in ${retryMinutes} minute${retryMinutes === 1 ? "" : "s"}.`
            : (ERRORS[error] ?? "Sign-in failed. Try again.")}</p>}
      <SignInForm callbackUrl={callbackUrl ?? ""} requestMagicLink={requestMagicLink} />
      {githubEnabled() && (
        <form action={signInWithGitHub} className="mt-4">
          <input type="hidden" name="callbackUrl" value={callbackUrl ?? ""} />
          <button className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-50">Continue with GitHub</button>
        </form>
      )}
      {mailboxEnabled() && (
        <p className="mt-8 rounded-md bg-slate-100 px-3 py-2 text-xs text-slate-600">
          Development: no email is really sent. Open the <Link className="underline" href="/dev/mailbox">dev mailbox</Link> to click your sign-in link.
        </p>
      )}
    </main>
  );
}
