import { pool } from "../db";
import { settingSql } from "./settings";

// The per-execution detectors (docs/architecture.md §6 "Anomalies"), run on the executions a write
// just touched — right after the events commit and before the write is answered, so the response
// that completes a loop already says "blocked" — and by the sweep job on every execution active in
// the last minutes (a crash between the two loses nothing). One read-only statement; only what it
// finds goes on to ./record.ts (rare: most writes find nothing).
//
//   RETRY_LOOP      ≥ minCalls calls within windowMinutes with one fingerprint: the client's, or else
//                   same model, tool and error type with input and output sizes within ±tolerance %.
//                   Output size is part of it so that a conversation whose context grows by 1 % a
//                   turn (a normal agent) is not a loop; a failing retry's output is the same (0).
//   COST_SPIKE      one LLM call (a turn; not a tool's own cost) over the per-call limit (rule per_call), or the execution over factor ×
//                   its agent's median finished execution (rule agent_median, AgentBaseline).
//   CONTEXT_GROWTH  largest call input ≥ factor × the first LLM call's, and ≥ minInputTokens.
//
// Loops and per-call spikes are looked for in the calls after the execution was last resumed; the
// two whole-execution rules stay quiet for an execution once a person resolved them (resuming it).

export type TFindingKind = "RETRY_LOOP" | "COST_SPIKE" | "CONTEXT_GROWTH";

export type TRetryLoopEvidence = {
  rule: "retry_loop";
  calls: number;
  errors: number;
  fingerprint: string | null;
  model: string | null;
  tool: string | null;
  error_type: string | null;
  input_tokens: number;
  first_at: string;
  last_at: string;
  first_event_id: string;
  cost_usd: string;
};
export type TPerCallEvidence = { rule: "per_call"; event_id: string; at: string; model: string | null; cost_usd: string; limit_usd: string };
export type TMedianEvidence = { rule: "agent_median"; cost_usd: string; median_usd: string; factor: number; history: number };
export type TContextGrowthEvidence = { rule: "context_growth"; first_input_tokens: number; max_input_tokens: number; growth: number; calls: number };

export type TExecutionFinding = {
  orgId: string;
  executionId: string;
  agent: string | null;
  kind: TFindingKind;
  // The money it is about: the loop's calls, the call, or the execution so far.
  costUsd: string;
  executionCostUsd: string;
  block: boolean;
  evidence: TRetryLoopEvidence | TPerCallEvidence | TMedianEvidence | TContextGrowthEvidence;
};

const S = (kind: Parameters<typeof settingSql>[1], name: string) => settingSql("x.s", kind, name as never);

