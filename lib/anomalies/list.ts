// The anomalies page's read (/[org]/anomalies) and the overview's "open anomalies" panel.
//
// One statement per page: the anomalies of one status (and kind), keyset-paged, each with its
// execution's state and a mini timeline — the cost of the execution's calls around the anomaly,
// read through the (orgId, executionId, occurredAt) index in a LATERAL that stops after
// TIMELINE_BEFORE + TIMELINE_FROM calls — so a page costs at most PAGE_SIZE short index range scans,
// never one query per row from here.
//
// Order: "unresolved" (the default) lists open ones before acknowledged ones, newest first in each;
// the other statuses newest first. The cursor is the last row's (group, detectedAt, id) as
// base64url JSON, checked with zod against the status it was made for; a forged one is a
// bad_request. Unresolved anomalies are few (one per open kind × subject); resolved ones are read
// newest first along (orgId, detectedAt DESC).
import { z } from "zod";
import { cursorError, decodeJsonCursor, encodeJsonCursor } from "../http/cursor";
import { pool } from "../db";
import { env } from "../env";
import { ZUsableInstant } from "../http/dates";
import { formatUsd } from "../money";
import { executionState, type TExecutionState } from "../executions/state";
import { describeAnomaly, describeEvidence, type TAnomalyKindName } from "./describe";

export const ANOMALY_STATUSES = ["unresolved", "open", "acknowledged", "resolved"] as const;
export type TAnomalyStatusFilter = (typeof ANOMALY_STATUSES)[number];
export const ANOMALY_KINDS = ["RETRY_LOOP", "COST_SPIKE", "CONTEXT_GROWTH", "VELOCITY", "MODEL_MISUSE"] as const satisfies readonly TAnomalyKindName[];

export const ANOMALY_PAGE_SIZE = 25;
// The mini timeline: this many calls before the anomaly's first call, and this many from it on.
export const TIMELINE_BEFORE = 6;
export const TIMELINE_FROM = 26;

export type TAnomalySparkPoint = {
  at: string;
  // Dollars as a number, for drawing only; the exact amount is cost_usd.
  cost: number;
  cost_usd: string;
  error: boolean;
  // One of the calls the anomaly is about (the loop's, the call over the limit).
  flagged: boolean;
};

export type TAnomalyRow = {
  id: string;
  kind: TAnomalyKindName;
  severity: "LOW" | "MEDIUM" | "HIGH";
  status: "open" | "acknowledged" | "resolved";
  // The evidence in one sentence (lib/anomalies/describe.ts), with and without its subject.
  summary: string;
  evidenceText: string;
  executionId: string | null;
  agent: string | null;
  costUsd: string;
  blocked: boolean;
  evidence: Record<string, unknown>;
  detectedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  // The person's email, or "operator (CLI)"; null when nobody did.
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  // The execution as it is now (null for org / agent anomalies, or an execution not stored).
  execution: { state: TExecutionState; costUsd: string; calls: number } | null;
  timeline: TAnomalySparkPoint[];
};

export type TAnomalyPage = { rows: TAnomalyRow[]; nextCursor: string | null };

const ZCursor = z.strictObject({
  s: z.enum(ANOMALY_STATUSES),
  // 0: open, 1: acknowledged (only "unresolved" mixes them).
  g: z.union([z.literal(0), z.literal(1)]),
  t: ZUsableInstant,
  i: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
});
type TCursor = z.infer<typeof ZCursor>;

const encodeCursor = (c: TCursor) => encodeJsonCursor(c);

export function decodeAnomalyCursor(raw: string, status: TAnomalyStatusFilter): TCursor {
  const cursor = decodeJsonCursor(raw, ZCursor, 300);
  if (cursor.s !== status) throw cursorError("belongs to another list; start from the first page");
  return cursor;
}

// What the URL says: ?status=…&kind=…&cursor=…; anything else is the default.
export type TAnomalySearch = { status: TAnomalyStatusFilter; kind: TAnomalyKindName | null; cursor: string | null };

