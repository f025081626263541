import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { prisma } from "../db";
import { authenticateKey } from "../keys/authenticate";
import { hashSecret } from "../keys/hash";
import { runAdmin } from "./cli";

async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

test("an operator sets up an org from the CLI: team, key (secret on the last line), member, revoke", async () => {
  const slug = `cli-${randomBytes(4).toString("hex")}`;
  expect((await admin("org", "create", slug, "--timezone", "Europe/Berlin")).code).toBe(0);
  expect((await admin("cost-center", "create", "--org", slug, "ENG-1", "--name", "Engineering")).code).toBe(0);
  expect((await admin("team", "create", "--org", slug, "platform", "--cost-center", "ENG-1")).code).toBe(0);

  const created = await admin("key", "create", "--org", slug, "--name", "ci", "--team", "platform", "--scope", "ingest,read");
  expect(created.code).toBe(0);
  const secret = created.out.at(-1)!;
  expect(secret).toMatch(/^br_[0-9A-Za-z]{50,}$/);
  const key = await prisma().virtualKey.findUniqueOrThrow({ where: { hash: hashSecret(secret) }, include: { team: true } });
  expect(key).toMatchObject({ name: "ci", scopes: ["ingest", "read"], revokedAt: null });
  expect(key.team?.slug).toBe("platform");

  const member = await admin("member", "add", "--org", slug, "Lead@Example.test", "--role", "admin");
  expect(member.code).toBe(0);
  const membership = await prisma().membership.findFirstOrThrow({ where: { org: { slug }, user: { email: "lead@example.test" } } });
  expect(membership.role).toBe("ADMIN");

  expect((await admin("key", "revoke", "--org", slug, key.prefix)).code).toBe(0);
  await new Promise((r) => setTimeout(r, 600));
  expect(await authenticateKey(secret)).toBe("revoked");
});

test("mistakes exit non-zero with a message, and change nothing", async () => {
  const none = await admin("key", "create", "--org", "no-such-org-cli", "--name", "x");
  expect(none.code).toBe(1);
  expect(none.err.join("\n")).toMatch(/no org 'no-such-org-cli'/);

  const usage = await admin("key", "create", "--org");
  expect(usage.code).toBe(2);
  expect(usage.err.join("\n")).toMatch(/usage: npm run admin/);

  const slug = `cli-${randomBytes(4).toString("hex")}`;
  await admin("org", "create", slug);
  const badScope = await admin("key", "create", "--org", slug, "--name", "x", "--scope", "admin");
  expect(badScope.code).toBe(2);
  expect(await prisma().virtualKey.count({ where: { org: { slug } } })).toBe(0);
  expect((await admin("org", "create", slug)).code).toBe(1); // already exists
});

test("member add never leaves an org without an owner, and audits every change it makes", async () => {
  const slug = `cli-${randomBytes(4).toString("hex")}`;
  await admin("org", "create", slug);
  expect((await admin("member", "add", "--org", slug, "only@example.test", "--role", "owner")).code).toBe(0);

  const demote = await admin("member", "add", "--org", slug, "only@example.test", "--role", "viewer");
  expect(demote.code).toBe(1);
  expect(demote.err.join("\n")).toMatch(/only owner/);
  const owner = await prisma().membership.findFirstOrThrow({ where: { org: { slug }, user: { email: "only@example.test" } } });
  expect(owner.role).toBe("OWNER");

  // With a second owner the first may step down; each change has exactly one audit row.
  expect((await admin("member", "add", "--org", slug, "second@example.test", "--role", "owner")).code).toBe(0);
  expect((await admin("member", "add", "--org", slug, "only@example.test", "--role", "viewer")).code).toBe(0);
  expect((await admin("member", "add", "--org", slug, "only@example.test", "--role", "viewer")).out.join("")).toMatch(/already is viewer/);
  const audit = await prisma().auditLog.findMany({ where: { org: { slug }, action: { startsWith: "member." } }, orderBy: { createdAt: "asc" } });
  expect(audit.map((a) => [a.action, (a.details as { email: string }).email])).toEqual([
    ["member.joined", "only@example.test"],
    ["member.joined", "second@example.test"],
    ["member.role_changed", "only@example.test"],
  ]);
  expect(audit[2].details).toMatchObject({ from: "OWNER", to: "VIEWER" });

  const taken = await admin("org", "create", slug);
  expect(taken.err.join("")).toMatch(new RegExp(`The address /${slug} is taken`));
});
