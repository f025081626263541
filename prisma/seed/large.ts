// A year of agent traffic for one org at volume (npm run seed:large), written by SQL rather than
// through the HTTP API: 10 million events take minutes this way instead of hours. The derived
// tables are then built from the events by the same definitions ingest maintains (executions,
// org-local hourly rollups, budget counters backfilled under the budget lock), and
// checkLargeSeed() proves events = rollups = executions = counters to the last digit.
//
// Prices are the real catalogue's (lib/pricing), resolved once per model and applied in SQL;
// the seed test prices a sample of the seeded events with priceCall() and expects the same cost.
import { pool, prisma } from "../../lib/db";
import { createBudget } from "../../lib/budgets/manage";
import { issueKey } from "../../lib/keys/issue";
import { createOrg } from "../../lib/orgs/create";
import { resolveRates } from "../../lib/pricing";
import { LOCAL_HOUR_START } from "../../lib/rollups/buckets";
import { refreshAgentBaselines } from "../../lib/anomalies/baselines";
import { DAILY_DIMENSIONS, DAILY_UNPIVOT, LOCAL_DAY } from "../../lib/rollups/daily";
import { LOCAL_PERIOD_START } from "../../lib/budgets/sql";

export type TLargeSeedOptions = {
  slug: string;
  name?: string;
  timezone?: string;
  events: number;
  executions: number;
  months: number;
  now?: Date;
  log?: (line: string) => void;
};

export type TLargeSeedResult = { orgId: string; events: number; executions: number; rollups: number; seconds: number };

// Models the seeded agents call, by weight; every one must be flat-priced in the catalogue (no
// long-context tier below the seed's largest prompt) so one rate set prices every call.
const MODELS = [
  { provider: "anthropic", model: "claude-sonnet-4-20250514", weight: 45 },
  { provider: "anthropic", model: "claude-3-5-haiku-20241022", weight: 20 },
  { provider: "openai", model: "gpt-4.1", weight: 15 },
  { provider: "openai", model: "gpt-4o-mini", weight: 12 },
  { provider: "anthropic", model: "claude-opus-4-1-20250805", weight: 5 },
  { provider: "google", model: "gemini-2.5-pro", weight: 3 },
] as const;

const COST_CENTERS = [
  { code: "ENG-100", name: "Engineering" },
  { code: "DATA-200", name: "Data & ML" },
  { code: "OPS-300", name: "Operations" },
  { code: "SUP-400", name: "Customer support" },
];
const TEAMS = [
  { slug: "platform", name: "Platform", cc: 0 },
  { slug: "growth", name: "Growth", cc: 0 },
  { slug: "web", name: "Web", cc: 0 },
  { slug: "ml", name: "Machine Learning", cc: 1 },
  { slug: "data", name: "Data", cc: 1 },
  { slug: "sre", name: "SRE", cc: 2 },
  { slug: "support", name: "Support", cc: 3 },
  { slug: "docs", name: "Docs", cc: 3 },
];
// Two agents per team, one key each.
const AGENTS = TEAMS.flatMap((team, t) => [
  { name: `${team.slug}-coder`, team: t },
  { name: `${team.slug}-reviewer`, team: t },
]);
const USERS_PER_TEAM = 6;
const REPOS_PER_TEAM = 3;
// Largest prompt the generator makes (context grows with the call number): below every tier.
const MAX_PROMPT_TOKENS = 150_000;

// Executions at most this many calls, so the events average out at events / executions; one
// execution has exactly 200 calls (the benchmarked detail page), a retry storm.
const DETAIL_EXECUTION_CALLS = 200;

export function largeDetailExecutionId(slug: string): string {
  return `${slug}-storm`;
}

