import { prisma } from "../db";
import type { Prisma } from "../generated/prisma/client";

export type TAuditAction =
  | "org.created"
  | "key.issued"
  | "key.revoked"
  | "key.rotated"
  | "team.created"
  | "team.renamed"
  | "team.archived"
  | "team.cost_center_changed"
  | "cost_center.created"
  | "cost_center.renamed"
  | "cost_center.archived"
  | "member.invited"
  | "member.invitation_revoked"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "member.left"
  | "webhook.url_changed"
  | "webhook.secret_rotated"
  | "alert.delivery_resent"
  | "budget.created"
  | "budget.changed"
  | "budget.archived"
  | "model_price.added"
  | "model.repriced"
  | "execution.resumed"
  | "approval.requested"
  | "approval.approved"
  | "approval.denied"
  | "anomaly.acknowledged"
  | "anomaly.settings_changed";

type TClient = Prisma.TransactionClient | ReturnType<typeof prisma>;

// Written in the same transaction as the change it records, so the log never misses one.
export async function recordAudit(
  db: TClient,
  entry: { orgId: string; actorId: string | null; action: TAuditAction; targetType?: string; targetId?: string; details?: Prisma.InputJsonValue },
): Promise<void> {
  await db.auditLog.create({
    data: {
      orgId: entry.orgId,
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: entry.details ?? undefined,
    },
  });
}

// Keyset pagination by (createdAt, id): entries written in the same millisecond (one transaction
// often writes several) are neither skipped nor repeated between pages.
export type TAuditCursor = { createdAt: Date; id: string };

export function encodeAuditCursor(entry: TAuditCursor): string {
  return `${entry.createdAt.toISOString()}_${entry.id}`;
}

export function decodeAuditCursor(raw: unknown): TAuditCursor | undefined {
  if (typeof raw !== "string") return undefined;
  const at = raw.indexOf("_");
  const createdAt = new Date(raw.slice(0, at));
  const id = raw.slice(at + 1);
  if (at < 0 || Number.isNaN(createdAt.getTime()) || !/^[a-z0-9]{1,64}$/i.test(id)) return undefined;
  // A date Postgres cannot hold (year -271821) is no page of this log.
  const year = createdAt.getUTCFullYear();
  if (year < 2000 || year > 9999) return undefined;
  return { createdAt, id };
}

export async function auditEntries(orgId: string, options: { limit?: number; before?: TAuditCursor } = {}) {
  const { before } = options;
  const entries = await prisma().auditLog.findMany({
    where: { orgId, ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 100,
  });
  const actorIds = [...new Set(entries.map((e) => e.actorId).filter((id): id is string => !!id))];
  const actors = actorIds.length
    ? await prisma().user.findMany({ where: { id: { in: actorIds } }, select: { id: true, email: true, name: true } })
    : [];
  const byId = new Map(actors.map((a) => [a.id, a]));
  return entries.map((e) => ({ ...e, actor: e.actorId ? (byId.get(e.actorId) ?? null) : null }));
}
