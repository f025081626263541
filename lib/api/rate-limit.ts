// Per-key requests-per-minute limit (VirtualKey.rpmLimit), a sliding window of one minute held in
// this process. With N replicas behind a load balancer a key may get up to N × its limit; a
// Postgres-backed limiter replaces this when keys are managed in the browser (accounts issue).
const WINDOW_MS = 60_000;
const windows = new Map<string, { start: number; previous: number; current: number }>();

// Returns 0 when allowed, else the seconds to wait.
export function takeToken(keyId: string, rpmLimit: number, now = Date.now()): number {
  let w = windows.get(keyId);
  if (!w) {
    w = { start: now, previous: 0, current: 0 };
    windows.set(keyId, w);
  }
  const elapsed = now - w.start;
  if (elapsed >= 2 * WINDOW_MS) {
    w.start = now;
    w.previous = 0;
    w.current = 0;
  } else if (elapsed >= WINDOW_MS) {
    w.start += WINDOW_MS;
    w.previous = w.current;
    w.current = 0;
  }
  const weight = 1 - (now - w.start) / WINDOW_MS;
  const estimate = w.previous * weight + w.current;
  if (estimate + 1 > rpmLimit) return Math.max(1, Math.ceil((WINDOW_MS - (now - w.start)) / 1000));
  w.current += 1;
  return 0;
}
