import { createHash } from "node:crypto";
import { prisma } from "../db";
import { enqueueEmail, kickOutbox } from "../email/outbox";

// Auth.js's sendVerificationRequest: Auth.js has already stored the verification token (only its
// hash) on its own; the email goes through the outbox like every other one, and the sender is
// kicked so the link lands within a second instead of at the next job tick.
export async function queueMagicLink(input: { to: string; url: string; expiresInMinutes: number }): Promise<void> {
  await enqueueEmail(prisma(), {
    template: "magic-link",
    to: input.to,
    // Named by the link's hash: one email per link, without a second copy of the token in the key.
    idempotencyKey: `magic-link/${createHash("sha256").update(input.url).digest("hex")}`,
    payload: { url: input.url, host: new URL(input.url).host, expiresInMinutes: input.expiresInMinutes },
  });
  void kickOutbox();
}
