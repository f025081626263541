import { prisma } from "../db";
import { kickOutbox } from "../email/outbox";

// Waits until no email to `to` is queued any more: kicks this process's sender, and polls, because
// another test process draining the same outbox may be the one that sends it.
export async function emailsDelivered(to: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await kickOutbox();
    const queued = await prisma().emailOutbox.count({ where: { to: { has: to }, status: "PENDING" } });
    if (queued === 0) return;
    if (Date.now() > deadline) throw new Error(`emails to ${to} still queued after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
