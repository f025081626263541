import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { authenticateKey } from "../keys/authenticate";
import { hashSecret } from "../keys/hash";
import { api, startMachineServer } from "../testing/machine-server";
import { decryptApiKey } from "../gateway/credentials";
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

test("credential set --key - reads the upstream key from standard input, so it never shows in the process list", async () => {
  const slug = `cli-${randomBytes(4).toString("hex")}`;
  await admin("org", "create", slug);
  const out: string[] = [];
  const err: string[] = [];
  const piped = await runAdmin(["credential", "set", "--org", slug, "--provider", "openai", "--key", "-"], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin: async () => "sk-from-stdin-123\n",
  });
  expect(piped).toBe(0);
  expect([...out, ...err].join("\n")).not.toContain("sk-from-stdin");
  const org = await prisma().organization.findUniqueOrThrow({ where: { slug } });
  const stored = await prisma().providerCredential.findUniqueOrThrow({ where: { orgId_provider: { orgId: org.id, provider: "openai" } } });
  expect(decryptApiKey(org.id, "openai", stored.apiKeyEnc)).toBe("sk-from-stdin-123");

  // Nothing piped in, or standard input a terminal (no reader): a usage error, and the stored key is unchanged.
  const emptyErr: string[] = [];
  const empty = await runAdmin(["credential", "set", "--org", slug, "--provider", "openai", "--key", "-"], { out: () => undefined, err: (l) => emptyErr.push(l), stdin: async () => " \r\n" });
  expect(empty).toBe(2);
  expect(emptyErr.join("\n")).toMatch(/standard input was empty/);
  const terminal = await admin("credential", "set", "--org", slug, "--provider", "openai", "--key", "-");
  expect(terminal.code).toBe(2);
  expect(terminal.err.join("\n")).toMatch(/standard input is a terminal/);
  const after = await prisma().providerCredential.findUniqueOrThrow({ where: { orgId_provider: { orgId: org.id, provider: "openai" } } });
  expect(decryptApiKey(org.id, "openai", after.apiKeyEnc)).toBe("sk-from-stdin-123");
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

describe("budgets from the CLI", () => {
  let server: Awaited<ReturnType<typeof startMachineServer>>;
  beforeAll(async () => {
    server = await startMachineServer();
  });
  afterAll(() => server.close());

  async function orgWithTeamKey() {
    const slug = `cli-${randomBytes(4).toString("hex")}`;
    expect((await admin("org", "create", slug)).code).toBe(0);
    expect((await admin("team", "create", "--org", slug, "platform")).code).toBe(0);
    const key = await admin("key", "create", "--org", slug, "--name", "agents", "--team", "platform");
    return { slug, secret: key.out.at(-1)! };
  }
  const post = (secret: string, events: unknown[]) => api(server.url, "/api/v1/events", { secret, body: { events } });
  // The table's cells: columns are two or more spaces apart.
  const cells = (line: string) => line.split(/\s{2,}/);

  test("set creates (id on the last line), list shows spend against the limit, set --id changes only what it names, archive", async () => {
    const { slug, secret } = await orgWithTeamKey();
    const set = await admin(
      "budget", "set", "--org", slug, "--scope", "team:platform", "--amount", "10", "--period", "month", "--enforce", "block",
      "--thresholds", "50,80,100", "--recipients", "Lead@Example.test,ops@example.test", "--name", "Platform", "--no-forecast",
    );
    expect(set.code, set.err.join("\n")).toBe(0);
    const id = set.out.at(-1)!;
    expect(set.out[0]).toBe('created budget "Platform": team:platform, $10.00 monthly, alerts at 50/80/100%, blocks at 100%; $0.00 spent (0%, ok)');
    const team = await prisma().team.findFirstOrThrow({ where: { org: { slug }, slug: "platform" } });
    const budget = await prisma().budget.findUniqueOrThrow({ where: { id } });
    expect(budget).toMatchObject({ name: "Platform", scope: "TEAM", scopeValue: team.id, period: "MONTH", enforcement: "BLOCK", thresholds: [50, 80, 100], recipients: ["lead@example.test", "ops@example.test"], forecastAlerts: false });

    expect((await post(secret, [{ id: "a", kind: "tool", cost_usd: "5.5" }, { id: "u", model: "my-finetune-v3", usage: { input_tokens: 10, output_tokens: 1 } }])).status).toBe(200);
    const list = await admin("budget", "list", "--org", slug);
    expect(list.code).toBe(0);
    expect(cells(list.out[0])).toEqual(["ID", "NAME", "SCOPE", "PERIOD", "SPENT / LIMIT", "%", "STATE", "ENFORCE"]);
    expect(cells(list.out[1])).toEqual([id, "Platform", "team:platform", "month", "$5.50 / $10.00", "55.0", "warning", "block"]);
    expect(list.out[2]).toBe('note: "Platform" counted 1 unpriced call at $0 this period');

    // Only the amount changes: blocking, thresholds, recipients and forecasts stay.
    const raise = await admin("budget", "set", "--org", slug, "--id", id, "--amount", "20");
    expect(raise.code, raise.err.join("\n")).toBe(0);
    expect(raise.out.at(-1)).toBe(id);
    expect(raise.out[0]).toMatch(/^changed budget "Platform": team:platform, \$20\.00 monthly, alerts at 50\/80\/100%, blocks at 100%; \$5\.50 spent \(27\.5%, ok\)$/);
    expect(await prisma().budget.findUniqueOrThrow({ where: { id } })).toMatchObject({ enforcement: "BLOCK", thresholds: [50, 80, 100], recipients: ["lead@example.test", "ops@example.test"], forecastAlerts: false });

    expect((await admin("budget", "archive", "--org", slug, id)).code).toBe(0);
    expect((await admin("budget", "list", "--org", slug)).out).toEqual([`no budgets in org ${slug}`, "(1 archived, not listed)"]);
    const again = await admin("budget", "archive", "--org", slug, id);
    expect(again.code).toBe(1);
    expect(again.err.join("\n")).toMatch(/No such active budget/);
  });

  test("every scope form resolves to what events carry", async () => {
    const { slug } = await orgWithTeamKey();
    await admin("cost-center", "create", "--org", slug, "ENG-1");
    const key = await prisma().virtualKey.findFirstOrThrow({ where: { org: { slug } } });
    const cc = await prisma().costCenter.findFirstOrThrow({ where: { org: { slug } } });
    const forms: [string, string, string][] = [
      ["org", "ORG", ""],
      [`key:${key.prefix}`, "KEY", key.id],
      ["cost_center:ENG-1", "COST_CENTER", cc.id],
      ["agent:pr-bot", "AGENT", "pr-bot"],
      ["user:ada@example.test", "USER", "ada@example.test"],
      ["model:gpt-4o", "MODEL", "gpt-4o"],
      ["task:*", "TASK", "*"],
      ["execution:run-42", "EXECUTION", "run-42"],
    ];
    for (const [scope, stored, value] of forms) {
      const r = await admin("budget", "set", "--org", slug, "--scope", scope, "--amount", "5", "--period", "day");
      expect(r.code, `${scope}: ${r.err.join("\n")}`).toBe(0);
      expect(await prisma().budget.findUniqueOrThrow({ where: { id: r.out.at(-1)! } })).toMatchObject({ scope: stored, scopeValue: value });
    }
    const list = await admin("budget", "list", "--org", slug);
    expect(list.out.slice(1).map((l) => cells(l)[2]).sort()).toEqual(["agent:pr-bot", "cost_center:ENG-1", "execution:run-42", `key:${key.prefix}`, "model:gpt-4o", "org", "task:*", "user:ada@example.test"].sort());
    expect(list.out.find((l) => cells(l)[2] === "task:*")).toMatch(/\$0\.00 \/ \$5\.00 each/);
  });

  test("usage errors exit 2, domain errors exit 1 with the message; nothing is made", async () => {
    const { slug } = await orgWithTeamKey();
    const base = ["budget", "set", "--org", slug];
    const usage: string[][] = [
      [...base, "--scope", "org", "--period", "month"], // no amount
      [...base, "--scope", "org", "--amount", "10", "--period", "yearly"],
      [...base, "--scope", "org", "--amount", "10", "--period", "month", "--enforce", "stop"],
      [...base, "--scope", "squad:platform", "--amount", "10", "--period", "month"],
      [...base, "--scope", "org", "--amount", "10", "--period", "month", "--bogus"],
      [...base, "--id", "whatever"],
      ["budget", "archive", "--org", slug],
    ];
    for (const argv of usage) {
      const r = await admin(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err.join("\n")).toMatch(/usage: npm run admin/);
    }
    const domain: [string[], RegExp][] = [
      [[...base, "--scope", "team:nope", "--amount", "10", "--period", "month"], /no team 'nope'/],
      [[...base, "--scope", "org", "--amount", "ten", "--period", "month"], /amountUsd: must be a positive amount/],
      [[...base, "--scope", "org", "--amount", "10", "--period", "month", "--thresholds", "50,2000"], /thresholds\[1\]: at most 1000 %/],
      [[...base, "--scope", "org", "--amount", "10", "--period", "month", "--webhook", "http://hooks.example.test/x"], /webhook URL must start with https/],
      [[...base, "--scope", "org", "--amount", "10", "--period", "month", "--recipients", "nobody"], /recipients\[0\]: must be an email address/],
      [[...base, "--id", "no-such-budget", "--amount", "5"], /No such active budget/],
      [["budget", "list", "--org", "no-such-org-cli"], /no org 'no-such-org-cli'/],
    ];
    for (const [argv, message] of domain) {
      const r = await admin(...argv);
      expect(r.code, argv.join(" ")).toBe(1);
      expect(r.err.join("\n")).toMatch(message);
    }
    expect(await prisma().budget.count({ where: { org: { slug } } })).toBe(0);
  });
});

describe("prices and repricing from the CLI", () => {
  let server: Awaited<ReturnType<typeof startMachineServer>>;
  beforeAll(async () => {
    server = await startMachineServer();
  });
  afterAll(() => server.close());

  test("price add, then reprice: the stored calls get the price, the summary says by how much; mistakes exit non-zero", async () => {
    const slug = `cli-${randomBytes(4).toString("hex")}`;
    expect((await admin("org", "create", slug, "--timezone", "UTC")).code).toBe(0);
    const secret = (await admin("key", "create", "--org", slug, "--name", "agents")).out.at(-1)!;
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const posted = await api(server.url, "/api/v1/events", {
      secret,
      body: { events: [{ id: "u1", timestamp: at, model: "acme-cli-1", usage: { input_tokens: 500_000, output_tokens: 100_000 } }] },
    });
    expect(posted.status).toBe(200);
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);

    const unknown = await admin("reprice", "--org", slug, "--model", "acme-cli-1", "--from", from, "--to", to);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join("\n")).toContain("Add a price for it first");

    const added = await admin("price", "add", "--org", slug, "--model", "acme-cli-1", "--input", "2", "--output", "10", "--from", from);
    expect(added.code, added.err.join("\n")).toBe(0);
    const repriced = await admin("reprice", "--org", slug, "--model", "acme-cli-1", "--from", from, "--to", to);
    expect(repriced.code, repriced.err.join("\n")).toBe(0);
    // 500k × $2 + 100k × $10 per million = $2.00.
    expect(repriced.out.join("\n")).toContain("repriced 1 of 1 calls of acme-cli-1");
    expect(repriced.out.join("\n")).toContain("$0.00 -> $2.00 (change 2.00 USD exactly); unpriced calls 1 -> 0");
    const org = await prisma().organization.findUniqueOrThrow({ where: { slug } });
    const event = await prisma().usageEvent.findFirstOrThrow({ where: { orgId: org.id, eventId: "u1" } });
    expect([event.costUsd.toString(), event.costSource]).toEqual(["2", "OVERRIDE"]);

    expect((await admin("reprice", "--org", slug, "--model", "acme-cli-1", "--from", to, "--to", from)).code).toBe(1);
    expect((await admin("reprice", "--org", slug, "--model", "acme-cli-1")).code).toBe(2);
    expect((await admin("price", "add", "--org", slug, "--model", "x", "--input", "lots", "--output", "1")).code).toBe(1);
  });
});
