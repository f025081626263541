import { describe, expect, test } from "vitest";
import { parseListSearch } from "../executions/list";
import { parseDashboardView } from "../reports/filters";
import { budgetLinks, type TBudgetLinkInput } from "./links";

const base: TBudgetLinkInput = {
  appUrl: "https://burnrate.example.com",
  orgSlug: "acme",
  timezone: "Europe/Berlin",
  budgetId: "b1",
  scope: "TEAM",
  scopeLabel: "platform",
  item: null,
  period: "MONTH",
  // November in Berlin: 2026-11-01 00:00 CET … 2026-12-01 00:00 CET (exclusive).
  periodStart: new Date("2026-10-31T23:00:00Z"),
  periodEnd: new Date("2026-11-30T23:00:00Z"),
};

// The dashboard's own parser reads the link back: what the page will show.
function dashboardView(url: string) {
  const u = new URL(url);
  return { path: u.pathname, view: parseDashboardView(u.searchParams) };
}

describe("an alert's links", () => {
  test("a team's monthly budget: the dashboard filtered to the team over that month (the org's dates); the budget on its page", () => {
    const links = budgetLinks(base);
    expect(dashboardView(links.dashboardUrl)).toEqual({
      path: "/acme/overview",
      view: { range: "custom", from: "2026-11-01", to: "2026-11-30", stack: "agent", filters: { team: "platform" } },
    });
    expect(links.budgetUrl).toBe("https://burnrate.example.com/acme/budgets?budget=b1");
  });

  test("a day in a half-hour zone is that one local date; each scope filters by the value people know", () => {
    const day = budgetLinks({ ...base, timezone: "Asia/Kolkata", scope: "KEY", scopeLabel: "br_Ab12Cd34", period: "DAY", periodStart: new Date("2026-11-28T18:30:00Z"), periodEnd: new Date("2026-11-29T18:30:00Z") });
    expect(dashboardView(day.dashboardUrl).view).toMatchObject({ range: "custom", from: "2026-11-29", to: "2026-11-29", filters: { key: "br_Ab12Cd34" } });
    for (const [scope, filter] of [["COST_CENTER", "cost_center"], ["AGENT", "agent"], ["USER", "user"], ["MODEL", "model"]] as const) {
      expect(dashboardView(budgetLinks({ ...base, scope, scopeLabel: "a b&c" }).dashboardUrl).view.filters, scope).toEqual({ [filter]: "a b&c" });
    }
  });

  test("the org's total budget: the whole dashboard over the widest range", () => {
    const links = budgetLinks({ ...base, scope: "ORG", scopeLabel: null, period: "TOTAL", periodStart: new Date(0), periodEnd: null });
    expect(dashboardView(links.dashboardUrl)).toEqual({ path: "/acme/overview", view: { range: "90d", stack: "agent", filters: {} } });
  });

  test("per-item budgets open the item: an execution's page, a task's executions", () => {
    const execution = budgetLinks({ ...base, scope: "EXECUTION", scopeLabel: "*", item: "run 42/b", period: "TOTAL", periodEnd: null });
    expect(execution.dashboardUrl).toBe("https://burnrate.example.com/acme/executions/run%2042%2Fb");
    const task = budgetLinks({ ...base, scope: "TASK", scopeLabel: "*", item: "PROJ-1" });
    expect(task.dashboardUrl).toBe("https://burnrate.example.com/acme/executions?task=PROJ-1&from=2026-11-01&to=2026-11-30");
    const ever = budgetLinks({ ...base, scope: "TASK", scopeLabel: "*", item: "PROJ 1&2", period: "TOTAL", periodEnd: null });
    expect(parseListSearch(Object.fromEntries(new URL(ever.dashboardUrl).searchParams))).toMatchObject({ task: "PROJ 1&2", range: "all" });
  });
});
