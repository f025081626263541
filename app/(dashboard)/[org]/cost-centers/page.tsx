import type { Metadata } from "next";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { periodStarts } from "@/lib/reports/periods";
import { spendReport } from "@/lib/reports/spend";
import { listCostCenters, listTeams } from "@/lib/teams/manage";
import { Card } from "@/components/ui/card";
import { CostCenterCreateForm } from "@/components/teams/cost-center-create-form";
import { CostCenterTable, type TCostCenterRow } from "@/components/teams/cost-center-table";
import { archiveCostCenter, createCostCenter, renameCostCenter } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Cost centers" };

export default async function CostCentersPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const mayManage = can(access.role, "cost-center.manage");
  const now = new Date();
  const { monthStart } = await periodStarts(org.timezone, now);
  const [costCenters, teams, spend] = await Promise.all([
    listCostCenters(org.id),
    listTeams(org.id),
    spendReport({ orgId: org.id, timezone: org.timezone, from: monthStart, to: now, groupBy: "cost_center" }),
  ]);

  // spendReport labels cost center groups by code (unique per org); null = no cost center.
  const spendByCode = new Map(spend.groups.filter((g) => g.key !== null).map((g) => [g.key as string, g]));
  const unattributed = spend.groups.find((g) => g.key === null);
  const rows: TCostCenterRow[] = costCenters.map((c) => {
    const ccTeams = teams.filter((t) => t.costCenterId === c.id);
    return {
      id: c.id,
      code: c.code,
      name: c.name,
      ownerEmail: c.ownerEmail,
      archivedAt: c.archivedAt?.toISOString() ?? null,
      teamSlugs: ccTeams.filter((t) => !t.archivedAt).map((t) => t.slug),
      archivedTeamCount: ccTeams.filter((t) => t.archivedAt).length,
      spendUsd: spendByCode.get(c.code)?.cost_usd ?? "0.00",
      calls: spendByCode.get(c.code)?.calls ?? 0,
    };
  });
  const activeCount = costCenters.filter((c) => !c.archivedAt).length;
  const month = new Intl.DateTimeFormat("en-US", { timeZone: org.timezone, month: "long", year: "numeric" }).format(monthStart);

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Cost centers</h1>
        <p className="text-sm text-slate-500">
          For showback and chargeback: a team&apos;s spend is charged to its cost center, unless a key or event names another one.
          Archived cost centers keep their history. Spend is for {month} ({org.timezone}).
        </p>
      </header>
      {mayManage && (
        <Card title="Create a cost center">
          <CostCenterCreateForm orgSlug={slug} createCostCenter={createCostCenter} />
        </Card>
      )}
      <Card title={`Cost centers (${activeCount} active${costCenters.length > activeCount ? `, ${costCenters.length - activeCount} archived` : ""})`}>
        <CostCenterTable
          orgSlug={slug}
          timezone={org.timezone}
          costCenters={rows}
          unattributedUsd={unattributed ? unattributed.cost_usd : null}
          mayManage={mayManage}
          renameCostCenter={renameCostCenter}
          archiveCostCenter={archiveCostCenter}
        />
      </Card>
    </main>
  );
}
