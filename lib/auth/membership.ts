import { prisma } from "../db";
import type { Role } from "../generated/prisma/enums";

export type TOrgAccess = {
  userId: string;
  membershipId: string;
  role: Role;
  org: { id: string; slug: string; name: string; timezone: string; currency: string; plan: string };
};

// The one org lookup for people: by slug AND membership, so a non-member cannot tell an org exists.
export async function orgAccess(userId: string, orgSlug: string): Promise<TOrgAccess | null> {
  const membership = await prisma().membership.findFirst({
    where: { userId, org: { slug: orgSlug, deletedAt: null } },
    select: {
      id: true,
      role: true,
      org: { select: { id: true, slug: true, name: true, timezone: true, currency: true, plan: true } },
    },
  });
  if (!membership) return null;
  return { userId, membershipId: membership.id, role: membership.role, org: membership.org };
}

export async function userOrgs(userId: string) {
  return prisma().membership.findMany({
    where: { userId, org: { deletedAt: null } },
    select: { role: true, org: { select: { slug: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
}
