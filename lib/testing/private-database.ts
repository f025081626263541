import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../db/migrate";

// A migrated database of its own for a test file whose sender must not meet other files' rows: the
// email outbox is a shared queue, so a Resend-mode drain here would deliver the invitations another
// file is waiting to see captured (and theirs would capture ours). Call at the top of the file,
// before anything touches the database; process.env.DATABASE_URL then points at it.
export async function createPrivateDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const shared = process.env.DATABASE_URL;
  if (!shared) throw new Error("DATABASE_URL is not set (lib/testing/setup.ts sets it)");
  const name = `${new URL(shared).pathname.slice(1)}_${label}_${randomBytes(4).toString("hex")}`.replace(/[^a-z0-9_]/gi, "_");
  const adminUrl = new URL(shared);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(shared);
  url.pathname = `/${name}`;
  await migrate(url.toString(), { log: () => undefined });
  process.env.DATABASE_URL = url.toString();
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
