import { pool } from "../db";
import { Decimal } from "../money";
import { recentCallsAfterWrite, rememberCalls } from "./recent-calls";
import { anomalySettingsOf } from "./settings";

// The per-execution detectors (docs/architecture.md §6 "Anomalies"), run on the executions a write
// just touched — right after the events commit and before the write is answered, so the response
// that completes a loop already says "blocked" — and by the sweep job on every execution active in
// the last minutes (a crash between the two loses nothing). Two read-only index lookups (the
// executions, then the calls of those a call-level rule can fire on — after a write, usually from
// this process's memory of them instead, ./recent-calls.ts); the rules themselves are pure
// functions below. Only what they find goes on to ./record.ts (rare: most writes find nothing).
// Measured: comparing calls in SQL (a self-join) cost more than the ingest statement itself.
//
//   RETRY_LOOP      ≥ minCalls calls within windowMinutes with one fingerprint: the client's, or else
//                   same model, tool and error type with input and output sizes within ±tolerance %.
//                   Output size is part of it so that a conversation whose context grows by 1 % a
//                   turn (a normal agent) is not a loop; a failing retry's output is the same (0).
//   COST_SPIKE      one LLM call (a turn; not a tool's own cost) over the per-call limit (rule
//                   per_call), or the execution over factor × its agent's median finished execution
//                   (rule agent_median, AgentBaseline) that cost at least minUsd.
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

type TSettings = ReturnType<typeof anomalySettingsOf>;

// Each touched execution with what the whole-execution rules need: its totals, its org's settings,
// its agent's baseline, and which kinds a person already resolved for it. By the unique
// (orgId, executionId) — OFFSET 0 keeps the planner from joining the org's every execution.
const EXECUTIONS_SQL = `
SELECT e."orgId", e."executionId", e.agent, e."costUsd"::text AS "costUsd", e.calls, e."firstInputTokens", e."maxInputTokens",
       e."lastSeenAt", e."resumedAt", o."anomalySettings" AS settings,
       b."medianExecutionCostUsd"::text AS median, b."finishedExecutions" AS history,
       ARRAY(SELECT DISTINCT a.kind::text FROM "Anomaly" a
              WHERE a."orgId" = e."orgId" AND a."executionId" = e."executionId" AND a."resolvedAt" IS NOT NULL) AS resolved
  FROM (SELECT DISTINCT org, ex FROM unnest($1::text[], $2::text[]) AS t(org, ex)) t
  JOIN "Organization" o ON o.id = t.org
 CROSS JOIN LATERAL (SELECT * FROM "Execution" e WHERE e."orgId" = t.org AND e."executionId" = t.ex OFFSET 0) e
  LEFT JOIN "AgentBaseline" b ON b."orgId" = e."orgId" AND b.agent = e.agent`;

// Their calls since `since` (the loop window before the last call, or the resume), newest first, and
// the execution's call count in the same snapshot (what ./recent-calls.ts validates against).
const CALLS_SQL = `
SELECT t.org AS "orgId", t.ex AS "executionId", e.calls AS total, u."eventId", u."occurredAt", u.kind::text AS kind, u.model, u.tool,
       u."errorType", u.status::text AS status, u.fingerprint, u."costUsd"::text AS "costUsd",
       u."inputTokens" + u."cacheReadTokens" + u."cacheWriteTokens" AS input, u."outputTokens" AS output
  FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(org, ex, since)
 CROSS JOIN LATERAL (SELECT calls FROM "Execution" e WHERE e."orgId" = t.org AND e."executionId" = t.ex OFFSET 0) e
  LEFT JOIN LATERAL (
   SELECT * FROM "UsageEvent" u WHERE u."orgId" = t.org AND u."executionId" = t.ex AND u."occurredAt" > t.since
    ORDER BY u."occurredAt" DESC LIMIT 500) u ON true`;

export type TExecutionRow = {
  orgId: string;
  executionId: string;
  agent: string | null;
  costUsd: string;
  calls: number;
  firstInputTokens: number;
  maxInputTokens: number;
  lastSeenAt: Date;
  resumedAt: Date | null;
  settings: unknown;
  median: string | null;
  history: number | null;
  resolved: string[];
};

export type TCall = {
  eventId: string;
  occurredAt: Date;
  kind: string;
  model: string | null;
  tool: string | null;
  errorType: string | null;
  status: string;
  fingerprint: string | null;
  costUsd: string;
  input: number;
  output: number;
};

// An execution to look at; after an ingest write also its call count after the write and the calls
// the write inserted, so the recent calls can come from this process's memory (./recent-calls.ts).
// `row`: the execution as the write's own statement returned it (then nothing is read for it).
export type TDetectTarget = { orgId: string; executionId: string; row?: TExecutionRow; written?: { totalCalls: number; inserted: TCall[] } };

