import { takeToken, type TTokenResult } from "../rate-limit/counter";

// Magic links: 5 per address and 20 per client address in any 15 minutes (a sliding window, so a
// burst cannot double up across a window boundary), counted in Postgres for every replica.
export const MAGIC_LINK_LIMITS = { perEmail: 5, perIp: 20, windowSeconds: 15 * 60 };

export async function hitRateLimit(bucket: string, limit: number, windowSeconds: number, now = new Date()): Promise<TTokenResult> {
  return takeToken(bucket, limit, windowSeconds * 1000, now.getTime());
}

// One mailbox, one bucket: case, surrounding space and a trailing dot on the domain
// ("a@example.com.") do not make a new address.
export function mailboxKey(email: string): string {
  return email.trim().toLowerCase().replace(/\.+$/, "");
}

export async function magicLinkAllowed(email: string, ip: string): Promise<TTokenResult> {
  // The address first: a refused address does not spend the network's allowance.
  const byEmail = await hitRateLimit(`magic-link:email:${mailboxKey(email)}`, MAGIC_LINK_LIMITS.perEmail, MAGIC_LINK_LIMITS.windowSeconds);
  if (!byEmail.allowed) return byEmail;
  return hitRateLimit(`magic-link:ip:${ip}`, MAGIC_LINK_LIMITS.perIp, MAGIC_LINK_LIMITS.windowSeconds);
}
