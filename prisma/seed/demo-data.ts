// Creates a demo org (cost centers, teams, keys) and fills it with a month of generated agent traffic
// through the real ingest path (prepareEvents → storeEvents), so executions and hourly rollups
// agree with the events to the last digit.
import { randomBytes } from "node:crypto";
import { pool, prisma } from "../../lib/db";
import { prepareEvents, type TEventRow } from "../../lib/ingest/prepare";
import { sortRows, storeEvents } from "../../lib/ingest/store";
import { forgetDirectory } from "../../lib/ingest/directory";
import type { TAuthenticatedKey, TKeyScope } from "../../lib/keys/authenticate";
import { issueKey } from "../../lib/keys/issue";
import { exactUsd } from "../../lib/money";
import { createOrg } from "../../lib/orgs/create";
import { DEMO_AGENTS, DEMO_COST_CENTERS, DEMO_TEAMS } from "./cast";
import { detectDemoAnomalies } from "./anomalies";
import { generateDemoEvents, type TGeneratedEvent } from "./generate";
import { seedClaudeCodeTelemetry } from "./telemetry";

export const DEMO_KEY_NAME = "demo (dev)";
export const DEMO_KEY_SCOPES: TKeyScope[] = ["ingest", "read"];
const CHUNK = 2_000;

export type TSeedOptions = {
  slug: string;
  name?: string;
  timezone?: string;
  now?: Date;
  // Ordinary traffic stops at this many events; the retry loop and the runaway come on top.
  targetEvents?: number;
  log?: (line: string) => void;
};

export type TSeedResult = {
  orgId: string;
  orgSlug: string;
  demoKey: string;
  events: number;
  executions: number;
  totalUsd: string;
  retryLoopExecutionId: string;
  runawayExecutionId: string;
  // What the detectors found in the demo's history, by kind.
  anomalies: Record<string, number>;
  durationMs: number;
};

export const DEFAULT_TARGET_EVENTS = 52_000;

