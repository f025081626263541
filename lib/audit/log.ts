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
  | "member.left";

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

export async function auditEntries(orgId: string, options: { limit?: number; before?: Date } = {}) {
  const entries = await prisma().auditLog.findMany({
    where: { orgId, ...(options.before ? { createdAt: { lt: options.before } } : {}) },
    orderBy: { createdAt: "desc" },
    take: options.limit ?? 100,
  });
  const actorIds = [...new Set(entries.map((e) => e.actorId).filter((id): id is string => !!id))];
  const actors = actorIds.length
    ? await prisma().user.findMany({ where: { id: { in: actorIds } }, select: { id: true, email: true, name: true } })
    : [];
  const byId = new Map(actors.map((a) => [a.id, a]));
  return entries.map((e) => ({ ...e, actor: e.actorId ? (byId.get(e.actorId) ?? null) : null }));
}
