import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { databaseUrl, env } from "./env";

// Postgres returns numeric as a string: keep it that way, money never becomes a float.
// int8 (counts of tokens, bigserial ids) fits a JS number for every realistic total.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type TDb = { pool: pg.Pool; prisma: PrismaClient };

// One pool per process, shared by the custom server and Next's bundled copy of this module
// (both run in the same process, so a globalThis slot makes them share it).
const SLOT = Symbol.for("burnrate.db");
const holder = globalThis as unknown as { [SLOT]?: TDb };

function connect(): TDb {
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    max: env().DATABASE_POOL_SIZE,
    idleTimeoutMillis: 30_000,
    // No JIT: the app's statements are short, and a query whose bounds come from a CTE is
    // estimated at millions of rows, so Postgres spent 1.4 s compiling a 1 ms read (measured on
    // the seed:large org's overview).
    options: "-c jit=off",
  });
  pool.on("error", (err) => console.error("[db] idle client error:", err.message));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

function db(): TDb {
  holder[SLOT] ??= connect();
  return holder[SLOT];
}

export function pool(): pg.Pool {
  return db().pool;
}

export function prisma(): PrismaClient {
  return db().prisma;
}

// One transaction on a pooled client for code that writes with pg directly: COMMIT when `run`
// resolves, ROLLBACK when it throws (and rethrow).
export async function withTransaction<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const result = await run(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// Resolves once every connection is closed. pool.end() alone resolves before its clients' sockets
// have closed; a Postgres stopped in that window (shutdown of `npm run dev`) makes each of them
// report "terminating connection due to administrator command".
export async function closeDb(): Promise<void> {
  const current = holder[SLOT];
  if (!current) return;
  holder[SLOT] = undefined;
  const { pool: closing } = current;
  let open = closing.totalCount;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    closing.on("remove", () => {
      if (--open <= 0) resolve();
    });
    setTimeout(resolve, 2_000).unref();
  });
  await current.prisma.$disconnect();
  await closing.end().catch(() => undefined);
  await allClosed;
}
