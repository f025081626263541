import type { Metadata } from "next";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { periodStarts } from "@/lib/reports/periods";
import { spendReport } from "@/lib/reports/spend";
import { listCostCenters, listTeams } from "@/lib/teams/manage";
import { Card } from "@/components/ui/card";
import { TeamCreateForm } from "@/components/teams/team-create-form";
import { TeamTable, type TTeamRow } from "@/components/teams/team-table";
import { archiveTeam, createTeam, updateTeam } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const mayManage = can(access.role, "team.manage");
  const now = new Date();
  const { monthStart } = await periodStarts(org.timezone, now);
  const [teams, costCenters, spend] = await Promise.all([
    listTeams(org.id),
    listCostCenters(org.id),
    spendReport({ orgId: org.id, timezone: org.timezone, from: monthStart, to: now, groupBy: "team" }),
  ]);

  // spendReport labels team groups by slug (unique per org, archived teams included); null = no team.
  const spendBySlug = new Map(spend.groups.filter((g) => g.key !== null).map((g) => [g.key as string, g]));
  const unattributed = spend.groups.find((g) => g.key === null);
  const archivedCostCenters = new Set(costCenters.filter((c) => c.archivedAt).map((c) => c.id));
  const rows: TTeamRow[] = teams.map((t) => ({
    id: t.id,
    slug: t.slug,
    name: t.name,
    costCenterId: t.costCenterId,
    costCenter: t.costCenter ? { ...t.costCenter, archived: archivedCostCenters.has(t.costCenterId ?? "") } : null,
    archivedAt: t.archivedAt?.toISOString() ?? null,
    spendUsd: spendBySlug.get(t.slug)?.cost_usd ?? "0.00",
    calls: spendBySlug.get(t.slug)?.calls ?? 0,
  }));
  const activeCostCenters = costCenters.filter((c) => !c.archivedAt).map((c) => ({ id: c.id, code: c.code, name: c.name }));
  const activeCount = teams.filter((t) => !t.archivedAt).length;
  const month = new Intl.DateTimeFormat("en-US", { timeZone: org.timezone, month: "long", year: "numeric" }).format(monthStart);

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Teams</h1>
        <p className="text-sm text-slate-500">
          Spend lands on a team through the <code className="rounded bg-slate-100 px-1">team</code> slug on an event or the team of the key that sent it.
          A new cost center applies to spend from then on. Teams are archived, never deleted, so their history stays attributable. Spend is for {month} ({org.timezone}).
        </p>
      </header>
      {mayManage && (
        <Card title="Create a team">
          <TeamCreateForm orgSlug={slug} costCenters={activeCostCenters} createTeam={createTeam} />
        </Card>
      )}
      <Card title={`Teams (${activeCount} active${teams.length > activeCount ? `, ${teams.length - activeCount} archived` : ""})`}>
        <TeamTable
          orgSlug={slug}
          timezone={org.timezone}
          teams={rows}
          costCenters={activeCostCenters}
          unattributedUsd={unattributed ? unattributed.cost_usd : null}
          mayManage={mayManage}
          updateTeam={updateTeam}
          archiveTeam={archiveTeam}
        />
      </Card>
    </main>
  );
}
