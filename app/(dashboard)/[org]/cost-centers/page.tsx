import type { Metadata } from "next";
import { can } from "@/lib/auth/permissions";
import { requireOrgPage } from "@/lib/auth/session";
import { compareMonths, currentMonth, formatMonth, monthLabel, parseMonth, shiftMonth } from "@/lib/showback/month";
import { monthlyShowback } from "@/lib/showback/monthly";
import { listCostCenters, listTeams } from "@/lib/teams/manage";
import { Card } from "@/components/ui/card";
import { Usd } from "@/components/ui/usd";
import { Change } from "@/components/showback/change";
import { MonthNav } from "@/components/showback/month-nav";
import { Panel } from "@/components/showback/panel";
import { ShowbackChart } from "@/components/showback/showback-chart";
import { ShowbackTable } from "@/components/showback/showback-table";
import { CostCenterCreateForm } from "@/components/teams/cost-center-create-form";
import { CostCenterTable, type TCostCenterRow } from "@/components/teams/cost-center-table";
import { archiveCostCenter, createCostCenter, renameCostCenter } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Cost centers" };

// Showback: a month's spend per cost center (any member, finance included), the CSV of it, and —
// for owners and admins — the cost centers themselves.
export default async function CostCentersPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { org: slug } = await params;
  const query = await searchParams;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const mayManage = can(access.role, "cost-center.manage");

  const thisMonth = currentMonth(org.timezone);
  const asked = typeof query.month === "string" && query.month !== "" ? query.month : null;
  const parsed = asked ? parseMonth(asked) : null;
  const month = parsed ?? thisMonth;
  const previous = shiftMonth(month, -1);
  const next = shiftMonth(month, 1);
  const isCurrent = compareMonths(month, thisMonth) === 0;
  const label = monthLabel(month);
  const previousLabel = monthLabel(previous);
  const basePath = `/${org.slug}/cost-centers`;

  const [showback, management] = await Promise.all([
    monthlyShowback(org, month),
    mayManage ? Promise.all([listCostCenters(org.id), listTeams(org.id)]) : Promise.resolve(null),
  ]);
  const unassigned = showback.rows[showback.rows.length - 1];
  const costCenterCount = showback.rows.length - 1;
  const bars = showback.rows
    .filter((r) => !/^0+(\.0+)?$/.test(r.spendUsd))
    .map((r) => ({ label: r.name, code: r.code, spendUsd: r.spendUsd, previousUsd: r.previousUsd }));
  const hasSpend = showback.total.sharePercent !== null;

  return (
    // The page paints its own dark background: its panels are dark in dark mode whatever the app shell does.
    <div className="min-h-screen dark:bg-slate-950">
      <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
        <header>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-50">Cost centers</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">
            Showback: what each cost center&apos;s teams and keys spent in a calendar month ({org.timezone}). A team&apos;s spend is charged to its cost
            center, unless its key or the call names another one.
          </p>
        </header>

        {asked && !parsed && (
          <p role="alert" data-testid="month-error" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
            “{asked}” is not a month (use YYYY-MM, e.g. {formatMonth(thisMonth)}); showing {label}.
          </p>
        )}

        <MonthNav
          basePath={basePath}
          month={{ value: formatMonth(month), label }}
          previous={{ value: formatMonth(previous), label: previousLabel }}
          next={compareMonths(next, thisMonth) <= 0 ? { value: formatMonth(next), label: monthLabel(next) } : null}
          max={formatMonth(thisMonth)}
          csvHref={`${basePath}/export?month=${formatMonth(month)}`}
        />

        <div className="grid gap-4 lg:grid-cols-3">
          <section className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900" aria-labelledby="showback-total-label">
            <div id="showback-total-label" className="text-sm font-medium text-slate-500 dark:text-slate-400">
              {label} {isCurrent ? "so far" : "total"}
            </div>
            <div className="mt-2 text-3xl font-semibold tracking-tight text-slate-900 dark:text-slate-50" data-testid="showback-month-total" data-spend={showback.total.spendUsd} data-from={showback.from} data-to={showback.to}>
              <Usd value={showback.total.spendUsd} className="tabular-nums" />
            </div>
            <dl className="mt-3 space-y-1.5 text-sm">
              <div className="flex flex-wrap justify-between gap-x-3">
                <dt className="text-slate-500 dark:text-slate-400">{previousLabel}</dt>
                <dd className="tabular-nums text-slate-800 dark:text-slate-200"><Usd value={showback.total.previousUsd} /></dd>
              </div>
              <div className="flex flex-wrap justify-between gap-x-3">
                <dt className="text-slate-500 dark:text-slate-400">Change</dt>
                <dd><Change change={showback.total.change} previousUsd={showback.total.previousUsd} previousLabel={previousLabel} /></dd>
              </div>
              <div className="flex flex-wrap justify-between gap-x-3">
                <dt className="text-slate-500 dark:text-slate-400">Unassigned</dt>
                <dd className="tabular-nums text-slate-800 dark:text-slate-200">
                  <Usd value={unassigned.spendUsd} />
                  {unassigned.sharePercent !== null && <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">({unassigned.sharePercent}%)</span>}
                </dd>
              </div>
            </dl>
            {isCurrent && <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">Month to date: the change compares a partial month with all of {previousLabel}.</p>}
            {unassigned.sharePercent !== null && unassigned.sharePercent !== "0.00" && (
              <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
                Unassigned spend came from teams or keys with no cost center. {mayManage ? "Give them one on the Teams and Keys pages." : "An admin can give them one."}
              </p>
            )}
          </section>

          <Panel title={`${label} by cost center`} className="lg:col-span-2">
            {hasSpend ? (
              <ShowbackChart bars={bars} monthLabel={label} previousLabel={previousLabel} />
            ) : (
              <div className="flex h-[120px] items-center justify-center px-4 text-center text-sm text-slate-500 dark:text-slate-400">
                No spend in {label}. {isCurrent ? "Calls reported this month show here as they arrive." : "Try another month."}
              </div>
            )}
          </Panel>
        </div>

        <Panel title={`Showback for ${label}`} testId="showback-panel" action={<span className="text-xs text-slate-500 dark:text-slate-400">Rows add up to the total; open a row for its teams and keys.</span>}>
          {costCenterCount === 0 && (
            <p className="px-3 pb-2 pt-1 text-sm text-slate-600 dark:text-slate-300">
              {mayManage
                ? "No cost centers yet, so all spend is Unassigned. Create one below, then assign teams to it on the Teams page to charge their spend back."
                : "No cost centers yet, so all spend is Unassigned. An owner or admin can create them and assign teams."}
            </p>
          )}
          <ShowbackTable showback={showback} monthLabel={label} previousLabel={previousLabel} />
        </Panel>

        {management && <Management slug={slug} timezone={org.timezone} costCenters={management[0]} teams={management[1]} />}
      </main>
    </div>
  );
}

function Management(props: {
  slug: string;
  timezone: string;
  costCenters: Awaited<ReturnType<typeof listCostCenters>>;
  teams: Awaited<ReturnType<typeof listTeams>>;
}) {
  const rows: TCostCenterRow[] = props.costCenters.map((c) => {
    const ccTeams = props.teams.filter((t) => t.costCenterId === c.id);
    return {
      id: c.id,
      code: c.code,
      name: c.name,
      ownerEmail: c.ownerEmail,
      archivedAt: c.archivedAt?.toISOString() ?? null,
      teamSlugs: ccTeams.filter((t) => !t.archivedAt).map((t) => t.slug),
      archivedTeamCount: ccTeams.filter((t) => t.archivedAt).length,
    };
  });
  const activeCount = props.costCenters.filter((c) => !c.archivedAt).length;
  const archivedCount = props.costCenters.length - activeCount;
  return (
    <section aria-labelledby="manage-cost-centers" className="space-y-4 border-t border-slate-200 pt-6 dark:border-slate-800">
      <div>
        <h2 id="manage-cost-centers" className="text-lg font-semibold text-slate-900 dark:text-slate-50">Manage cost centers</h2>
        <p className="text-sm text-slate-500 dark:text-slate-400">Owners and admins. Archived cost centers keep their history in showback.</p>
      </div>
      {/* The form is built from components/ui (Card, Field, inputs), which carry their own colours. */}
      <Card title="Create a cost center">
        <CostCenterCreateForm orgSlug={props.slug} createCostCenter={createCostCenter} />
      </Card>
      <Panel title={`Cost centers (${activeCount} active${archivedCount ? `, ${archivedCount} archived` : ""})`}>
        <CostCenterTable orgSlug={props.slug} timezone={props.timezone} costCenters={rows} mayManage renameCostCenter={renameCostCenter} archiveCostCenter={archiveCostCenter} />
      </Panel>
    </section>
  );
}
