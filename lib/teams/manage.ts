import { invalid, notFound } from "../errors";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { forgetDirectory } from "../ingest/directory";

export async function listTeams(orgId: string) {
  return prisma().team.findMany({
    where: { orgId },
    orderBy: [{ archivedAt: { sort: "asc", nulls: "first" } }, { slug: "asc" }],
    include: { costCenter: { select: { code: true, name: true } } },
  });
}

async function costCenterIdFor(orgId: string, costCenterId: string | null | undefined): Promise<string | null> {
  if (!costCenterId) return null;
  const cc = await prisma().costCenter.findFirst({ where: { orgId, id: costCenterId, archivedAt: null }, select: { id: true } });
  if (!cc) throw invalid("That cost center does not exist.");
  return cc.id;
}

export async function createTeam(orgId: string, actorId: string | null, input: { slug: string; name: string; costCenterId?: string | null }) {
  const costCenterId = await costCenterIdFor(orgId, input.costCenterId);
  const team = await prisma().$transaction(async (tx) => {
    const created = await tx.team.create({ data: { orgId, slug: input.slug, name: input.name, costCenterId } });
    await recordAudit(tx, { orgId, actorId, action: "team.created", targetType: "Team", targetId: created.id, details: { slug: input.slug } });
    return created;
  });
  forgetDirectory(orgId);
  return team;
}

export async function updateTeam(orgId: string, actorId: string | null, input: { teamId: string; name?: string; costCenterId?: string | null }) {
  const team = await prisma().team.findFirst({ where: { orgId, id: input.teamId } });
  if (!team) throw notFound("No such team.");
  if (team.archivedAt) throw invalid("An archived team cannot be changed.");
  const costCenterId = input.costCenterId === undefined ? team.costCenterId : await costCenterIdFor(orgId, input.costCenterId);
  await prisma().$transaction(async (tx) => {
    await tx.team.update({ where: { id: team.id }, data: { name: input.name ?? team.name, costCenterId } });
    if (input.name && input.name !== team.name) {
      await recordAudit(tx, { orgId, actorId, action: "team.renamed", targetType: "Team", targetId: team.id, details: { from: team.name, to: input.name } });
    }
    if (costCenterId !== team.costCenterId) {
      await recordAudit(tx, { orgId, actorId, action: "team.cost_center_changed", targetType: "Team", targetId: team.id, details: { from: team.costCenterId, to: costCenterId } });
    }
  });
  forgetDirectory(orgId);
}

// Teams are archived, never deleted: their spend history must stay attributable.
export async function archiveTeam(orgId: string, actorId: string | null, teamId: string) {
  const team = await prisma().team.findFirst({ where: { orgId, id: teamId, archivedAt: null } });
  if (!team) throw notFound("No such active team.");
  await prisma().$transaction(async (tx) => {
    await tx.team.update({ where: { id: team.id }, data: { archivedAt: new Date() } });
    await recordAudit(tx, { orgId, actorId, action: "team.archived", targetType: "Team", targetId: team.id, details: { slug: team.slug } });
  });
  forgetDirectory(orgId);
}

export async function listCostCenters(orgId: string) {
  return prisma().costCenter.findMany({ where: { orgId }, orderBy: [{ archivedAt: { sort: "asc", nulls: "first" } }, { code: "asc" }], include: { _count: { select: { teams: true } } } });
}

export async function createCostCenter(orgId: string, actorId: string | null, input: { code: string; name: string; ownerEmail?: string | null }) {
  const cc = await prisma().$transaction(async (tx) => {
    const created = await tx.costCenter.create({ data: { orgId, code: input.code, name: input.name, ownerEmail: input.ownerEmail ?? null } });
    await recordAudit(tx, { orgId, actorId, action: "cost_center.created", targetType: "CostCenter", targetId: created.id, details: { code: input.code } });
    return created;
  });
  forgetDirectory(orgId);
  return cc;
}

export async function renameCostCenter(orgId: string, actorId: string | null, input: { costCenterId: string; name: string }) {
  const cc = await prisma().costCenter.findFirst({ where: { orgId, id: input.costCenterId } });
  if (!cc) throw notFound("No such cost center.");
  await prisma().$transaction(async (tx) => {
    await tx.costCenter.update({ where: { id: cc.id }, data: { name: input.name } });
    await recordAudit(tx, { orgId, actorId, action: "cost_center.renamed", targetType: "CostCenter", targetId: cc.id, details: { from: cc.name, to: input.name } });
  });
}

export async function archiveCostCenter(orgId: string, actorId: string | null, costCenterId: string) {
  const cc = await prisma().costCenter.findFirst({ where: { orgId, id: costCenterId, archivedAt: null } });
  if (!cc) throw notFound("No such active cost center.");
  await prisma().$transaction(async (tx) => {
    await tx.costCenter.update({ where: { id: cc.id }, data: { archivedAt: new Date() } });
    await recordAudit(tx, { orgId, actorId, action: "cost_center.archived", targetType: "CostCenter", targetId: cc.id, details: { code: cc.code } });
  });
  forgetDirectory(orgId);
}
