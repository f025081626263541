import { z } from "zod";
import { invalid } from "../errors";
import { ZInstantOut, ZUsd } from "../api/openapi";
import { withApiKey } from "../api/with-api-key";
import { listExecutions } from "../executions/list";
import { ZExecutionSummary } from "./executions";
import { ZFilterFields } from "./filters";
import { periodStarts } from "./periods";
import { SPEND_GROUPS, spendReport, ZSpendGroupRow } from "./spend";

const ZInstant = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 date-time with a time zone" })
  .describe("ISO-8601 instant with a zone; default: the start of this calendar month in the org's zone (from), now (to)");

export const ZSpendResponse = z.strictObject({
  from: ZInstantOut,
  to: ZInstantOut,
  total_usd: ZUsd,
  group_by: z.enum(SPEND_GROUPS).nullable(),
  currency: z.literal("USD"),
  groups: z.array(ZSpendGroupRow).describe("Biggest spend first; group_by=day in date order"),
});

export const ZExecutionsResponse = z.strictObject({
  from: ZInstantOut,
  to: ZInstantOut,
  order: z.enum(["cost", "recent"]),
  executions: z.array(ZExecutionSummary),
  next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page (same range and order); null on the last page"),
});
const MAX_RANGE_MS = 400 * 24 * 3600 * 1000;

const ZRange = {
  from: ZInstant.optional(),
  to: ZInstant.optional(),
};

// Default range: this calendar month in the org's time zone, up to now.
async function resolveRange(timezone: string, from?: string, to?: string): Promise<{ from: Date; to: Date }> {
  const end = to ? new Date(to) : new Date();
  const start = from ? new Date(from) : (await periodStarts(timezone, end)).monthStart;
  if (start >= end) throw invalid("Invalid range", [{ path: "from", message: "must be before 'to'" }]);
  if (end.getTime() - start.getTime() > MAX_RANGE_MS) {
    throw invalid("Invalid range", [{ path: "from", message: "range is limited to 400 days" }]);
  }
  return { from: start, to: end };
}

// GET /api/v1/spend?from=&to=&group_by=&team=&agent=&model=&key=&cost_center=&repository=&user=
export const getSpend = withApiKey(
  {
    scope: "read",
    query: z.strictObject({
      ...ZRange,
      // The dashboard's filters (lib/reports/filters.ts), so its sums can be checked here.
      ...ZFilterFields,
      group_by: z.enum(SPEND_GROUPS).optional().describe("Break the total down; day is a day in the org's time zone"),
      limit: z.coerce.number().int().min(1).max(10_000).optional(),
    }),
    doc: {
      summary: "Spend over a range, exact to the event",
      description:
        "Whole hours come from hourly rollups, the partial hours at the range's edges from raw events: any range is exact. At most 400 days. Filters (team, agent, model, key, cost_center, repository, user) keep only the calls matching all of them; an unknown value matches nothing.",
      responses: { 200: { description: "The total and its groups", schema: ZSpendResponse } },
    },
  },
  async ({ key, query }) => {
    const range = await resolveRange(key.orgTimezone, query.from, query.to);
    const { group_by, limit, from: _from, to: _to, ...filters } = query;
    const report = await spendReport({ orgId: key.orgId, timezone: key.orgTimezone, ...range, groupBy: group_by, limit, filters });
    return { status: 200, body: { ...report, group_by: query.group_by ?? null, currency: "USD" } };
  },
);

// GET /api/v1/executions?from=&to=&order=cost&limit=&cursor=
export const getExecutions = withApiKey(
  {
    scope: "read",
    query: z.strictObject({
      ...ZRange,
      order: z.enum(["cost", "recent"]).default("cost"),
      limit: z.coerce.number().int().min(1).max(500).default(20),
      cursor: z.string().max(400).optional().describe("The previous page's next_cursor (keyset: any depth costs the same)"),
    }),
    doc: {
      summary: "Executions active in a range, most expensive (or most recent) first",
      responses: { 200: { description: "The executions", schema: ZExecutionsResponse } },
    },
  },
  async ({ key, query }) => {
    const range = await resolveRange(key.orgTimezone, query.from, query.to);
    // The executions list's keyset pages (lib/executions/list.ts): a cursor from another order or a
    // forged one is a 400.
    const page = await listExecutions({
      orgId: key.orgId,
      sort: query.order === "cost" ? "cost" : "last_seen",
      dir: "desc",
      filters: { from: range.from, to: range.to },
      cursor: query.cursor,
      limit: query.limit,
    });
    const executions = page.executions.map(({ duration_ms: _duration, ...summary }) => summary);
    return {
      status: 200,
      body: { from: range.from.toISOString(), to: range.to.toISOString(), order: query.order, executions, next_cursor: page.nextCursor },
    };
  },
);
