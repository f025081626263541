// seed:large at a small scale: the SQL-written year keeps every invariant ingest keeps, its costs are
// the pricing library's to the last digit, and its check catches a derived table that disagrees.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { pool } from "../../lib/db";
import { normalizeUsage, priceCall } from "../../lib/pricing";
import { deleteOrgAndUsage } from "./demo-data";
import { checkLargeSeed, largeDetailExecutionId, seedLargeOrg, type TLargeSeedResult } from "./large";

const slug = `lg-${randomBytes(4).toString("hex")}`;
const now = new Date("2026-11-20T15:00:00Z");
let seeded: TLargeSeedResult;

beforeAll(async () => {
  seeded = await seedLargeOrg({ slug, timezone: "Asia/Kolkata", events: 6_000, executions: 150, months: 12, now });
});
afterAll(async () => {
  if (seeded) await deleteOrgAndUsage(seeded.orgId);
});

test("the counts asked for, spread over the months, none in the future", async () => {
  expect(seeded.executions).toBe(150);
  // Calls per execution are drawn around the mean: the total lands near the target.
  expect(seeded.events).toBeGreaterThan(4_500);
  expect(seeded.events).toBeLessThan(7_500);
  const { rows } = await pool().query(
    `SELECT min("occurredAt") AS first, max("occurredAt") AS last, count(DISTINCT date_trunc('month', "occurredAt")) AS months,
            count(*) AS events, count(DISTINCT "eventId") AS ids
       FROM "UsageEvent" WHERE "orgId" = $1`,
    [seeded.orgId],
  );
  expect(rows[0].last.getTime()).toBeLessThanOrEqual(now.getTime());
  expect(rows[0].first.getTime()).toBeLessThan(now.getTime() - 300 * 86_400_000);
  expect(Number(rows[0].months)).toBeGreaterThanOrEqual(12);
  expect(Number(rows[0].ids)).toBe(seeded.events);
});

test("events = rollups = executions = counters, and the check notices when one disagrees", async () => {
  const check = await checkLargeSeed(seeded.orgId);
  expect(check.failures).toEqual([]);
  expect(check.ok).toBe(true);
  const { rows } = await pool().query(`SELECT count(*)::int AS n FROM "BudgetCounter" WHERE "orgId" = $1`, [seeded.orgId]);
  expect(rows[0].n).toBeGreaterThan(0);

  const victim = await pool().query(`SELECT id FROM "UsageRollup" WHERE "orgId" = $1 LIMIT 1`, [seeded.orgId]);
  await pool().query(`UPDATE "UsageRollup" SET "costUsd" = "costUsd" + 0.000000000001 WHERE id = $1`, [victim.rows[0].id]);
  try {
    const broken = await checkLargeSeed(seeded.orgId);
    expect(broken.ok).toBe(false);
    expect(broken.failures.join()).toMatch(/rollups .* ≠ events/);
  } finally {
    await pool().query(`UPDATE "UsageRollup" SET "costUsd" = "costUsd" - 0.000000000001 WHERE id = $1`, [victim.rows[0].id]);
  }
});

test("every sampled event costs what the pricing library says for its model and tokens", async () => {
  const { rows } = await pool().query(
    `SELECT provider, model, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "reasoningTokens", "costUsd"::text AS cost, "occurredAt"
       FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "eventId" LIMIT 200`,
    [seeded.orgId],
  );
  expect(new Set(rows.map((r) => r.model)).size).toBeGreaterThan(1);
  for (const row of rows) {
    const usage = normalizeUsage({ input_tokens: row.inputTokens, output_tokens: row.outputTokens, cache_read_tokens: row.cacheReadTokens, cache_write_tokens: row.cacheWriteTokens });
    if (!usage.ok) throw new Error("usage does not normalise");
    const priced = priceCall({ provider: row.provider, model: row.model, usage: usage.usage, at: now });
    expect(priced.costSource).toBe("CATALOG");
    expect(Number(row.cost)).toBeGreaterThan(0);
    expect(priced.costUsd.replace(/0+$/, "").replace(/\.$/, "")).toBe(row.cost.replace(/0+$/, "").replace(/\.$/, ""));
  }
});

test("one 200-call retry storm to benchmark the detail page; rollup hours are the org's (+05:30) hours", async () => {
  const { rows } = await pool().query(`SELECT calls::int, retries::int, errors::int FROM "Execution" WHERE "orgId" = $1 AND "executionId" = $2`, [seeded.orgId, largeDetailExecutionId(slug)]);
  expect(rows[0].calls).toBe(200);
  expect(rows[0].retries).toBeGreaterThan(100);
  expect(rows[0].errors).toBeGreaterThan(100);
  const hours = await pool().query(`SELECT DISTINCT extract(minute FROM hour AT TIME ZONE 'Asia/Kolkata')::int AS m FROM "UsageRollup" WHERE "orgId" = $1`, [seeded.orgId]);
  expect(hours.rows).toEqual([{ m: 0 }]);
});
