import type { Metadata } from "next";
import { Decimal } from "@/lib/money";
import Link from "next/link";
import { headers } from "next/headers";
import { requireOrgPage } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { env } from "@/lib/env";
import { displayUsd, exactUsd } from "@/lib/money";
import { DIMENSION_LABELS, FILTER_DIMENSIONS, parseDashboardView, RANGE_LABELS, RANGE_PRESETS, STACK_DIMENSIONS, viewQuery } from "@/lib/reports/filters";
import { overviewFor } from "@/lib/reports/overview";
import { OUTLIER_FACTOR } from "@/lib/reports/top-executions";
import { BASELINE_EXECUTIONS, BASELINE_WINDOW_DAYS } from "@/lib/anomalies/baselines";
import { Card } from "@/components/ui/card";
import { StatCard } from "@/components/ui/stat-card";
import { Usd } from "@/components/ui/usd";
import { OpenAnomaliesPanel } from "@/components/anomalies/open-anomalies-panel";
import { AutoRefresh } from "@/components/overview/auto-refresh";
import { FirstEventGuide } from "@/components/overview/first-event-guide";
import { LatestAlerts } from "@/components/overview/latest-alerts";
import { RankedBreakdown, type TRankedTab } from "@/components/overview/ranked-breakdown";
import { SpendChart } from "@/components/overview/spend-chart";
import { TopExecutions } from "@/components/overview/top-executions";
import { FilterChips, RangePicker, StackPicker } from "@/components/overview/view-controls";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

const UNATTRIBUTED: Record<string, string> = {
  team: "no team",
  agent: "no agent",
  model: "no model (tool calls)",
  user: "no user",
  repository: "no repository",
  cost_center: "no cost center",
  key: "no key",
};
const RANK_ORDER = ["team", "agent", "model", "user", "repository", "cost_center", "key"] as const;