// The org is created under a temporary slug and renamed to `slug` only once every event is stored:
// a seed interrupted half-way (Ctrl-C during the first `npm run dev`) never leaves a half-filled org
// behind that later starts would take for the finished one.
export async function seedDemoData(options: TSeedOptions): Promise<TSeedResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const now = options.now ?? new Date();
  const timezone = options.timezone ?? "America/New_York";
  const stagingSlug = `${options.slug.slice(0, 30).replace(/-+$/, "")}-seeding-${randomBytes(4).toString("hex")}`;

  await removeAbandonedStagingOrgs(options.slug, log);
  const org = await createOrg({ slug: stagingSlug, name: options.name ?? "Demo Co", timezone });
  try {
    const db = prisma();
    await db.organization.update({ where: { id: org.id }, data: { plan: "TEAM" } });
    const costCenters = new Map<string, string>();
    for (const cc of DEMO_COST_CENTERS) {
      const row = await db.costCenter.create({ data: { orgId: org.id, code: cc.code, name: cc.name, ownerEmail: cc.ownerEmail } });
      costCenters.set(cc.code, row.id);
    }
    const teams = new Map<string, { id: string; costCenterId: string }>();
    for (const team of DEMO_TEAMS) {
      const costCenterId = costCenters.get(team.costCenter)!;
      const row = await db.team.create({ data: { orgId: org.id, slug: team.slug, name: team.name, costCenterId } });
      teams.set(team.slug, { id: row.id, costCenterId });
    }

    const base = { orgId: org.id, orgSlug: stagingSlug, orgTimezone: timezone, costCenterId: null, allowedModels: [], rpmLimit: null, expiresAt: null };
    const keys = new Map<string, TAuthenticatedKey>();
    for (const agent of DEMO_AGENTS) {
      const teamId = teams.get(agent.team)!.id;
      const name = `${agent.name} (${agent.team})`;
      const issued = await issueKey({ orgId: org.id, name, teamId, defaultAgent: agent.name, rpmLimit: 600 });
      keys.set(agent.name, { ...base, id: issued.id, name, prefix: issued.prefix, scopes: ["ingest"], teamId, defaultAgent: agent.name, rpmLimit: 600 });
    }
    const demo = await issueKey({ orgId: org.id, name: DEMO_KEY_NAME, scopes: DEMO_KEY_SCOPES });
    const demoKey: TAuthenticatedKey = { ...base, id: demo.id, name: DEMO_KEY_NAME, prefix: demo.prefix, scopes: DEMO_KEY_SCOPES, teamId: null, defaultAgent: null };

    const generated = generateDemoEvents({ now, timezone, targetEvents: options.targetEvents ?? DEFAULT_TARGET_EVENTS });
    const events = generated.events.sort((a, b) => a.at - b.at);
    log(`generated ${events.length} events in ${generated.executions} executions (${Math.round(performance.now() - started)} ms)`);

    // Prepare chunk k+1 in this process while Postgres stores chunk k.
    let storing: Promise<unknown> = Promise.resolve();
    let stored = 0;
    for (let i = 0; i < events.length; i += CHUNK) {
      const rows = await prepareChunk(events.slice(i, i + CHUNK), keys, demoKey, now);
      await storing;
      storing = storeEvents(sortRows(rows)).then((result) => {
        if (result.insertedCount !== rows.length) throw new Error(`stored ${result.insertedCount} of ${rows.length} events`);
        stored += rows.length;
      });
      // Awaited on the next turn; until then a failure must not count as unhandled.
      storing.catch(() => undefined);
    }
    await storing;

    // Two developers' Claude Code sessions, through the OpenTelemetry path with a key of their own.
    const platformTeam = teams.get("platform")!.id;
    const claude = await issueKey({ orgId: org.id, name: "claude-code (platform)", scopes: ["ingest"], teamId: platformTeam });
    stored += await seedClaudeCodeTelemetry(
      { ...base, id: claude.id, name: "claude-code (platform)", prefix: claude.prefix, scopes: ["ingest"], teamId: platformTeam, defaultAgent: null },
      now,
    );

    // The demo's keys were "used" when their events happened: the keys page must not say "never"
    // beside hundreds of dollars of spend.
    await pool().query(
      `UPDATE "VirtualKey" k SET "lastUsedAt" = u.last
         FROM (SELECT "keyId", max("occurredAt") AS last FROM "UsageEvent" WHERE "orgId" = $1 GROUP BY "keyId") u
        WHERE k."orgId" = $1 AND k.id = u."keyId"`,
      [org.id],
    );
    const anomalies = await detectDemoAnomalies(org.id, { velocityAt: new Date(generated.burstAt + 5_000), premiumAt: new Date(generated.premiumAt + 5_000) });
    log(`anomalies found in the demo's history: ${Object.entries(anomalies).map(([k, n]) => `${n} ${k}`).join(", ")}`);
    const { rows } = await pool().query(`SELECT coalesce(sum("costUsd"), 0)::text AS total FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
    await db.organization.update({ where: { id: org.id }, data: { slug: options.slug } });
    forgetDirectory(org.id);
    const durationMs = Math.round(performance.now() - started);
    log(`stored ${stored} events, ${exactUsd(rows[0].total)} in ${durationMs} ms`);
    return {
      orgId: org.id,
      orgSlug: options.slug,
      demoKey: demo.secret,
      events: stored,
      executions: generated.executions,
      totalUsd: rows[0].total,
      retryLoopExecutionId: generated.retryLoopExecutionId,
      runawayExecutionId: generated.runawayExecutionId,
      anomalies,
      durationMs,
    };
  } catch (err) {
    await deleteOrgAndUsage(org.id).catch(() => undefined);
    throw err;
  }
}

async function prepareChunk(chunk: TGeneratedEvent[], keys: Map<string, TAuthenticatedKey>, demoKey: TAuthenticatedKey, now: Date): Promise<TEventRow[]> {
  // prepareEvents takes one key per call: group the chunk by key.
  const byKey = new Map<TAuthenticatedKey, unknown[]>();
  for (const e of chunk) {
    const key = e.key === "demo" ? demoKey : keys.get(e.key.agent)!;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(e.event);
  }
  const rows: TEventRow[] = [];
  for (const [key, raw] of byKey) {
    const prepared = await prepareEvents(key, raw, now);
    if (prepared.rejected.length) {
      const first = prepared.rejected[0];
      throw new Error(`demo event ${first.id} rejected: ${JSON.stringify(first.errors)} (${prepared.rejected.length} rejected)`);
    }
    for (const row of prepared.rows) rows.push(row);
  }
  return rows;
}

// Usage tables carry no foreign keys (docs/architecture.md §4), so they are cleared by orgId before the org row.
export async function deleteOrgAndUsage(orgId: string): Promise<void> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    for (const table of ["UsageEvent", "Execution", "UsageRollup", "UsageHourly", "UsageDaily", "BudgetCounter", "BudgetAlert", "Outcome"]) {
      await client.query(`DELETE FROM "${table}" WHERE "orgId" = $1`, [orgId]);
    }
    await client.query(`DELETE FROM "Organization" WHERE id = $1`, [orgId]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// Orgs left by a seed that was killed before it finished (older than 10 minutes, so a seed running
// in another process right now is left alone).
async function removeAbandonedStagingOrgs(slug: string, log: (line: string) => void): Promise<void> {
  const prefix = `${slug.slice(0, 30).replace(/-+$/, "")}-seeding-`;
  const { rows } = await pool().query(
    `SELECT id, slug FROM "Organization" WHERE starts_with(slug, $1) AND "createdAt" < now() - interval '10 minutes'`,
    [prefix],
  );
  for (const row of rows) {
    log(`removing ${row.slug}, left over from an interrupted seed`);
    await deleteOrgAndUsage(row.id);
  }
}
