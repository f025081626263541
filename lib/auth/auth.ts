import NextAuth from "next-auth";
import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { prisma } from "../db";
import { env } from "../env";
import { queueMagicLink } from "./magic-link";

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
    pages: { signIn: "/sign-in", verifyRequest: "/sign-in/check-email", error: "/sign-in" },
    callbacks: {
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