export default async function OverviewPage({ params, searchParams }: { params: Promise<{ org: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { org: slug } = await params;
  const access = await requireOrgPage(slug);
  const { org } = access;
  const view = parseDashboardView(await searchParams);
  const now = new Date();
  const o = await overviewFor(org, view, now);
  const base = `/${org.slug}/overview`;
  const tz = org.timezone;
  const fmt = (iso: string, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-US", { timeZone: tz, ...options }).format(new Date(iso));

  if (o.empty) {
    return (
      <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6 sm:py-8">
        <Header name={org.name} timezone={tz} renderedAt={o.now} />
        <FirstEventGuide orgSlug={org.slug} baseUrl={await baseUrl()} canIssueKeys={can(access.role, "key.issue-own-team")} />
      </main>
    );
  }

  const period = o.period;
  const periodName = period.period === "MONTH" ? fmt(period.periodStart, { month: "long" }) : period.period === "WEEK" ? "This week" : "Today";
  const periodEndName = fmt(new Date(new Date(period.periodEnd).getTime() - 1).toISOString(), { month: "short", day: "numeric" });
  const rangeLabel = o.range.fromDate === o.range.toDate ? fmt(o.range.from, { month: "short", day: "numeric", year: "numeric" }) : `${fmt(o.range.from, { month: "short", day: "numeric" })} – ${fmt(new Date(new Date(o.range.to).getTime() - 1).toISOString(), { month: "short", day: "numeric", year: "numeric" })}`;
  const burn = o.burn;
  const change = burn.changePercent;
  const dayBudget = o.dayBudgets[0];
  const budget = period.budget;
  const projectedOver = budget && period.projectedUsd !== null && new Decimal(period.projectedUsd).gte(budget.amountUsd);
  const total = Number(o.rangeTotalUsd) || 1; // display ratio only

  const tabs: TRankedTab[] = RANK_ORDER.map((d) => ({
    id: d,
    label: DIMENSION_LABELS[d],
    unattributed: UNATTRIBUTED[d],
    groups: o.ranked.dimensions[d].groups,
    rows: o.ranked.dimensions[d].rows.map((r) => ({
      key: r.key,
      href: r.key === null ? null : `${base}${viewQuery(view, { filters: { ...view.filters, [d]: r.key } })}`,
      costUsd: r.costUsd,
      calls: r.calls,
      share: (Number(r.costUsd) / total) * 100,
    })),
  }));
  const chips = FILTER_DIMENSIONS.filter((d) => view.filters[d]).map((d) => {
    const { [d]: _removed, ...rest } = view.filters;
    return { dimension: d, label: DIMENSION_LABELS[d], value: view.filters[d]!, removeHref: `${base}${viewQuery(view, { filters: rest })}` };
  });

  return (
    <main className="mx-auto max-w-6xl space-y-5 px-4 py-6 sm:px-6 sm:py-8">
      <Header name={org.name} timezone={tz} renderedAt={o.now} />

      <OpenAnomaliesPanel rows={o.anomalies.rows} total={o.anomalies.total} blocked={o.anomalies.blocked} orgSlug={org.slug} timezone={tz} />

      <div className="space-y-3">
        <RangePicker
          presets={RANGE_PRESETS.filter((r) => r !== "custom").map((r) => ({ id: r, label: RANGE_LABELS[r], href: `${base}${viewQuery(view, { range: r })}`, active: view.range === r }))}
          action={base}
          hidden={[...FILTER_DIMENSIONS.filter((d) => view.filters[d]).map((d) => ({ name: d, value: view.filters[d]! })), ...(view.stack !== "agent" ? [{ name: "stack", value: view.stack }] : [])]}
          fromDate={o.range.fromDate}
          toDate={o.range.toDate}
          customActive={view.range === "custom"}
        />
        <FilterChips chips={chips} clearHref={`${base}${viewQuery(view, { filters: {} })}`} />
      </div>

      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <StatCard
          label="Spend today"
          value={<span data-testid="spend-today" title={`exact ${exactUsd(burn.todayUsd)}`}>{displayUsd(burn.todayUsd)}</span>}
          hint={`exact ${exactUsd(burn.todayUsd)}`}
        >
          <div className="mt-2 space-y-0.5 text-xs text-slate-600 dark:text-slate-300">
            <div>
              Yesterday by now <Usd value={burn.yesterdaySameTimeUsd} />
              {change !== null ? (
                <span className={`ml-1 font-medium ${change > 0 ? "text-rose-600 dark:text-rose-400" : "text-emerald-600 dark:text-emerald-400"}`} data-testid="today-change">
                  {change > 0 ? "▲" : change < 0 ? "▼" : ""} {Math.abs(change)} %
                </span>
              ) : null}
            </div>
            <div>All yesterday <Usd value={burn.yesterdayUsd} /></div>
            <div className="truncate">{dayBudget ? <>{dayBudget.percent} % of daily budget <Usd value={dayBudget.amountUsd} /></> : "No daily budget"}</div>
          </div>
        </StatCard>

        <StatCard
          label={`${periodName} so far`}
          tone={budget?.state === "exceeded" ? "danger" : budget?.state === "warning" ? "warning" : "neutral"}
          value={<span data-testid="spend-month" title={`exact ${exactUsd(period.spentUsd)}`}>{displayUsd(period.spentUsd)}</span>}
          hint={budget ? <>of <Usd value={budget.amountUsd} /> budget · {budget.percent} %</> : <>No budget covers this view · <Link href={`/${org.slug}/budgets`} className="underline">set one</Link></>}
        >
          <div className="mt-2 h-2 rounded bg-slate-100 dark:bg-slate-800" aria-hidden>
            {budget ? <div className={`h-2 rounded ${budget.state === "exceeded" ? "bg-rose-600" : budget.state === "warning" ? "bg-amber-500" : "bg-emerald-500"}`} style={{ width: `${Math.min(100, budget.percent)}%` }} /> : null}
          </div>
          <div className="mt-1 truncate text-xs text-slate-500 dark:text-slate-400">{budget ? budget.name : "Calendar month, no budget"}</div>
        </StatCard>

        <StatCard label="Burn rate, last hour" value={<span data-testid="burn-hour"><Usd value={burn.lastHourUsd} /><span className="text-base font-normal text-slate-500 dark:text-slate-400"> /h</span></span>}>
          <div className="mt-2 space-y-0.5 text-xs text-slate-600 dark:text-slate-300">
            <div>Today&apos;s pace {burn.todayPaceUsdPerDay ? <><Usd value={burn.todayPaceUsdPerDay} /> /day</> : "— (day just began)"}</div>
            <div>{periodName} average {period.burnUsdPerDay ? <><Usd value={period.burnUsdPerDay} /> /day</> : "—"}</div>
          </div>
        </StatCard>

        <StatCard
          label={`Projected by ${periodEndName}`}
          tone={projectedOver ? "danger" : "neutral"}
          value={<span data-testid="projected">{period.projectedUsd ? <Usd value={period.projectedUsd} /> : "—"}</span>}
        >
          <div className="mt-2 text-xs" data-testid="breach">
            {period.tooEarly ? (
              <span className="text-slate-500 dark:text-slate-400">Too early to project: a trend needs a few days of the period.</span>
            ) : budget?.state === "exceeded" ? (
              <span className="font-medium text-rose-700 dark:text-rose-400">Budget already exceeded.</span>
            ) : period.breachAt ? (
              <span className="font-medium text-rose-700 dark:text-rose-400">
                Breaches the <Usd value={budget?.amountUsd} /> budget on {fmt(period.breachAt, { weekday: "short", month: "short", day: "numeric" })}
              </span>
            ) : budget ? (
              <span className="text-emerald-700 dark:text-emerald-400">Within the <Usd value={budget.amountUsd} /> budget at this rate.</span>
            ) : (
              <span className="text-slate-500 dark:text-slate-400">At this month&apos;s average rate. No budget to compare with.</span>
            )}
          </div>
        </StatCard>
      </div>

      <Card
        testId="chart-card"
        title={
          <>
            Spend over time · {rangeLabel} ·{" "}
            <span className="tabular-nums" data-testid="range-total" data-usd={o.rangeTotalUsd} data-from={o.range.from} data-to={o.range.to} title={`exact ${exactUsd(o.rangeTotalUsd)}`}>
              {displayUsd(o.rangeTotalUsd)}
            </span>{" "}
            <span className="font-normal text-slate-500 dark:text-slate-400">in {o.rangeCalls.toLocaleString("en-US")} calls</span>
          </>
        }
        actions={<StackPicker options={STACK_DIMENSIONS.map((s) => ({ id: s, label: DIMENSION_LABELS[s], href: `${base}${viewQuery(view, { stack: s })}`, active: view.stack === s }))} />}
      >
        <SpendChart chart={o.chart} unattributedLabel={UNATTRIBUTED[view.stack]} stackLabel={DIMENSION_LABELS[view.stack].toLowerCase()} />
        <p className="px-3 pb-1 pt-2 text-xs text-slate-500 dark:text-slate-400">
          {o.chart.granularity === "hour" ? "Hourly" : "Daily"} buckets in {tz}.{" "}
          {o.chart.period.shown ? (
            <>Grey line: {o.chart.period.label.toLowerCase()} (right axis){o.chart.period.projectedUsd !== null ? "; dashed red: forecast to the period's end" : ""}{o.chart.period.budgetUsd !== null ? "; red line: the budget" : ""}.</>
          ) : (
            o.chart.period.note
          )}
        </p>
      </Card>

      <div className="grid gap-5 lg:grid-cols-5">
        <Card title={`Where it went · ${rangeLabel}`} className="lg:col-span-3" testId="ranked-card">
          <RankedBreakdown tabs={tabs} />
        </Card>
        <Card title="Latest alerts" className="lg:col-span-2">
          <LatestAlerts alerts={o.alerts} orgSlug={org.slug} timezone={tz} />
        </Card>
      </div>

      <Card title={`Top 10 most expensive executions · ${rangeLabel}`} testId="top-executions-card">
        <TopExecutions executions={o.topExecutions} orgSlug={org.slug} timezone={tz} outlierFactor={OUTLIER_FACTOR} windowDays={BASELINE_WINDOW_DAYS} baselineExecutions={BASELINE_EXECUTIONS} />
      </Card>
    </main>
  );
}

function Header({ name, timezone, renderedAt }: { name: string; timezone: string; renderedAt: string }) {
  return (
    <header className="flex flex-wrap items-end justify-between gap-2">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{name}</h1>
        <p className="text-sm text-slate-500 dark:text-slate-400">What is burning money right now, and why · times in {timezone}</p>
      </div>
      <AutoRefresh renderedAt={renderedAt} timezone={timezone} />
    </header>
  );
}

// Where this app is reached, for the ready-to-paste curl: APP_URL, else the request's own origin.
async function baseUrl(): Promise<string> {
  const configured = env().APP_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}
