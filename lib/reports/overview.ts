import { listAlerts } from "../alerts/history";
import { openAnomaliesFirst, type TAnomalyRow } from "../anomalies/list";
import { pool } from "../db";
import { Decimal, formatUsd } from "../money";
import { burnRate, type TBurnRate } from "./burn-rate";
import { resolveRange, type TDashboardView, type TResolvedRange } from "./filters";
import { budgetsForView, periodProjection, type TPeriodProjection } from "./period-projection";
import { rankedSpend, type TRankedSpend } from "./ranked-spend";
import { spendReport } from "./spend";
import { spendSeries, type TSpendSeries } from "./spend-series";
import { topExpensiveExecutions, type TTopExecution } from "./top-executions";

// The overview page's read model, everything the first screen needs for one view (range, filters,
// stack dimension) at one instant. Every read of spend goes through lib/reports (spendReport,
// spendSeries, rankedSpend: rollups plus the partial hours at a range's edges), so the source can
// move to a coarser rollup level without touching the page. `npm run bench:dashboard` calls this.

export type TChartPoint = {
  start: string;
  // Axis tick and tooltip title, in the org's zone.
  tick: string;
  title: string;
  // Series key → dollars, as numbers for drawing; `exact` holds the decimal strings for the tooltip.
  values: Record<string, number>;
  exact: Record<string, string>;
  total: string;
  // Spend of the period so far at the bucket's end (right axis); null outside the period or ahead of now.
  cumulative: number | null;
  // The linear projection from now to the period's end; null before now.
  forecast: number | null;
};

export type TChart = {
  granularity: TSpendSeries["granularity"];
  series: TSpendSeries["series"];
  points: TChartPoint[];
  // The period line (right axis): shown when the range runs to now and the period's end is near
  // enough to draw at this granularity.
  period: { shown: boolean; budgetUsd: number | null; projectedUsd: number | null; label: string; note: string | null };
};

export type TDayBudget = { id: string; name: string; amountUsd: string; spentUsd: string; percent: number; state: string };

export type TLatestAlert = {
  id: string;
  createdAt: string;
  kind: "threshold" | "forecast";
  threshold: number;
  percent: number;
  spentUsd: string;
  limitUsd: string;
  budgetName: string;
  scope: string;
  item: string | null;
  projectedAt: string | null;
};

export type TOverview = {
  now: string;
  timezone: string;
  view: TDashboardView;
  range: { from: string; to: string; granularity: TResolvedRange["granularity"]; fromDate: string; toDate: string };
  // The org has never had an event: the page shows how to send the first one.
  empty: boolean;
  rangeTotalUsd: string;
  rangeCalls: number;
  burn: TBurnRate;
  dayBudgets: TDayBudget[];
  period: TPeriodProjection;
  chart: TChart;
  ranked: TRankedSpend;
  topExecutions: TTopExecution[];
  alerts: TLatestAlert[];
  // Open anomalies (unacknowledged, unresolved), blocked ones first: the page leads with them.
  anomalies: { rows: TAnomalyRow[]; total: number; blocked: number };
};

// Drawing the forecast past the range: at most this many empty buckets (a month of hours is not).
const MAX_FORECAST_BUCKETS = 45;

export async function overviewFor(org: { id: string; timezone: string }, view: TDashboardView, now = new Date()): Promise<TOverview> {
  const base = { orgId: org.id, timezone: org.timezone, filters: view.filters };
  const [range, budgets, empty] = await Promise.all([resolveRange(view, org.timezone, now), budgetsForView(org.id, view.filters, now), orgHasNoUsage(org.id)]);
  const period = await periodProjection({ ...base, now, budgets });
  const periodStart = new Date(period.periodStart);
  const periodEnd = new Date(period.periodEnd);
  // The forecast continues the chart to the period's end when the range runs to now.
  const runsToNow = now.getTime() - range.to.getTime() < 60_000;
  const bucketMs = range.granularity === "hour" ? 3600_000 : 86_400_000;
  const forecastFits = runsToNow && periodEnd > now && (periodEnd.getTime() - now.getTime()) / bucketMs <= MAX_FORECAST_BUCKETS;
  const [series, ranked, executions, burn, before, alerts, anomalies] = await Promise.all([
    spendSeries({ ...base, from: range.from, to: range.to, granularity: range.granularity, stackBy: view.stack, bucketsUntil: forecastFits ? periodEnd : undefined }),
    rankedSpend({ ...base, from: range.from, to: range.to, limit: 10 }),
    topExpensiveExecutions({ orgId: org.id, from: range.from, to: range.to, now, filters: view.filters, limit: 10 }),
    burnRate({ ...base, now }),
    // What the period had spent before the range began, where the cumulative line starts.
    forecastFits && periodStart < range.from ? spendReport({ ...base, from: periodStart, to: range.from }).then((r) => r.total_usd) : Promise.resolve("0"),
    listAlerts(org.id, { limit: 5 }),
    openAnomaliesFirst(org.id, 3, now),
  ]);
  return {
    now: now.toISOString(),
    timezone: org.timezone,
    view,
    range: { from: range.from.toISOString(), to: range.to.toISOString(), granularity: range.granularity, fromDate: range.fromDate, toDate: range.toDate },
    empty,
    rangeTotalUsd: ranked.totalUsd,
    rangeCalls: ranked.calls,
    burn,
    dayBudgets: budgets
      .filter((b) => b.period === "DAY")
      .map((b) => ({ id: b.id, name: b.name, amountUsd: b.amountUsd, spentUsd: b.spentUsd, percent: b.percent, state: b.state })),
    period,
    chart: chartOf(series, { timezone: org.timezone, now, period, forecastFits, spentBefore: before, rangeIsOneDay: range.fromDate === range.toDate }),
    ranked,
    topExecutions: executions,
    alerts: alerts.rows.map((a) => ({
      id: a.id,
      createdAt: a.createdAt.toISOString(),
      kind: a.kind,
      threshold: a.threshold,
      percent: a.percent,
      spentUsd: formatUsd(a.spentUsd),
      limitUsd: formatUsd(a.limitUsd),
      budgetName: a.budget.name,
      scope: a.budget.scope,
      item: a.item,
      projectedAt: a.projectedAt ? a.projectedAt.toISOString() : null,
    })),
    anomalies,
  };
}

