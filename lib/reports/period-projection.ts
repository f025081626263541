import { budgetsOverview, type TBudgetOverview } from "../budgets/overview";
import { projectPeriodEnd } from "../budgets/projection";
import { formatUsd } from "../money";
import { FILTER_DIMENSIONS, type TFilters } from "./filters";
import { periodStarts } from "./periods";
import { spendReport } from "./spend";

// This period's spend against the budget of what is on screen, and where it is heading. The
// budget is the ORG budget with no filter, or the budget of the one team / cost center / key /
// agent / user / model filtered on; its spend, state, burn rate and projection are the budgets
// page's (lib/budgets/overview.ts — its counters, its linear projection), not a second opinion.
// With no such budget the period is the calendar month in the org's zone, summed from the rollups
// and projected by the same rule (lib/budgets/projection.ts).

export type TPeriodBudget = {
  id: string;
  name: string;
  amountUsd: string;
  percent: number;
  state: TBudgetOverview["state"];
  period: TBudgetOverview["period"];
};

export type TPeriodProjection = {
  period: "DAY" | "WEEK" | "MONTH";
  periodStart: string;
  periodEnd: string;
  spentUsd: string;
  budget: TPeriodBudget | null;
  // Linear projection to the period's end; null when too early to say (see projection.ts).
  projectedUsd: string | null;
  projectedPercent: number | null;
  burnUsdPerDay: string | null;
  // When the projection reaches the budget; null when it does not (or already has, or no budget).
  breachAt: string | null;
  tooEarly: boolean;
};

// The budget scopes a filter names, as lib/budgets/overview.ts writes a target's ref ("team:platform").
const REF_DIMENSIONS = new Set(["team", "cost_center", "key", "agent", "user", "model"]);

// The `ref` of the budget that covers exactly what the filters select, or null when none can.
export function budgetRefFor(filters: TFilters): string | null {
  const set = FILTER_DIMENSIONS.filter((d) => filters[d]);
  if (set.length === 0) return "org";
  if (set.length === 1 && REF_DIMENSIONS.has(set[0])) return `${set[0]}:${filters[set[0]]}`;
  return null;
}

// Monthly first (the period a lead plans in), then weekly, then daily.
const PERIOD_ORDER: Record<string, number> = { MONTH: 0, WEEK: 1, DAY: 2, TOTAL: 3 };

// The budgets covering the view (any period), most useful first; the day card reads the DAY ones.
export async function budgetsForView(orgId: string, filters: TFilters, now: Date): Promise<TBudgetOverview[]> {
  const ref = budgetRefFor(filters);
  if (!ref) return [];
  const { active } = await budgetsOverview(orgId, now);
  return active.filter((b) => b.target.ref === ref && !b.target.perItem).sort((a, b) => PERIOD_ORDER[a.period] - PERIOD_ORDER[b.period]);
}

export async function periodProjection(args: {
  orgId: string;
  timezone: string;
  now: Date;
  filters?: TFilters;
  budgets: TBudgetOverview[];
}): Promise<TPeriodProjection> {
  const budget = args.budgets.find((b) => b.period !== "TOTAL" && b.periodEnd);
  if (budget) {
    return {
      period: budget.period as TPeriodProjection["period"],
      periodStart: budget.periodStart,
      periodEnd: budget.periodEnd!,
      spentUsd: budget.spentUsd,
      budget: { id: budget.id, name: budget.name, amountUsd: budget.amountUsd, percent: budget.percent, state: budget.state, period: budget.period },
      projectedUsd: budget.projection?.projectedUsd ?? null,
      projectedPercent: budget.projection?.percent ?? null,
      burnUsdPerDay: budget.burnUsdPerDay,
      breachAt: budget.projection?.breachAt ?? null,
      tooEarly: budget.projectionNote === "too_early",
    };
  }
  const { monthStart, monthEnd } = await periodStarts(args.timezone, args.now);
  const spent = await spendReport({ orgId: args.orgId, timezone: args.timezone, from: monthStart, to: args.now, filters: args.filters });
  const p = projectPeriodEnd({ period: "MONTH", periodStart: monthStart, periodEnd: monthEnd, spentUsd: spent.total_usd, amountUsd: "0", now: args.now });
  return {
    period: "MONTH",
    periodStart: monthStart.toISOString(),
    periodEnd: monthEnd.toISOString(),
    spentUsd: spent.total_usd,
    budget: null,
    projectedUsd: p ? formatUsd(p.projectedUsd) : null,
    projectedPercent: null,
    burnUsdPerDay: p ? formatUsd(p.burnUsdPerDay) : null,
    breachAt: null,
    tooEarly: p === null,
  };
}