export async function detectExecutionAnomalies(executions: readonly TDetectTarget[]): Promise<TExecutionFinding[]> {
  if (executions.length === 0) return [];
  const db = pool();
  const given = executions.filter((e) => e.row).map((e) => e.row!);
  const toLoad = executions.filter((e) => !e.row);
  const rows = toLoad.length
    ? [
        ...given,
        ...(
          await db.query<TExecutionRow>({
            name: "burnrate_detect_executions_v1",
            text: EXECUTIONS_SQL,
            values: [toLoad.map((e) => e.orgId), toLoad.map((e) => e.executionId)],
          })
        ).rows,
      ]
    : given;
  const subjects = rows.map((row) => ({ row, settings: anomalySettingsOf(row.settings) }));
  // Calls are needed only where a call-level rule can still fire; this process may remember them.
  const written = new Map(executions.filter((e) => e.written).map((e) => [`${e.orgId}\u0000${e.executionId}`, e.written!]));
  const callsOf = new Map<string, TCall[]>();
  const toRead: { row: TExecutionRow; since: Date; windowMs: number }[] = [];
  for (const { row, settings } of subjects) {
    if (!((settings.retryLoop.enabled && row.calls >= settings.retryLoop.minCalls) || (settings.costSpike.enabled && settings.costSpike.perCallLimitUsd !== null))) continue;
    const k = `${row.orgId}\u0000${row.executionId}`;
    const windowMs = settings.retryLoop.windowMinutes * 60_000;
    const w = written.get(k);
    const remembered = w ? recentCallsAfterWrite(k, w.totalCalls, w.inserted, windowMs, row.resumedAt) : null;
    if (remembered) callsOf.set(k, remembered);
    else toRead.push({ row, windowMs, since: new Date(Math.max(row.lastSeenAt.getTime() - windowMs - 1, row.resumedAt?.getTime() ?? -Infinity)) });
  }
  if (toRead.length) {
    const { rows: calls } = await db.query<Partial<TCall> & { orgId: string; executionId: string; total: number }>({
      name: "burnrate_detect_calls_v2",
      text: CALLS_SQL,
      values: [toRead.map((n) => n.row.orgId), toRead.map((n) => n.row.executionId), toRead.map((n) => n.since)],
    });
    const totals = new Map<string, number>();
    for (const c of calls) {
      const k = `${c.orgId}\u0000${c.executionId}`;
      totals.set(k, Number(c.total));
      let list = callsOf.get(k);
      if (!list) callsOf.set(k, (list = []));
      if (c.eventId) list.push(c as TCall);
    }
    for (const { row, windowMs } of toRead) {
      const k = `${row.orgId}\u0000${row.executionId}`;
      if (totals.has(k)) rememberCalls(k, totals.get(k)!, callsOf.get(k) ?? [], windowMs);
    }
  }
  const findings: TExecutionFinding[] = [];
  for (const { row, settings } of subjects) {
    const calls = callsOf.get(`${row.orgId}\u0000${row.executionId}`) ?? [];
    const base = { orgId: row.orgId, executionId: row.executionId, agent: row.agent, executionCostUsd: row.costUsd };
    const w = written.get(`${row.orgId}\u0000${row.executionId}`);
    const fresh = w ? new Set(w.inserted.map((c) => c.eventId)) : undefined;
    const loop = settings.retryLoop.enabled ? findRetryLoop(calls, settings, fresh) : null;
    if (loop) findings.push({ ...base, kind: "RETRY_LOOP", costUsd: loop.cost_usd, block: settings.retryLoop.block, evidence: loop });
    const perCall = settings.costSpike.enabled ? findPerCallSpike(calls, settings, fresh) : null;
    if (perCall) findings.push({ ...base, kind: "COST_SPIKE", costUsd: perCall.cost_usd, block: settings.costSpike.blockPerCall, evidence: perCall });
    else if (settings.costSpike.enabled && !row.resolved.includes("COST_SPIKE")) {
      const spike = findMedianSpike(row, settings);
      if (spike) findings.push({ ...base, kind: "COST_SPIKE", costUsd: row.costUsd, block: settings.costSpike.block, evidence: spike });
    }
    if (settings.contextGrowth.enabled && !row.resolved.includes("CONTEXT_GROWTH")) {
      const growth = findContextGrowth(row, settings);
      if (growth) findings.push({ ...base, kind: "CONTEXT_GROWTH", costUsd: row.costUsd, block: settings.contextGrowth.block, evidence: growth });
    }
  }
  return findings;
}

// Two calls are "the same call": the same client fingerprint; or, without one, LLM calls with input
// to the same model and tool failing with the same error (or none), whose input and output sizes
// are within the tolerance of each other.
function sameKey(c: TCall): string | null {
  if (c.fingerprint) return `f:${c.fingerprint}`;
  if (c.kind !== "LLM" || c.input <= 0) return null;
  return `d:${c.model ?? ""}\u0001${c.tool ?? ""}\u0001${c.errorType ?? ""}`;
}

// Within tol of each other, relative to the larger (symmetric: a ≈ b exactly when b ≈ a).
const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= Math.max(a, b) * tol;

