import { z } from "zod";
import { isUsableDate, isUsableInstant } from "../http/dates";
import { pool } from "../db";

// The models page takes days ("2026-11-01", a day in the org's time zone, as a lead thinks of
// them); the CLI and tests may give exact instants ("2026-11-01T09:30:00Z").
export const ZDayOrInstant = z
  .string()
  .trim()
  .refine((v) => isUsableDate(v) || isUsableInstant(v), {
    message: "must be a date (YYYY-MM-DD, in the organization's time zone) or an ISO-8601 date-time with a zone",
  });

export const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/**
 * The instant a day or instant string stands for: a day is the start of that day in the org's
 * zone, or with `endOfDay` the start of the next one (so "to 2026-11-30" includes all of the 30th).
 * Computed by Postgres, the same zone rules as the rollups and budgets.
 */
export async function toInstant(value: string, timezone: string, endOfDay = false): Promise<Date> {
  if (!isDay(value)) return new Date(value);
  const { rows } = await pool().query<{ t: Date }>(`SELECT (($1::date + $3::int)::timestamp AT TIME ZONE $2) AS t`, [value, timezone, endOfDay ? 1 : 0]);
  return rows[0].t;
}

/** The org-local calendar day holding `at`, as "YYYY-MM-DD" (form defaults). */
export function localDay(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

export const MAX_PAGE_RANGE_DAYS = 400;

/**
 * The models page's range from its URL (?from=YYYY-MM-DD&to=YYYY-MM-DD, days in the org's zone, `to`
 * included): by default this month so far, as the spend API's default. The end is never later than
 * now, so the page's totals equal GET /api/v1/spend?from=…&to=… for the same instants. A range that
 * makes no sense falls back to the default and says why.
 */
export async function pageRange(
  timezone: string,
  raw: { from?: string | null; to?: string | null },
  now = new Date(),
): Promise<{ from: Date; to: Date; fromDay: string; toDay: string; problem: string | null }> {
  const today = localDay(now, timezone);
  const monthStart = `${today.slice(0, 8)}01`;
  const valid = (v: string | null | undefined): v is string => !!v && isUsableDate(v);
  let fromDay = valid(raw.from) ? raw.from : monthStart;
  let toDay = valid(raw.to) ? raw.to : today;
  let problem: string | null = (raw.from && !valid(raw.from)) || (raw.to && !valid(raw.to)) ? "That range is not a pair of dates (YYYY-MM-DD); showing this month." : null;
  let [from, end] = await Promise.all([toInstant(fromDay, timezone), toInstant(toDay, timezone, true)]);
  if (!problem && (from >= end || end.getTime() - from.getTime() > MAX_PAGE_RANGE_DAYS * 86_400_000 || from >= now)) {
    problem = from >= now ? "That range starts in the future; showing this month." : from >= end ? "The range ends before it starts; showing this month." : `A range is at most ${MAX_PAGE_RANGE_DAYS} days; showing this month.`;
  }
  if (problem) {
    fromDay = monthStart;
    toDay = today;
    [from, end] = await Promise.all([toInstant(fromDay, timezone), toInstant(toDay, timezone, true)]);
  }
  return { from, to: end < now ? end : now, fromDay, toDay, problem };
}
