import { pool } from "../db";

// Window counters in Postgres (RateLimitHit), shared by every replica without Redis. One round
// trip: count this hit in its window and read the previous window's count.
export async function countHit(bucket: string, windowStart: Date, previousWindowStart: Date): Promise<{ current: number; previous: number }> {
  const { rows } = await pool().query(
    `WITH hit AS (
       INSERT INTO "RateLimitHit" (bucket, "windowStart", count) VALUES ($1, $2, 1)
       ON CONFLICT (bucket, "windowStart") DO UPDATE SET count = "RateLimitHit".count + 1
       RETURNING count)
     SELECT (SELECT count FROM hit) AS current,
            coalesce((SELECT count FROM "RateLimitHit" WHERE bucket = $1 AND "windowStart" = $3), 0) AS previous`,
    [bucket, windowStart, previousWindowStart],
  );
  if (Math.random() < PRUNE_PROBABILITY) void pruneOldWindows();
  return { current: Number(rows[0].current), previous: Number(rows[0].previous) };
}

// Old windows are worthless: drop them now and then (about once per thousand hits).
const PRUNE_PROBABILITY = 0.001;

export async function pruneOldWindows(): Promise<void> {
  await pool()
    .query(`DELETE FROM "RateLimitHit" WHERE "windowStart" < now() - interval '1 day'`)
    .catch((err: Error) => console.error("[rate-limit] prune failed:", err.message));
}
