// Calendar periods in the org's zone (lib/budgets/sql.ts), on days a DST change makes odd: a period
// ends exactly where the next begins, and the test oracle (lib/testing/counters-oracle.ts) agrees
// with Postgres about where each begins.
import { describe, expect, test } from "vitest";
import { pool } from "../db";
import { localPeriodStart } from "../testing/counters-oracle";
import { BUDGET_PERIOD_AT, BUDGET_PERIOD_END } from "./sql";

async function period(kind: string, at: string, timeZone: string): Promise<{ start: string; end: string }> {
  const { rows } = await pool().query<{ start: Date; end: Date }>(
    `SELECT p.start, ${BUDGET_PERIOD_END("b", "p.start", "$3")} AS "end"
       FROM (SELECT $1::text AS period) b CROSS JOIN LATERAL (SELECT ${BUDGET_PERIOD_AT("b", "$2::timestamptz", "$3")} AS start) p`,
    [kind, at, timeZone],
  );
  return { start: rows[0].start.toISOString(), end: rows[0].end.toISOString() };
}

describe("calendar periods across DST", () => {
  // Santiago skips 2026-09-06 00:00 (−04 → −03): the day starts at 01:00 local.
  // Havana skips 2026-03-08 00:00 (−05 → −04). New York: a 25-hour and a 23-hour day.
  const days = [
    ["America/Santiago", "2026-09-06T12:00:00Z", "2026-09-06T04:00:00.000Z", "2026-09-07T03:00:00.000Z"],
    ["America/Havana", "2026-03-08T12:00:00Z", "2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"],
    ["America/New_York", "2026-11-01T12:00:00Z", "2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"],
    ["America/New_York", "2026-03-08T12:00:00Z", "2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"],
  ] as const;

  test.each(days)("a day in %s holding %s: %s … %s, and the next day starts where it ends", async (zone, at, start, end) => {
    const day = await period("DAY", at, zone);
    expect(day).toEqual({ start, end });
    const next = await period("DAY", new Date(new Date(at).getTime() + 86_400_000).toISOString(), zone);
    expect(next.start).toBe(end);
    expect(new Date(localPeriodStart("DAY", new Date(at), zone)).toISOString()).toBe(start);
  });

  test("weeks and months end where the next begins, whatever DST does inside them", async () => {
    for (const zone of ["America/Santiago", "America/Havana", "America/New_York", "Asia/Kolkata"]) {
      for (const [kind, at, later] of [["WEEK", "2026-09-06T12:00:00Z", "2026-09-07T12:00:00Z"], ["MONTH", "2026-09-15T12:00:00Z", "2026-10-15T12:00:00Z"]] as const) {
        const p = await period(kind, at, zone);
        expect((await period(kind, later, zone)).start, `${zone} ${kind}`).toBe(p.end);
        expect(new Date(localPeriodStart(kind, new Date(at), zone)).toISOString(), `${zone} ${kind}`).toBe(p.start);
      }
    }
  });
});
