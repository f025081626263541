import { pool } from "../db";

// Calendar periods are in the org's time zone (docs/architecture.md §4): "today" in Tokyo starts at 15:00 UTC.
export async function periodStarts(timezone: string, at = new Date()): Promise<{ dayStart: Date; monthStart: Date; monthEnd: Date }> {
  const { rows } = await pool().query(
    `SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2 AS day_start,
            date_trunc('month', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2 AS month_start,
            (date_trunc('month', $1::timestamptz AT TIME ZONE $2) + interval '1 month') AT TIME ZONE $2 AS month_end`,
    [at, timezone],
  );
  return { dayStart: rows[0].day_start, monthStart: rows[0].month_start, monthEnd: rows[0].month_end };
}
