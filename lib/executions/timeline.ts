// One execution's detail (/[org]/executions/[id]): its summary, the timeline of its calls for the
// chart, the split by subagent, and a keyset-paged table of its calls.
//
// Everything reads this execution's own events through the (orgId, executionId, occurredAt) index —
// the one place a page reads raw events (docs/architecture.md). Money stays exact: per-call and
// cumulative costs are numeric in SQL (a window sum), strings here; the chart also gets them as
// numbers, for drawing only.
import { z } from "zod";
import { ZUsableInstant } from "../http/dates";
import { textProblem } from "../ingest/storable";
import { pool } from "../db";
import { badRequest } from "../errors";
import { formatUsd } from "../money";
import { fitsBigint } from "./list";
import { EXECUTION_SUMMARY_COLUMNS, toExecutionSummary, type TExecutionSummary } from "../reports/executions";
import { executionAnomalies } from "../anomalies/list";
import type { TAnomalyRow } from "../anomalies/list";

// The chart draws at most this many calls (the first ones) and says so; beyond that, bars thinner
// than a pixel help nobody. The table pages through all of them.
export const CHART_MAX_CALLS = 500;
export const CALLS_PAGE_SIZE = 100;

export type TTimelineCall = {
  // 1-based position in the execution, in time order.
  n: number;
  at: string;
  kind: "llm" | "tool";
  provider: string | null;
  model: string | null;
  // Uncached input; cache read and cache write are separate, as providers bill them.
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  // Everything the model read: uncached + cache read + cache write (the context size).
  context_tokens: number;
  cost_usd: string;
  cost_source: "reported" | "catalog" | "override" | "unpriced" | "none";
  attempt: number;
  status: "ok" | "error";
  error_type: string | null;
  tool: string | null;
  latency_ms: number | null;
  subagent: string | null;
};

// One bar of the chart: plain, serialisable, numbers for drawing and exact strings for tooltips.
export type TTimelinePoint = {
  n: number;
  at: string;
  kind: "llm" | "tool";
  model: string | null;
  tool: string | null;
  subagent: string | null;
  attempt: number;
  retry: boolean;
  error: boolean;
  error_type: string | null;
  cost: number;
  cost_usd: string;
  context_tokens: number;
  cumulative: number;
  cumulative_usd: string;
};

export type TSubagentShare = {
  // null: calls of the main agent (no subagent named).
  subagent: string | null;
  calls: number;
  cost_usd: string;
  // Share of the execution's cost, in percent with one decimal ("62.5"); of its calls when it cost nothing.
  share_percent: string;
};

export type TExecutionDetail = TExecutionSummary & {
  duration_ms: number;
  max_context_tokens: number;
  blocked_at: string | null;
  blocked_reason: string | null;
  // When a person last let it run again after a block (it stays on the page once the banner is gone).
  resumed_at: string | null;
  team_name: string | null;
  cost_center: string | null;
};

// Where an anomaly's own calls begin on the chart: a retry loop's first call, the call over the
// per-call limit (by the client's event id, else the first call at or after its time).
export type TTimelineMarker = { n: number; anomalyId: string; kind: "RETRY_LOOP" | "COST_SPIKE"; label: string; resolved: boolean };

export type TExecutionTimeline = {
  execution: TExecutionDetail;
  chart: { points: TTimelinePoint[]; capped: boolean; markers: TTimelineMarker[] };
  // The execution's anomalies, unresolved first, newest first (lib/anomalies/list.ts).
  anomalies: TAnomalyRow[];
  subagents: TSubagentShare[];
  calls: TTimelineCall[];
  // The next page of the call table; null on the last page.
  nextCallsCursor: string | null;
  // Position of the table's first row (1-based), for "calls 101–200 of 450".
  callsFrom: number;
};

const CALL_COLUMNS = `
  ev.id::text AS event_id, ev."occurredAt" AS at, ev.kind::text AS kind, ev.provider, ev.model,
  ev."inputTokens" AS input_tokens, ev."outputTokens" AS output_tokens, ev."cacheReadTokens" AS cache_read_tokens,
  ev."cacheWriteTokens" AS cache_write_tokens, ev."reasoningTokens" AS reasoning_tokens, ev."costUsd"::text AS cost_usd,
  ev."costSource"::text AS cost_source, ev.attempt, ev.status::text AS status, ev."errorType" AS error_type, ev.tool,
  ev."latencyMs" AS latency_ms, ev.subagent, ev."eventId" AS client_event_id`;

type TCallRow = {
  event_id: string;
  at: Date;
  kind: string;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: string;
  cost_source: string;
  attempt: number;
  status: string;
  error_type: string | null;
  tool: string | null;
  latency_ms: number | null;
  subagent: string | null;
  client_event_id: string;
};

