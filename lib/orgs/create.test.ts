import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { prisma } from "../db";
import { createUser } from "../testing/fixtures";
import { createOrg, ORG_SLUG_PATTERN, ZOrgSlug } from "./create";

const uniq = () => randomBytes(4).toString("hex");

describe("createOrg", () => {
  test("with an owner: the creator is the org's OWNER, currency USD, with an org.created audit row", async () => {
    const user = await createUser();
    const slug = `o-${uniq()}`;
    const org = await createOrg({ name: "Acme", slug, timezone: "Europe/Paris", ownerId: user.id });
    expect(org).toMatchObject({ slug, name: "Acme", timezone: "Europe/Paris", currency: "USD" });
    expect(await prisma().membership.findFirst({ where: { orgId: org.id, userId: user.id } })).toMatchObject({ role: "OWNER" });
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "org.created", actorId: user.id } })).toBe(1);
  });

  test("an unknown time zone, a bad slug or a taken slug is a domain error that creates nothing", async () => {
    const user = await createUser();
    const slug = `o-${uniq()}`;
    await expect(createOrg({ name: "X", slug, timezone: "Mars/Olympus", ownerId: user.id })).rejects.toMatchObject({
      code: "invalid_request",
      status: 422,
      details: [{ path: "timezone" }],
    });
    await expect(createOrg({ name: "X", slug: "Not A Slug", timezone: "UTC", ownerId: user.id })).rejects.toMatchObject({
      code: "invalid_request",
      details: [{ path: "slug" }],
    });
    // Node knows this (retired) zone; Postgres does not — every query of the org would fail.
    await expect(createOrg({ slug, timezone: "US/Pacific-New" })).rejects.toMatchObject({ code: "invalid_request", details: [{ path: "timezone" }] });
    for (const reserved of ["api", "invite", "sign-in", "onboarding", "dev"]) {
      await expect(createOrg({ slug: reserved }), reserved).rejects.toMatchObject({ code: "invalid_request", details: [{ path: "slug" }] });
    }
    await createOrg({ slug });
    await expect(createOrg({ name: "X", slug, ownerId: user.id })).rejects.toMatchObject({
      code: "conflict",
      status: 409,
      message: `The address /${slug} is taken; pick another.`,
    });
    expect(await prisma().membership.count({ where: { userId: user.id } })).toBe(0);
  });
});

// Chromium compiles an input's `pattern` with the `v` flag and ignores (with a console error) one
// that does not compile — the browser then never checks the slug.
test("the slug pattern compiles as a browser compiles an HTML pattern, and agrees with the server", () => {
  const browser = new RegExp(`^(?:${ORG_SLUG_PATTERN})$`, "v");
  for (const slug of ["acme", "acme-inc", "a1", "0-0"]) {
    expect(browser.test(slug), slug).toBe(true);
    expect(ZOrgSlug.safeParse(slug).success, slug).toBe(true);
  }
  for (const slug of ["-acme", "acme-", "Acme", "ac me", "ac_me", "é"]) {
    expect(browser.test(slug), slug).toBe(false);
    expect(ZOrgSlug.safeParse(slug).success, slug).toBe(false);
  }
});