export function parseAnomalySearch(sp: Record<string, string | string[] | undefined>): TAnomalySearch {
  const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const status = ANOMALY_STATUSES.find((s) => s === one(sp.status)) ?? "unresolved";
  const kindText = one(sp.kind)?.toUpperCase();
  const kind = ANOMALY_KINDS.find((k) => k === kindText) ?? null;
  const cursor = one(sp.cursor);
  return { status, kind, cursor: cursor && cursor.length <= 300 ? cursor : null };
}

export function anomaliesHref(orgSlug: string, search: Partial<TAnomalySearch>): string {
  const q = new URLSearchParams();
  if (search.status && search.status !== "unresolved") q.set("status", search.status);
  if (search.kind) q.set("kind", search.kind.toLowerCase());
  if (search.cursor) q.set("cursor", search.cursor);
  const s = q.toString();
  return `/${orgSlug}/anomalies${s ? `?${s}` : ""}`;
}

const STATUS_WHERE: Record<TAnomalyStatusFilter, string> = {
  unresolved: `a."resolvedAt" IS NULL`,
  open: `a."resolvedAt" IS NULL AND a."acknowledgedAt" IS NULL`,
  acknowledged: `a."resolvedAt" IS NULL AND a."acknowledgedAt" IS NOT NULL`,
  resolved: `a."resolvedAt" IS NOT NULL`,
};

// The group an anomaly sorts in: only "unresolved" puts acknowledged ones after the open ones.
const groupExpr = (status: TAnomalyStatusFilter) => (status === "unresolved" ? `(a."acknowledgedAt" IS NOT NULL)::int` : `0`);

// When the anomaly's own calls begin (the loop's first call, the call over the limit): its mini
// timeline is centred there. Whole-execution kinds have none: their timeline is the latest calls.
const ANCHOR = `CASE WHEN a.evidence ->> 'first_at' ~ '^\\d{4}-\\d\\d-\\d\\dT' THEN (a.evidence ->> 'first_at')::timestamptz
                     WHEN a.evidence ->> 'at' ~ '^\\d{4}-\\d\\d-\\d\\dT' THEN (a.evidence ->> 'at')::timestamptz END`;
const LAST = `CASE WHEN a.evidence ->> 'last_at' ~ '^\\d{4}-\\d\\d-\\d\\dT' THEN (a.evidence ->> 'last_at')::timestamptz END`;

// Who: "user:<id>" becomes that person's email; anything else ("operator (CLI)") as stored.
const WHO = (column: string, alias: string) =>
  `CASE WHEN a."${column}" LIKE 'user:%' THEN coalesce(${alias}.email, 'a former member') ELSE a."${column}" END`;

type TRow = {
  id: string;
  kind: TAnomalyKindName;
  severity: TAnomalyRow["severity"];
  subject: string;
  executionId: string | null;
  agent: string | null;
  costUsd: string;
  blocked: boolean;
  evidence: Record<string, unknown>;
  detectedAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  g: number;
  exStatus: string | null;
  exLastSeenAt: Date | null;
  exCostUsd: string | null;
  exCalls: string | null;
  timeline: { at: string; cost_usd: string; error: boolean; flagged: boolean }[] | null;
};

