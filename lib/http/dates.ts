import { z } from "zod";

// Dates and instants from URLs, cursors and forms that Postgres accepts and this app can mean.
// zod's ISO checks let through what Postgres refuses — year 0000 ("date/time field value out of
// range") and offsets past ±15:59 ("time zone displacement out of range") — which reached the
// database as a 500. Years 1970–9999, offsets within ±14:00 (the widest real one).
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

function yearOk(value: string): boolean {
  const year = Number(value.slice(0, 4));
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

/** "YYYY-MM-DD", a real calendar day in 1970–9999. */
export function isUsableDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !yearOk(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

/** An ISO-8601 date-time with a zone (Z or ±HH:MM within ±14:00), in 1970–9999. */
export function isUsableInstant(value: string): boolean {
  if (!z.iso.datetime({ offset: true }).safeParse(value).success || !yearOk(value)) return false;
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (offset && Number(offset[2]) * 60 + Number(offset[3]) > 14 * 60) return false;
  return !Number.isNaN(Date.parse(value));
}

export const ZUsableDate = z.string().refine(isUsableDate, { message: "must be a calendar date YYYY-MM-DD between 1970 and 9999" });
export const ZUsableInstant = z.string().refine(isUsableInstant, {
  message: "must be an ISO-8601 date-time with a zone (Z or ±HH:MM up to ±14:00) between 1970 and 9999",
});
