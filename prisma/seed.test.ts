import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../lib/db";
import { authenticateKey, clearKeyCache } from "../lib/keys/authenticate";
import { ensureSeededOrg, seedDemoData, type TSeedResult } from "./seed";
import { deleteOrgAndUsage } from "./seed/demo-data";
import { DEMO_DAYS, generateDemoEvents } from "./seed/generate";

const uniqueSlug = (prefix: string) => `${prefix}-${randomBytes(5).toString("hex")}`;
const createdOrgs: string[] = [];

async function one<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T> {
  const { rows } = await pool().query(sql, params);
  return rows[0] as T;
}

afterAll(async () => {
  // The test database is kept between runs: do not let 50,000 demo events pile up in it.
  for (const orgId of createdOrgs) await deleteOrgAndUsage(orgId);
});

test("the generator is deterministic and stays inside the window", () => {
  const now = new Date("2026-03-10T15:30:00Z");
  const a = generateDemoEvents({ now, timezone: "America/New_York", targetEvents: 3_000 });
  const b = generateDemoEvents({ now, timezone: "America/New_York", targetEvents: 3_000 });
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  const times = a.events.map((e) => e.at);
  expect(Math.min(...times)).toBeGreaterThanOrEqual(now.getTime() - DEMO_DAYS * 24 * 3600_000);
  expect(Math.max(...times)).toBeLessThanOrEqual(now.getTime());
  expect(new Set(a.events.map((e) => e.event.id)).size).toBe(a.events.length);
  // Another day, another time: the same calls, tokens and costs, only at other times (and so other PR numbers).
  const c = generateDemoEvents({ now: new Date("2026-07-04T02:05:00Z"), timezone: "America/New_York", targetEvents: 3_000 });
  const content = (g: typeof a) => g.events.map((e) => JSON.stringify([e.event.model, e.event.usage, e.event.attempt, e.event.status, e.event.error_type, e.event.tool])).sort();
  expect([c.events.length, c.executions, c.runawayCostUsd]).toEqual([a.events.length, a.executions, a.runawayCostUsd]);
  expect(content(c)).toEqual(content(a));
});

