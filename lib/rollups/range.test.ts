// Spend over any range is exact to the event whichever levels it is read from (events at the edges,
// hourly rollups, the daily level): random ranges — at local midnights, hour boundaries and
// arbitrary milliseconds, across DST changes and a +05:30 zone — against sums over the raw events.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { SPEND_GROUPS, spendReport, type TSpendGroup } from "../reports/spend";
import { createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { mulberry32 } from "../../prisma/seed/random";
import { rangeBounds, spendSourceSql } from "./range";
import { DAILY_DIMENSIONS, type TDailyDimension } from "./daily";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const HOUR = 3_600_000;
const now = Date.now();
// The last 34 days hold Europe/Berlin's (Oct 25) and America/New_York's (Nov 1) autumn changes.
const windowStart = now - 34 * 24 * HOUR;

const RAW: Record<TSpendGroup, string> = {
  team: `(SELECT slug FROM "Team" WHERE "orgId" = e."orgId" AND id = e."teamId")`,
  cost_center: `(SELECT code FROM "CostCenter" WHERE "orgId" = e."orgId" AND id = e."costCenterId")`,
  key: `(SELECT prefix FROM "VirtualKey" WHERE "orgId" = e."orgId" AND id = e."keyId")`,
  agent: "e.agent",
  model: "e.model",
  user: `e."userId"`,
  repository: "e.repository",
  day: `to_char(e."occurredAt" AT TIME ZONE $4, 'YYYY-MM-DD')`,
  task: "e.task",
  execution: `e."executionId"`,
};

async function oracle(orgId: string, timezone: string, from: Date, to: Date, groupBy: TSpendGroup | null) {
  const key = groupBy ? RAW[groupBy] : "NULL";
  const { rows } = await pool().query(
    `SELECT ${key} AS key, sum("costUsd")::text AS cost, count(*)::int AS calls FROM "UsageEvent" e
      WHERE e."orgId" = $1 AND e."occurredAt" >= $2 AND e."occurredAt" < $3 AND $4::text IS NOT NULL GROUP BY 1`,
    [orgId, from, to, timezone],
  );
  return rows;
}

const norm = (rows: { key: string | null; cost: string; calls: number }[]) =>
  rows.map((r) => `${r.key ?? "∅"}|${Number(r.cost).toFixed(12)}|${r.calls}`).sort();

describe.each(["Europe/Berlin", "Asia/Kolkata", "America/New_York"])("in %s", (timezone) => {
  let orgId: string;
  const rng = mulberry32(timezone.length * 7919);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];

  beforeAll(async () => {
    const { org, secret } = await createTestOrg({ timezone });
    orgId = org.id;
    const team = await createTeam(org.id, "platform");
    const other = await createTestKey({ orgId: org.id, name: "team key", teamId: team.id, scopes: ["ingest"] });
    const events = Array.from({ length: 700 }, (_, i) => ({
      id: `r-${i}`,
      // a fifth of the calls crowd around the DST changes and midnights, the rest anywhere
      timestamp: new Date(windowStart + Math.floor(rng() * (now - windowStart - 60_000))).toISOString(),
      model: pick(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514", "no-such-model"]),
      provider: pick(["openai", "anthropic"]),
      usage: { input_tokens: 1 + Math.floor(rng() * 9000), output_tokens: Math.floor(rng() * 900) },
      agent: pick(["coder", "reviewer", undefined]),
      user: pick(["ann", "bo", undefined]),
      repository: pick(["acme/api", "acme/web", undefined]),
      task: pick(["t1", "t2", undefined]),
      execution_id: `x-${Math.floor(rng() * 40)}`,
    }));
    for (let i = 0; i < events.length; i += 100) {
      const batch = events.slice(i, i + 100);
      const res = await api(server.url, "/api/v1/events", { secret: i % 200 ? other.secret : secret, body: { events: batch } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  test("every grouping over 60 random ranges equals the raw events' sums", async () => {
    const { rows: zone } = await pool().query(`SELECT extract(epoch FROM date_trunc('day', $1::timestamptz AT TIME ZONE $2) AT TIME ZONE $2) * 1000 AS midnight`, [new Date(now - 20 * 24 * HOUR), timezone]);
    const aMidnight = Number(zone[0].midnight);
    const instant = () => {
      const kind = rng();
      if (kind < 0.3) return aMidnight + Math.floor((rng() - 0.5) * 30) * 24 * HOUR; // near a local midnight (±DST)
      if (kind < 0.55) return windowStart + Math.floor(rng() * 34 * 24) * HOUR + (timezone === "Asia/Kolkata" ? HOUR / 2 : 0);
      return windowStart + Math.floor(rng() * (now - windowStart));
    };
    for (let i = 0; i < 60; i++) {
      const [a, end] = [instant(), instant()].sort((x, y) => x - y);
      const b = a === end ? end + 1 : end;
      const from = new Date(a);
      const to = new Date(b);
      const groupBy = pick([null, ...SPEND_GROUPS]);
      const report = await spendReport({ orgId, timezone, from, to, groupBy });
      const expected = await oracle(orgId, timezone, from, to, groupBy);
      const label = `${groupBy} ${from.toISOString()} → ${to.toISOString()}`;
      const expectedTotal = expected.reduce((sum, r) => sum + Number(r.cost) * 1e12, 0);
      expect(Math.round(Number(report.total_usd) * 1e12), label).toBe(Math.round(expectedTotal));
      if (groupBy) expect(norm(report.groups.map((g) => ({ key: g.key, cost: g.cost_usd, calls: g.calls }))), label).toEqual(norm(expected));
    }
  });

  test("a filter on one dimension reads the single-dimension levels for it, and equals the events", async () => {
    for (let i = 0; i < 30; i++) {
      const from = new Date(windowStart + Math.floor(rng() * 10 * 24) * HOUR + Math.floor(rng() * HOUR));
      const to = new Date(now - Math.floor(rng() * 5 * 24 * HOUR));
      const dimension = pick(DAILY_DIMENSIONS) as TDailyDimension;
      // A filter names things as people do: a team by slug, a cost center by code, a key by prefix.
      const { rows: values } = await pool().query(
        `SELECT DISTINCT d.value, coalesce(t.slug, c.code, k.prefix, d.value) AS name FROM "UsageDaily" d
           LEFT JOIN "Team" t ON d.dimension = 'team' AND t.id = d.value
           LEFT JOIN "CostCenter" c ON d.dimension = 'cost_center' AND c.id = d.value
           LEFT JOIN "VirtualKey" k ON d.dimension = 'key' AND k.id = d.value
          WHERE d."orgId" = $1 AND d.dimension = $2 AND d.value <> ''`,
        [orgId, dimension],
      );
      if (!values.length) continue;
      const chosen = pick(values as { value: string; name: string }[]);
      const value = chosen.value;
      const groupBy = pick([null, dimension, "model"] as const);
      const params: unknown[] = [orgId, from, to, timezone];
      const source = spendSourceSql(groupBy ? { dimension: groupBy } : { none: true }, { [dimension]: chosen.name }, params, { bounds: await rangeBounds(from, to, timezone) });
      const { rows } = await pool().query(`WITH ${source} SELECT coalesce(sum("costUsd"), 0)::text AS cost, coalesce(sum(calls), 0)::int AS calls FROM src`, params);
      const column = { team: `"teamId"`, agent: "agent", model: "model", user: `"userId"`, repository: "repository", cost_center: `"costCenterId"`, key: `"keyId"` }[dimension];
      const { rows: raw } = await pool().query(
        `SELECT coalesce(sum("costUsd"), 0)::text AS cost, count(*)::int AS calls FROM "UsageEvent"
          WHERE "orgId" = $1 AND "occurredAt" >= $2 AND "occurredAt" < $3 AND coalesce(${column}, '') = $4`,
        [orgId, from, to, value],
      );
      expect([Number(rows[0].cost).toFixed(12), rows[0].calls], `${dimension}=${chosen.name} by ${groupBy}`).toEqual([Number(raw[0].cost).toFixed(12), raw[0].calls]);
    }
  });
});

test("a month by team reads whole days from the daily level and only the edge hours' events, by index range", async () => {
  const from = new Date("2026-11-01T00:00:00Z");
  const to = new Date("2026-11-28T10:17:00Z");
  const params: unknown[] = ["org", from, to, "UTC"];
  const source = spendSourceSql({ dimension: "team" }, {}, params, { bounds: await rangeBounds(from, to, "UTC") });
  const { rows } = await pool().query(`EXPLAIN WITH ${source} SELECT k, sum("costUsd") FROM src GROUP BY k`, params);
  const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
  expect(plan).toMatch(/UsageDaily/);
  // Whole days 1–27 from the daily level; the 28th's whole hours from the hourly rollups; the
  // events only of [10:00, 10:17) — plain instants the planner can use for an index range.
  const bounds = await rangeBounds(from, to, "UTC");
  expect([bounds.dfDay, bounds.dtDay, bounds.ht.toISOString()]).toEqual(["2026-11-01", "2026-11-28", "2026-11-28T10:00:00.000Z"]);
});

test("hourly buckets by one dimension read whole hours from the hourly per-dimension level; a filter on another dimension reads the rollups by attribution", async () => {
  const from = new Date("2026-11-21T10:00:00Z");
  const to = new Date("2026-11-28T10:17:00Z");
  const bounds = await rangeBounds(from, to, "UTC");
  const planOf = async (filter: Record<string, string>) => {
    const params: unknown[] = ["org", from, to, "UTC"];
    const source = spendSourceSql({ dimension: "team" }, filter, params, { bounds, bucket: "hour" });
    const { rows } = await pool().query(`EXPLAIN WITH ${source} SELECT bucket, k, sum("costUsd") FROM src GROUP BY bucket, k`, params);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  };
  const byTeam = await planOf({});
  expect(byTeam).toMatch(/UsageHourly/);
  expect(byTeam).not.toMatch(/UsageRollup|UsageDaily/);
  const oneTeam = await planOf({ team: "platform" });
  expect(oneTeam).toMatch(/UsageHourly/);
  expect(oneTeam).not.toMatch(/UsageRollup/);
  const byTeamForAModel = await planOf({ model: "gpt-4o" });
  expect(byTeamForAModel).toMatch(/UsageRollup/);
  expect(byTeamForAModel).not.toMatch(/UsageHourly|UsageDaily/);
});

test("a range that runs to now reads its last hour as the hour's rollup minus the events dated after now: exact, and a value seen only after now is no group", async () => {
  const { org, secret } = await createTestOrg({ timezone: "UTC" });
  const at = Date.now();
  const events = [
    { id: "past-hour", timestamp: new Date(at - 90_000).toISOString(), model: "gpt-4o", usage: { input_tokens: 1000, output_tokens: 100 } },
    { id: "yesterday", timestamp: new Date(at - 26 * HOUR).toISOString(), model: "gpt-4o", usage: { input_tokens: 2000, output_tokens: 10 } },
    // A client clock a little ahead (ingest takes up to 5 minutes): stored, but after the range.
    { id: "ahead", timestamp: new Date(at + 120_000).toISOString(), model: "gpt-4o-mini", usage: { input_tokens: 500, output_tokens: 5 } },
  ].map((e) => ({ ...e, provider: "openai" }));
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const from = new Date(at - 2 * 24 * HOUR);
  const to = new Date();
  expect((await rangeBounds(from, to, "UTC")).toHourEnd, "the last hour is read from its far side").not.toBeNull();
  const report = await spendReport({ orgId: org.id, timezone: "UTC", from, to, groupBy: "model" });
  const expected = await oracle(org.id, "UTC", from, to, "model");
  expect(norm(report.groups.map((g) => ({ key: g.key, cost: g.cost_usd, calls: g.calls })))).toEqual(norm(expected));
  expect(report.groups.map((g) => [g.key, g.calls])).toEqual([["gpt-4o", 2]]);
});
