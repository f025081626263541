import { viewQuery, type TFilters } from "../reports/filters";

// Where an alert sends a lead: the spend behind it — the dashboard filtered to the budget's scope over
// the alert's period (a custom range of the org's dates, so the link shows that period whenever it is
// opened), an execution's page, a task's executions — and the budget itself on the budgets page.
export type TBudgetLinkInput = {
  appUrl: string;
  orgSlug: string;
  timezone: string;
  budgetId: string;
  scope: string;
  // As people know the value: a team's slug, a cost center's code, a key's prefix, an agent, …
  scopeLabel: string | null;
  // For a per-task / per-execution budget: the task or execution of this counter.
  item: string | null;
  period: string;
  periodStart: Date;
  // Exclusive; null for TOTAL.
  periodEnd: Date | null;
};

const DASHBOARD_FILTER: Record<string, keyof TFilters> = {
  TEAM: "team",
  COST_CENTER: "cost_center",
  KEY: "key",
  AGENT: "agent",
  USER: "user",
  // The dashboard filters one model id; a budget on a plain name also covers its dated snapshots.
  MODEL: "model",
};

// The org-local date (YYYY-MM-DD) of an instant.
function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

export function budgetLinks(input: TBudgetLinkInput): { dashboardUrl: string; budgetUrl: string } {
  const org = `${input.appUrl}/${encodeURIComponent(input.orgSlug)}`;
  const budgetUrl = `${org}/budgets?budget=${encodeURIComponent(input.budgetId)}`;
  if (input.scope === "EXECUTION" && input.item) return { dashboardUrl: `${org}/executions/${encodeURIComponent(input.item)}`, budgetUrl };
  const dates = input.periodEnd
    ? { from: localDate(input.periodStart, input.timezone), to: localDate(new Date(input.periodEnd.getTime() - 1), input.timezone) }
    : null;
  if (input.scope === "TASK" && input.item) {
    // The executions list over the period (all time for a total budget).
    const list = new URLSearchParams({ task: input.item, ...(dates ?? { range: "all" }) });
    return { dashboardUrl: `${org}/executions?${list}`, budgetUrl };
  }
  const filters: TFilters = {};
  const dimension = DASHBOARD_FILTER[input.scope];
  if (dimension && input.scopeLabel) filters[dimension] = input.scopeLabel;
  const range = dates ? { range: "custom" as const, ...dates } : { range: "90d" as const };
  return { dashboardUrl: `${org}/overview${viewQuery({ ...range, stack: "agent", filters })}`, budgetUrl };
}