// The select list and joins shared by the page and the execution detail's list.
function selectSql(status: TAnomalyStatusFilter): string {
  return `
  SELECT a.id, a.kind::text AS kind, a.severity::text AS severity, a.subject, a."executionId", a.agent,
         a."costUsd"::text AS "costUsd", a.blocked, a.evidence, a."detectedAt", a."updatedAt",
         a."acknowledgedAt", ${WHO("acknowledgedBy", "ua")} AS "acknowledgedBy",
         a."resolvedAt", ${WHO("resolvedBy", "ur")} AS "resolvedBy", ${groupExpr(status)} AS g,
         e.status::text AS "exStatus", e."lastSeenAt" AS "exLastSeenAt", e."costUsd"::text AS "exCostUsd", e.calls::text AS "exCalls",
         tl.points AS timeline
    FROM "Anomaly" a
    LEFT JOIN "User" ua ON a."acknowledgedBy" LIKE 'user:%' AND ua.id = substr(a."acknowledgedBy", 6)
    LEFT JOIN "User" ur ON a."resolvedBy" LIKE 'user:%' AND ur.id = substr(a."resolvedBy", 6)
    LEFT JOIN "Execution" e ON a."executionId" IS NOT NULL AND e."orgId" = a."orgId" AND e."executionId" = a."executionId"
    -- Ordered by the index's own column only, so each side stops after its LIMIT (with the id as
    -- a tiebreak Postgres would read and sort all of an execution's calls first).
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('at', c."occurredAt", 'cost_usd', c."costUsd"::text, 'error', c.status = 'ERROR',
                                        'flagged', c."eventId" = a.evidence ->> 'event_id'
                                                   OR (c."occurredAt" >= ${ANCHOR} AND c."occurredAt" <= ${LAST}))
                      ORDER BY c."occurredAt", c.id) AS points
        FROM (
          (SELECT u.id, u."eventId", u."occurredAt", u."costUsd", u.status FROM "UsageEvent" u
            WHERE u."orgId" = a."orgId" AND u."executionId" = a."executionId" AND u."occurredAt" < coalesce(${ANCHOR}, 'infinity')
            ORDER BY u."occurredAt" DESC
            LIMIT CASE WHEN ${ANCHOR} IS NULL THEN ${TIMELINE_BEFORE + TIMELINE_FROM} ELSE ${TIMELINE_BEFORE} END)
          UNION ALL
          (SELECT u.id, u."eventId", u."occurredAt", u."costUsd", u.status FROM "UsageEvent" u
            WHERE u."orgId" = a."orgId" AND u."executionId" = a."executionId" AND ${ANCHOR} IS NOT NULL AND u."occurredAt" >= ${ANCHOR}
            ORDER BY u."occurredAt"
            LIMIT ${TIMELINE_FROM})
        ) c
       WHERE a."executionId" IS NOT NULL
    ) tl ON true`;
}

function toRow(r: TRow, now: Date): TAnomalyRow {
  const idle = env().EXECUTION_IDLE_MINUTES;
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    status: r.resolvedAt ? "resolved" : r.acknowledgedAt ? "acknowledged" : "open",
    summary: describeAnomaly(r),
    evidenceText: describeEvidence(r.kind, r.evidence ?? {}),
    executionId: r.executionId,
    agent: r.agent,
    costUsd: formatUsd(r.costUsd),
    blocked: r.blocked,
    evidence: r.evidence ?? {},
    detectedAt: r.detectedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    acknowledgedAt: r.acknowledgedAt ? r.acknowledgedAt.toISOString() : null,
    acknowledgedBy: r.acknowledgedAt ? r.acknowledgedBy : null,
    resolvedAt: r.resolvedAt ? r.resolvedAt.toISOString() : null,
    resolvedBy: r.resolvedAt ? r.resolvedBy : null,
    execution:
      r.exStatus && r.exLastSeenAt
        ? { state: executionState(r.exStatus, r.exLastSeenAt, now, idle), costUsd: formatUsd(r.exCostUsd ?? "0"), calls: Number(r.exCalls ?? 0) }
        : null,
    timeline: (r.timeline ?? []).map((p) => ({
      at: new Date(p.at).toISOString(),
      cost: Number(p.cost_usd),
      cost_usd: formatUsd(p.cost_usd),
      error: p.error,
      flagged: p.flagged === true,
    })),
  };
}