// The largest set of ≥ minCalls same calls within the window, anchored at its newest call (the
// anchor's sizes are the reference); ties go to the newest anchor. Pure: tested without a database.
// `anchors`: after an ingest write, only loops that end in one of its calls are looked for (a loop
// without them was found when its own calls arrived, or by the sweep, which passes none).
export function findRetryLoop(calls: readonly TCall[], settings: TSettings, anchors?: ReadonlySet<string>): TRetryLoopEvidence | null {
  const { minCalls, windowMinutes, sizeTolerancePercent } = settings.retryLoop;
  const windowMs = windowMinutes * 60_000;
  const tol = sizeTolerancePercent / 100;
  const groups = new Map<string, { call: TCall; t: number }[]>();
  for (const c of calls) {
    const k = sameKey(c);
    if (!k) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push({ call: c, t: c.occurredAt.getTime() });
  }
  let best: { anchor: TCall; t: number; members: TCall[] } | null = null;
  for (const group of groups.values()) {
    if (group.length < minCalls) continue;
    group.sort((a, b) => a.t - b.t || (a.call.eventId < b.call.eventId ? -1 : 1));
    for (let i = 0; i < group.length; i++) {
      const { call: anchor, t: end } = group[i];
      if (anchors && !anchors.has(anchor.eventId)) continue;
      const members: TCall[] = [];
      // Sorted by time: walk back from the anchor to the start of its window.
      for (let j = i; j >= 0 && group[j].t >= end - windowMs; j--) {
        const b = group[j].call;
        if (anchor.fingerprint || (near(b.input, anchor.input, tol) && near(b.output, anchor.output, tol))) members.push(b);
      }
      // Calls at the anchor's very instant but sorted after it belong to its window too.
      for (let j = i + 1; j < group.length && group[j].t === end; j++) {
        const b = group[j].call;
        if (anchor.fingerprint || (near(b.input, anchor.input, tol) && near(b.output, anchor.output, tol))) members.push(b);
      }
      if (members.length < minCalls) continue;
      if (!best || members.length > best.members.length || (members.length === best.members.length && end >= best.t)) best = { anchor, t: end, members };
    }
  }
  if (!best) return null;
  const { anchor } = best;
  const members = best.members.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.eventId < b.eventId ? -1 : 1));
  let cost = new Decimal(0);
  for (const m of members) cost = cost.plus(m.costUsd);
  return {
    rule: "retry_loop",
    calls: members.length,
    errors: members.filter((m) => m.status === "ERROR").length,
    fingerprint: anchor.fingerprint,
    model: anchor.model,
    tool: anchor.tool,
    error_type: anchor.errorType,
    input_tokens: anchor.input,
    first_at: members[0].occurredAt.toISOString(),
    last_at: anchor.occurredAt.toISOString(),
    first_event_id: members[0].eventId,
    cost_usd: cost.toFixed(),
  };
}

// The costliest LLM call over the per-call limit (a tool's own cost is not a turn).
// `only`: after an ingest write, just its calls (the others were checked when they arrived).
export function findPerCallSpike(calls: readonly TCall[], settings: TSettings, only?: ReadonlySet<string>): TPerCallEvidence | null {
  const limit = settings.costSpike.perCallLimitUsd;
  if (limit === null) return null;
  // A float look first (most calls cost cents), the exact decimal comparison for the few near or over.
  const rough = Number(limit) * 0.999;
  let worst: TCall | null = null;
  for (const c of calls) {
    if (c.kind !== "LLM" || Number(c.costUsd) <= rough || (only && !only.has(c.eventId))) continue;
    if (!new Decimal(c.costUsd).gt(limit)) continue;
    if (!worst || new Decimal(c.costUsd).gt(worst.costUsd)) worst = c;
  }
  if (!worst) return null;
  return { rule: "per_call", event_id: worst.eventId, at: worst.occurredAt.toISOString(), model: worst.model, cost_usd: new Decimal(worst.costUsd).toFixed(), limit_usd: new Decimal(limit).toFixed() };
}

export function findMedianSpike(row: Pick<TExecutionRow, "costUsd" | "median" | "history">, settings: TSettings): TMedianEvidence | null {
  const { factor, minHistory, minUsd } = settings.costSpike;
  if (row.median === null || (row.history ?? 0) < minHistory) return null;
  const median = new Decimal(row.median);
  const cost = new Decimal(row.costUsd);
  if (median.lte(0) || !cost.gt(median.times(factor)) || cost.lt(minUsd)) return null;
  return { rule: "agent_median", cost_usd: cost.toFixed(), median_usd: median.toFixed(), factor: cost.div(median).toDecimalPlaces(1).toNumber(), history: row.history ?? 0 };
}

export function findContextGrowth(row: Pick<TExecutionRow, "firstInputTokens" | "maxInputTokens" | "calls">, settings: TSettings): TContextGrowthEvidence | null {
  const { factor, minInputTokens } = settings.contextGrowth;
  if (row.firstInputTokens <= 0 || row.maxInputTokens < factor * row.firstInputTokens || row.maxInputTokens < minInputTokens) return null;
  return {
    rule: "context_growth",
    first_input_tokens: row.firstInputTokens,
    max_input_tokens: row.maxInputTokens,
    growth: Math.round((row.maxInputTokens / row.firstInputTokens) * 10) / 10,
    calls: Number(row.calls),
  };
}
