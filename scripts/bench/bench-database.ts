import pg from "pg";
import { pool, prisma } from "../../lib/db";
import { startEmbeddedPostgres } from "../../lib/db/embedded";
import { ensureDatabase, migrate } from "../../lib/db/migrate";
import { issueKey } from "../../lib/keys/issue";
import { createOrg } from "../../lib/orgs/create";
import type { Cleanups } from "./cleanup";
import { parentPid, processName } from "./cpu";
import type { TLog } from "./format";
import { TEAM_SLUGS } from "./workload";

// The bench database and what the bench puts in it before measuring. DATABASE_URL set → that
// server, database `burnrate_bench` (created and migrated); unset → an embedded Postgres under
// .data/bench. Setup (org, teams, keys) uses the library.

export type TDatabase = { url: string; mode: "external" | "embedded"; display: string };

// Creates (or starts) and migrates the bench database, then points the library at it.
export async function prepareBenchDatabase(log: TLog, cleanups: Cleanups): Promise<TDatabase> {
  const external = process.env.DATABASE_URL;
  let db: TDatabase;
  if (external) {
    const url = new URL(external);
    url.pathname = "/burnrate_bench";
    db = { url: url.toString(), mode: "external", display: redact(url.toString()) };
    await ensureDatabase(db.url);
  } else {
    log("DATABASE_URL unset: starting the embedded Postgres under .data/bench…");
    const server = await startEmbeddedPostgres({ dataDir: ".data/bench", database: "burnrate", log });
    cleanups.add(() => server.stop());
    db = { url: server.url, mode: "embedded", display: `${redact(server.url)} (embedded, .data/bench)` };
  }
  const edited: string[] = [];
  const migrateLog = (line: string) => (/edited after it was applied/.test(line) ? edited.push(line) : log(line));
  let { applied } = await migrate(db.url, { log: migrateLog });
  if (edited.length) {
    // A migration changed after this database got it: the schema may differ from the code's. The bench
    // database is ours alone, so start it over rather than measure a stale schema.
    log(`${edited.join("; ")} — recreating the bench database`);
    await recreateDatabase(db.url);
    ({ applied } = await migrate(db.url, { log }));
  }
  if (applied.length) log(`${applied.length} migration(s) applied`);
  // The library (createOrg, issueKey, prepareEvents, checks) must talk to the bench database.
  process.env.DATABASE_URL = db.url;
  return db;
}

async function recreateDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@");
}

export type TDatabaseFacts = Awaited<ReturnType<typeof databaseFacts>>;

// Version and durability settings, and the postmaster's pid when Postgres runs on this machine.
export async function databaseFacts(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit, current_setting('shared_buffers') AS shared_buffers,
              current_setting('max_connections') AS max_connections, pg_backend_pid() AS backend`,
    );
    const facts = rows[0] as { version: string; fsync: string; synchronous_commit: string; shared_buffers: string; max_connections: string; backend: number };
    // CPU accounting: the postmaster is the parent of our backend, when Postgres runs on this machine.
    const host = new URL(url).hostname;
    let postmaster: number | null = null;
    if (["127.0.0.1", "localhost", "::1", "[::1]", ""].includes(host)) {
      const ppid = parentPid(facts.backend);
      if (ppid && processName(ppid)?.startsWith("postgres")) postmaster = ppid;
    }
    return { ...facts, postmaster };
  } finally {
    await client.end();
  }
}

// The tables ingest writes; the ingest, alerts, anomalies and OTLP benches empty them at their start.
export const USAGE_TABLE_NAMES = ["UsageEvent", "UsageRollup", "UsageHourly", "UsageDaily", "Execution", "BudgetCounter"] as const;
const USAGE_TABLES = USAGE_TABLE_NAMES.map((t) => `"${t}"`).join(", ");

// A dedicated database: every run starts from empty usage tables, so runs compare (--keep-data to skip).
export async function emptyUsageTables(log: TLog): Promise<void> {
  await pool().query(`TRUNCATE ${USAGE_TABLES}`);
  log(`emptied ${USAGE_TABLES.replaceAll('"', "")} in the bench database (--keep-data to keep them)`);
}

// Before each measured phase: what the previous phase left is vacuumed and analysed, and a
// checkpoint taken, so every phase starts from the same state whatever ran before it. Without this
// a phase pays for its predecessors: a Postgres with autovacuum off (as the one on this machine is)
// keeps every dead version of the executions and counters an earlier phase updated, and each
// upsert then walks them (seen: Postgres CPU per event 39 -> 95 us for the same phase run third
// instead of first); and a checkpoint started by an earlier phase's WAL lands in the next one.
export async function settleDatabase(): Promise<void> {
  await pool().query(`VACUUM (ANALYZE) ${USAGE_TABLES}`);
  // CHECKPOINT needs a superuser or pg_checkpoint (PostgreSQL 15); a bench against a database where
  // the user has neither still runs, without it.
  await pool()
    .query(`CHECKPOINT`)
    .catch((err: { code?: string }) => {
      if (err.code !== "42501") throw err;
    });
}

export type TBenchOrg = { orgId: string; slug: string; keys: { id: string; secret: string; teamId: string; teamSlug: string }[] };

// An org with one team per TEAM_SLUGS entry and one ingest key per team.
export async function createBenchOrg(slug: string): Promise<TBenchOrg> {
  const org = await createOrg({ slug, name: `Ingest bench ${slug}`, timezone: "UTC" });
  const keys: TBenchOrg["keys"] = [];
  for (const teamSlug of TEAM_SLUGS) {
    const team = await prisma().team.create({ data: { orgId: org.id, slug: teamSlug, name: teamSlug } });
    const key = await issueKey({ orgId: org.id, name: `bench ${teamSlug}`, scopes: ["ingest"], teamId: team.id });
    keys.push({ id: key.id, secret: key.secret, teamId: team.id, teamSlug });
  }
  return { orgId: org.id, slug, keys };
}
