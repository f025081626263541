import { countHit } from "../rate-limit/counter";

// Fixed-window limit (sign-in is not a hot path): `limit` hits per window, counted in Postgres.
export async function hitRateLimit(bucket: string, limit: number, windowSeconds: number, now = new Date()): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const { current } = await countHit(bucket, windowStart, new Date(windowStart.getTime() - windowMs));
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
  return { allowed: current <= limit, retryAfterSeconds };
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
