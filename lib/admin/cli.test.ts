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
