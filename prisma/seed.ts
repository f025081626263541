// Demo data: org `demo` ("Demo Co") with a month of realistic agent traffic, created once.
// `npm run dev` calls ensureDemoOrg() on every start (the "already there" path is a couple of
// queries); `npm run db:seed` / `npx tsx prisma/seed.ts` runs it on its own and prints the key.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { closeDb, pool, prisma } from "../lib/db";
import { prepareDatabase } from "../lib/db/bootstrap";
import { issueKey } from "../lib/keys/issue";
import { hashSecret } from "../lib/keys/hash";
import { exactUsd } from "../lib/money";
import { DEMO_KEY_NAME, DEMO_KEY_SCOPES, seedDemoData, type TSeedResult } from "./seed/demo-data";
import { DEMO_DAYS } from "./seed/generate";

export { seedDemoData, DEFAULT_TARGET_EVENTS, type TSeedOptions, type TSeedResult } from "./seed/demo-data";

export const DEMO_ORG_SLUG = "demo";
export const DEMO_ORG_NAME = "Demo Co";
export const DEMO_TIMEZONE = "America/New_York";

export type TEnsureResult = { orgSlug: string; demoKey: string; created: boolean };

export function demoKeyFile(): string {
  return path.resolve(process.env.BURNRATE_DATA_DIR ?? ".data", "demo-key.txt");
}

// Who signs in to the demo org: a magic link to this address lands in the dev mailbox.
export const DEMO_USER_EMAIL = "demo@burnrate.local";

export async function ensureDemoOrg(options: { log?: (line: string) => void; now?: Date } = {}): Promise<TEnsureResult & { demoUserEmail: string }> {
  const result = await ensureSeededOrg({ slug: DEMO_ORG_SLUG, name: DEMO_ORG_NAME, timezone: DEMO_TIMEZONE, keyFile: demoKeyFile(), ...options });
  await ensureDemoOwner(result.orgSlug);
  return { ...result, demoUserEmail: DEMO_USER_EMAIL };
}

async function ensureDemoOwner(orgSlug: string): Promise<void> {
  const org = await prisma().organization.findUniqueOrThrow({ where: { slug: orgSlug }, select: { id: true } });
  const user = await prisma().user.upsert({ where: { email: DEMO_USER_EMAIL }, update: {}, create: { email: DEMO_USER_EMAIL, name: "Demo Owner" } });
  await prisma().membership.upsert({
    where: { orgId_userId: { orgId: org.id, userId: user.id } },
    update: {},
    create: { orgId: org.id, userId: user.id, role: "OWNER" },
  });
}

// ensureDemoOrg for any slug and key file (tests use their own).
export async function ensureSeededOrg(options: {
  slug: string;
  name: string;
  timezone?: string;
  keyFile: string;
  log?: (line: string) => void;
  now?: Date;
  targetEvents?: number;
}): Promise<TEnsureResult & { seed?: TSeedResult }> {
  const log = options.log ?? (() => undefined);
  const saved = await readFile(options.keyFile, "utf8").then((s) => s.trim(), () => "");
  // The fast path of every `npm run dev`: one query answers "is the org there, does the saved key open it".
  const existing = await findOrg(options.slug, saved);
  if (existing) return { orgSlug: options.slug, demoKey: await keyFor(existing, saved, options.keyFile, log), created: false };

  log(`creating the ${options.slug} org with ${DEMO_DAYS} days of agent traffic (first run only)…`);
  let seed: TSeedResult;
  try {
    seed = await seedDemoData({ slug: options.slug, name: options.name, timezone: options.timezone, now: options.now, targetEvents: options.targetEvents, log });
  } catch (err) {
    // Another process (a second `npm run dev`) finished the same seed first: use its org.
    const winner = await findOrg(options.slug, saved);
    if (!winner) throw err;
    return { orgSlug: options.slug, demoKey: await keyFor(winner, saved, options.keyFile, log), created: false };
  }
  await writeKeyFile(options.keyFile, seed.demoKey);
  log(`${seed.events} events, ${seed.executions} executions, ${exactUsd(seed.totalUsd)} in ${(seed.durationMs / 1000).toFixed(1)} s; demo key in ${options.keyFile}`);
  return { orgSlug: options.slug, demoKey: seed.demoKey, created: true, seed };
}

type TFoundOrg = { id: string; keyValid: boolean };

async function findOrg(slug: string, savedKey: string): Promise<TFoundOrg | null> {
  const { rows } = await pool().query(
    `SELECT o.id,
            EXISTS (SELECT 1 FROM "VirtualKey" k
                     WHERE k.hash = $2 AND k."orgId" = o.id AND k."revokedAt" IS NULL
                       AND (k."expiresAt" IS NULL OR k."expiresAt" > now())) AS "keyValid"
       FROM "Organization" o WHERE o.slug = $1 AND o."deletedAt" IS NULL`,
    [slug, savedKey ? hashSecret(savedKey) : ""],
  );
  return rows[0] ?? null;
}

// The saved key if it still opens this org, else a new "demo (dev)" key written to the file (the file
// is missing, or belongs to another database, or the key was revoked or expired).
async function keyFor(org: TFoundOrg, saved: string, keyFile: string, log: (line: string) => void): Promise<string> {
  if (saved && org.keyValid) return saved;
  const issued = await issueKey({ orgId: org.id, name: DEMO_KEY_NAME, scopes: DEMO_KEY_SCOPES });
  await writeKeyFile(keyFile, issued.secret);
  log(`issued a new demo key (${issued.prefix}…) into ${keyFile}`);
  return issued.secret;
}

async function writeKeyFile(file: string, secret: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
}

async function main(): Promise<void> {
  const db = await prepareDatabase();
  try {
    const started = performance.now();
    const demo = await ensureDemoOrg({ log: (line) => console.log(`[seed] ${line}`) });
    console.log(`[seed] org ${demo.orgSlug} ${demo.created ? "created" : "already there"} (${Math.round(performance.now() - started)} ms)`);
    console.log(`Demo API key: ${demo.demoKey}`);
  } finally {
    await closeDb();
    await db.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error("[seed] failed:", err);
    process.exitCode = 1;
  });
}