async function orgHasNoUsage(orgId: string): Promise<boolean> {
  const { rows } = await pool().query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "UsageRollup" WHERE "orgId" = $1) AS any`, [orgId]);
  return !rows[0].any;
}

const PERIOD_WORD = { DAY: "today", WEEK: "this week", MONTH: "this month" } as const;

function chartOf(
  series: TSpendSeries,
  ctx: { timezone: string; now: Date; period: TPeriodProjection; forecastFits: boolean; spentBefore: string; rangeIsOneDay: boolean },
): TChart {
  const hourly = series.granularity === "hour";
  const tickFormat = new Intl.DateTimeFormat("en-US", {
    timeZone: ctx.timezone,
    ...(hourly ? (ctx.rangeIsOneDay ? {} : { month: "short", day: "numeric" }) : { month: "short", day: "numeric" }),
    ...(hourly ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : {}),
  } as Intl.DateTimeFormatOptions);
  const titleFormat = new Intl.DateTimeFormat("en-US", {
    timeZone: ctx.timezone,
    weekday: "short",
    month: "short",
    day: "numeric",
    ...(hourly ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" } : { year: "numeric" }),
  } as Intl.DateTimeFormatOptions);
  const periodStart = new Date(ctx.period.periodStart).getTime();
  const periodEnd = new Date(ctx.period.periodEnd).getTime();
  const now = ctx.now.getTime();
  const projected = ctx.period.projectedUsd === null ? null : new Decimal(ctx.period.projectedUsd);
  const spent = new Decimal(ctx.period.spentUsd);
  let cumulative = new Decimal(ctx.spentBefore);
  let cumNow: Decimal | null = null;
  const points = series.buckets.map((b, i): TChartPoint => {
    const start = new Date(b.start).getTime();
    const end = i + 1 < series.buckets.length ? new Date(series.buckets[i + 1].start).getTime() : start + (hourly ? 3600_000 : 86_400_000);
    const inPeriod = ctx.forecastFits && start >= periodStart && start < periodEnd;
    let cum: number | null = null;
    let forecast: number | null = null;
    if (inPeriod && start <= now) {
      cumulative = cumulative.plus(b.total);
      cum = cumulative.toNumber();
      if (end > now) {
        cumNow = cumulative;
        forecast = cum;
      }
    } else if (inPeriod && cumNow && projected && periodEnd > now) {
      // The projection's rate from now on: what is left to spend ÷ the time left.
      const share = (Math.min(end, periodEnd) - now) / (periodEnd - now);
      forecast = (cumNow as Decimal).plus(projected.minus(spent).times(share)).toNumber();
    }
    return {
      start: b.start,
      tick: tickFormat.format(start),
      title: titleFormat.format(start),
      values: Object.fromEntries(Object.entries(b.values).map(([k, v]) => [k, Number(v)])),
      exact: b.values,
      total: b.total,
      cumulative: cum,
      forecast: projected ? forecast : null,
    };
  });
  const word = PERIOD_WORD[ctx.period.period];
  return {
    granularity: series.granularity,
    series: series.series,
    points,
    period: {
      shown: ctx.forecastFits,
      budgetUsd: ctx.period.budget ? Number(ctx.period.budget.amountUsd) : null,
      projectedUsd: projected ? projected.toNumber() : null,
      label: `Spent ${word}`,
      note: ctx.forecastFits ? null : `The forecast to the end of ${word.replace("this ", "the ")} is drawn on a range that runs to now with daily buckets: choose "This month".`,
    },
  };
}
