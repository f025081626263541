import { headers } from "next/headers";
import NextAuth from "next-auth";
import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { prisma } from "../db";
import { env } from "../env";
import { queueMagicLink } from "./magic-link";
import { safeRedirectUrl } from "./callback-url";
import { magicLinkAllowed } from "./rate-limit";

export const MAGIC_LINK_MAX_AGE_S = 15 * 60;

// Auth.js (next-auth v5) with database sessions in Postgres through the Prisma adapter. Magic links
// go through the email outbox (Resend, or the dev mailbox); GitHub appears when its env vars are set.
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const providers: Provider[] = [
    {
      id: "email",
      type: "email",
      name: "Email",
      maxAge: MAGIC_LINK_MAX_AGE_S,
      async sendVerificationRequest({ identifier, url }) {
        await queueMagicLink({ to: identifier, url, expiresInMinutes: MAGIC_LINK_MAX_AGE_S / 60 });
      },
    },
  ];
  const { AUTH_GITHUB_ID, AUTH_GITHUB_SECRET } = env();
  if (AUTH_GITHUB_ID && AUTH_GITHUB_SECRET) providers.push(GitHub({ clientId: AUTH_GITHUB_ID, clientSecret: AUTH_GITHUB_SECRET }));
  return {
    // The generated client is structurally the Prisma client the adapter expects.
    adapter: PrismaAdapter(prisma() as unknown as Parameters<typeof PrismaAdapter>[0]),
    session: { strategy: "database", maxAge: 30 * 24 * 3600 },
    providers,
    trustHost: true,
    logger: {
      // A client that hangs up mid-request is not our error (the machine API does not log those
      // either); everything else is logged as Auth.js would.
      error(error: Error) {
        const cause = (error as Error & { cause?: unknown }).cause;
        const aborted = [error, cause].some((e) => e instanceof Error && (e.message === "aborted" || (e as NodeJS.ErrnoException).code === "ECONNRESET"));
        if (!aborted) console.error(`[auth][error] ${error.name}: ${error.message}`, cause ?? "");
      },
    },
    pages: { signIn: "/sign-in", verifyRequest: "/sign-in/check-email", error: "/sign-in" },
    callbacks: {
      // Every path that asks for a magic link passes here before a token exists — the sign-in
      // page's server action and Auth.js's own POST /api/auth/signin/email alike — so the limit
      // lives here, not in one caller.
      async signIn({ user, email }) {
        if (!email?.verificationRequest || !user.email) return true;
        const ip = (await headers()).get("x-burnrate-client-ip") ?? "unknown";
        const limit = await magicLinkAllowed(user.email, ip);
        if (limit.allowed) return true;
        return `/sign-in?${new URLSearchParams({ error: "RateLimited", retry: String(Math.ceil(limit.retryAfterSeconds / 60)) })}`;
      },
      redirect({ url, baseUrl }) {
        return safeRedirectUrl(url, baseUrl);
      },
      session({ session, user }) {
        session.user.id = user.id;
        return session;
      },
    },
  };
});

export function githubEnabled(): boolean {
  const { AUTH_GITHUB_ID, AUTH_GITHUB_SECRET } = env();
  return Boolean(AUTH_GITHUB_ID && AUTH_GITHUB_SECRET);
}
