import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { diffSchemas } from "../../scripts/db/schema-diff";
import { migrate, readMigrations } from "./migrate";

// Hand-written additions the schema language cannot express; every other difference is a bug.
const MIGRATION_ONLY_INDEXES = new Set(["EmailOutbox_pending_due_idx", "WebhookDelivery_pending_due_idx", "Execution_orgId_duration_id_idx", "Anomaly_open_key", "Approval_pending_execution_key", "Approval_pending_task_key", "Approval_pending_expiry_idx"]);

const created: string[] = [];

function urlFor(database: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function freshDatabase(): Promise<string> {
  const name = `migcheck_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  return urlFor(name);
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

async function catalog(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(`
      SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
             numeric_precision, numeric_scale, datetime_precision, character_maximum_length
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
       ORDER BY table_name, column_name`);
    const indexes = await client.query(`
      SELECT indexname, indexdef FROM pg_indexes
       WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`);
    const constraints = await client.query(`
      SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations' ORDER BY c.conname`);
    const enums = await client.query(`
      SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`);
    return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows, enums: enums.rows };
  } finally {
    await client.end();
  }
}

test("the committed migrations produce exactly the database schema.prisma describes", async () => {
  const expectedUrl = await freshDatabase();
  const schema = await readFile("prisma/schema.prisma", "utf8");
  const expectedSql = await diffSchemas({ fromSchema: null, toSchema: schema });
  const client = new pg.Client({ connectionString: expectedUrl });
  await client.connect();
  await client.query(expectedSql);
  await client.end();

  const migratedUrl = await freshDatabase();
  await migrate(migratedUrl);

  const expected = await catalog(expectedUrl);
  const migrated = await catalog(migratedUrl);
  expect(migrated.columns).toEqual(expected.columns);
  expect(migrated.constraints).toEqual(expected.constraints);
  expect(migrated.enums).toEqual(expected.enums);
  expect(migrated.indexes.filter((i) => !MIGRATION_ONLY_INDEXES.has(i.indexname))).toEqual(expected.indexes);
  for (const name of MIGRATION_ONLY_INDEXES) expect(migrated.indexes.map((i) => i.indexname)).toContain(name);
});

test("migrate records Prisma's _prisma_migrations rows and is idempotent", async () => {
  const url = await freshDatabase();
  const first = await migrate(url);
  const migrations = await readMigrations();
  expect(first.applied).toEqual(migrations.map((m) => m.name));
  const second = await migrate(url);
  expect(second.applied).toEqual([]);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
  );
  await client.end();
  expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true, applied_steps_count: 1 })));
});

test("a failing migration leaves nothing half-applied", async () => {
  const url = await freshDatabase();
  const { mkdtemp, mkdir, writeFile } = await import("node:fs/promises");
  const dir = await mkdtemp("/tmp/burnrate-migrations-");
  await mkdir(`${dir}/001_ok`);
  await writeFile(`${dir}/001_ok/migration.sql`, `CREATE TABLE a (id int);`);
  await mkdir(`${dir}/002_bad`);
  await writeFile(`${dir}/002_bad/migration.sql`, `CREATE TABLE b (id int); SELECT no_such_function();`);
  await expect(migrate(url, { dir })).rejects.toThrow(/002_bad failed/);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
  const rows = await client.query(`SELECT migration_name FROM "_prisma_migrations"`);
  await client.end();
  expect(tables.rows.map((r) => r.table_name)).toEqual(["_prisma_migrations", "a"]);
  expect(rows.rows.map((r) => r.migration_name)).toEqual(["001_ok"]);
});
