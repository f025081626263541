// The executions list (/[org]/executions): sortable, filterable, keyset-paginated.
//
// Keyset, never OFFSET: a page is "the next `limit` rows after (sort value, id)", one index range
// scan on the (orgId, <sort value> DESC, id DESC) index of that sort (migration
// 20261128510000_execution_list_indexes), so page 1,000 costs what page 1 costs. The id breaks ties
// (many executions cost the same, most have 0 retries), which makes the order total and stable:
// walking every page yields each execution exactly once.
//
// The cursor is opaque to the user (base64url JSON) but not trusted: it is parsed with zod, its
// value must match its sort's type and range, and a cursor made for another sort or direction is
// refused. A refused cursor is a DomainError (bad_request), never a 500.
import { z } from "zod";
import { cursorError, decodeJsonCursor } from "../http/cursor";
import { ZUsableDate, ZUsableInstant } from "../http/dates";
import { textProblem } from "../ingest/storable";
import { pool } from "../db";
import { env } from "../env";
import { EXECUTION_SUMMARY_COLUMNS, toExecutionSummary, type TExecutionSummary } from "../reports/executions";
import { EXECUTION_STATES, type TExecutionState } from "./state";

export const EXECUTION_SORTS = ["cost", "last_seen", "first_seen", "calls", "retries", "retry_cost", "duration"] as const;
export type TExecutionSort = (typeof EXECUTION_SORTS)[number];
export type TSortDir = "asc" | "desc";

export const LIST_PAGE_SIZE = 50;
// The API's largest page (GET /api/v1/executions?limit=).
export const LIST_MAX_PAGE_SIZE = 500;

// A decimal string as numeric(38,12) holds it; bigint counters; milliseconds of a duration.
const ZDecimalText = z.string().regex(/^\d{1,26}(\.\d{1,12})?$/);
// One check, not regex-then-refine: zod runs every refinement even after the regex failed, and
// BigInt("1 OR 1=1") throws.
export const fitsBigint = (v: string) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9_223_372_036_854_775_807n;
const ZBigintText = z.string().refine(fitsBigint);
const ZInstantText = ZUsableInstant;
const ZMillisText = z.string().regex(/^\d{1,15}$/);

type TSortSpec = {
  // The ordering expression; must match the index expression exactly for the planner to use it.
  expr: string;
  // The value a cursor carries, selected as text (exact: numeric as written, ms for instants).
  value: string;
  // How the cursor's text becomes a value comparable with `expr` ($n is the parameter).
  param: (n: number) => string;
  check: z.ZodType<string>;
};

const SORTS: Record<TExecutionSort, TSortSpec> = {
  cost: { expr: `e."costUsd"`, value: `e."costUsd"::text`, param: (n) => `$${n}::numeric`, check: ZDecimalText },
  retry_cost: { expr: `e."retryCostUsd"`, value: `e."retryCostUsd"::text`, param: (n) => `$${n}::numeric`, check: ZDecimalText },
  calls: { expr: `e.calls`, value: `e.calls::text`, param: (n) => `$${n}::bigint`, check: ZBigintText },
  retries: { expr: `e.retries`, value: `e.retries::text`, param: (n) => `$${n}::bigint`, check: ZBigintText },
  // Timestamps are stored to the millisecond (timestamptz(3)): an ISO string with ms is exact.
  last_seen: { expr: `e."lastSeenAt"`, value: `to_char(e."lastSeenAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`, param: (n) => `$${n}::timestamptz`, check: ZInstantText },
  first_seen: { expr: `e."firstSeenAt"`, value: `to_char(e."firstSeenAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`, param: (n) => `$${n}::timestamptz`, check: ZInstantText },
  // Duration = first call to last call (an open execution's so far).
  duration: {
    expr: `(e."lastSeenAt" - e."firstSeenAt")`,
    value: `(EXTRACT(EPOCH FROM (e."lastSeenAt" - e."firstSeenAt")) * 1000)::bigint::text`,
    param: (n) => `($${n}::bigint * interval '1 millisecond')`,
    check: ZMillisText,
  },
};

// The cursor as it travels in a URL: base64url of {s, d, k, v, i}.
const ZCursor = z.strictObject({
  s: z.enum(EXECUTION_SORTS),
  d: z.enum(["asc", "desc"]),
  // after: the page after this row; before: the page before it ("Previous page").
  k: z.enum(["after", "before"]),
  v: z.string().max(64),
  i: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
});
type TCursor = z.infer<typeof ZCursor>;

export function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

// Anything that is not a cursor this sort could have made is refused: a clear error, never SQL.
export function decodeCursor(raw: string, sort: TExecutionSort, dir: TSortDir): TCursor {
  const cursor = decodeJsonCursor(raw, ZCursor, 400);
  if (cursor.s !== sort || cursor.d !== dir) throw cursorError("belongs to another sort order; start from the first page");
  if (!SORTS[sort].check.safeParse(cursor.v).success) throw cursorError("holds a value this sort cannot have");
  return cursor;
}

