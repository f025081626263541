// Sign-in protection (issue 3 §7): magic-link requests are limited per email (5) and per IP (20) in
// a 15-minute fixed window, counted in Postgres so every replica sees the same numbers.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, test, vi } from "vitest";
import { pool } from "../db";
import { hitRateLimit, MAGIC_LINK_LIMITS, magicLinkAllowed } from "./rate-limit";

const uniq = () => randomBytes(6).toString("hex");
const email = () => `rl-${uniq()}@example.test`;
// A documentation-range address made unique per test (no test shares another's IP bucket).
const ip = () => `203.0.113.${uniq()}`;
const WINDOW_MS = MAGIC_LINK_LIMITS.windowSeconds * 1000;
// The start of the current 15-minute window, plus an offset: deterministic retry-after values.
const inWindow = (offsetMs: number, base = Date.now()) => new Date(Math.floor(base / WINDOW_MS) * WINDOW_MS + offsetMs);

afterEach(() => {
  vi.useRealTimers();
});

describe("the limits themselves", () => {
  test("5 per email, 20 per IP, 15 minutes", () => {
    expect(MAGIC_LINK_LIMITS).toEqual({ perEmail: 5, perIp: 20, windowSeconds: 900 });
  });
});

describe("magicLinkAllowed: per email", () => {
  test("five requests for one email pass, the sixth is refused with a retry-after of at most two windows", async () => {
    const address = email();
    for (let i = 1; i <= 5; i++) {
      // A fresh IP each time: only the email bucket can refuse.
      const r = await magicLinkAllowed(address, ip());
      expect(r.allowed, `request ${i}`).toBe(true);
    }
    const sixth = await magicLinkAllowed(address, ip());
    expect(sixth.allowed).toBe(false);
    expect(sixth.retryAfterSeconds).toBeGreaterThan(0);
    expect(sixth.retryAfterSeconds).toBeLessThanOrEqual(1800);
    // …and it stays refused for the rest of the window.
    expect((await magicLinkAllowed(address, ip())).allowed).toBe(false);
  });

  test("the email bucket ignores case: Alice@X and alice@x are one person", async () => {
    const local = `rl-${uniq()}`;
    const variants = [`${local}@example.test`, `${local.toUpperCase()}@EXAMPLE.TEST`, `${local}@Example.Test`];
    for (let i = 0; i < 5; i++) expect((await magicLinkAllowed(variants[i % 3], ip())).allowed).toBe(true);
    expect((await magicLinkAllowed(variants[1], ip())).allowed).toBe(false);
  });

  test("another email is not affected by a blocked one", async () => {
    const blocked = email();
    for (let i = 0; i < 6; i++) await magicLinkAllowed(blocked, ip());
    expect((await magicLinkAllowed(blocked, ip())).allowed).toBe(false);
    expect((await magicLinkAllowed(email(), ip())).allowed).toBe(true);
  });

  test("the retry-after says when the next link fits (fake clock 100 s into a window)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(inWindow(100_000));
    const address = email();
    for (let i = 0; i < 5; i++) expect((await magicLinkAllowed(address, ip())).allowed).toBe(true);
    const refused = await magicLinkAllowed(address, ip());
    // The rest of this window (800 s), then a fifth of the next for the five to slide down to four.
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 980 });
    vi.setSystemTime(inWindow(100_000 + 979_000));
    expect((await magicLinkAllowed(address, ip())).allowed).toBe(false);
    vi.setSystemTime(inWindow(100_000 + 981_000));
    expect((await magicLinkAllowed(address, ip())).allowed).toBe(true);
  });

  test("a burst at a window's end cannot double up at the next one's start (sliding, not fixed)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const address = email();
    vi.setSystemTime(inWindow(WINDOW_MS - 3_000));
    for (let i = 0; i < 5; i++) expect((await magicLinkAllowed(address, ip())).allowed).toBe(true);
    vi.setSystemTime(inWindow(WINDOW_MS + 9_000));
    expect((await magicLinkAllowed(address, ip())).allowed).toBe(false);
    expect((await magicLinkAllowed(`${address}.`, ip())).allowed).toBe(false); // a trailing dot is the same mailbox
  });
});

