import { pool } from "../db";

// Fixed-window counter in Postgres (RateLimitHit), shared by every replica without Redis. One
// upsert per attempt: sign-in is not a hot path.
export async function hitRateLimit(bucket: string, limit: number, windowSeconds: number, now = new Date()): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const { rows } = await pool().query(
    `INSERT INTO "RateLimitHit" (bucket, "windowStart", count) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, "windowStart") DO UPDATE SET count = "RateLimitHit".count + 1
     RETURNING count`,
    [bucket, windowStart],
  );
  const count = Number(rows[0].count);
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
  return { allowed: count <= limit, retryAfterSeconds };
}

// Magic links: 5 per email and 20 per IP in 15 minutes.
export const MAGIC_LINK_LIMITS = { perEmail: 5, perIp: 20, windowSeconds: 15 * 60 };

export async function magicLinkAllowed(email: string, ip: string): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const [byEmail, byIp] = await Promise.all([
    hitRateLimit(`magic-link:email:${email.toLowerCase()}`, MAGIC_LINK_LIMITS.perEmail, MAGIC_LINK_LIMITS.windowSeconds),
    hitRateLimit(`magic-link:ip:${ip}`, MAGIC_LINK_LIMITS.perIp, MAGIC_LINK_LIMITS.windowSeconds),
  ]);
  return { allowed: byEmail.allowed && byIp.allowed, retryAfterSeconds: Math.max(byEmail.retryAfterSeconds, byIp.retryAfterSeconds) };
}