function toCall(row: TCallRow, n: number): TTimelineCall {
  return {
    n,
    at: row.at.toISOString(),
    kind: row.kind === "TOOL" ? "tool" : "llm",
    provider: row.provider,
    model: row.model,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cache_read_tokens: row.cache_read_tokens,
    cache_write_tokens: row.cache_write_tokens,
    reasoning_tokens: row.reasoning_tokens,
    context_tokens: row.input_tokens + row.cache_read_tokens + row.cache_write_tokens,
    cost_usd: formatUsd(row.cost_usd),
    cost_source: row.cost_source.toLowerCase() as TTimelineCall["cost_source"],
    attempt: row.attempt,
    status: row.status === "ERROR" ? "error" : "ok",
    error_type: row.error_type,
    tool: row.tool,
    latency_ms: row.latency_ms,
    subagent: row.subagent,
  };
}

// The call table's cursor: the last row's time and event id (the tiebreak), and its position.
const ZCallsCursor = z.strictObject({
  t: ZUsableInstant,
  i: z.string().refine(fitsBigint),
  n: z.number().int().min(0).max(2 ** 40),
});

function encodeCallsCursor(c: z.infer<typeof ZCallsCursor>): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

export function decodeCallsCursor(raw: string): z.infer<typeof ZCallsCursor> {
  const refuse = () => badRequest("Invalid page cursor", [{ path: "calls", message: "is not a cursor this table made" }]);
  if (raw.length > 300 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw refuse();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  const parsed = ZCallsCursor.safeParse(json);
  if (!parsed.success) throw refuse();
  return parsed.data;
}

// null when the org has no execution with this id — the caller answers 404, whoever else has one.
export async function executionTimeline(args: {
  orgId: string;
  executionId: string;
  callsCursor?: string | null;
  now?: Date;
}): Promise<TExecutionTimeline | null> {
  const { orgId, executionId } = args;
  const cursor = args.callsCursor ? decodeCallsCursor(args.callsCursor) : null;
  const now = args.now ?? new Date();

  // Independent reads, in parallel on the pool: the page waits for the slowest, not the sum.
  const [summary, chartRows, shares, pageRows, anomalies] = await Promise.all([
    pool().query(
      `SELECT ${EXECUTION_SUMMARY_COLUMNS}, e."maxInputTokens" AS max_context_tokens, e."blockedAt" AS blocked_at,
              e."blockedReason" AS blocked_reason, e."resumedAt" AS resumed_at, t.name AS team_name, cc.code AS cost_center,
              (EXTRACT(EPOCH FROM (e."lastSeenAt" - e."firstSeenAt")) * 1000)::bigint AS duration_ms
         FROM "Execution" e
         LEFT JOIN "Team" t ON t."orgId" = e."orgId" AND t.id = e."teamId"
         LEFT JOIN "CostCenter" cc ON cc."orgId" = e."orgId" AND cc.id = t."costCenterId"
        WHERE e."orgId" = $1 AND e."executionId" = $2`,
      [orgId, executionId],
    ),
    // The first CHART_MAX_CALLS calls with the running total: the window sum streams in index order,
    // so LIMIT stops the scan.
    pool().query<TCallRow & { cumulative_usd: string }>(
      `SELECT ${CALL_COLUMNS}, sum(ev."costUsd") OVER (ORDER BY ev."occurredAt", ev.id)::text AS cumulative_usd
         FROM "UsageEvent" ev
        WHERE ev."orgId" = $1 AND ev."executionId" = $2
        ORDER BY ev."occurredAt", ev.id
        LIMIT ${CHART_MAX_CALLS + 1}`,
      [orgId, executionId],
    ),
    pool().query<{ subagent: string | null; calls: string; cost_usd: string }>(
      `SELECT ev.subagent, count(*)::text AS calls, sum(ev."costUsd")::text AS cost_usd
         FROM "UsageEvent" ev
        WHERE ev."orgId" = $1 AND ev."executionId" = $2
        GROUP BY ev.subagent
        ORDER BY sum(ev."costUsd") DESC, count(*) DESC, ev.subagent NULLS FIRST`,
      [orgId, executionId],
    ),
    // A later page of the table: the calls after the cursor's (time, id).
    cursor
      ? pool().query<TCallRow>(
          `SELECT ${CALL_COLUMNS}
             FROM "UsageEvent" ev
            WHERE ev."orgId" = $1 AND ev."executionId" = $2 AND (ev."occurredAt", ev.id) > ($3::timestamptz, $4::bigint)
            ORDER BY ev."occurredAt", ev.id
            LIMIT ${CALLS_PAGE_SIZE + 1}`,
          [orgId, executionId, cursor.t, cursor.i],
        )
      : null,
    executionAnomalies(orgId, executionId, now),
  ]);
  const row = summary.rows[0];
  if (!row) return null;

  const { max_context_tokens, blocked_at, blocked_reason, resumed_at, team_name, cost_center, duration_ms, ...base } = row;
  const execution: TExecutionDetail = {
    ...toExecutionSummary(base, now),
    duration_ms: Number(duration_ms),
    max_context_tokens,
    blocked_at: blocked_at ? blocked_at.toISOString() : null,
    blocked_reason,
    resumed_at: resumed_at ? resumed_at.toISOString() : null,
    team_name,
    cost_center,
  };

  const capped = chartRows.rows.length > CHART_MAX_CALLS;
  const points: TTimelinePoint[] = chartRows.rows.slice(0, CHART_MAX_CALLS).map((r, index) => ({
    n: index + 1,
    at: r.at.toISOString(),
    kind: r.kind === "TOOL" ? "tool" : "llm",
    model: r.model,
    tool: r.tool,
    subagent: r.subagent,
    attempt: r.attempt,
    retry: r.attempt > 1,
    error: r.status === "ERROR",
    error_type: r.error_type,
    cost: Number(r.cost_usd),
    cost_usd: formatUsd(r.cost_usd),
    context_tokens: r.input_tokens + r.cache_read_tokens + r.cache_write_tokens,
    cumulative: Number(r.cumulative_usd),
    cumulative_usd: formatUsd(r.cumulative_usd),
  }));

  // The table's page: from the chart's rows when it is the first page (no second read).
  const startAt = cursor ? cursor.n : 0;
  const source = pageRows ? pageRows.rows : chartRows.rows;
  const more = source.length > CALLS_PAGE_SIZE;
  const calls = source.slice(0, CALLS_PAGE_SIZE).map((r, index) => toCall(r, startAt + index + 1));
  const last = calls[calls.length - 1];
  const lastRow = source[calls.length - 1];
  const nextCallsCursor = more && last ? encodeCallsCursor({ t: lastRow.at.toISOString(), i: lastRow.event_id, n: last.n }) : null;

  return {
    execution,
    chart: { points, capped, markers: markersOf(anomalies, chartRows.rows.slice(0, CHART_MAX_CALLS)) },
    anomalies,
    subagents: subagentShares(shares.rows, execution.cost_usd, execution.calls),
    calls,
    nextCallsCursor,
    callsFrom: startAt + 1,
  };
}

function markersOf(anomalies: TAnomalyRow[], rows: TCallRow[]): TTimelineMarker[] {
  const markers: TTimelineMarker[] = [];
  for (const a of anomalies) {
    if (a.kind !== "RETRY_LOOP" && a.evidence.rule !== "per_call") continue;
    const eventId = String(a.evidence.first_event_id ?? a.evidence.event_id ?? "");
    const atText = a.evidence.first_at ?? a.evidence.at;
    const at = typeof atText === "string" ? Date.parse(atText) : NaN;
    let index = rows.findIndex((r) => r.client_event_id === eventId);
    if (index < 0 && !Number.isNaN(at)) index = rows.findIndex((r) => r.at.getTime() >= at);
    if (index < 0) continue;
    markers.push({
      n: index + 1,
      anomalyId: a.id,
      kind: a.kind === "RETRY_LOOP" ? "RETRY_LOOP" : "COST_SPIKE",
      label: a.kind === "RETRY_LOOP" ? "Loop starts" : "Over the limit",
      resolved: a.status === "resolved",
    });
  }
  return markers.sort((x, y) => x.n - y.n);
}

// Percent with one decimal, from exact decimals: shares of money by the money, else by calls.
function subagentShares(rows: { subagent: string | null; calls: string; cost_usd: string }[], totalUsd: string, totalCalls: number): TSubagentShare[] {
  const total = Number(totalUsd);
  return rows.map((r) => {
    const part = total > 0 ? (Number(r.cost_usd) / total) * 100 : totalCalls > 0 ? (Number(r.calls) / totalCalls) * 100 : 0;
    return { subagent: r.subagent, calls: Number(r.calls), cost_usd: formatUsd(r.cost_usd), share_percent: part.toFixed(1) };
  });
}

// The execution a URL segment names in this org, or null. The segment may arrive percent-encoded or
// not depending on the router path (an id may hold "/" or spaces): the literal form first, then the
// decoded one.
export async function resolveExecutionId(orgId: string, segment: string): Promise<string | null> {
  const forms = [segment];
  if (segment.includes("%")) {
    try {
      forms.push(decodeURIComponent(segment));
    } catch {
      // Not decodable: only the literal form.
    }
  }
  // An id with a NUL or a lone surrogate was never stored (ingest refuses it): not found, without
  // asking Postgres, which would refuse the text itself (a 500).
  const candidates = forms.filter((c) => textProblem(c) === null);
  if (!candidates.length) return null;
  const { rows } = await pool().query<{ executionId: string }>(
    `SELECT "executionId" FROM "Execution" WHERE "orgId" = $1 AND "executionId" = ANY($2::text[])`,
    [orgId, candidates],
  );
  return candidates.find((c) => rows.some((r) => r.executionId === c)) ?? null;
}
