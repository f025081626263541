import { randomBytes } from "node:crypto";
import { prisma } from "../db";
import { addMember, createTestOrg, createUser } from "./fixtures";

// Shared by the budget alert tests (lib/budgets/*.test.ts): an org with people to alert, and reads
// of what was recorded and queued.

export const spend = (id: string, usd: string, extra: Record<string, unknown> = {}) => ({ id, kind: "tool", cost_usd: usd, ...extra });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// An org with an owner and an admin (the default recipients) and a viewer (not one).
export async function orgWithPeople(timezone = "UTC") {
  const t = await createTestOrg({ timezone });
  const owner = await createUser(`owner-${randomBytes(3).toString("hex")}@example.test`);
  const admin = await createUser(`admin-${randomBytes(3).toString("hex")}@example.test`);
  const viewer = await createUser();
  await addMember(t.org.id, owner.id, "OWNER");
  await addMember(t.org.id, admin.id, "ADMIN");
  await addMember(t.org.id, viewer.id, "VIEWER");
  return { ...t, recipients: [owner.email, admin.email].sort() };
}

export async function alertsOf(budgetId: string) {
  return prisma().budgetAlert.findMany({ where: { budgetId }, orderBy: [{ threshold: "asc" }, { epoch: "asc" }] });
}

// The follow-up that records alerts runs just after the write's commit: wait for it to settle.
export async function settled<T>(read: () => Promise<T>, ready: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ready(v) || Date.now() > until) return v;
    await sleep(50);
  }
}

export async function emailsOf(alertId: string) {
  return (await prisma().emailOutbox.findMany({ where: { alertId } })).flatMap((e) => e.to).sort();
}
