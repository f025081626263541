import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { takeKeyToken } from "./rate-limit";

// The limit lives in Postgres, so two replicas (two calls here) share one count.
test("rpm limit: shared count, no double burst across a minute boundary, recovers as the window slides", async () => {
  const keyId = `k-${randomBytes(6).toString("hex")}`;
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  const at = (ms: number) => minute + ms;

  expect(await takeKeyToken(keyId, 3, at(50_000))).toBe(0);
  expect(await takeKeyToken(keyId, 3, at(51_000))).toBe(0);
  expect(await takeKeyToken(keyId, 3, at(52_000))).toBe(0);
  // Refused; a hit fits again once a third of the next minute has slid the burst's weight down.
  expect(await takeKeyToken(keyId, 3, at(53_000))).toBe(27);
  // One second into the next minute the previous minute still weighs ~98 %: still refused.
  expect(await takeKeyToken(keyId, 3, at(61_000))).toBeGreaterThan(0);
  // Near the end of that minute the old burst has slid out of the window.
  expect(await takeKeyToken(keyId, 3, at(119_000))).toBe(0);
});

// A client that sleeps exactly Retry-After before retrying gets through — refused requests do not
// count, so they do not push the next slot further away.
test("rpm limit: Retry-After is the truth for a client that waits it out", async () => {
  const keyId = `k-${randomBytes(6).toString("hex")}`;
  let now = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
  let passed = 0;
  for (let i = 0; i < 12; i++) {
    const wait = await takeKeyToken(keyId, 2, now);
    if (wait === 0) {
      passed++;
      now += 1_000;
    } else {
      now += wait * 1000;
      expect(await takeKeyToken(keyId, 2, now), `after waiting ${wait}s`).toBe(0);
      passed++;
      now += 1_000;
    }
  }
  expect(passed).toBe(12);
});
