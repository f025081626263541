import { prisma } from "../db";
import { generateKey } from "./generate";
import type { TKeyScope } from "./authenticate";

export type TIssueKeyInput = {
  orgId: string;
  name: string;
  scopes?: TKeyScope[];
  teamId?: string | null;
  costCenterId?: string | null;
  defaultAgent?: string | null;
  allowedModels?: string[];
  rpmLimit?: number | null;
  expiresAt?: Date | null;
  createdBy?: string | null;
};

// Returns the secret exactly once; only its SHA-256 is stored.
export async function issueKey(input: TIssueKeyInput): Promise<{ id: string; prefix: string; secret: string }> {
  const { secret, prefix, hash } = generateKey();
  const key = await prisma().virtualKey.create({
    data: {
      orgId: input.orgId,
      name: input.name,
      prefix,
      hash,
      scopes: input.scopes ?? ["ingest"],
      teamId: input.teamId ?? null,
      costCenterId: input.costCenterId ?? null,
      defaultAgent: input.defaultAgent ?? null,
      allowedModels: input.allowedModels ?? [],
      rpmLimit: input.rpmLimit ?? null,
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy ?? null,
    },
    select: { id: true, prefix: true },
  });
  await prisma().auditLog.create({
    data: { orgId: input.orgId, actorId: input.createdBy ?? null, action: "key.issued", targetType: "VirtualKey", targetId: key.id, details: { name: input.name, prefix, scopes: input.scopes ?? ["ingest"] } },
  });
  return { ...key, secret };
}

// Revokes at once: authenticateKey caches for at most 1 s.
export async function revokeKey(orgId: string, prefix: string, actorId: string | null = null): Promise<number> {
  const keys = await prisma().virtualKey.findMany({ where: { orgId, prefix, revokedAt: null }, select: { id: true } });
  if (keys.length === 0) return 0;
  await prisma().$transaction([
    prisma().virtualKey.updateMany({ where: { orgId, id: { in: keys.map((k) => k.id) } }, data: { revokedAt: new Date() } }),
    prisma().auditLog.createMany({
      data: keys.map((k) => ({ orgId, actorId, action: "key.revoked", targetType: "VirtualKey", targetId: k.id, details: { prefix } })),
    }),
  ]);
  return keys.length;
}
