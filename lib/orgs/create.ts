import { z } from "zod";
import { prisma } from "../db";

export const ZOrgSlug = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "lowercase letters, digits and dashes");

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export async function createOrg(input: { slug: string; name?: string; timezone?: string }) {
  const slug = ZOrgSlug.parse(input.slug);
  const timezone = input.timezone ?? "UTC";
  if (!isValidTimezone(timezone)) throw new Error(`Unknown time zone: ${timezone}`);
  return prisma().organization.create({ data: { slug, name: input.name ?? slug, timezone } });
}

export async function findOrgBySlug(slug: string) {
  return prisma().organization.findFirst({ where: { slug, deletedAt: null } });
}
