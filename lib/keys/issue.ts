import { recordAudit } from "../audit/log";
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

// Returns the secret exactly once; only its SHA-256 is stored. The key and its audit row are one
// transaction. Callers check who may issue what (lib/keys/manage.ts for people; the CLI is trusted).
export async function issueKey(input: TIssueKeyInput): Promise<{ id: string; prefix: string; secret: string }> {
  const { secret, prefix, hash } = generateKey();
  const scopes = input.scopes ?? ["ingest"];
  const key = await prisma().$transaction(async (tx) => {
    const created = await tx.virtualKey.create({
      data: {
        orgId: input.orgId,
        name: input.name,
        prefix,
        hash,
        scopes,
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
    await recordAudit(tx, {
      orgId: input.orgId, actorId: input.createdBy ?? null, action: "key.issued", targetType: "VirtualKey", targetId: created.id,
      details: { name: input.name, prefix, scopes },
    });
    return created;
  });
  return { ...key, secret };
}

// Revokes at once (key auth caches for at most 0.5 s) and records who did it.
export async function revokeKeys(orgId: string, keys: { id: string; prefix: string; name: string }[], actorId: string | null): Promise<void> {
  if (keys.length === 0) return;
  await prisma().$transaction(async (tx) => {
    await tx.virtualKey.updateMany({ where: { orgId, id: { in: keys.map((k) => k.id) }, revokedAt: null }, data: { revokedAt: new Date() } });
    for (const key of keys) {
      await recordAudit(tx, { orgId, actorId, action: "key.revoked", targetType: "VirtualKey", targetId: key.id, details: { prefix: key.prefix, name: key.name } });
    }
  });
}

// The operator CLI's revoke: every active key of the org with that prefix.
export async function revokeKey(orgId: string, prefix: string, actorId: string | null = null): Promise<number> {
  const keys = await prisma().virtualKey.findMany({ where: { orgId, prefix, revokedAt: null }, select: { id: true, prefix: true, name: true } });
  await revokeKeys(orgId, keys, actorId);
  return keys.length;
}
