// What npm run bench:dashboard times: each page's loader, called as the page calls it.
import { periodStarts } from "../../lib/reports/periods";
import { spendReport } from "../../lib/reports/spend";
import { overviewFor } from "../../lib/reports/overview";
import { topExecutions } from "../../lib/reports/executions";
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
    label: "overview, this month",
    targetP95Ms: 150,
    flat: true,
    prepare: async (org) => () => overviewFor(org, new Date()),
  },
  {
    name: "spend-90d",
    label: "spend by day, 90 days",
    targetP95Ms: 150,
    flat: true,
    prepare: async (org) => {
      const to = new Date();
      return () => spendReport({ orgId: org.id, timezone: org.timezone, from: new Date(to.getTime() - 90 * 86_400_000), to, groupBy: "day" });
    },
  },
  {
    name: "top-executions",
    label: "top executions, this month",
    targetP95Ms: 100,
    prepare: async (org) => {
      const to = new Date();
      const { monthStart } = await periodStarts(org.timezone, to);
      return () => topExecutions({ orgId: org.id, from: monthStart, to, order: "cost", limit: 10 });
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
];
