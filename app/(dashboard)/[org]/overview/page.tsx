import type { Metadata } from "next";
import { requireOrgPage } from "@/lib/auth/session";
import { displayUsd, exactUsd } from "@/lib/money";
import { overviewFor } from "@/lib/reports/overview";
import { Card } from "@/components/ui/card";
import { StatCard } from "@/components/ui/stat-card";
import { SpendBreakdown } from "@/components/overview/spend-breakdown";
import { TopExecutions } from "@/components/overview/top-executions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: slug } = await params;
  const { org } = await requireOrgPage(slug);
  const now = new Date();
  const overview = await overviewFor(org, now);
  const month = new Intl.DateTimeFormat("en-US", { timeZone: org.timezone, month: "long", year: "numeric" }).format(overview.monthStart);

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
      <header className="flex items-baseline justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{org.name}</h1>
          <p className="text-sm text-slate-500">Spend overview · times in {org.timezone}</p>
        </div>
      </header>

      <div className="grid gap-4 sm:grid-cols-2">
        <StatCard label="Spend today" value={<span data-testid="spend-today">{displayUsd(overview.todayUsd)}</span>} hint={`exact ${exactUsd(overview.todayUsd)}`} />
        <StatCard label={`Spend in ${month}`} value={<span data-testid="spend-month">{displayUsd(overview.monthUsd)}</span>} hint={`exact ${exactUsd(overview.monthUsd)}`} />
      </div>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="This month by team">
          <SpendBreakdown rows={overview.byTeam} total={overview.monthUsd} emptyLabel="No spend this month yet." unattributedLabel="no team" />
        </Card>
        <Card title="This month by agent">
          <SpendBreakdown rows={overview.byAgent} total={overview.monthUsd} emptyLabel="No spend this month yet." unattributedLabel="no agent" />
        </Card>
      </div>

      <Card title="Top 10 most expensive executions this month">
        <TopExecutions executions={overview.topExecutions} timezone={org.timezone} />
      </Card>
    </main>
  );
}
