// The models page's numbers against hand-computed sums: calls, unpriced calls, tokens and spend per
// model over a range whose edges cut hours (rollups for whole hours, events at the edges), in an
// org whose hours start at :30 UTC; the price each model gets and where it comes from; the total
// equals the spend API's; another org's calls never appear.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { Decimal } from "../money";
import { spendReport } from "../reports/spend";
import { createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { localDay, pageRange, toInstant } from "./dates";
import { modelsInUse } from "./models-in-use";
import { addModelPrice } from "./price-overrides";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

async function post(secret: string, events: unknown[]) {
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
}

describe("models in use", () => {
  test("per model: calls, unpriced calls, tokens by kind and spend over a range with partial edge hours (Asia/Kolkata)", async () => {
    const t = await createTestOrg({ timezone: "Asia/Kolkata" });
    const other = await createTestOrg({ timezone: "Asia/Kolkata" });
    // [from, to): from is 10:40 local three days ago (mid-hour), to is 15:10 local yesterday.
    const day = localDay(new Date(Date.now() - 3 * DAY), "Asia/Kolkata");
    const midnight = await toInstant(day, "Asia/Kolkata");
    const from = new Date(midnight.getTime() + 10 * HOUR + 40 * MIN);
    const to = new Date(midnight.getTime() + DAY + 15 * HOUR + 10 * MIN);
    const at = (ms: number) => new Date(ms).toISOString();
    const unknown = `acme-${Date.now()}`;
    const events = [
      // In range: the first partial hour, whole hours, the last partial hour.
      { id: "a1", model: "gpt-4o", provider: "openai", usage: { input_tokens: 1000, output_tokens: 200 }, timestamp: at(from.getTime() + 5 * MIN) },
      { id: "a2", model: "gpt-4o", provider: "openai", usage: { input_tokens: 3000, output_tokens: 10, cache_read_input_tokens: 500 }, timestamp: at(from.getTime() + 3 * HOUR) },
      { id: "a3", model: "gpt-4o", provider: "openai", usage: { input_tokens: 7, output_tokens: 7, cache_creation_input_tokens: 70 }, timestamp: at(to.getTime() - 2 * MIN) },
      { id: "u1", model: unknown, usage: { input_tokens: 40_000, output_tokens: 900 }, timestamp: at(from.getTime() + 20 * HOUR) },
      { id: "u2", model: unknown, usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 }, timestamp: at(to.getTime() - 9 * MIN) },
      { id: "r1", model: unknown, cost_usd: "1.25", usage: { input_tokens: 10, output_tokens: 10 }, timestamp: at(from.getTime() + 2 * HOUR) },
      { id: "t1", kind: "tool", tool: "grep", cost_usd: "0.5", timestamp: at(from.getTime() + HOUR) },
      // Out of range by a minute on either side.
      { id: "x1", model: "gpt-4o", usage: { input_tokens: 99, output_tokens: 99 }, timestamp: at(from.getTime() - MIN) },
      { id: "x2", model: unknown, usage: { input_tokens: 99, output_tokens: 99 }, timestamp: at(to.getTime()) },
    ];
    await post(t.secret, events);
    await post(other.secret, events.map((e) => ({ ...e, id: `b-${e.id}` })));

    const page = await modelsInUse({ orgId: t.org.id, timezone: "Asia/Kolkata", from, to });
    const cost = async (ids: string[]) =>
      (await pool().query(`SELECT coalesce(sum("costUsd"), 0)::text AS s FROM "UsageEvent" WHERE "orgId" = $1 AND "eventId" = ANY($2)`, [t.org.id, ids])).rows[0].s as string;

    const gpt = page.models.find((m) => m.model === "gpt-4o")!;
    expect(gpt).toMatchObject({ calls: 3, unpricedCalls: 0, inputTokens: 4007, outputTokens: 217, cacheReadTokens: 500, cacheWriteTokens: 70, provider: "openai" });
    expect(new Decimal(gpt.costUsd).eq(await cost(["a1", "a2", "a3"]))).toBe(true);
    expect(new Decimal(gpt.costUsd).gt(0)).toBe(true);
    expect(gpt.price).toMatchObject({ source: "CATALOG", override: null });
    expect(gpt.price!.catalogModelId).toContain("gpt-4o");

    const acme = page.models.find((m) => m.model === unknown)!;
    expect(acme).toMatchObject({ calls: 3, unpricedCalls: 2, inputTokens: 40_011, outputTokens: 912, cacheReadTokens: 3, cacheWriteTokens: 4, costUsd: "1.25", price: null, provider: null });
    expect(page.noModel).toEqual({ calls: 1, costUsd: "0.50" });
    expect(page.models.map((m) => m.model).sort()).toEqual(["gpt-4o", unknown].sort());
    expect(page).toMatchObject({ totalCalls: 7, unpricedCalls: 2 });
    const total = new Decimal(await cost(["a1", "a2", "a3", "r1", "t1"]));
    expect(new Decimal(page.totalUsd).eq(total.toDecimalPlaces(12))).toBe(true);
    // The page and the spend API agree for the same range, to the last digit.
    const api = await spendReport({ orgId: t.org.id, timezone: "Asia/Kolkata", from, to });
    expect(api.total_usd).toBe(page.totalUsd);

    // A price of the org's own now applies to the model: its source and dates.
    await addModelPrice(t.org.id, null, { model: unknown.toUpperCase(), effectiveFrom: day, inputMtok: "2", outputMtok: "10" });
    const priced = (await modelsInUse({ orgId: t.org.id, timezone: "Asia/Kolkata", from, to })).models.find((m) => m.model === unknown)!;
    expect(priced.price).toMatchObject({ source: "OVERRIDE", inputMtok: "2.00", outputMtok: "10.00", cacheReadMtok: null, override: { effectiveFrom: midnight.toISOString(), effectiveTo: null } });
    // Stored calls keep their $0 until repriced: still counted as unpriced.
    expect(priced.unpricedCalls).toBe(2);
    // The other org sees none of it.
    const theirs = await modelsInUse({ orgId: other.org.id, timezone: "Asia/Kolkata", from, to });
    expect(theirs.overrides).toEqual([]);
    expect(theirs.models.find((m) => m.model === unknown)!.price).toBe(null);
  });

  test("an empty range is empty, not an error", async () => {
    const t = await createTestOrg();
    const page = await modelsInUse({ orgId: t.org.id, timezone: "UTC", from: new Date(Date.now() - DAY), to: new Date() });
    expect(page).toMatchObject({ models: [], noModel: null, totalUsd: "0.00", totalCalls: 0, unpricedCalls: 0 });
  });

  test("the page's range: this month by default, days in the org's zone, the end day included, never past now; nonsense falls back", async () => {
    const now = new Date("2026-11-20T20:00:00Z"); // Nov 21, 01:30 in Kolkata
    const r = await pageRange("Asia/Kolkata", {}, now);
    expect(r).toMatchObject({ fromDay: "2026-11-01", toDay: "2026-11-21", problem: null });
    expect(r.from.toISOString()).toBe("2026-10-31T18:30:00.000Z");
    expect(r.to).toEqual(now);
    const past = await pageRange("Europe/Berlin", { from: "2026-10-01", to: "2026-10-31" }, now);
    // October 25 is a 25-hour day in Berlin: the month ends at 23:00 UTC (CET), having started at 22:00 UTC (CEST).
    expect([past.from.toISOString(), past.to.toISOString()]).toEqual(["2026-09-30T22:00:00.000Z", "2026-10-31T23:00:00.000Z"]);
    for (const bad of [{ from: "2026-11-10", to: "2026-11-01" }, { from: "nope" }, { from: "2024-01-01", to: "2026-11-01" }, { from: "2026-12-01", to: "2026-12-02" }]) {
      const fallback = await pageRange("Asia/Kolkata", bad, now);
      expect(fallback, JSON.stringify(bad)).toMatchObject({ fromDay: "2026-11-01", toDay: "2026-11-21" });
      expect(fallback.problem).toBeTruthy();
    }
  });
});