describe("the full demo month", () => {
  let seed: TSeedResult;
  const now = new Date();

  beforeAll(async () => {
    seed = await seedDemoData({ slug: uniqueSlug("seed"), name: "Seed Test Co", now });
    createdOrgs.push(seed.orgId);
  }, 120_000);

  test("has at least 50,000 events over 30 days, and the org's structure", async () => {
    const events = await one<{ n: number; first: Date; last: Date; agents: number }>(
      `SELECT count(*)::int AS n, min("occurredAt") AS first, max("occurredAt") AS last, count(DISTINCT agent)::int AS agents
         FROM "UsageEvent" WHERE "orgId" = $1`,
      [seed.orgId],
    );
    expect(events.n).toBeGreaterThanOrEqual(50_000);
    expect(events.n).toBe(seed.events);
    // The six agents of the cast, and two developers' Claude Code (through the OTLP path).
    expect(events.agents).toBe(7);
    expect(now.getTime() - events.first.getTime()).toBeGreaterThan(29 * 24 * 3600_000);
    expect(events.last.getTime()).toBeLessThanOrEqual(now.getTime());

    const org = await one<{ slug: string; teams: number; costCenters: number; agentKeys: number; demoKeys: number }>(
      `SELECT o.slug,
              (SELECT count(*)::int FROM "Team" WHERE "orgId" = o.id) AS teams,
              (SELECT count(*)::int FROM "CostCenter" WHERE "orgId" = o.id) AS "costCenters",
              (SELECT count(DISTINCT "defaultAgent")::int FROM "VirtualKey" WHERE "orgId" = o.id AND "teamId" IS NOT NULL) AS "agentKeys",
              (SELECT count(*)::int FROM "VirtualKey" WHERE "orgId" = o.id AND "teamId" IS NULL AND scopes @> ARRAY['ingest','read']) AS "demoKeys"
         FROM "Organization" o WHERE o.id = $1`,
      [seed.orgId],
    );
    expect(org).toEqual({ slug: seed.orgSlug, teams: 3, costCenters: 2, agentKeys: 6, demoKeys: 1 });

    // Every event is priced or is a tool call, and the usual shapes are all there.
    const mix = await one<{ unpricedLlm: number; tools: number; errors: number; retries: number; reported: number }>(
      `SELECT count(*) FILTER (WHERE kind = 'LLM' AND "costSource" = 'UNPRICED')::int AS "unpricedLlm",
              count(*) FILTER (WHERE kind = 'TOOL')::int AS tools,
              count(*) FILTER (WHERE status = 'ERROR')::int AS errors,
              count(*) FILTER (WHERE attempt > 1)::int AS retries,
              count(*) FILTER (WHERE "costSource" = 'REPORTED')::int AS reported
         FROM "UsageEvent" WHERE "orgId" = $1`,
      [seed.orgId],
    );
    expect(mix.unpricedLlm).toBe(0);
    expect(mix.tools).toBeGreaterThan(1_000);
    expect(mix.errors).toBeGreaterThan(100);
    expect(mix.retries).toBeGreaterThan(100);
    expect(mix.reported).toBeGreaterThan(0);

    // The demo key opens the org.
    clearKeyCache();
    const key = await authenticateKey(seed.demoKey);
    expect(typeof key === "object" && key.orgSlug).toBe(seed.orgSlug);
  });

  test("has a retry loop: the same failing call with attempts 1..8", async () => {
    const { rows } = await pool().query(
      `SELECT attempt, model, "errorType", "inputTokens" + "cacheReadTokens" + "cacheWriteTokens" AS input
         FROM "UsageEvent" WHERE "orgId" = $1 AND "executionId" = $2 AND status = 'ERROR' ORDER BY attempt`,
      [seed.orgId, seed.retryLoopExecutionId],
    );
    expect(rows.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(rows.map((r) => `${r.model}|${r.errorType}|${r.input}`)).size).toBe(1);
    const execution = await one<{ errors: number; retries: number }>(
      `SELECT errors, retries FROM "Execution" WHERE "orgId" = $1 AND "executionId" = $2`,
      [seed.orgId, seed.retryLoopExecutionId],
    );
    expect(execution).toEqual({ errors: 8, retries: 7 });
  });

  test("has a runaway migration-bot execution of about $40", async () => {
    const execution = await one<{ agent: string; cost: string; inRange: boolean; calls: number; daysAgo: number }>(
      `SELECT agent, "costUsd"::text AS cost, "costUsd" BETWEEN 35 AND 45 AS "inRange", calls,
              (extract(epoch FROM ($3::timestamptz - "lastSeenAt")) / 86400)::float8 AS "daysAgo"
         FROM "Execution" WHERE "orgId" = $1 AND "executionId" = $2`,
      [seed.orgId, seed.runawayExecutionId, now],
    );
    expect(execution.agent).toBe("migration-bot");
    expect(execution.inRange).toBe(true);
    expect(execution.calls).toBeGreaterThanOrEqual(50);
    expect(execution.daysAgo).toBeLessThan(2);
    // It is the most expensive execution of the month.
    const top = await one<{ executionId: string }>(
      `SELECT "executionId" FROM "Execution" WHERE "orgId" = $1 ORDER BY "costUsd" DESC LIMIT 1`,
      [seed.orgId],
    );
    expect(top.executionId).toBe(seed.runawayExecutionId);
  });

  test("the detectors find one of each kind in the demo's history: the loop blocked, the runaway flagged twice over", async () => {
    for (const kind of ["RETRY_LOOP", "COST_SPIKE", "CONTEXT_GROWTH", "VELOCITY", "MODEL_MISUSE"]) expect(seed.anomalies[kind] ?? 0).toBeGreaterThanOrEqual(1);
    const { rows } = await pool().query<{ kind: string; executionId: string | null; agent: string | null; blocked: boolean; status: string | null }>(
      `SELECT a.kind::text, a."executionId", a.agent, a.blocked, e.status::text
         FROM "Anomaly" a LEFT JOIN "Execution" e ON e."orgId" = a."orgId" AND e."executionId" = a."executionId"
        WHERE a."orgId" = $1 ORDER BY a."detectedAt"`,
      [seed.orgId],
    );
    const about = (id: string) => rows.filter((r) => r.executionId === id).map((r) => r.kind).sort();
    expect(rows.find((r) => r.kind === "RETRY_LOOP")).toMatchObject({ executionId: seed.retryLoopExecutionId, blocked: true, status: "BLOCKED" });
    expect(about(seed.runawayExecutionId)).toEqual(expect.arrayContaining(["CONTEXT_GROWTH", "COST_SPIKE"]));
    expect(rows.find((r) => r.kind === "VELOCITY")).toMatchObject({ agent: "eval-runner" });
    expect(rows.find((r) => r.kind === "MODEL_MISUSE")).toMatchObject({ agent: "support-triage" });
    // A handful, not a storm: a lead can read them all.
    expect(rows.length).toBeLessThanOrEqual(12);
  });

  test("two developers' Claude Code sessions came through the OpenTelemetry path: by repository and person, and the integrations page's receipt", async () => {
    const { rows } = await pool().query(
      `SELECT repository, "userId" AS user, count(*) FILTER (WHERE kind = 'LLM')::int AS calls, count(*) FILTER (WHERE kind = 'TOOL')::int AS tools,
              count(DISTINCT "sessionId")::int AS sessions, bool_and("costSource" IN ('REPORTED', 'NONE')) AS reported
         FROM "UsageEvent" WHERE "orgId" = $1 AND agent = 'claude-code' GROUP BY 1, 2 ORDER BY 1`,
      [seed.orgId],
    );
    expect(rows).toEqual([
      { repository: "acme/api", user: "maya@acme.dev", calls: 36, tools: 27, sessions: 3, reported: true },
      { repository: "acme/web", user: "alice@acme.dev", calls: 36, tools: 27, sessions: 3, reported: true },
    ]);
    const receipt = await one<{ n: number }>(`SELECT count(*)::int AS n FROM "TelemetryReceipt" WHERE "orgId" = $1 AND source = 'claude_code' AND signal = 'LOGS'`, [seed.orgId]);
    expect(receipt.n).toBe(1);
  });

  test("every key with spend shows when it was last used (its last event), never 'never'", async () => {
    const { rows } = await pool().query(
      `SELECT k.prefix, k."lastUsedAt", max(e."occurredAt") AS last
         FROM "VirtualKey" k JOIN "UsageEvent" e ON e."orgId" = k."orgId" AND e."keyId" = k.id
        WHERE k."orgId" = $1 GROUP BY k.id`,
      [seed.orgId],
    );
    expect(rows.length).toBeGreaterThan(1);
    // At least its last event (a test above also authenticates the demo key, which counts as a use).
    for (const row of rows) expect(row.lastUsedAt?.getTime(), row.prefix).toBeGreaterThanOrEqual(row.last.getTime());
  });

  test("events, rollups and executions agree to the last digit", async () => {
    const sums = await one<Record<string, string | number>>(
      `SELECT (SELECT sum("costUsd")::text FROM "UsageEvent" WHERE "orgId" = $1) AS events,
              (SELECT sum("costUsd")::text FROM "UsageRollup" WHERE "orgId" = $1) AS rollups,
              (SELECT sum("costUsd")::text FROM "UsageEvent" WHERE "orgId" = $1 AND "executionId" IS NOT NULL) AS "executionEvents",
              (SELECT sum("costUsd")::text FROM "Execution" WHERE "orgId" = $1) AS executions,
              (SELECT count(*)::int FROM "UsageEvent" WHERE "orgId" = $1) AS "eventCalls",
              (SELECT sum(calls)::int FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupCalls",
              (SELECT count(*)::int FROM "UsageEvent" WHERE "orgId" = $1 AND "executionId" IS NOT NULL) AS "executionEventCalls",
              (SELECT sum(calls)::int FROM "Execution" WHERE "orgId" = $1) AS "executionCalls"`,
      [seed.orgId],
    );
    expect(sums.rollups).toBe(sums.events);
    expect(sums.executions).toBe(sums.executionEvents);
    expect(sums.rollupCalls).toBe(sums.eventCalls);
    expect(sums.executionCalls).toBe(sums.executionEventCalls);
    expect(sums.events).toBe(seed.totalUsd);
    // A month of agents for a mid-size team: hundreds to low thousands of dollars.
    expect(Number(sums.events)).toBeGreaterThan(500);
    expect(Number(sums.events)).toBeLessThan(5_000);

    // Typical executions cost cents to a few dollars.
    const median = await one<{ median: string }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY "costUsd")::text AS median FROM "Execution" WHERE "orgId" = $1`,
      [seed.orgId],
    );
    expect(Number(median.median)).toBeGreaterThan(0.005);
    expect(Number(median.median)).toBeLessThan(3);
  });
});

describe("ensureSeededOrg", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "burnrate-seed-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("creates once, then only reads the key file; replaces a missing or stale key", async () => {
    const slug = uniqueSlug("ensure");
    const keyFile = path.join(dir, "nested", "demo-key.txt");
    const first = await ensureSeededOrg({ slug, name: "Ensure Co", keyFile, targetEvents: 2_000 });
    createdOrgs.push(first.seed!.orgId);
    expect(first.created).toBe(true);
    expect(first.orgSlug).toBe(slug);
    expect((await readFile(keyFile, "utf8")).trim()).toBe(first.demoKey);
    // The retry loop and the runaway are there even in a small seed.
    expect(first.seed!.events).toBeGreaterThanOrEqual(2_000 + 8 + 50);

    const started = performance.now();
    const again = await ensureSeededOrg({ slug, name: "Ensure Co", keyFile });
    const elapsed = performance.now() - started;
    expect(again).toEqual({ orgSlug: slug, demoKey: first.demoKey, created: false });
    expect(elapsed).toBeLessThan(100);
    const { n } = await one<{ n: number }>(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [first.seed!.orgId]);
    expect(n).toBe(first.seed!.events);

    // Key file gone: a new "demo (dev)" key is issued and saved.
    await rm(keyFile);
    const reissued = await ensureSeededOrg({ slug, name: "Ensure Co", keyFile });
    expect(reissued.created).toBe(false);
    expect(reissued.demoKey).not.toBe(first.demoKey);
    expect((await readFile(keyFile, "utf8")).trim()).toBe(reissued.demoKey);
    clearKeyCache();
    const key = await authenticateKey(reissued.demoKey);
    expect(typeof key === "object" && [key.orgSlug, key.name, key.scopes]).toEqual([slug, "demo (dev)", ["ingest", "read"]]);

    // A key file from another database (or a revoked key) is replaced too.
    await pool().query(`UPDATE "VirtualKey" SET "revokedAt" = now() WHERE "orgId" = $1 AND name = 'demo (dev)'`, [first.seed!.orgId]);
    const replaced = await ensureSeededOrg({ slug, name: "Ensure Co", keyFile });
    expect(replaced.demoKey).not.toBe(reissued.demoKey);
    expect((await readFile(keyFile, "utf8")).trim()).toBe(replaced.demoKey);
  });
});