describe("magicLinkAllowed: per IP", () => {
  test("twenty requests from one IP (all different emails) pass, the 21st is refused", async () => {
    const from = ip();
    for (let i = 1; i <= 20; i++) {
      const r = await magicLinkAllowed(email(), from);
      expect(r.allowed, `request ${i}`).toBe(true);
    }
    const refused = await magicLinkAllowed(email(), from);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(1800);
    // Another IP is unaffected.
    expect((await magicLinkAllowed(email(), ip())).allowed).toBe(true);
  });

  test("requests for several emails from one IP all count toward the IP limit", async () => {
    const from = ip();
    // 4 emails × 5 requests = 20: every one within its email limit, together exactly the IP limit.
    const emails = [email(), email(), email(), email()];
    for (const address of emails) {
      for (let i = 0; i < 5; i++) expect((await magicLinkAllowed(address, from)).allowed).toBe(true);
    }
    // A fifth email, never seen before, is refused because of the IP alone.
    expect((await magicLinkAllowed(email(), from)).allowed).toBe(false);
    const { rows } = await pool().query(`SELECT sum(count)::int AS n FROM "RateLimitHit" WHERE bucket = $1`, [`magic-link:ip:${from}`]);
    // Only what was let through counts: the refused request left no mark.
    expect(rows[0].n).toBe(20);
  });

  test("the IP count slides: refused right after the window, allowed once a slot has slid out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = inWindow(1_000);
    vi.setSystemTime(start);
    const from = ip();
    for (let i = 0; i < 20; i++) await magicLinkAllowed(email(), from);
    expect((await magicLinkAllowed(email(), from)).allowed).toBe(false);
    vi.setSystemTime(new Date(start.getTime() + WINDOW_MS + 1));
    expect((await magicLinkAllowed(email(), from)).allowed).toBe(false);
    vi.setSystemTime(new Date(start.getTime() + WINDOW_MS + WINDOW_MS / 20 + 1_000));
    expect((await magicLinkAllowed(email(), from)).allowed).toBe(true);
  });
});

describe("hitRateLimit (the Postgres sliding window)", () => {
  test("limit passes, limit+1 refused; retry-after says when a hit fits again", async () => {
    const bucket = `test:${uniq()}`;
    const t0 = inWindow(0);
    for (let i = 1; i <= 5; i++) {
      const r = await hitRateLimit(bucket, 5, 900, new Date(t0.getTime() + i * 1000));
      expect(r.allowed, `hit ${i}`).toBe(true);
    }
    // 840 s to this window's end, then 180 s of the next for five to weigh four.
    expect(await hitRateLimit(bucket, 5, 900, new Date(t0.getTime() + 60_000))).toEqual({ allowed: false, retryAfterSeconds: 1020 });
    expect(await hitRateLimit(bucket, 5, 900, new Date(t0.getTime() + 899_500))).toEqual({ allowed: false, retryAfterSeconds: 181 });
  });

  test("the old window's hits fade out across the next one instead of vanishing at its start", async () => {
    const bucket = `test:${uniq()}`;
    const t0 = inWindow(10_000);
    for (let i = 0; i < 6; i++) await hitRateLimit(bucket, 5, 900, t0);
    const next = Math.floor(t0.getTime() / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
    expect((await hitRateLimit(bucket, 5, 900, new Date(next))).allowed).toBe(false);
    // 40 % into the next window the five weigh 3: two more fit, the third does not.
    const later = new Date(next + 0.4 * WINDOW_MS);
    expect((await hitRateLimit(bucket, 5, 900, later)).allowed).toBe(true);
    expect((await hitRateLimit(bucket, 5, 900, later)).allowed).toBe(true);
    expect((await hitRateLimit(bucket, 5, 900, later)).allowed).toBe(false);
  });

  test("concurrent hits are counted atomically: of 12 at once exactly 5 pass", async () => {
    const bucket = `test:${uniq()}`;
    const now = new Date();
    const results = await Promise.all(Array.from({ length: 12 }, () => hitRateLimit(bucket, 5, 900, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const { rows } = await pool().query(`SELECT count FROM "RateLimitHit" WHERE bucket = $1`, [bucket]);
    expect(rows).toEqual([{ count: 5 }]);
  });

  test("buckets are independent", async () => {
    const a = `test:${uniq()}`;
    const b = `test:${uniq()}`;
    const now = new Date();
    for (let i = 0; i < 3; i++) await hitRateLimit(a, 2, 60, now);
    expect((await hitRateLimit(a, 2, 60, now)).allowed).toBe(false);
    expect((await hitRateLimit(b, 2, 60, now)).allowed).toBe(true);
  });
});
