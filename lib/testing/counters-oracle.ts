// The budget counters' oracle, written apart from the SQL that maintains them: which counter
// (period, item) a stored event belongs to, by plain JS, for a UTC org. Shared by the counters'
// and the reprice's exactness tests.
const DAY = 24 * 3_600_000;

export type TEventRecord = {
  occurredAt: Date;
  costUsd: string;
  costSource: string;
  teamId: string | null;
  costCenterId: string | null;
  keyId: string;
  agent: string | null;
  userId: string | null;
  model: string | null;
  task: string | null;
  executionId: string | null;
};

export function utcPeriodStart(period: string, at: Date): number {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (period === "DAY") return d.getTime();
  if (period === "WEEK") return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
  if (period === "MONTH") return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  return 0;
}

export function oracleItem(scope: string, value: string, e: TEventRecord): string | null {
  const is = (field: string | null) => (field !== null && field === value ? "" : null);
  switch (scope) {
    case "ORG":
      return "";
    case "TEAM":
      return is(e.teamId);
    case "COST_CENTER":
      return is(e.costCenterId);
    case "KEY":
      return is(e.keyId);
    case "AGENT":
      return is(e.agent);
    case "USER":
      return is(e.userId);
    case "MODEL":
      // The model or a dated snapshot of it (lib/budgets/sql.ts MODEL_FAMILY), restated here.
      return e.model !== null && (e.model === value || e.model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, "") === value) ? "" : null;
    case "TASK":
      return e.task !== null && (value === "*" || value === e.task) ? e.task : null;
    case "EXECUTION":
      return e.executionId !== null && (value === "*" || value === e.executionId) ? e.executionId : null;
  }
  throw new Error(scope);
}
