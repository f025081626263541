import { randomBytes } from "node:crypto";
import { prisma } from "../db";
import { addMember, createTestOrg, createUser } from "./fixtures";

// Shared by the anomaly tests: an org with an owner (who gets anomaly emails), optionally with
// anomaly settings, and the demo's failing call — same model, same context, the same error, every
// 8 s — that makes a retry loop at its 3rd repeat.

export async function orgWithOwner(settings?: unknown) {
  const t = await createTestOrg();
  const owner = await createUser(`owner-${randomBytes(3).toString("hex")}@example.test`);
  await addMember(t.org.id, owner.id, "OWNER");
  if (settings) await prisma().organization.update({ where: { id: t.org.id }, data: { anomalySettings: settings } });
  return { ...t, owner };
}

export const at = (base: number, seconds: number) => new Date(base + seconds * 1000).toISOString();

export const failingCall = (execution: string, i: number, base: number, extra: Record<string, unknown> = {}) => ({
  id: `${execution}-${i}`,
  timestamp: at(base, i * 8),
  execution_id: execution,
  agent: "migration-bot",
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  usage: { input_tokens: 48_000, output_tokens: 0 },
  status: "error",
  error_type: "rate_limit",
  attempt: i,
  ...extra,
});