export type TExecutionListFilters = {
  // Executions active in [from, to): last call at or after `from`, first call before `to`. Null = open.
  from?: Date | null;
  to?: Date | null;
  state?: TExecutionState;
  agent?: string;
  task?: string;
  // Team slug.
  team?: string;
  user?: string;
  repository?: string;
  // Cost-center code. An execution has no cost center of its own: it is its team's.
  costCenter?: string;
};

export type TExecutionListRow = TExecutionSummary & { duration_ms: number };

export type TExecutionListPage = {
  executions: TExecutionListRow[];
  // Cursors for the neighbouring pages; null when there is none.
  nextCursor: string | null;
  prevCursor: string | null;
};

export async function listExecutions(args: {
  orgId: string;
  sort?: TExecutionSort;
  dir?: TSortDir;
  filters?: TExecutionListFilters;
  cursor?: string | null;
  limit?: number;
  now?: Date;
}): Promise<TExecutionListPage> {
  const sort = args.sort ?? "cost";
  const dir = args.dir ?? "desc";
  const limit = Math.min(Math.max(Math.trunc(args.limit ?? LIST_PAGE_SIZE), 1), LIST_MAX_PAGE_SIZE);
  const now = args.now ?? new Date();
  const cursor = args.cursor ? decodeCursor(args.cursor, sort, dir) : null;
  const spec = SORTS[sort];
  const f = args.filters ?? {};

  const params: unknown[] = [args.orgId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [`e."orgId" = $1`];
  if (f.from) where.push(`e."lastSeenAt" >= ${p(f.from)}`);
  if (f.to) where.push(`e."firstSeenAt" < ${p(f.to)}`);
  if (f.state) {
    // The state's one definition (lib/executions/state.ts), as SQL: idle is a RUNNING execution
    // whose last call is older than EXECUTION_IDLE_MINUTES.
    const idleSince = new Date(now.getTime() - env().EXECUTION_IDLE_MINUTES * 60_000);
    if (f.state === "running") where.push(`e.status = 'RUNNING' AND e."lastSeenAt" >= ${p(idleSince)}`);
    else if (f.state === "idle") where.push(`e.status = 'RUNNING' AND e."lastSeenAt" < ${p(idleSince)}`);
    else where.push(`e.status = ${p(f.state.toUpperCase())}::"ExecutionStatus"`);
  }
  if (f.agent) where.push(`e.agent = ${p(f.agent)}`);
  if (f.task) where.push(`e.task = ${p(f.task)}`);
  if (f.user) where.push(`e."userId" = ${p(f.user)}`);
  if (f.repository) where.push(`e.repository = ${p(f.repository)}`);
  if (f.team) where.push(`e."teamId" IN (SELECT ft.id FROM "Team" ft WHERE ft."orgId" = $1 AND ft.slug = ${p(f.team)})`);
  if (f.costCenter) {
    where.push(`e."teamId" IN (SELECT ct.id FROM "Team" ct JOIN "CostCenter" cc ON cc.id = ct."costCenterId" AND cc."orgId" = ct."orgId"
                               WHERE ct."orgId" = $1 AND cc.code = ${p(f.costCenter)})`);
  }

  // Reading "before" a row walks the index the other way, then the page is put back in order.
  const backwards = cursor?.k === "before";
  const descending = (dir === "desc") !== backwards;
  if (cursor) where.push(`(${spec.expr}, e.id) ${descending ? "<" : ">"} (${spec.param(params.push(cursor.v))}, ${p(cursor.i)})`);
  const order = descending ? "DESC" : "ASC";

  const { rows } = await pool().query(
    `SELECT ${EXECUTION_SUMMARY_COLUMNS}, e.id AS row_id, ${spec.value} AS sort_value,
            (EXTRACT(EPOCH FROM (e."lastSeenAt" - e."firstSeenAt")) * 1000)::bigint AS duration_ms
       FROM "Execution" e
       LEFT JOIN "Team" t ON t."orgId" = e."orgId" AND t.id = e."teamId"
      WHERE ${where.join(" AND ")}
      ORDER BY ${spec.expr} ${order}, e.id ${order}
      LIMIT ${limit + 1}`,
    params,
  );
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  if (backwards) page.reverse();

  const cursorAt = (row: (typeof rows)[number], k: TCursor["k"]) => encodeCursor({ s: sort, d: dir, k, v: row.sort_value, i: row.row_id });
  const first = page[0];
  const last = page[page.length - 1];
  // Forwards: a next page if a row beyond this one exists; a previous one if we came from a cursor.
  // Backwards: the mirror image.
  const nextCursor = last && (backwards ? true : more) ? cursorAt(last, "after") : null;
  const prevCursor = first && (backwards ? more : cursor !== null) ? cursorAt(first, "before") : null;

  return {
    executions: page.map(({ row_id: _rowId, sort_value: _sortValue, duration_ms, ...row }) => ({
      ...toExecutionSummary(row as Parameters<typeof toExecutionSummary>[0], now),
      duration_ms: Number(duration_ms),
    })),
    nextCursor,
    prevCursor,
  };
}

// ───────────── the list's URL: what the page reads and the links it writes ─────────────

export const LIST_RANGES = ["today", "7d", "30d", "month", "all"] as const;
export type TListRange = (typeof LIST_RANGES)[number];

const ZLocalDate = ZUsableDate;
// Text Postgres can compare (no NUL, no lone surrogate): anything else is dropped like a typo.
const ZText = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .refine((s) => textProblem(s) === null);

// Every search parameter is optional; an unusable one is dropped (a shared URL with a typo still
// shows a list), except the cursor, whose refusal the page says out loud.
export const ZListSearch = z.object({
  sort: z.enum(EXECUTION_SORTS).catch("cost"),
  dir: z.enum(["asc", "desc"]).catch("desc"),
  range: z.enum(LIST_RANGES).catch("30d"),
  from: ZLocalDate.optional().catch(undefined),
  to: ZLocalDate.optional().catch(undefined),
  state: z.enum(EXECUTION_STATES).optional().catch(undefined),
  agent: ZText.optional().catch(undefined),
  task: ZText.optional().catch(undefined),
  team: ZText.optional().catch(undefined),
  user: ZText.optional().catch(undefined),
  repository: ZText.optional().catch(undefined),
  cost_center: ZText.optional().catch(undefined),
  cursor: z.string().max(400).optional().catch(undefined),
});
export type TListSearch = z.infer<typeof ZListSearch>;

export function parseListSearch(raw: Record<string, string | string[] | undefined>): TListSearch {
  const one = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v !== undefined && v !== ""));
  return ZListSearch.parse(one);
}

