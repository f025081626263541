import { pool } from "../db";
import { Decimal, formatUsd } from "../money";
import type { TFilters } from "./filters";
import { spendReport } from "./spend";

// What is burning right now, in the org's day: today so far against yesterday by the same local
// time and all of yesterday, the last hour's dollars per hour, and today's pace as dollars per day
// (today so far ÷ the part of the day gone × the day's length — 23 or 25 hours on DST days).

export type TBurnRate = {
  dayStart: string;
  dayEnd: string;
  todayUsd: string;
  yesterdayUsd: string;
  yesterdaySameTimeUsd: string;
  // today − yesterday by the same time, in percent of the latter (one decimal); null when that was $0.
  changePercent: number | null;
  lastHourUsd: string;
  // $ per day at today's pace; null in the first 10 minutes of the day (too little to scale up).
  todayPaceUsdPerDay: string | null;
};

const MIN_ELAPSED_MS = 10 * 60_000;

export async function burnRate(args: { orgId: string; timezone: string; now: Date; filters?: TFilters }): Promise<TBurnRate> {
  const { rows } = await pool().query<{ day_start: Date; day_end: Date; y_start: Date; y_same: Date }>(
    `SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2 AS day_start,
            (date_trunc('day', $1::timestamptz AT TIME ZONE $2) + interval '1 day') AT TIME ZONE $2 AS day_end,
            (date_trunc('day', $1::timestamptz AT TIME ZONE $2) - interval '1 day') AT TIME ZONE $2 AS y_start,
            (($1::timestamptz AT TIME ZONE $2) - interval '1 day') AT TIME ZONE $2 AS y_same`,
    [args.now, args.timezone],
  );
  const { day_start: dayStart, day_end: dayEnd, y_start: yStart } = rows[0];
  // A local time that does not exist yesterday (the spring gap) maps past it; never past today's start.
  const ySame = rows[0].y_same < dayStart ? rows[0].y_same : dayStart;
  const base = { orgId: args.orgId, timezone: args.timezone, filters: args.filters };
  const [today, yesterday, yesterdaySoFar, lastHour] = await Promise.all([
    spendReport({ ...base, from: dayStart, to: args.now }),
    spendReport({ ...base, from: yStart, to: dayStart }),
    spendReport({ ...base, from: yStart, to: ySame }),
    spendReport({ ...base, from: new Date(args.now.getTime() - 3600_000), to: args.now }),
  ]);
  const before = new Decimal(yesterdaySoFar.total_usd);
  const elapsed = args.now.getTime() - dayStart.getTime();
  return {
    dayStart: dayStart.toISOString(),
    dayEnd: dayEnd.toISOString(),
    todayUsd: today.total_usd,
    yesterdayUsd: yesterday.total_usd,
    yesterdaySameTimeUsd: yesterdaySoFar.total_usd,
    changePercent: before.isZero()
      ? null
      : new Decimal(today.total_usd).minus(before).times(100).div(before).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toNumber(),
    lastHourUsd: lastHour.total_usd,
    todayPaceUsdPerDay:
      elapsed < MIN_ELAPSED_MS
        ? null
        : formatUsd(
            new Decimal(today.total_usd)
              .times(dayEnd.getTime() - dayStart.getTime())
              .div(elapsed)
              .toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN)
              .toFixed(),
          ),
  };
}
