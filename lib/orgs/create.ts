import { z } from "zod";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { conflict, invalid, isUniqueViolation, zodDetails } from "../errors";

// Also the onboarding form's HTML `pattern`, which browsers compile with the `v` flag: there a bare
// `-` inside a class is a syntax error (and the browser silently skips the check), so it is escaped.
export const ORG_SLUG_PATTERN = "[a-z0-9](?:[a-z0-9\\-]*[a-z0-9])?";

// Top-level paths of the app: an org named like one of them could never be reached at /<slug>.
export const RESERVED_ORG_SLUGS = new Set([
  "api", "dev", "invite", "onboarding", "sign-in", "sign-out", "sign-up", "login", "logout", "auth",
  "_next", "static", "public", "assets", "favicon.ico", "robots.txt", "sitemap.xml", "docs", "admin",
  "settings", "new", "www", "app", "health", "status",
]);

export const ZOrgSlug = z
  .string()
  .min(2)
  .max(48)
  .regex(new RegExp(`^(?:${ORG_SLUG_PATTERN})$`, "v"), "lowercase letters, digits and dashes")
  .refine((slug) => !RESERVED_ORG_SLUGS.has(slug), "is reserved for the app's own pages; pick another");

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

// The one way an org comes to be (onboarding, the admin CLI, the demo seed, tests): validated,
// with its first owner (when there is one) and the audit row in the same transaction.
export async function createOrg(input: { slug: string; name?: string; timezone?: string; ownerId?: string }) {
  const slug = ZOrgSlug.safeParse(input.slug);
  if (!slug.success) throw invalid("Invalid organization address", zodDetails(slug.error, ["slug"]));
  const timezone = input.timezone ?? "UTC";
  // Both must know it: Node formats the org's dates, Postgres buckets its spend (a name Node accepts
  // but Postgres does not, like US/Pacific-New, would fail every query of the org).
  if (!isValidTimezone(timezone) || !(await postgresKnowsTimezone(timezone))) {
    throw invalid(`Unknown time zone: ${timezone}`, [{ path: "timezone", message: "is not an IANA time zone Burnrate can use" }]);
  }
  try {
    return await prisma().$transaction(async (tx) => {
      const org = await tx.organization.create({ data: { slug: slug.data, name: input.name ?? slug.data, timezone } });
      if (input.ownerId) await tx.membership.create({ data: { orgId: org.id, userId: input.ownerId, role: "OWNER" } });
      await recordAudit(tx, { orgId: org.id, actorId: input.ownerId ?? null, action: "org.created", targetType: "Organization", targetId: org.id, details: { slug: slug.data } });
      return org;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`The address /${slug.data} is taken; pick another.`);
    throw err;
  }
}

async function postgresKnowsTimezone(timezone: string): Promise<boolean> {
  const rows = await prisma().$queryRaw<{ ok: boolean }[]>`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = ${timezone}) AS ok`;
  return rows[0]?.ok === true;
}

export async function findOrgBySlug(slug: string) {
  return prisma().organization.findFirst({ where: { slug, deletedAt: null } });
}
