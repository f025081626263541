import { takeToken } from "../rate-limit/counter";

// Per-key requests-per-minute limit (VirtualKey.rpmLimit), shared by every replica: a sliding minute
// (lib/rate-limit/counter.ts). Only keys that have a limit pay the one upsert.
const WINDOW_MS = 60_000;

// Returns 0 when allowed, else the seconds to wait.
export async function takeKeyToken(keyId: string, rpmLimit: number, now = Date.now()): Promise<number> {
  const { allowed, retryAfterSeconds } = await takeToken(`rpm:${keyId}`, rpmLimit, WINDOW_MS, now);
  return allowed ? 0 : retryAfterSeconds;
}
