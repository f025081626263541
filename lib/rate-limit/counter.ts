import { pool } from "../db";

// Sliding-window limits counted in Postgres (RateLimitHit), shared by every replica without Redis:
// the number of hits in the last `windowMs` is estimated from this window's count and the previous
// window's, weighted by how much of it is still inside the last `windowMs` — so a burst cannot
// double up across a window boundary. Only hits that were let through count: a client hammering a
// closed door does not keep it closed, and the Retry-After it is told is the truth.
export type TTokenResult = { allowed: boolean; retryAfterSeconds: number };

export async function takeToken(bucket: string, limit: number, windowMs: number, now = Date.now()): Promise<TTokenResult> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const stillInside = 1 - (now - windowStart) / windowMs; // share of the previous window still counted
  // One statement: the hit is recorded only if the estimate stays within the limit; the upsert's row
  // lock makes concurrent hits on one bucket take turns, so exactly `limit` get through.
  const { rows } = await pool().query<{ taken: boolean; current: number; previous: number }>(
    `WITH prev AS (
       SELECT coalesce((SELECT count FROM "RateLimitHit" WHERE bucket = $1 AND "windowStart" = $3), 0) AS n
     ),
     hit AS (
       INSERT INTO "RateLimitHit" AS r (bucket, "windowStart", count)
       SELECT $1, $2, 1 FROM prev WHERE prev.n * $4::float8 + 1 <= $5
       ON CONFLICT (bucket, "windowStart") DO UPDATE SET count = r.count + 1
        WHERE (SELECT n FROM prev) * $4::float8 + r.count + 1 <= $5
       RETURNING count
     )
     SELECT EXISTS (SELECT 1 FROM hit) AS taken,
            coalesce((SELECT count FROM hit), (SELECT count FROM "RateLimitHit" WHERE bucket = $1 AND "windowStart" = $2), 0)::int AS current,
            (SELECT n FROM prev)::int AS previous`,
    [bucket, new Date(windowStart), new Date(windowStart - windowMs), stillInside, limit],
  );
  if (Math.random() < PRUNE_PROBABILITY) void pruneOldWindows();
  const { taken, current, previous } = rows[0];
  return { allowed: taken, retryAfterSeconds: taken ? 0 : retryAfterSeconds({ current, previous, limit, windowMs, now, windowStart }) };
}

// When the next hit would fit: later in this window, once the previous window's weight has decayed
// enough; else in the next one, once this window's hits (then "previous") have.
function retryAfterSeconds(s: { current: number; previous: number; limit: number; windowMs: number; now: number; windowStart: number }): number {
  const room = s.limit - 1; // the estimate must be ≤ limit − 1 before the hit
  let at: number;
  if (s.current <= room && s.previous > 0) at = s.windowStart + (1 - (room - s.current) / s.previous) * s.windowMs;
  else if (s.current > 0) at = s.windowStart + s.windowMs + Math.max(0, 1 - room / s.current) * s.windowMs;
  else at = s.now;
  return Math.max(1, Math.ceil((at - s.now) / 1000));
}

// Old windows are worthless: drop them now and then (about once per thousand hits).
const PRUNE_PROBABILITY = 0.001;

export async function pruneOldWindows(): Promise<void> {
  await pool()
    .query(`DELETE FROM "RateLimitHit" WHERE "windowStart" < now() - interval '1 day'`)
    .catch((err: Error) => console.error("[rate-limit] prune failed:", err.message));
}
