// What npm run bench:dashboard times: each page's loader, called as the page calls it.
import { pool } from "../../lib/db";
import { encodeCursor, filtersOf, listExecutions, listFilterOptions, parseListSearch, resolveListRange } from "../../lib/executions/list";
import { executionTimeline } from "../../lib/executions/timeline";
import { spendReport } from "../../lib/reports/spend";
import { overviewFor } from "../../lib/reports/overview";
import { parseDashboardView } from "../../lib/reports/filters";
import { showbackCsv } from "../../lib/showback/csv";
import { shiftMonth, currentMonth } from "../../lib/showback/month";
import { monthlyShowback } from "../../lib/showback/monthly";

export type TBenchOrg = { id: string; slug: string; name: string; timezone: string; events: number; detailExecutionId: string };

export type TDashboardScenario = {
  name: string;
  label: string;
  targetP95Ms: number;
  // Must not grow with volume: the large org's p95 within 1.5× of the small one's.
  flat?: boolean;
  // Setup outside the timing (cursors, ids); returns the timed read.
  prepare: (org: TBenchOrg) => Promise<() => Promise<unknown>>;
};

export const DASHBOARD_SCENARIOS: TDashboardScenario[] = [
  {
    name: "overview",
    label: "overview, default view (this month)",
    targetP95Ms: 150,
    flat: true,
    prepare: async (org) => () => overviewFor(org, parseDashboardView({}), new Date()),
  },
  {
    name: "overview-filtered",
    label: "overview, 30 days, team platform, stacked by model",
    targetP95Ms: 150,
    flat: true,
    prepare: async (org) => () => overviewFor(org, parseDashboardView({ range: "30d", team: "platform", stack: "model" }), new Date()),
  },
  {
    name: "overview-7d",
    label: "overview, 7 days (hourly chart)",
    targetP95Ms: 150,
    flat: true,
    prepare: async (org) => () => overviewFor(org, parseDashboardView({ range: "7d" }), new Date()),
  },
  {
    name: "spend-90d",
    label: "GET /api/v1/spend by day, 90 days (loader)",
    targetP95Ms: 150,
    prepare: async (org) => {
      const to = new Date();
      return () => spendReport({ orgId: org.id, timezone: org.timezone, from: new Date(to.getTime() - 90 * 86_400_000), to, groupBy: "day" });
    },
  },
  {
    name: "showback-csv",
    label: "cost-center showback CSV, last month",
    targetP95Ms: 150,
    prepare: async (org) => {
      const month = shiftMonth(currentMonth(org.timezone), -1);
      return async () => showbackCsv(await monthlyShowback(org, month));
    },
  },

  {
    name: "executions-first",
    label: "executions list, first page (default view)",
    targetP95Ms: 100,
    prepare: async (org) => async () => {
      const search = parseListSearch({});
      const [range] = await Promise.all([resolveListRange(org.timezone, search), listFilterOptions(org.id)]);
      return listExecutions({ orgId: org.id, sort: search.sort, dir: search.dir, filters: filtersOf(search, range) });
    },
  },
  {
    name: "executions-deep",
    label: "executions list by cost, page at row 15,000 (all time)",
    targetP95Ms: 100,
    prepare: async (org) => {
      // The cursor a reader would hold after paging that far: the row at that depth, by cost.
      const { rows } = await pool().query(
        `SELECT id, "costUsd"::text AS cost FROM "Execution" WHERE "orgId" = $1 ORDER BY "costUsd" DESC, id DESC OFFSET 15000 LIMIT 1`,
        [org.id],
      );
      const cursor = encodeCursor({ s: "cost", d: "desc", k: "after", v: rows[0].cost, i: rows[0].id });
      return async () => {
        const search = parseListSearch({ range: "all", sort: "cost", dir: "desc" });
        const range = await resolveListRange(org.timezone, search);
        const page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", filters: filtersOf(search, range), cursor });
        if (page.executions.length === 0) throw new Error("deep page came back empty");
        return page;
      };
    },
  },
  {
    name: "execution-detail",
    label: "execution detail, 200 calls",
    targetP95Ms: 50,
    prepare: async (org) => async () => {
      const timeline = await executionTimeline({ orgId: org.id, executionId: org.detailExecutionId });
      if (!timeline) throw new Error(`no execution ${org.detailExecutionId}`);
      return timeline;
    },
  },
];
