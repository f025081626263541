import path from "node:path";
import { startEmbeddedPostgres } from "./embedded";
import { ensureDatabase, migrate } from "./migrate";

// Gets a migrated database for dev, start, test and bench: DATABASE_URL when set, else an embedded
// Postgres under BURNRATE_DATA_DIR (default .data). Sets process.env.DATABASE_URL for the process.
export async function prepareDatabase(options: {
  database?: string;
  log?: (line: string) => void;
} = {}): Promise<{ url: string; embedded: boolean; stop: () => Promise<void> }> {
  const log = options.log ?? ((line: string) => console.log(`[db] ${line}`));
  let url = process.env.DATABASE_URL;
  let stop = async () => undefined as void;
  let embedded = false;
  if (!url) {
    const dataDir = path.resolve(process.env.BURNRATE_DATA_DIR ?? ".data");
    const server = await startEmbeddedPostgres({ dataDir, database: options.database ?? "burnrate", log });
    url = server.url;
    stop = server.stop;
    embedded = true;
    log(`embedded Postgres at ${url.replace(/:[^:@/]+@/, ":***@")} (data in ${dataDir})`);
  } else {
    await ensureDatabase(url);
  }
  process.env.DATABASE_URL = url;
  const { applied } = await migrate(url, { log });
  if (applied.length) log(`${applied.length} migration(s) applied`);
  return { url, embedded, stop };
}
