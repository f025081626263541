import { randomBytes } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import { prisma } from "../db";
import { queueMagicLink } from "./magic-link";

beforeAll(() => {
  // The dev mailbox: every email is captured, whatever the surrounding shell has set.
  delete process.env.RESEND_API_KEY;
});

test("a magic link is queued in the outbox and lands in the mailbox within seconds (not at the next job tick), once", async () => {
  const to = `sign-in-${randomBytes(5).toString("hex")}@example.test`;
  const url = `http://localhost:3000/api/auth/callback/email?callbackUrl=%2F&token=${randomBytes(32).toString("hex")}&email=${encodeURIComponent(to)}`;

  const t0 = performance.now();
  await queueMagicLink({ to, url, expiresInMinutes: 15 });
  const queuedMs = performance.now() - t0;
  let captured = null;
  while (!captured && performance.now() - t0 < 5_000) {
    captured = await prisma().capturedEmail.findFirst({ where: { to: { has: to } } });
    if (!captured) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const arrivedMs = performance.now() - t0;
  console.info(`[magic link] queued in ${queuedMs.toFixed(1)} ms, in the mailbox after ${arrivedMs.toFixed(1)} ms`);

  expect(captured, "the email reached the mailbox").not.toBeNull();
  // Kicked at once, not left for the 5 s job tick (a loaded CI machine can take a while to render).
  expect(arrivedMs).toBeLessThan(3_000);
  expect(captured!.subject).toBe("Sign in to Burnrate");
  expect(captured!.text).toContain(url);
  const row = await prisma().emailOutbox.findFirstOrThrow({ where: { to: { has: to } } });
  expect(row).toMatchObject({ template: "magic-link", status: "SENT", orgId: null, providerId: captured!.id });
  // Sent: the stored payload no longer holds the sign-in token.
  expect(JSON.stringify(row.payload)).not.toContain("token=");
  expect(row.idempotencyKey).not.toContain(url);
  expect(await prisma().capturedEmail.count({ where: { to: { has: to } } })).toBe(1);
});
