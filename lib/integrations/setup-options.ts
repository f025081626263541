import { prisma } from "../db";
import { keyPlaceholder } from "./snippets";

// What the integrations page offers to fill the snippets with: the org's keys that can send usage
// (active, unexpired, `ingest` scope) and its active teams and cost centers.
export type TIngestKeyOption = { id: string; name: string; prefix: string; team: string | null; placeholder: string };
export type TTeamOption = { id: string; slug: string; name: string; costCenterCode: string | null };
export type TCostCenterOption = { id: string; code: string; name: string };

export async function ingestKeyOptions(orgId: string, now = new Date()): Promise<TIngestKeyOption[]> {
  const keys = await prisma().virtualKey.findMany({
    where: { orgId, revokedAt: null, scopes: { has: "ingest" }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 200,
    select: { id: true, name: true, prefix: true, team: { select: { slug: true } } },
  });
  return keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, team: k.team?.slug ?? null, placeholder: keyPlaceholder(k.prefix) }));
}

export async function attributionOptions(orgId: string): Promise<{ teams: TTeamOption[]; costCenters: TCostCenterOption[] }> {
  const [teams, costCenters] = await Promise.all([
    prisma().team.findMany({
      where: { orgId, archivedAt: null },
      orderBy: { slug: "asc" },
      select: { id: true, slug: true, name: true, costCenter: { select: { code: true } } },
    }),
    prisma().costCenter.findMany({ where: { orgId, archivedAt: null }, orderBy: { code: "asc" }, select: { id: true, code: true, name: true } }),
  ]);
  return { teams: teams.map((t) => ({ id: t.id, slug: t.slug, name: t.name, costCenterCode: t.costCenter?.code ?? null })), costCenters };
}

// The page's choices from its URL (?team=<slug>&cc=<code>&repo=owner/repo), kept only when they name
// one of this org's active teams and cost centers; a repository is free text, bounded.
export function parseSetupSearch(
  search: Record<string, string | string[] | undefined>,
  options: { teams: TTeamOption[]; costCenters: TCostCenterOption[] },
): { team: TTeamOption | null; costCenter: TCostCenterOption | null; repository: string | null } {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || null;
  const team = options.teams.find((t) => t.slug === one(search.team)) ?? null;
  const costCenter = options.costCenters.find((c) => c.code === one(search.cc)) ?? null;
  const repo = one(search.repo);
  return { team, costCenter, repository: repo && repo.length <= 256 ? repo : null };
}
