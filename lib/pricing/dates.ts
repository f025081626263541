import { z } from "zod";
import { pool } from "../db";

// The models page takes days ("2026-11-01", a day in the org's time zone, as a lead thinks of
// them); the CLI and tests may give exact instants ("2026-11-01T09:30:00Z").
export const ZDayOrInstant = z
  .string()
  .trim()
  .refine((v) => z.iso.date().safeParse(v).success || z.iso.datetime({ offset: true }).safeParse(v).success, {
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
