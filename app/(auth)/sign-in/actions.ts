"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { signIn } from "@/lib/auth/auth";
import { magicLinkAllowed } from "@/lib/auth/rate-limit";
import { publicAction } from "@/lib/auth/server-action";

export type TSignInState = { error?: string; email?: string };

const ZSignIn = z.object({
  email: z.email("Enter a valid email address").max(254),
  callbackUrl: z.string().max(2000).optional(),
});

// Only same-site paths: never bounce a visitor to another host after sign-in.
function safeCallback(url: string | undefined): string {
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

async function requestMagicLinkNow(_state: TSignInState, form: FormData): Promise<TSignInState> {
  const parsed = ZSignIn.safeParse({ email: form.get("email"), callbackUrl: form.get("callbackUrl") || undefined });
  const email = String(form.get("email") ?? "");
  if (!parsed.success) return { error: parsed.error.issues[0].message, email };
  const ip = (await headers()).get("x-burnrate-client-ip") ?? "unknown";
  const limit = await magicLinkAllowed(parsed.data.email, ip);
  if (!limit.allowed) {
    return { error: `Too many sign-in emails requested. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`, email };
  }
  // Redirects to /sign-in/check-email (a thrown redirect: let it through).
  await signIn("email", { email: parsed.data.email.toLowerCase(), redirectTo: safeCallback(parsed.data.callbackUrl) });
  return {};
}

async function signInWithGitHubNow(form: FormData): Promise<void> {
  await signIn("github", { redirectTo: safeCallback(String(form.get("callbackUrl") ?? "") || undefined) });
}

export const requestMagicLink = publicAction(requestMagicLinkNow);
export const signInWithGitHub = publicAction(signInWithGitHubNow);