// The range in the org's zone: presets count whole local days (today = since local midnight; 7d =
// today and the 6 days before), custom from / to are local dates, `to` inclusive. DST-correct: the
// arithmetic is on local dates, converted to instants by Postgres.
export async function resolveListRange(timezone: string, search: Pick<TListSearch, "range" | "from" | "to">, now = new Date()): Promise<{ from: Date | null; to: Date | null }> {
  if (search.from || search.to) {
    const { rows } = await pool().query(
      `SELECT ($2::date)::timestamp AT TIME ZONE $1 AS from_at, ($3::date + 1)::timestamp AT TIME ZONE $1 AS to_at`,
      [timezone, search.from ?? null, search.to ?? null],
    );
    return { from: rows[0].from_at, to: rows[0].to_at };
  }
  const days: Record<TListRange, number | "month" | null> = { today: 0, "7d": 6, "30d": 29, month: "month", all: null };
  const back = days[search.range];
  if (back === null) return { from: null, to: null };
  const { rows } = await pool().query(
    back === "month"
      ? `SELECT date_trunc('month', $2::timestamptz AT TIME ZONE $1) AT TIME ZONE $1 AS from_at`
      : `SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE $1) - $3::int * interval '1 day') AT TIME ZONE $1 AS from_at`,
    back === "month" ? [timezone, now] : [timezone, now, back],
  );
  return { from: rows[0].from_at, to: null };
}

export function filtersOf(search: TListSearch, range: { from: Date | null; to: Date | null }): TExecutionListFilters {
  return {
    from: range.from,
    to: range.to,
    state: search.state,
    agent: search.agent,
    task: search.task,
    team: search.team,
    user: search.user,
    repository: search.repository,
    costCenter: search.cost_center,
  };
}

// The list's URL with some parameters changed; defaults are left out so URLs stay short. Any
// change but the cursor itself starts again at the first page.
export function listHref(orgSlug: string, search: TListSearch, change: Partial<Record<keyof TListSearch, string | undefined>>): string {
  const next: Record<string, string | undefined> = { ...search, cursor: undefined, ...change };
  const defaults: Record<string, string> = { sort: "cost", dir: "desc", range: "30d" };
  const qs = new URLSearchParams();
  for (const key of ["sort", "dir", "range", "from", "to", "state", "agent", "task", "team", "user", "repository", "cost_center", "cursor"]) {
    const v = next[key];
    if (v !== undefined && v !== "" && defaults[key] !== v) qs.set(key, v);
  }
  const s = qs.toString();
  return `/${orgSlug}/executions${s ? `?${s}` : ""}`;
}

// The choices of the filter form that are small tables (teams, cost centers); agents, tasks, users
// and repositories are typed or picked by clicking a value in the list (a DISTINCT over a year of
// executions would cost more than the page).
export async function listFilterOptions(orgId: string): Promise<{ teams: { slug: string; name: string }[]; costCenters: { code: string; name: string }[] }> {
  const [teams, costCenters] = await Promise.all([
    pool().query(`SELECT slug, name FROM "Team" WHERE "orgId" = $1 ORDER BY "archivedAt" NULLS FIRST, name`, [orgId]),
    pool().query(`SELECT code, name FROM "CostCenter" WHERE "orgId" = $1 ORDER BY "archivedAt" NULLS FIRST, code`, [orgId]),
  ]);
  return { teams: teams.rows, costCenters: costCenters.rows };
}
