"use server";

import { z } from "zod";
import { signIn } from "@/lib/auth/auth";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { publicAction } from "@/lib/auth/server-action";

export type TSignInState = { error?: string; email?: string };

const ZSignIn = z.object({
  email: z.email("Enter a valid email address").max(254),
  callbackUrl: z.string().max(2000).optional(),
});

async function requestMagicLinkNow(_state: TSignInState, form: FormData): Promise<TSignInState> {
  const parsed = ZSignIn.safeParse({ email: form.get("email"), callbackUrl: form.get("callbackUrl") || undefined });
  const email = String(form.get("email") ?? "");
  if (!parsed.success) return { error: parsed.error.issues[0].message, email };
  // Redirects to /sign-in/check-email, or back here when the sign-in rate limit (in Auth.js's
  // signIn callback, lib/auth/auth.ts) refuses — a thrown redirect either way: let it through.
  await signIn("email", { email: parsed.data.email.toLowerCase(), redirectTo: safeCallbackPath(parsed.data.callbackUrl) });
  return {};
}

async function signInWithGitHubNow(form: FormData): Promise<void> {
  await signIn("github", { redirectTo: safeCallbackPath(String(form.get("callbackUrl") ?? "")) });
}

export const requestMagicLink = publicAction(requestMagicLinkNow);
export const signInWithGitHub = publicAction(signInWithGitHubNow);
