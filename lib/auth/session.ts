import { cache } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { auth } from "./auth";
import { orgAccess, type TOrgAccess } from "./membership";

// Cached per request: the layout and the page both ask.
export const currentUser = cache(async (): Promise<{ id: string; email: string | null; name: string | null } | null> => {
  const session = await auth();
  if (!session?.user?.id) return null;
  return { id: session.user.id, email: session.user.email ?? null, name: session.user.name ?? null };
});

const cachedOrgAccess = cache(orgAccess);

// Pages: unauthenticated → sign-in (and back here afterwards).
export async function requireUser() {
  const user = await currentUser();
  if (!user) {
    const path = (await headers()).get("x-burnrate-path") ?? "/";
    redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  }
  return user;
}

// Pages under /[org]: a non-member gets the same 404 as for an org that does not exist.
export async function requireOrgPage(orgSlug: string): Promise<TOrgAccess & { user: NonNullable<Awaited<ReturnType<typeof currentUser>>> }> {
  const user = await requireUser();
  const access = await cachedOrgAccess(user.id, orgSlug);
  if (!access) notFound();
  return { ...access, user };
}
