import { countHit } from "../rate-limit/counter";

// Per-key requests-per-minute limit (VirtualKey.rpmLimit), shared by every replica. A sliding
// window estimated from this minute's and the previous minute's counts, so a burst cannot double
// up across a minute boundary. Only keys that have a limit pay the one upsert.
const WINDOW_MS = 60_000;

// Returns 0 when allowed, else the seconds to wait.
export async function takeKeyToken(keyId: string, rpmLimit: number, now = Date.now()): Promise<number> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const { current, previous } = await countHit(`rpm:${keyId}`, new Date(windowStart), new Date(windowStart - WINDOW_MS));
  const estimate = previous * (1 - (now - windowStart) / WINDOW_MS) + current;
  if (estimate <= rpmLimit) return 0;
  return Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
}
