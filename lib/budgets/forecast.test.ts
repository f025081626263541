// Forecast alerts (docs/architecture.md §6): a linear projection from the period's burn rate, one
// FORECAST alert per period naming the projected breach date.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { alertsOf, emailsOf, orgWithPeople, spend } from "../testing/budget-alerts";
import { api, startMachineServer } from "../testing/machine-server";
import { forecastBudgets } from "./forecast";
import { createBudget, updateBudget } from "./manage";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });

describe("forecasts", () => {
  // On a fixed clock: ten days into a month that began at least 12 days ago (this month or the last),
  // so the rule's "≥ 3 days of a month" and a breach still ahead hold whatever day the suite runs.
  function forecastClock(): { now: Date; DAY_MS: number } {
    const DAY_MS = 86_400_000;
    const back = new Date(Date.now() - 12 * DAY_MS);
    return { now: new Date(Date.UTC(back.getUTCFullYear(), back.getUTCMonth(), 11)), DAY_MS };
  }

  test("a month projected past 100 % sends one FORECAST alert naming the breach date", async () => {
    const { now, DAY_MS } = forecastClock();
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "100", period: "MONTH", thresholds: [100], forecastAlerts: true });
    // Spend at the rate that reaches $100 one day after `now` (10 days in): under the limit, projected over it.
    const spent = (100 * 10) / 11;
    await post(w.secret, spend("f1", spent.toFixed(6), { timestamp: new Date(now.getTime() - 60_000).toISOString() }));
    // Not yet: 2 days into the month is too early to call a trend.
    await forecastBudgets(new Date(now.getTime() - 8 * DAY_MS));
    expect(await alertsOf(b.id)).toEqual([]);
    // Twice, and concurrently: still one alert (the job scans every org; count this budget's).
    await Promise.all([forecastBudgets(now), forecastBudgets(now)]);
    await forecastBudgets(now);
    const forecasts = (await alertsOf(b.id)).filter((a) => a.kind === "FORECAST");
    expect(forecasts).toHaveLength(1);
    const [alert] = forecasts;
    // Breach projected one day after `now` (the rate was chosen so), to the minute.
    expect(Math.abs(alert.projectedAt!.getTime() - (now.getTime() + DAY_MS))).toBeLessThan(60_000);
    expect(await emailsOf(alert.id)).toEqual(w.recipients);
  });

  test("one forecast per period: raising the amount (a new epoch) does not send a second", async () => {
    const { now } = forecastClock();
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, { scope: "ORG", amountUsd: "100", period: "MONTH", thresholds: [100], forecastAlerts: true });
    await post(w.secret, spend("f1", "80", { timestamp: new Date(now.getTime() - 60_000).toISOString() }));
    await forecastBudgets(now);
    expect((await alertsOf(b.id)).map((a) => a.kind)).toEqual(["FORECAST"]);
    // $80 in 10 days still projects past $110 by the month's end.
    await updateBudget(w.org.id, null, b.id, { amountUsd: "110" });
    expect((await prisma().budget.findUniqueOrThrow({ where: { id: b.id } })).alertEpoch).toBeGreaterThan(0);
    await forecastBudgets(now);
    expect((await alertsOf(b.id)).map((a) => a.kind)).toEqual(["FORECAST"]);
    // A forecast an earlier version recorded at the budget's epoch counts as sent too.
    await prisma().budgetAlert.updateMany({ where: { budgetId: b.id, kind: "FORECAST" }, data: { epoch: 1 } });
    await forecastBudgets(now);
    expect((await alertsOf(b.id)).map((a) => [a.kind, a.epoch])).toEqual([["FORECAST", 1]]);
  });
});
