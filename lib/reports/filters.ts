import { z } from "zod";
import { ZUsableDate } from "../http/dates";
import { storableText } from "../ingest/storable";
import { pool } from "../db";

// The dashboard's view — a date range, filters and what the chart stacks by — as one zod definition
// read from the page's URL (so a view can be shared) and, for the filters, from GET /api/v1/spend's
// query (so the page's sums can be checked against the API to the cent).
//
// Every filter is a dimension of the hourly rollup (UsageRollup): filtering never needs the raw
// events. task and execution are not rollup dimensions (unbounded cardinality) and are not offered.

export const FILTER_DIMENSIONS = ["team", "agent", "model", "key", "cost_center", "repository", "user"] as const;
export type TFilterDimension = (typeof FILTER_DIMENSIONS)[number];

// What people call each dimension, for chips and tabs.
export const DIMENSION_LABELS: Record<TFilterDimension, string> = {
  team: "Team",
  agent: "Agent",
  model: "Model",
  key: "Key",
  cost_center: "Cost center",
  repository: "Repository",
  user: "User",
};

// Text Postgres can compare: a NUL or a lone surrogate is a 422 (it was a 500, found by
// lib/reports/fuzz-read.test.ts), dropped from a page's URL.
const filterValue = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(256)
    .superRefine(storableText)
    .optional()
    .describe(what);

// The filters as the API documents them; values as people know them (slug, code, prefix, name).
export const ZFilterFields = {
  team: filterValue("Only calls of this team (its slug)"),
  agent: filterValue("Only calls of this agent"),
  model: filterValue("Only calls to this model id"),
  key: filterValue("Only calls made with this key (its prefix, e.g. br_AbCd1234)"),
  cost_center: filterValue("Only calls of this cost center (its code)"),
  repository: filterValue("Only calls for this repository"),
  user: filterValue("Only calls of this user"),
};
export const ZFilters = z.object(ZFilterFields);
export type TFilters = Partial<Record<TFilterDimension, string>>;

export const RANGE_PRESETS = ["today", "7d", "month", "30d", "90d", "custom"] as const;
export type TRangePreset = (typeof RANGE_PRESETS)[number];
export const RANGE_LABELS: Record<TRangePreset, string> = {
  today: "Today",
  "7d": "7 days",
  month: "This month",
  "30d": "30 days",
  "90d": "90 days",
  custom: "Custom",
};

// The chart can stack by these (the ranked cards also show user and repository).
export const STACK_DIMENSIONS = ["team", "agent", "model", "cost_center", "key"] as const;
export type TStackDimension = (typeof STACK_DIMENSIONS)[number];

const ZLocalDate = ZUsableDate;

// Invalid values fall back to the default instead of failing the page: a hand-edited or stale
// link still opens a dashboard.
export const ZDashboardView = z.object({
  range: z.enum(RANGE_PRESETS).catch("month").default("month"),
  from: ZLocalDate.optional().catch(undefined),
  to: ZLocalDate.optional().catch(undefined),
  stack: z.enum(STACK_DIMENSIONS).catch("agent").default("agent"),
  ...Object.fromEntries(FILTER_DIMENSIONS.map((d) => [d, ZFilterFields[d].catch(undefined)])),
});
export type TDashboardView = {
  range: TRangePreset;
  from?: string;
  to?: string;
  stack: TStackDimension;
  filters: TFilters;
};

// URL search params (Next's record or URLSearchParams) → the view. A custom range needs both dates.
export function parseDashboardView(params: Record<string, string | string[] | undefined> | URLSearchParams): TDashboardView {
  const record: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === "string" && value !== "") record[k] = value;
  }
  const parsed = ZDashboardView.parse(record);
  const filters: TFilters = {};
  for (const d of FILTER_DIMENSIONS) {
    const value = (parsed as Record<string, unknown>)[d];
    if (typeof value === "string") filters[d] = value;
  }
  let range = parsed.range;
  let from = parsed.from;
  let to = parsed.to;
  if (range === "custom" && (!from || !to)) range = "month";
  if (range !== "custom") from = to = undefined;
  else if (from! > to!) [from, to] = [to, from];
  return { range, from, to, stack: parsed.stack, filters };
}

// The view back as a query string (defaults left out, so the plain URL is the default view).
export function viewQuery(view: TDashboardView, change: Partial<Omit<TDashboardView, "filters">> & { filters?: TFilters } = {}): string {
  const next = { ...view, ...change, filters: change.filters ?? view.filters };
  const params = new URLSearchParams();
  if (next.range !== "month") params.set("range", next.range);
  if (next.range === "custom" && next.from && next.to) {
    params.set("from", next.from);
    params.set("to", next.to);
  }
  for (const d of FILTER_DIMENSIONS) if (next.filters[d]) params.set(d, next.filters[d]!);
  if (next.stack !== "agent") params.set("stack", next.stack);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export type TGranularity = "hour" | "day";
export type TResolvedRange = {
  from: Date;
  to: Date;
  granularity: TGranularity;
  // The org-local dates the range covers (inclusive), for the custom-range form and headings.
  fromDate: string;
  toDate: string;
};

// Hourly buckets up to a week: a day of hours reads; a month of them does not.
const MAX_HOURLY_MS = 7 * 24 * 3600 * 1000;

// Presets in the org's zone, ending now: today = since local midnight; 7 / 30 / 90 days = that many
// local calendar days including today; this month = since the 1st. A custom range is whole local
// days [from 00:00, to+1 00:00), cut at now (the future holds no spend, and must not draw as $0).
export async function resolveRange(view: Pick<TDashboardView, "range" | "from" | "to">, timezone: string, now: Date): Promise<TResolvedRange> {
  const days: Record<string, number> = { today: 0, "7d": 6, "30d": 29, "90d": 89 };
  const { rows } = await pool().query<{ f: Date; t: Date; fd: string; td: string }>(
    `WITH l AS (SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $2) AS today)
     SELECT s.f, s.t, to_char(s.f AT TIME ZONE $2, 'YYYY-MM-DD') AS fd,
            to_char((s.t - interval '1 millisecond') AT TIME ZONE $2, 'YYYY-MM-DD') AS td
       FROM l, LATERAL (
         SELECT CASE $3::text
                  WHEN 'month' THEN date_trunc('month', l.today) AT TIME ZONE $2
                  WHEN 'custom' THEN $4::date::timestamp AT TIME ZONE $2
                  ELSE (l.today - make_interval(days => $6::int)) AT TIME ZONE $2
                END AS f,
                CASE $3::text
                  WHEN 'custom' THEN least(($5::date + 1)::timestamp AT TIME ZONE $2, $1::timestamptz)
                  ELSE $1::timestamptz
                END AS t
       ) s`,
    [now, timezone, view.range, view.from ?? null, view.to ?? null, days[view.range] ?? 0],
  );
  const row = rows[0];
  // A custom range wholly in the future: an empty range at now rather than an error.
  const from = row.f < row.t ? row.f : row.t;
  const to = row.t;
  return {
    from,
    to,
    granularity: to.getTime() - from.getTime() <= MAX_HOURLY_MS + 3600_000 ? "hour" : "day",
    fromDate: row.fd,
    toDate: row.td < row.fd ? row.fd : row.td,
  };
}

export function hasFilters(filters: TFilters): boolean {
  return FILTER_DIMENSIONS.some((d) => filters[d]);
}
