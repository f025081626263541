import { topExecutions, type TExecutionSummary } from "./executions";
import { periodStarts } from "./periods";
import { spendReport, type TSpendGroupRow } from "./spend";

export type TOverview = {
  todayUsd: string;
  monthUsd: string;
  monthStart: Date;
  byTeam: TSpendGroupRow[];
  byAgent: TSpendGroupRow[];
  topExecutions: TExecutionSummary[];
};

// The first dashboard page: today and this month in the org's zone, where the month's money went.
export async function overviewFor(org: { id: string; timezone: string }, now = new Date()): Promise<TOverview> {
  const { dayStart, monthStart } = await periodStarts(org.timezone, now);
  const base = { orgId: org.id, timezone: org.timezone, to: now };
  const [today, byTeam, byAgent, executions] = await Promise.all([
    spendReport({ ...base, from: dayStart }),
    spendReport({ ...base, from: monthStart, groupBy: "team" }),
    spendReport({ ...base, from: monthStart, groupBy: "agent" }),
    topExecutions({ orgId: org.id, from: monthStart, to: now, order: "cost", limit: 10 }),
  ]);
  return {
    todayUsd: today.total_usd,
    monthUsd: byTeam.total_usd,
    monthStart,
    byTeam: byTeam.groups,
    byAgent: byAgent.groups,
    topExecutions: executions,
  };
}
