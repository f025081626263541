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
  const refused = await takeKeyToken(keyId, 3, at(53_000));
  expect(refused).toBeGreaterThanOrEqual(1);
  expect(refused).toBeLessThanOrEqual(7);

  // One second into the next minute the previous minute still weighs ~98 %: still refused.
  expect(await takeKeyToken(keyId, 3, at(61_000))).toBeGreaterThan(0);
  // Near the end of that minute the old burst has slid out of the window.
  expect(await takeKeyToken(keyId, 3, at(119_000))).toBe(0);
});
