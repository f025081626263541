import { pool } from "../db";
import { env } from "../env";
import { resolveRates } from "../pricing";
import { detectExecutionAnomalies } from "./detect";
import { toFinding } from "./on-ingest";
import { recordFindings, type TFinding } from "./record";
import { anomalySettingsOf } from "./settings";

// The anomaly jobs (lib/jobs/registry.ts):
//   sweepAnomalies — every 30 s: the per-execution detectors again on every execution with a call
//     in the last 5 minutes (what a crash between an ingest's commit and its detection left
//     undetected is found here; the open key makes a repeat a no-op), then the scope detectors,
//     which look at a whole org or agent rather than one execution:
//       VELOCITY      the org's or an agent's spend in the last minute above the org's limit, or
//                     above factor × its trailing 24 h average per minute (and ≥ the minimum);
//       MODEL_MISUSE  an agent that used one model for ≥ 90 % of its calls over 30 days calling a
//                     model at ≥ 5× that model's input price in the last hour;
//     and closes scope anomalies whose cause is gone (velocity quiet for 10 minutes, a premium
//     model not called for 24 hours), so the next episode opens a new one.

const QUIET_VELOCITY_MINUTES = 10;
const QUIET_MODEL_HOURS = 24;

// orgIds: only these orgs (tests); the job sweeps every org.
export async function sweepAnomalies(orgIds?: readonly string[]): Promise<{ executions: number; opened: number; blocked: number; resolved: number }> {
  if (env().ANOMALY_DETECTION === "off") return { executions: 0, opened: 0, blocked: 0, resolved: 0 };
  const { rows: active } = await pool().query<{ orgId: string; executionId: string }>(
    `SELECT e."orgId", e."executionId" FROM "Organization" o
       CROSS JOIN LATERAL (SELECT "orgId", "executionId" FROM "Execution"
                            WHERE "orgId" = o.id AND "lastSeenAt" > now() - interval '5 minutes') e
      WHERE o."deletedAt" IS NULL AND ($1::text[] IS NULL OR o.id = ANY($1::text[]))`,
    [orgIds ?? null],
  );
  let opened = 0;
  let blocked = 0;
  for (let i = 0; i < active.length; i += 500) {
    const found = await detectExecutionAnomalies(active.slice(i, i + 500));
    const recorded = await recordFindings(found.map(toFinding));
    opened += recorded.opened;
    blocked += recorded.blocked.size;
  }
  const scope = await recordFindings([...(await velocityFindings(orgIds)), ...(await modelMisuseFindings(orgIds))]);
  const resolved = await resolveQuietScopeAnomalies(orgIds);
  return { executions: active.length, opened: opened + scope.opened, blocked, resolved };
}

type TVelocityRow = { orgId: string; agent: string | null; whole: boolean; lastMinute: string; perMinute24h: string; limit: string | null; factor: string; settings: unknown };

// As of `at` (default now): the demo seed replays its history through the same rule.
export async function velocityFindings(orgIds?: readonly string[], at?: Date): Promise<TFinding[]> {
  const { rows } = await pool().query<TVelocityRow>(
    `WITH recent AS (
       SELECT o.id AS "orgId", o."anomalySettings" AS settings, e.agent, e."costUsd"
         FROM "Organization" o
        CROSS JOIN LATERAL (SELECT agent, "costUsd" FROM "UsageEvent"
                             WHERE "orgId" = o.id AND "occurredAt" > coalesce($2::timestamptz, now()) - interval '1 minute'
                               AND "occurredAt" <= coalesce($2::timestamptz, now())) e
        WHERE o."deletedAt" IS NULL AND ($1::text[] IS NULL OR o.id = ANY($1::text[]))
     ),
     -- The whole org (whole = true) and each named agent.
     minute AS (
       SELECT "orgId", agent, GROUPING(agent) = 1 AS whole, sum("costUsd") AS spent, (array_agg(settings))[1] AS settings
         FROM recent GROUP BY GROUPING SETS (("orgId"), ("orgId", agent))
     )
     SELECT m."orgId", CASE WHEN m.whole THEN NULL ELSE m.agent END AS agent, m.whole, m.spent::text AS "lastMinute", m.settings,
            (coalesce((SELECT sum(r."costUsd") FROM "UsageRollup" r
                        WHERE r."orgId" = m."orgId" AND r.hour > coalesce($2::timestamptz, now()) - interval '24 hours'
                          AND r.hour <= coalesce($2::timestamptz, now()) AND (m.whole OR r.agent = m.agent)), 0) / 1440)::text AS "perMinute24h"
       FROM minute m WHERE m.spent > 0 AND (m.whole OR m.agent IS NOT NULL)
      ORDER BY m."orgId", m.whole`,
    [orgIds ?? null, at ?? null],
  );
  const findings: TFinding[] = [];
  for (const r of rows) {
    const s = anomalySettingsOf(r.settings).velocity;
    if (!s.enabled) continue;
    const spent = Number(r.lastMinute);
    const baseline = Number(r.perMinute24h);
    if (spent < Number(s.minUsdPerMinute)) continue;
    const overLimit = s.limitUsdPerMinute !== null && spent > Number(s.limitUsdPerMinute);
    const overFactor = spent > s.factor * baseline;
    if (!overLimit && !overFactor) continue;
    // One episode, one anomaly: the org's own only when no single agent explains it.
    if (r.whole && findings.some((f) => f.orgId === r.orgId)) continue;
    findings.push({
      orgId: r.orgId,
      kind: "VELOCITY",
      subject: r.agent === null ? "org" : `agent:${r.agent}`,
      executionId: null,
      agent: r.agent,
      costUsd: r.lastMinute,
      block: false,
      at,
      evidence: {
        rule: "velocity",
        usd_per_minute: r.lastMinute,
        baseline_usd_per_minute: Number(r.perMinute24h).toFixed(6),
        limit_usd_per_minute: overLimit ? s.limitUsdPerMinute : null,
        factor: baseline > 0 ? Math.round((spent / baseline) * 10) / 10 : null,
      },
    });
  }
  return findings;
}

