import { Decimal } from "../money";

// Linear projection from the period's burn rate (docs/architecture.md §6): spend so far ÷ time so
// far × the period's length. Too early to say (null) before 3 days of a month or 25 % of a day or
// week: one busy morning is not a trend. A TOTAL budget has no end to project to.
export type TProjection = { projectedUsd: string; burnUsdPerDay: string; breachAt: Date | null };

const DAY_MS = 86_400_000;

export function projectPeriodEnd(input: {
  period: string;
  periodStart: Date;
  periodEnd: Date | null;
  spentUsd: string;
  amountUsd: string;
  now?: Date;
}): TProjection | null {
  const now = input.now ?? new Date();
  if (input.period === "TOTAL" || !input.periodEnd) return null;
  const length = input.periodEnd.getTime() - input.periodStart.getTime();
  const elapsed = Math.min(now.getTime(), input.periodEnd.getTime()) - input.periodStart.getTime();
  const enough = input.period === "MONTH" ? elapsed >= 3 * DAY_MS : elapsed >= 0.25 * length;
  if (!enough || elapsed <= 0) return null;
  const spent = new Decimal(input.spentUsd);
  const projected = spent.times(length).div(elapsed);
  const amount = new Decimal(input.amountUsd);
  // When the projection crosses the amount: the period start + amount ÷ rate (null if it never
  // does in this period, or already has).
  let breachAt: Date | null = null;
  if (spent.gt(0) && spent.lt(amount) && projected.gte(amount)) {
    breachAt = new Date(input.periodStart.getTime() + amount.div(spent).times(elapsed).toNumber());
  }
  return {
    projectedUsd: projected.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN).toFixed(),
    burnUsdPerDay: spent.times(DAY_MS).div(elapsed).toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN).toFixed(),
    breachAt,
  };
}
