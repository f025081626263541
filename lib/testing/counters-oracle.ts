// The budget counters' oracle, written apart from the SQL that maintains them: which counter
// (period, item) a stored event belongs to, by plain JS (Intl for time zones, not Postgres). Shared
// by the counters' and the reprice's exactness tests.

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

// The wall-clock date and time at instant `ms` in `timeZone`.
function zoned(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { y: part("year"), m: part("month") - 1, d: part("day"), h: part("hour"), mi: part("minute"), s: part("second") };
}

// The instant the local day y-m-d (month from 0; days past the month's end roll over) begins in `timeZone`.
function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m, d);
  const offsetAt = (ms: number) => {
    const z = zoned(ms, timeZone);
    return Date.UTC(z.y, z.m, z.d, z.h, z.mi, z.s) - Math.floor(ms / 1000) * 1000;
  };
  // The offset at the guess, then at the instant it gives (right across a DST change that day).
  const at = wall - offsetAt(wall - offsetAt(wall));
  const z = zoned(at, timeZone);
  if (z.h === 0 && z.mi === 0 && Date.UTC(z.y, z.m, z.d) === wall) return at;
  // This midnight does not exist (a DST change skips it): as Postgres reads it, with the offset before
  // the change — the day starts at the first instant after the gap.
  return wall - offsetAt(wall - 86_400_000);
}

// The start of the day / ISO week / month holding `at`, in the org's time zone; TOTAL: the epoch.
export function localPeriodStart(period: string, at: Date, timeZone: string): number {
  const z = zoned(at.getTime(), timeZone);
  if (period === "DAY") return localMidnight(z.y, z.m, z.d, timeZone);
  if (period === "WEEK") return localMidnight(z.y, z.m, z.d - ((new Date(Date.UTC(z.y, z.m, z.d)).getUTCDay() + 6) % 7), timeZone);
  if (period === "MONTH") return localMidnight(z.y, z.m, 1, timeZone);
  return 0;
}

export const utcPeriodStart = (period: string, at: Date) => localPeriodStart(period, at, "UTC");

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
