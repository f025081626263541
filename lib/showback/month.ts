import { badRequest } from "../errors";

// A showback month is a calendar month in the org's time zone, named "YYYY-MM" in URLs and the CSV.
export type TMonth = { year: number; month: number }; // month 1–12

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
// Far enough for any real history or budget plan; keeps dates inside what Postgres and Intl handle.
const MIN_YEAR = 2000;
const MAX_YEAR = 2999;

export function parseMonth(value: string): TMonth | null {
  const m = MONTH_RE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  return { year, month: Number(m[2]) };
}

export const MONTH_FORMAT_HINT = "must be a calendar month as YYYY-MM, e.g. 2026-11";

// The `month` query parameter: absent means this month in the org's zone; anything else must parse.
export function monthParam(value: string | null | undefined, timezone: string, now = new Date()): TMonth {
  if (value === null || value === undefined || value === "") return currentMonth(timezone, now);
  const month = parseMonth(value);
  if (!month) throw badRequest("Invalid month", [{ path: "month", message: MONTH_FORMAT_HINT }]);
  return month;
}

export function formatMonth(m: TMonth): string {
  return `${String(m.year).padStart(4, "0")}-${String(m.month).padStart(2, "0")}`;
}

export function shiftMonth(m: TMonth, delta: number): TMonth {
  const index = m.year * 12 + (m.month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function compareMonths(a: TMonth, b: TMonth): number {
  return a.year * 12 + a.month - (b.year * 12 + b.month);
}

// The month `now` falls in, as the org's clock reads it (Tokyo is in December hours before UTC).
export function currentMonth(timezone: string, now = new Date()): TMonth {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: timezone, year: "numeric", month: "numeric" }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month") };
}

// "November 2026" — a month's name needs no zone: it is a calendar month, not an instant.
export function monthLabel(m: TMonth, style: "long" | "short" = "long"): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: style, year: "numeric" }).format(new Date(Date.UTC(m.year, m.month - 1, 1)));
}