type TModelRow = { orgId: string; agent: string; model: string; provider: string | null; calls: number; cost: string; usualModel: string; usualShare: number; settings: unknown };

export async function modelMisuseFindings(orgIds?: readonly string[], at?: Date): Promise<TFinding[]> {
  const now = at ?? new Date();
  const { rows } = await pool().query<TModelRow>(
    `SELECT u."orgId", u.agent, u.model, sum(u.calls)::int AS calls, sum(u."costUsd")::text AS cost,
            b."usualModel", b."usualModelShare" AS "usualShare", o."anomalySettings" AS settings
       FROM "Organization" o
       JOIN "AgentBaseline" b ON b."orgId" = o.id AND b."usualModel" IS NOT NULL
       JOIN "UsageRollup" u ON u."orgId" = o.id AND u.agent = b.agent
        AND u.hour > coalesce($2::timestamptz, now()) - interval '2 hours' AND u.hour <= coalesce($2::timestamptz, now())
      WHERE o."deletedAt" IS NULL AND ($1::text[] IS NULL OR o.id = ANY($1::text[])) AND u.model <> b."usualModel" AND u.model <> ''
      GROUP BY 1, 2, 3, 6, 7, 8`,
    [orgIds ?? null, at ?? null],
  );
  const findings: TFinding[] = [];
  for (const r of rows) {
    const s = anomalySettingsOf(r.settings).modelMisuse;
    if (!s.enabled || r.usualShare * 100 < s.usualSharePercent) continue;
    const premium = resolveRates({ model: r.model, at: now })?.rates.inputMtok;
    const usual = resolveRates({ model: r.usualModel, at: now })?.rates.inputMtok;
    if (!premium || !usual || usual.isZero() || premium.lt(usual.times(s.priceFactor))) continue;
    findings.push({
      orgId: r.orgId,
      kind: "MODEL_MISUSE",
      subject: `agent:${r.agent}|model:${r.model}`,
      executionId: null,
      agent: r.agent,
      costUsd: r.cost,
      block: false,
      at,
      evidence: {
        rule: "model_misuse",
        model: r.model,
        calls: r.calls,
        cost_usd: r.cost,
        usual_model: r.usualModel,
        usual_share_percent: Math.round(r.usualShare * 1000) / 10,
        price_factor: Math.round(premium.div(usual).toNumber() * 10) / 10,
      },
    });
  }
  return findings;
}

async function resolveQuietScopeAnomalies(orgIds?: readonly string[]): Promise<number> {
  const { rowCount } = await pool().query(
    `UPDATE "Anomaly" SET "resolvedAt" = now(), "resolvedBy" = 'burnrate (the cause is gone)'
      WHERE "resolvedAt" IS NULL AND ($3::text[] IS NULL OR "orgId" = ANY($3::text[]))
        AND ((kind = 'VELOCITY' AND "updatedAt" < now() - make_interval(mins => $1::int))
          OR (kind = 'MODEL_MISUSE' AND "updatedAt" < now() - make_interval(hours => $2::int)))`,
    [QUIET_VELOCITY_MINUTES, QUIET_MODEL_HOURS, orgIds ?? null],
  );
  return rowCount ?? 0;
}