export async function seedLargeOrg(options: TLargeSeedOptions): Promise<TLargeSeedResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const now = options.now ?? new Date();
  const timezone = options.timezone ?? "America/New_York";
  const db = prisma();

  const org = await createOrg({ slug: options.slug, name: options.name ?? "Large Co", timezone });
  await db.organization.update({ where: { id: org.id }, data: { plan: "TEAM" } });
  const costCenters = [];
  for (const cc of COST_CENTERS) costCenters.push(await db.costCenter.create({ data: { orgId: org.id, code: cc.code, name: cc.name } }));
  const teams = [];
  for (const team of TEAMS) teams.push(await db.team.create({ data: { orgId: org.id, slug: team.slug, name: team.name, costCenterId: costCenters[team.cc].id } }));
  const keys = [];
  for (const agent of AGENTS) {
    keys.push(await issueKey({ orgId: org.id, name: `${agent.name} key`, teamId: teams[agent.team].id, defaultAgent: agent.name }));
  }

  // Catalogue rates at `now` per model: USD per million tokens, as exact decimal strings.
  const rates = MODELS.map((m) => {
    const resolved = resolveRates({ provider: m.provider, model: m.model, at: now });
    if (!resolved || resolved.rates.perRequestUsd || resolved.rates.tiers.some((tier) => tier.aboveInputTokens < MAX_PROMPT_TOKENS)) {
      throw new Error(`${m.model}: not flat-priced in the catalogue; the large seed cannot price it in SQL`);
    }
    const r = resolved.rates;
    return {
      ...m,
      input: r.inputMtok.toString(),
      output: r.outputMtok.toString(),
      cacheRead: (r.cacheReadMtok ?? r.inputMtok).toString(),
      cacheWrite: (r.cacheWriteMtok ?? r.inputMtok).toString(),
    };
  });
  const weightTotal = MODELS.reduce((sum, m) => sum + m.weight, 0);
  let cumulative = 0;
  const modelRows = rates.map((m, i) => {
    const from = cumulative / weightTotal;
    cumulative += m.weight;
    return { i, ...m, from, to: cumulative / weightTotal };
  });

  const client = await pool().connect();
  try {
    await client.query("SET work_mem = '256MB'");
    await client.query("SET maintenance_work_mem = '512MB'");
    // Deterministic for one (slug, options): the same seed draws the same traffic.
    await client.query("SELECT setseed($1)", [((slugNumber(options.slug) % 2000) - 1000) / 1000]);
    await client.query(`CREATE TEMP TABLE seed_model (i int, provider text, model text, p_from float8, p_to float8,
                          r_in numeric, r_out numeric, r_cr numeric, r_cw numeric) ON COMMIT PRESERVE ROWS`);
    for (const m of modelRows) {
      await client.query(`INSERT INTO seed_model VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [m.i, m.provider, m.model, m.from, m.to, m.input, m.output, m.cacheRead, m.cacheWrite]);
    }
    await client.query(`CREATE TEMP TABLE seed_agent (i int, agent text, key_id text, team_id text, cc_id text, team_i int)`);
    for (const [i, agent] of AGENTS.entries()) {
      await client.query(`INSERT INTO seed_agent VALUES ($1, $2, $3, $4, $5, $6)`, [i, agent.name, keys[i].id, teams[agent.team].id, costCenters[TEAMS[agent.team].cc].id, agent.team]);
    }

    // Executions: a start time spread over the months (weekdays busier), an agent, a model, a call
    // count averaging events / executions, a gap between calls; numbered in start order so events
    // can be written in time order, chunk by chunk (index-friendly appends).
    const meanCalls = options.events / options.executions;
    const spanSeconds = options.months * 30.4375 * 86_400;
    log(`planning ${options.executions.toLocaleString("en-US")} executions over ${options.months} months…`);
    await client.query(
      `CREATE TEMP TABLE seed_exec AS
       WITH draw AS (
         SELECT g, random() AS r_time, random() AS r_agent, random() AS r_model, random() AS r_calls,
                random() AS r_gap, random() AS r_user, random() AS r_repo, random() AS r_task
           FROM generate_series(1, $1::int) g
       ), shaped AS (
         SELECT d.*,
                -- 1 .. 2×mean-1 calls (mean = events / executions); execution 1 is the 200-call storm.
                CASE WHEN g = 1 THEN ${DETAIL_EXECUTION_CALLS} ELSE 1 + floor(d.r_calls * (2 * $2::float8 - 1))::int END AS calls,
                (3 + floor(d.r_gap * 40))::int AS gap_s
           FROM draw d
       )
       SELECT row_number() OVER (ORDER BY started, g) AS n, s.*
         FROM (SELECT sh.*,
                      -- the storm is recent (this week), the rest anywhere in the span, ending before now
                      CASE WHEN g = 1 THEN $3::timestamptz - interval '2 days'
                           ELSE $3::timestamptz - make_interval(secs => sh.r_time * $4::float8) - make_interval(secs => sh.calls * sh.gap_s) END AS started
                 FROM shaped sh) s`,
      [options.executions, meanCalls, now, spanSeconds],
    );
    const { rows: planned } = await client.query(`SELECT sum(calls)::bigint AS calls FROM seed_exec`);
    log(`${Number(planned[0].calls).toLocaleString("en-US")} events planned`);

    const chunk = Math.max(1, Math.floor(500_000 / meanCalls));
    const executionCount = options.executions;
    const eventColumns = `"orgId", "eventId", "occurredAt", "receivedAt", "keyId", kind, provider, model, "inputTokens", "outputTokens",
      "cacheReadTokens", "cacheWriteTokens", "reasoningTokens", "costUsd", "costSource", "executionId", task, agent, "userId", "teamId",
      "costCenterId", repository, "pullRequest", attempt, status, "errorType", tool, "latencyMs"`;
    for (let from = 1; from <= executionCount; from += chunk) {
      const to = Math.min(executionCount, from + chunk - 1);
      await client.query(
        `INSERT INTO "UsageEvent" (${eventColumns})
         SELECT $1, x.execution_id || '-' || lpad(c::text, 4, '0'), x.started + make_interval(secs => c * x.gap_s), now(),
                a.key_id, CASE WHEN tool_call THEN 'TOOL'::"EventKind" ELSE 'LLM'::"EventKind" END,
                m.provider, m.model, u.input, u.output, u.cache_read, u.cache_write, 0,
                round((u.input * m.r_in + u.output * m.r_out + u.cache_read * m.r_cr + u.cache_write * m.r_cw) / 1000000, 12),
                'CATALOG', x.execution_id, x.task, a.agent,
                -- people work on their team's repositories
                'dev' || lpad((a.team_i * ${USERS_PER_TEAM} + floor(x.r_user * ${USERS_PER_TEAM}))::text, 3, '0') || '@large.example',
                a.team_id, a.cc_id, 'large/' || a.team_i || '-' || (floor(x.r_repo * ${REPOS_PER_TEAM}))::int,
                CASE WHEN x.r_repo < 0.3 THEN (1000 + floor(x.r_repo * 3000))::text END,
                u.attempt, CASE WHEN u.failed THEN 'ERROR'::"EventStatus" ELSE 'OK'::"EventStatus" END,
                CASE WHEN u.failed THEN 'rate_limit' END, CASE WHEN tool_call THEN 'bash' END, 800 + u.output * 12
           FROM (SELECT e.*, CASE WHEN e.g = 1 THEN $2 || '-storm' ELSE $2 || '-ex-' || lpad(e.n::text, 7, '0') END AS execution_id,
                        'task-' || (floor(e.r_task * 400))::int AS task
                   FROM seed_exec e WHERE e.n BETWEEN $3 AND $4) x
           JOIN seed_agent a ON a.i = floor(x.r_agent * ${AGENTS.length})::int
           JOIN seed_model m ON x.r_model >= m.p_from AND x.r_model < m.p_to
          CROSS JOIN LATERAL generate_series(1, x.calls) c
          CROSS JOIN LATERAL (SELECT (x.g = 1 OR (c % 7 = 0 AND x.r_gap < 0.2)) AS looping, (c % 5 = 0) AS tool_call) k
          CROSS JOIN LATERAL (
            SELECT -- context grows with each call; most of it is a cache read
                   (1200 + (c * 900) % 20000) AS input,
                   (200 + (c * 137 + x.n) % 1800)::int AS output,
                   least(c * 2500, ${MAX_PROMPT_TOKENS - 30_000}) AS cache_read,
                   CASE WHEN c = 1 THEN 4000 ELSE 0 END AS cache_write,
                   CASE WHEN k.looping THEN 1 + c % 4 ELSE 1 END AS attempt,
                   k.looping AND c % 4 <> 0 AS failed
          ) u
          ORDER BY 3`,
        [org.id, options.slug, from, to],
      );
      log(`  events of executions ${from.toLocaleString("en-US")}–${to.toLocaleString("en-US")} written`);
    }

    log("building executions from the events…");
    await client.query(
      `INSERT INTO "Execution" (id, "orgId", "executionId", agent, task, "teamId", "userId", repository, "pullRequest",
         "firstSeenAt", "lastSeenAt", calls, "toolCalls", errors, retries, "inputTokens", "outputTokens", "cacheReadTokens",
         "cacheWriteTokens", "maxInputTokens", "costUsd", "retryCostUsd", status, "endedAt")
       SELECT gen_random_uuid()::text, "orgId", "executionId", min(agent), min(task), min("teamId"), min("userId"), min(repository),
              min("pullRequest"), min("occurredAt"), max("occurredAt"), count(*), count(*) FILTER (WHERE kind = 'TOOL'),
              count(*) FILTER (WHERE status = 'ERROR'), count(*) FILTER (WHERE attempt > 1), sum("inputTokens"), sum("outputTokens"),
              sum("cacheReadTokens"), sum("cacheWriteTokens"), max("inputTokens" + "cacheReadTokens" + "cacheWriteTokens"),
              sum("costUsd"), coalesce(sum("costUsd") FILTER (WHERE attempt > 1), 0),
              -- finished unless it called in the last hour
              CASE WHEN max("occurredAt") > $2::timestamptz - interval '1 hour' THEN 'RUNNING'::"ExecutionStatus"
                   WHEN bool_or(status = 'ERROR') AND random() < 0.1 THEN 'FAILED'::"ExecutionStatus" ELSE 'DONE'::"ExecutionStatus" END,
              CASE WHEN max("occurredAt") > $2::timestamptz - interval '1 hour' THEN NULL ELSE max("occurredAt") END
         FROM "UsageEvent" WHERE "orgId" = $1 GROUP BY "orgId", "executionId"
        -- In the order ingest creates them (an execution's row is made at its first call), so the
        -- table's physical layout is production's: reads of a time range touch few pages.
        ORDER BY min("occurredAt")`,
      [org.id, now],
    );
    log("building hourly rollups (org-local hours) from the events…");
    await client.query(
      `INSERT INTO "UsageRollup" ("orgId", hour, "keyId", "teamId", "costCenterId", agent, model, "userId", repository,
         calls, errors, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
       SELECT e."orgId", ${LOCAL_HOUR_START('e."occurredAt"', "$2")}, e."keyId", coalesce(e."teamId", ''), coalesce(e."costCenterId", ''),
              coalesce(e.agent, ''), coalesce(e.model, ''), coalesce(e."userId", ''), coalesce(e.repository, ''),
              count(*), count(*) FILTER (WHERE e.status = 'ERROR'), sum(e."inputTokens"), sum(e."outputTokens"),
              sum(e."cacheReadTokens"), sum(e."cacheWriteTokens"), sum(e."costUsd"), count(*) FILTER (WHERE e."costSource" = 'UNPRICED')
         FROM "UsageEvent" e WHERE e."orgId" = $1
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        ORDER BY 2`,
      [org.id, timezone],
    );
    log("building hourly per-dimension rollups from the hourly ones…");
    await client.query(
      `INSERT INTO "UsageHourly" ("orgId", hour, dimension, value, calls, errors, "inputTokens", "outputTokens",
         "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
       SELECT r."orgId", r.hour, dd.dimension, dd.value, sum(r.calls), sum(r.errors), sum(r."inputTokens"),
              sum(r."outputTokens"), sum(r."cacheReadTokens"), sum(r."cacheWriteTokens"), sum(r."costUsd"), sum(r."unpricedCalls")
         FROM "UsageRollup" r CROSS JOIN LATERAL ${DAILY_UNPIVOT("r", true)}
        WHERE r."orgId" = $1
        GROUP BY 1, 2, 3, 4
        ORDER BY 2`,
      [org.id],
    );
    log("building daily per-dimension rollups (org-local days) from the hourly ones…");
    await client.query(
      `INSERT INTO "UsageDaily" ("orgId", day, dimension, value, calls, errors, "inputTokens", "outputTokens",
         "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
       SELECT r."orgId", ${LOCAL_DAY("r.hour", "$2")}, dd.dimension, dd.value, sum(r.calls), sum(r.errors), sum(r."inputTokens"),
              sum(r."outputTokens"), sum(r."cacheReadTokens"), sum(r."cacheWriteTokens"), sum(r."costUsd"), sum(r."unpricedCalls")
         FROM "UsageRollup" r CROSS JOIN LATERAL ${DAILY_UNPIVOT("r", true)}
        WHERE r."orgId" = $1
        GROUP BY 1, 2, 3, 4
        ORDER BY 2`,
      [org.id, timezone],
    );
    await client.query(`ANALYZE "UsageEvent"`);
    await client.query(`ANALYZE "UsageHourly"`);
    await client.query(`ANALYZE "UsageDaily"`);
    await client.query(`ANALYZE "Execution"`);
    await client.query(`ANALYZE "UsageRollup"`);
  } finally {
    await client.query("DISCARD TEMP").catch(() => undefined);
    client.release();
  }

  // Budgets as a lead would set them, created through lib/budgets (counters backfilled from the
  // rollups under the budget lock): the org's month, a team's month, an agent's day.
  log("creating budgets (counters backfilled)…");
  const { rows: month } = await pool().query(
    `SELECT coalesce(sum("costUsd"), 0)::text AS spent FROM "UsageEvent"
      WHERE "orgId" = $1 AND "occurredAt" >= ${LOCAL_PERIOD_START("month", "$2::timestamptz", "$3")}`,
    [org.id, now, timezone],
  );
  const monthSpend = Number(month[0].spent);
  await createBudget(org.id, null, { name: "Company monthly", scope: "ORG", amountUsd: String(Math.max(100, Math.ceil(monthSpend * 1.6))), period: "MONTH" });
  await createBudget(org.id, null, { name: "Platform monthly", scope: "TEAM", scopeValue: teams[0].id, amountUsd: String(Math.max(50, Math.ceil(monthSpend / 4))), period: "MONTH" });
  await createBudget(org.id, null, { name: "Platform coder daily", scope: "AGENT", scopeValue: AGENTS[0].name, amountUsd: "200", period: "DAY" });
  // What the agent-baselines job would have computed by now (the overview's outlier mark reads it).
  log("computing agent baselines…");
  await refreshAgentBaselines([org.id]);

  const counts = await pool().query(
    `SELECT (SELECT count(*) FROM "UsageEvent" WHERE "orgId" = $1)::bigint AS events,
            (SELECT count(*) FROM "Execution" WHERE "orgId" = $1)::bigint AS executions,
            (SELECT count(*) FROM "UsageRollup" WHERE "orgId" = $1)::bigint AS rollups`,
    [org.id],
  );
  return {
    orgId: org.id,
    events: Number(counts.rows[0].events),
    executions: Number(counts.rows[0].executions),
    rollups: Number(counts.rows[0].rollups),
    seconds: (performance.now() - started) / 1000,
  };
}

export type TLargeSeedCheck = { ok: boolean; failures: string[]; eventsUsd: string };

// events = rollups (hourly, and hourly and daily per dimension) = executions = counters: totals, calls and tokens of the derived tables equal
// the events', and every budget counter equals the sum of its period's events in its scope.
export async function checkLargeSeed(orgId: string): Promise<TLargeSeedCheck> {
  const failures: string[] = [];
  const { rows } = await pool().query(
    `SELECT (SELECT row(sum("costUsd"), count(*), sum("inputTokens"), sum("cacheReadTokens"))::text FROM "UsageEvent" WHERE "orgId" = $1) AS events,
            (SELECT row(sum("costUsd"), sum(calls), sum("inputTokens"), sum("cacheReadTokens"))::text FROM "UsageRollup" WHERE "orgId" = $1) AS rollups,
            (SELECT row(sum("costUsd"), sum(calls), sum("inputTokens"), sum("cacheReadTokens"))::text FROM "Execution" WHERE "orgId" = $1) AS executions,
            (SELECT sum("costUsd")::text FROM "UsageEvent" WHERE "orgId" = $1) AS events_usd,
            -- every dimension of the daily level sums to all the events
            (SELECT array_agg(DISTINCT row(s, c)::text) FROM (SELECT sum("costUsd") AS s, sum(calls) AS c FROM "UsageDaily" WHERE "orgId" = $1 GROUP BY dimension) d) AS daily,
            (SELECT count(DISTINCT dimension)::int FROM "UsageDaily" WHERE "orgId" = $1) AS daily_dimensions,
            -- and so does every dimension of the hourly one
            (SELECT array_agg(DISTINCT row(s, c)::text) FROM (SELECT sum("costUsd") AS s, sum(calls) AS c FROM "UsageHourly" WHERE "orgId" = $1 GROUP BY dimension) h) AS hourly,
            (SELECT count(DISTINCT dimension)::int FROM "UsageHourly" WHERE "orgId" = $1) AS hourly_dimensions,
            (SELECT row(sum("costUsd"), count(*))::text FROM "UsageEvent" WHERE "orgId" = $1) AS events_cost_calls`,
    [orgId],
  );
  const totals = rows[0];
  if (totals.rollups !== totals.events) failures.push(`rollups ${totals.rollups} ≠ events ${totals.events}`);
  if (totals.executions !== totals.events) failures.push(`executions ${totals.executions} ≠ events ${totals.events}`);
  if (totals.daily_dimensions !== DAILY_DIMENSIONS.length || totals.daily?.length !== 1 || totals.daily[0] !== totals.events_cost_calls) {
    failures.push(`daily rollups ${JSON.stringify(totals.daily)} over ${totals.daily_dimensions} dimensions ≠ events ${totals.events_cost_calls}`);
  }
  if (totals.hourly_dimensions !== DAILY_DIMENSIONS.length || totals.hourly?.length !== 1 || totals.hourly[0] !== totals.events_cost_calls) {
    failures.push(`hourly per-dimension rollups ${JSON.stringify(totals.hourly)} over ${totals.hourly_dimensions} dimensions ≠ events ${totals.events_cost_calls}`);
  }
  // Each counter against the events of its budget's scope and period, summed independently here.
  const { rows: counters } = await pool().query(
    `SELECT b.name, c."periodStart", c."spentUsd"::text AS counter,
            (SELECT coalesce(sum(e."costUsd"), 0) FROM "UsageEvent" e
              WHERE e."orgId" = b."orgId"
                AND e."occurredAt" >= c."periodStart"
                AND e."occurredAt" < (c."periodStart" AT TIME ZONE o.timezone
                      + CASE b.period WHEN 'DAY' THEN interval '1 day' WHEN 'WEEK' THEN interval '1 week' ELSE interval '1 month' END) AT TIME ZONE o.timezone
                AND CASE b.scope WHEN 'ORG' THEN true WHEN 'TEAM' THEN e."teamId" = b."scopeValue" WHEN 'AGENT' THEN e.agent = b."scopeValue" END
            )::text AS events
       FROM "BudgetCounter" c JOIN "Budget" b ON b.id = c."budgetId" AND b."orgId" = c."orgId" JOIN "Organization" o ON o.id = c."orgId"
      WHERE c."orgId" = $1 AND b.scope IN ('ORG', 'TEAM', 'AGENT') AND b.period <> 'TOTAL'`,
    [orgId],
  );
  if (!counters.length) failures.push("no budget counters");
  for (const row of counters) {
    if (row.counter !== row.events) failures.push(`${row.name} ${row.periodStart.toISOString()}: counter ${row.counter} ≠ events ${row.events}`);
  }
  return { ok: failures.length === 0, failures, eventsUsd: totals.events_usd ?? "0" };
}

function slugNumber(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}
