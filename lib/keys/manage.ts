import { forbidden, invalid, notFound } from "../errors";
import type { TOrgAccess } from "../auth/membership";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/log";
import { pool, prisma } from "../db";
import { periodStarts } from "../reports/periods";
import { formatUsd } from "../money";
import type { TKeyScope } from "./authenticate";
import { generateKey } from "./generate";
import { issueKey, revokeKeys } from "./issue";

export type TKeyInput = {
  name: string;
  teamId: string | null;
  costCenterId: string | null;
  scopes: TKeyScope[];
  expiresAt: Date | null;
  allowedModels: string[];
  rpmLimit: number | null;
  defaultAgent: string | null;
};

// The team a person may attach a key to: ADMIN/OWNER any active team; MEMBER only its own teams.
async function assertTeamAllowed(access: TOrgAccess, teamId: string | null): Promise<void> {
  if (teamId) {
    const team = await prisma().team.findFirst({ where: { orgId: access.org.id, id: teamId, archivedAt: null }, select: { id: true } });
    if (!team) throw invalid("That team does not exist.");
  }
  if (can(access.role, "key.manage")) return;
  if (!teamId) throw forbidden("Members issue keys for one of their own teams: pick a team.");
  const mine = await prisma().teamMember.findFirst({ where: { orgId: access.org.id, teamId, membershipId: access.membershipId } });
  if (!mine) throw forbidden("You can only issue keys for teams you belong to.");
}

export async function issueKeyAs(access: TOrgAccess, input: TKeyInput): Promise<{ id: string; prefix: string; secret: string }> {
  await assertTeamAllowed(access, input.teamId);
  if (input.costCenterId) {
    const cc = await prisma().costCenter.findFirst({ where: { orgId: access.org.id, id: input.costCenterId, archivedAt: null } });
    if (!cc) throw invalid("That cost center does not exist.");
    // A key's cost center wins over its team's at ingest: choosing another one moves spend, which
    // only roles that manage keys (and cost centers) may do.
    if (!can(access.role, "key.manage")) {
      const team = input.teamId ? await prisma().team.findFirst({ where: { orgId: access.org.id, id: input.teamId }, select: { costCenterId: true } }) : null;
      if (team?.costCenterId !== cc.id) throw forbidden("Members charge keys to their team's cost center only.");
    }
  }
  return issueKey({ orgId: access.org.id, ...input, createdBy: access.userId });
}

// A key a person may revoke or rotate: ADMIN/OWNER any; MEMBER only keys of its own teams.
async function manageableKey(access: TOrgAccess, keyId: string) {
  const key = await prisma().virtualKey.findFirst({ where: { orgId: access.org.id, id: keyId } });
  if (!key) throw notFound("No such key.");
  if (!can(access.role, "key.manage")) {
    const mine = key.teamId
      ? await prisma().teamMember.findFirst({ where: { orgId: access.org.id, teamId: key.teamId, membershipId: access.membershipId } })
      : null;
    if (!mine) throw forbidden("You can only manage keys of teams you belong to.");
  }
  return key;
}

// Takes effect within 1 s on every replica: key auth caches an entry for 0.5 s (lib/keys/authenticate.ts).
export async function revokeKeyAs(access: TOrgAccess, keyId: string): Promise<void> {
  const key = await manageableKey(access, keyId);
  if (key.revokedAt) return;
  await revokeKeys(access.org.id, [key], access.userId);
}

// New secret with the same settings; the old secret stays valid for `graceHours` (0–24), then expires.
export async function rotateKeyAs(access: TOrgAccess, keyId: string, graceHours: number): Promise<{ id: string; prefix: string; secret: string }> {
  const old = await manageableKey(access, keyId);
  if (old.revokedAt) throw invalid("A revoked key cannot be rotated.");
  const { secret, prefix, hash } = generateKey();
  const graceEnds = new Date(Date.now() + graceHours * 3600_000);
  const oldExpiry = old.expiresAt && old.expiresAt < graceEnds ? old.expiresAt : graceEnds;
  const created = await prisma().$transaction(async (tx) => {
    const key = await tx.virtualKey.create({
      data: {
        orgId: old.orgId, name: old.name, prefix, hash, scopes: old.scopes, teamId: old.teamId, costCenterId: old.costCenterId,
        defaultAgent: old.defaultAgent, allowedModels: old.allowedModels, rpmLimit: old.rpmLimit, expiresAt: old.expiresAt,
        createdBy: access.userId, rotatedFromId: old.id,
      },
      select: { id: true, prefix: true },
    });
    if (graceHours === 0) await tx.virtualKey.update({ where: { id: old.id }, data: { revokedAt: new Date() } });
    else await tx.virtualKey.update({ where: { id: old.id }, data: { expiresAt: oldExpiry } });
    await recordAudit(tx, {
      orgId: old.orgId, actorId: access.userId, action: "key.rotated", targetType: "VirtualKey", targetId: old.id,
      details: { oldPrefix: old.prefix, newPrefix: prefix, graceHours, oldValidUntil: graceHours === 0 ? null : oldExpiry.toISOString() },
    });
    return key;
  });
  return { ...created, secret };
}


// Keys page: every key with who created it and its spend this month (from the hourly rollups).
export async function listKeys(org: { id: string; timezone: string }) {
  const { monthStart } = await periodStarts(org.timezone);
  const [keys, spend] = await Promise.all([
    prisma().virtualKey.findMany({
      where: { orgId: org.id },
      orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
      include: { team: { select: { slug: true } }, costCenter: { select: { code: true } } },
    }),
    pool().query(
      `SELECT "keyId", sum("costUsd")::text AS cost FROM "UsageRollup" WHERE "orgId" = $1 AND hour >= $2 GROUP BY "keyId"`,
      [org.id, monthStart],
    ),
  ]);
  const spendByKey = new Map<string, string>(spend.rows.map((r) => [r.keyId, r.cost]));
  const creatorIds = [...new Set(keys.map((k) => k.createdBy).filter((id): id is string => !!id))];
  const creators = creatorIds.length ? await prisma().user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, email: true } }) : [];
  const creatorEmail = new Map(creators.map((c) => [c.id, c.email]));
  const now = Date.now();
  return keys.map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    team: k.team?.slug ?? null,
    teamId: k.teamId,
    costCenter: k.costCenter?.code ?? null,
    createdBy: k.createdBy ? (creatorEmail.get(k.createdBy) ?? "operator CLI") : "operator CLI",
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    state: k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt.getTime() <= now ? "expired" : "active",
    spendThisMonthUsd: formatUsd(spendByKey.get(k.id) ?? "0"),
    rpmLimit: k.rpmLimit,
    defaultAgent: k.defaultAgent,
    allowedModels: k.allowedModels,
  }));
}