export async function listAnomalies(args: {
  orgId: string;
  status?: TAnomalyStatusFilter;
  kind?: TAnomalyKindName | null;
  cursor?: string | null;
  limit?: number;
  now?: Date;
}): Promise<TAnomalyPage> {
  const status = args.status ?? "unresolved";
  const limit = Math.min(Math.max(Math.trunc(args.limit ?? ANOMALY_PAGE_SIZE), 1), 100);
  const cursor = args.cursor ? decodeAnomalyCursor(args.cursor, status) : null;
  const params: unknown[] = [args.orgId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`a."orgId" = $1`, STATUS_WHERE[status]];
  if (args.kind) where.push(`a.kind = ${p(args.kind)}::"AnomalyKind"`);
  const g = groupExpr(status);
  // (group ASC, detectedAt DESC, id DESC) after the cursor's row.
  if (cursor) {
    const [cg, ct, ci] = [p(cursor.g), p(cursor.t), p(cursor.i)];
    where.push(`(${g} > ${cg}::int OR (${g} = ${cg}::int AND (a."detectedAt", a.id) < (${ct}::timestamptz, ${ci}::text)))`);
  }
  const { rows } = await pool().query<TRow>(
    `${selectSql(status)}
     WHERE ${where.join(" AND ")}
     ORDER BY ${status === "unresolved" ? `${g}, ` : ""}a."detectedAt" DESC, a.id DESC
     LIMIT ${limit + 1}`,
    params,
  );
  const now = args.now ?? new Date();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => toRow(r, now)),
    nextCursor: rows.length > limit && last ? encodeCursor({ s: status, g: last.g === 1 ? 1 : 0, t: last.detectedAt.toISOString(), i: last.id }) : null,
  };
}

// How many are open and acknowledged (the page's tabs, the overview's panel), by kind too.
export type TAnomalyCounts = { open: number; acknowledged: number; openBlocked: number; byKind: Partial<Record<TAnomalyKindName, number>> };

export async function anomalyCounts(orgId: string): Promise<TAnomalyCounts> {
  const { rows } = await pool().query<{ kind: TAnomalyKindName; open: string; acknowledged: string; blocked: string }>(
    `SELECT kind::text AS kind, count(*) FILTER (WHERE "acknowledgedAt" IS NULL)::text AS open,
            count(*) FILTER (WHERE "acknowledgedAt" IS NOT NULL)::text AS acknowledged,
            count(*) FILTER (WHERE "acknowledgedAt" IS NULL AND blocked)::text AS blocked
       FROM "Anomaly" WHERE "orgId" = $1 AND "resolvedAt" IS NULL GROUP BY kind`,
    [orgId],
  );
  const out: TAnomalyCounts = { open: 0, acknowledged: 0, openBlocked: 0, byKind: {} };
  for (const r of rows) {
    out.open += Number(r.open);
    out.acknowledged += Number(r.acknowledged);
    out.openBlocked += Number(r.blocked);
    out.byKind[r.kind] = Number(r.open) + Number(r.acknowledged);
  }
  return out;
}

// The overview's panel: the open (unacknowledged, unresolved) anomalies, blocked ones first, then
// newest; at most `limit`, with how many there are in all.
export async function openAnomaliesFirst(orgId: string, limit = 5, now = new Date()): Promise<{ rows: TAnomalyRow[]; total: number; blocked: number }> {
  const [{ rows }, counts] = await Promise.all([
    pool().query<TRow>(
      `${selectSql("open")}
       WHERE a."orgId" = $1 AND ${STATUS_WHERE.open}
       ORDER BY a.blocked DESC, a."detectedAt" DESC, a.id DESC
       LIMIT ${Math.min(Math.max(Math.trunc(limit), 1), 20)}`,
      [orgId],
    ),
    anomalyCounts(orgId),
  ]);
  return { rows: rows.map((r) => toRow(r, now)), total: counts.open, blocked: counts.openBlocked };
}

// Every anomaly of one execution (its detail page), unresolved first, newest first.
export async function executionAnomalies(orgId: string, executionId: string, now = new Date()): Promise<TAnomalyRow[]> {
  const { rows } = await pool().query<TRow>(
    `${selectSql("resolved")}
     WHERE a."orgId" = $1 AND a."executionId" = $2
     ORDER BY (a."resolvedAt" IS NOT NULL), a."detectedAt" DESC, a.id DESC
     LIMIT 50`,
    [orgId, executionId],
  );
  return rows.map((r) => toRow(r, now));
}