const DETECT_SQL = `
WITH t AS (SELECT DISTINCT org, ex FROM unnest($1::text[], $2::text[]) AS t(org, ex)),
x AS MATERIALIZED (
  SELECT e."orgId", e."executionId", e.agent, e."costUsd", e.calls, e."firstInputTokens", e."maxInputTokens",
         e."lastSeenAt", e."resumedAt", o."anomalySettings" AS s
    FROM t JOIN "Execution" e ON e."orgId" = t.org AND e."executionId" = t.ex
    JOIN "Organization" o ON o.id = e."orgId"
),
-- The execution's calls in the loop window before its last call (after a resume), newest first.
ev AS MATERIALIZED (
  SELECT x."orgId", x."executionId", u."eventId", u."occurredAt", u.kind, u.model, u.tool, u."errorType", u.status,
         u.fingerprint, u."costUsd", u."inputTokens" + u."cacheReadTokens" + u."cacheWriteTokens" AS input,
         u."outputTokens" AS output, make_interval(mins => ${S("retryLoop", "windowMinutes")}::int) AS win,
         ${S("retryLoop", "sizeTolerancePercent")} / 100.0 AS tol
    FROM x CROSS JOIN LATERAL (
      SELECT * FROM "UsageEvent" u
       WHERE u."orgId" = x."orgId" AND u."executionId" = x."executionId"
         AND u."occurredAt" >= x."lastSeenAt" - make_interval(mins => ${S("retryLoop", "windowMinutes")}::int)
         AND (x."resumedAt" IS NULL OR u."occurredAt" > x."resumedAt")
       ORDER BY u."occurredAt" DESC LIMIT 500
    ) u
   WHERE ${S("retryLoop", "enabled")} OR (${S("costSpike", "enabled")} AND ${S("costSpike", "perCallLimitUsd")} IS NOT NULL)
),
-- For each call: the calls like it in the window that ends with it (itself included).
rl AS (
  SELECT a."orgId", a."executionId", a."occurredAt", count(*) AS calls,
         count(*) FILTER (WHERE b.status = 'ERROR') AS errors, min(b."occurredAt") AS "firstAt",
         (array_agg(b."eventId" ORDER BY b."occurredAt", b."eventId"))[1] AS "firstEventId", sum(b."costUsd") AS cost,
         a.fingerprint, a.model, a.tool, a."errorType", a.input
    FROM ev a JOIN x ON x."orgId" = a."orgId" AND x."executionId" = a."executionId"
    JOIN ev b ON b."orgId" = a."orgId" AND b."executionId" = a."executionId"
     AND b."occurredAt" <= a."occurredAt" AND b."occurredAt" >= a."occurredAt" - a.win
     AND CASE WHEN a.fingerprint IS NOT NULL THEN b.fingerprint = a.fingerprint
              ELSE b.fingerprint IS NULL AND a.kind = 'LLM' AND b.kind = 'LLM' AND a.input > 0
               AND b.model IS NOT DISTINCT FROM a.model AND b.tool IS NOT DISTINCT FROM a.tool
               AND b."errorType" IS NOT DISTINCT FROM a."errorType"
               AND abs(b.input - a.input) <= a.input * a.tol AND abs(b.output - a.output) <= a.output * a.tol END
   WHERE ${S("retryLoop", "enabled")}
   GROUP BY a."orgId", a."executionId", a."eventId", a."occurredAt", a.fingerprint, a.model, a.tool, a."errorType", a.input, x.s
  HAVING count(*) >= ${S("retryLoop", "minCalls")}
),
loop AS (
  SELECT DISTINCT ON ("orgId", "executionId") * FROM rl ORDER BY "orgId", "executionId", calls DESC, "occurredAt" DESC
),
per_call AS (
  SELECT DISTINCT ON (ev."orgId", ev."executionId") ev.*, ${S("costSpike", "perCallLimitUsd")} AS "limit"
    FROM ev JOIN x ON x."orgId" = ev."orgId" AND x."executionId" = ev."executionId"
   WHERE ${S("costSpike", "enabled")} AND ev.kind = 'LLM' AND ev."costUsd" > ${S("costSpike", "perCallLimitUsd")}
   ORDER BY ev."orgId", ev."executionId", ev."costUsd" DESC, ev."occurredAt"
),
resolved AS (
  SELECT a."orgId", a."executionId", a.kind FROM "Anomaly" a JOIN t ON a."orgId" = t.org AND a."executionId" = t.ex
   WHERE a."resolvedAt" IS NOT NULL AND a.kind IN ('COST_SPIKE', 'CONTEXT_GROWTH')
)
SELECT x."orgId", x."executionId", x.agent, 'RETRY_LOOP' AS kind, loop.cost::text AS cost, x."costUsd"::text AS "executionCost",
       ${S("retryLoop", "block")} AS block,
       json_build_object('rule', 'retry_loop', 'calls', loop.calls, 'errors', loop.errors, 'fingerprint', loop.fingerprint,
                         'model', loop.model, 'tool', loop.tool, 'error_type', loop."errorType", 'input_tokens', loop.input,
                         'first_at', loop."firstAt", 'last_at', loop."occurredAt", 'first_event_id', loop."firstEventId",
                         'cost_usd', trim_scale(loop.cost)::text) AS evidence
  FROM loop JOIN x ON x."orgId" = loop."orgId" AND x."executionId" = loop."executionId"
UNION ALL
SELECT x."orgId", x."executionId", x.agent, 'COST_SPIKE', p."costUsd"::text, x."costUsd"::text, ${S("costSpike", "blockPerCall")},
       json_build_object('rule', 'per_call', 'event_id', p."eventId", 'at', p."occurredAt", 'model', p.model,
                         'cost_usd', trim_scale(p."costUsd")::text, 'limit_usd', trim_scale(p."limit")::text)
  FROM per_call p JOIN x ON x."orgId" = p."orgId" AND x."executionId" = p."executionId"
UNION ALL
SELECT x."orgId", x."executionId", x.agent, 'COST_SPIKE', x."costUsd"::text, x."costUsd"::text, ${S("costSpike", "block")},
       json_build_object('rule', 'agent_median', 'cost_usd', trim_scale(x."costUsd")::text, 'median_usd', trim_scale(b."medianExecutionCostUsd")::text,
                         'factor', round(x."costUsd" / b."medianExecutionCostUsd", 1), 'history', b."finishedExecutions")
  FROM x JOIN "AgentBaseline" b ON b."orgId" = x."orgId" AND b.agent = x.agent
 WHERE ${S("costSpike", "enabled")} AND b."finishedExecutions" >= ${S("costSpike", "minHistory")}
   AND b."medianExecutionCostUsd" > 0 AND x."costUsd" > ${S("costSpike", "factor")} * b."medianExecutionCostUsd"
   AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r."orgId" = x."orgId" AND r."executionId" = x."executionId" AND r.kind = 'COST_SPIKE')
   AND NOT EXISTS (SELECT 1 FROM per_call p WHERE p."orgId" = x."orgId" AND p."executionId" = x."executionId")
UNION ALL
SELECT x."orgId", x."executionId", x.agent, 'CONTEXT_GROWTH', x."costUsd"::text, x."costUsd"::text, ${S("contextGrowth", "block")},
       json_build_object('rule', 'context_growth', 'first_input_tokens', x."firstInputTokens", 'max_input_tokens', x."maxInputTokens",
                         'growth', round(x."maxInputTokens"::numeric / x."firstInputTokens", 1), 'calls', x.calls)
  FROM x
 WHERE ${S("contextGrowth", "enabled")} AND x."firstInputTokens" > 0
   AND x."maxInputTokens" >= ${S("contextGrowth", "factor")} * x."firstInputTokens"
   AND x."maxInputTokens" >= ${S("contextGrowth", "minInputTokens")}
   AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r."orgId" = x."orgId" AND r."executionId" = x."executionId" AND r.kind = 'CONTEXT_GROWTH')`;

type TRow = { orgId: string; executionId: string; agent: string | null; kind: TFindingKind; cost: string; executionCost: string; block: boolean; evidence: TExecutionFinding["evidence"] };

export async function detectExecutionAnomalies(executions: readonly { orgId: string; executionId: string }[]): Promise<TExecutionFinding[]> {
  if (executions.length === 0) return [];
  const { rows } = await pool().query<TRow>({
    name: "burnrate_detect_v1",
    text: DETECT_SQL,
    values: [executions.map((e) => e.orgId), executions.map((e) => e.executionId)],
  });
  return rows.map((r) => ({
    orgId: r.orgId,
    executionId: r.executionId,
    agent: r.agent,
    kind: r.kind,
    costUsd: r.cost,
    executionCostUsd: r.executionCost,
    block: r.block,
    evidence: normalizeTimes(r.evidence),
  }));
}

// json_build_object writes timestamps as Postgres text ("2026-11-28T10:00:00.123+00:00"): ISO, UTC.
function normalizeTimes<T>(evidence: T): T {
  const out = { ...evidence } as Record<string, unknown>;
  for (const key of ["first_at", "last_at", "at"]) if (typeof out[key] === "string") out[key] = new Date(out[key] as string).toISOString();
  return out as T;
}
