// Property-based tests of the dashboard's read boundaries: generated query strings against
// GET /api/v1/spend and GET /api/v1/executions (ill-formed Unicode, percent-encoded garbage, NUL,
// huge values, repeated and unknown keys, dates out of range) never get a 5xx and every refusal has
// the documented error shape; an accepted spend answer's groups add up to its total. The pages' URL
// parsers (overview view, executions list, showback month) never throw for any search params: a
// hand-edited link opens a page. FUZZ_RUNS / FUZZ_SEED scale or replay a run.
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { filtersOf, listExecutions, parseListSearch, resolveListRange } from "../executions/list";
import { executionTimeline, resolveExecutionId } from "../executions/timeline";
import { pageRange } from "../pricing/dates";
import { monthParam } from "../showback/month";
import { DomainError } from "../errors";
import { Decimal } from "../money";
import { expectErrorShape } from "../testing/events-api";
import { createTeam, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { parseDashboardView } from "./filters";
import { overviewFor } from "./overview";

let server: Awaited<ReturnType<typeof startMachineServer>>;
let secret: string;
let org: { id: string; timezone: string };
beforeAll(async () => {
  server = await startMachineServer();
  const created = await createTestOrg({ timezone: "Asia/Kolkata" });
  secret = created.secret;
  org = { id: created.org.id, timezone: created.org.timezone };
  await createTeam(created.org.id, "platform");
  const events = Array.from({ length: 40 }, (_, i) => ({
    id: `f-${i}`,
    timestamp: new Date(Date.now() - i * 3_600_000).toISOString(),
    model: i % 3 ? "gpt-4o" : "gpt-4o-mini",
    provider: "openai",
    usage: { input_tokens: 1000 + i, output_tokens: 100 },
    agent: i % 2 ? "coder" : "reviewer",
    team: "platform",
    execution_id: `x-${i % 5}`,
  }));
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect(res.status).toBe(200);
});
afterAll(() => server.close());

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const KEYS = ["from", "to", "group_by", "limit", "order", "team", "agent", "model", "key", "cost_center", "repository", "user", "cursor", "x", "__proto__", "constructor"];
// A query value as it travels: already percent-encoded text, some of it not UTF-8 once decoded.
const encodedValue = fc.oneof(
  fc.constantFrom("day", "team", "agent", "model", "cost_center", "execution", "platform", "coder", "gpt-4o", "10", "0", "-1", "1e309", "NaN", "999999999999999999999"),
  fc.constantFrom("2026-11-01T00:00:00Z", "2026-11-28T00:00:00%2B05:30", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z", "2026-11-01", "yesterday"),
  fc.constantFrom("%ED%A0%80", "%C0%AF", "%FF%FE", "%00", "%E2%80%AE", "%F0%9F%92%B8", "%", "%G1", "a%2", "%EF%BF%BD"),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => "a".repeat(n)),
);
const anyQuery = fc.array(fc.tuple(fc.constantFrom(...KEYS), encodedValue), { maxLength: 8 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));
// Mostly valid: known keys, each once, a real grouping and range — garbage only in filter values,
// so the reads themselves (SQL with odd strings) run, not just the validation in front of them.
const FILTERS = ["team", "agent", "model", "key", "cost_center", "repository", "user"];
const filterValue = fc.oneof(fc.constantFrom("platform", "coder", "gpt-4o", "%ED%A0%80x", "%00", "%E2%80%AE", "'%3B--", "a%2Cb"), fc.string({ minLength: 1, maxLength: 30 }).map((t) => encodeURIComponent(t)));
const validQuery = fc
  .record({
    group_by: fc.option(fc.constantFrom("team", "agent", "model", "user", "task", "execution", "cost_center", "repository", "key", "day"), { nil: undefined }),
    days: fc.integer({ min: 0, max: 120 }),
    hours: fc.integer({ min: 1, max: 2000 }),
    filters: fc.dictionary(fc.constantFrom(...FILTERS), filterValue, { maxKeys: 3 }),
  })
  .map(({ group_by, days, hours, filters }) => {
    const to = new Date(Date.now() - days * 86_400_000);
    const from = new Date(to.getTime() - hours * 3_600_000);
    const parts = [`from=${encodeURIComponent(from.toISOString())}`, `to=${encodeURIComponent(to.toISOString())}`];
    if (group_by) parts.push(`group_by=${group_by}`);
    for (const [k, v] of Object.entries(filters)) parts.push(`${k}=${v}`);
    return parts.join("&");
  });
const query = fc.oneof(anyQuery, validQuery);

const statuses = new Map<number, number>();
afterAll(() => console.log(`[fuzz-read] answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`));

test("GET /api/v1/spend and /api/v1/executions: any query gets 200 or a documented 4xx, never a 5xx; groups add up", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom("/api/v1/spend", "/api/v1/executions"), query, async (path, q) => {
      const res = await api(server.url, `${path}?${q}`, { secret });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `${path}?${q.slice(0, 200)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
      if (res.status !== 200) {
        expect([400, 404, 414, 422, 431]).toContain(res.status);
        if (res.status !== 414 && res.status !== 431) expectErrorShape(res.body);
        return;
      }
      if (path === "/api/v1/spend" && res.body.group_by) {
        const sum = (res.body.groups as { cost_usd: string }[]).reduce((acc, g) => acc.plus(g.cost_usd), new Decimal(0));
        // A limit cuts the groups, never the total.
        if (!/(^|&)limit=/.test(q)) expect(sum.eq(res.body.total_usd), `${q}: groups ${sum} ≠ total ${res.body.total_usd}`).toBe(true);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

// Next hands a page its search params decoded: any string, one or repeated.
const searchParams = fc.dictionary(
  fc.oneof(fc.constantFrom("range", "from", "to", "stack", "team", "sort", "dir", "cursor", "state", "month", "agent"), fc.string({ maxLength: 12 })),
  fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }), fc.constant(undefined)),
  { maxKeys: 8 },
);

test("the pages' URL parsers never throw: a hand-edited link still opens the overview, the executions list and the showback", () => {
  fc.assert(
    fc.property(searchParams, fc.string({ maxLength: 40 }), (params, month) => {
      const view = parseDashboardView(params as Record<string, string | string[] | undefined>);
      expect(["today", "7d", "month", "30d", "90d", "custom"]).toContain(view.range);
      parseListSearch(params as Record<string, string | string[] | undefined>);
      // The month is a refusal the page shows as a notice and the CSV answers with 400 — never a crash.
      try {
        const m = monthParam(month, "Asia/Kolkata");
        expect(m.month).toBeGreaterThanOrEqual(1);
        expect(m.month).toBeLessThanOrEqual(12);
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).status).toBe(400);
      }
    }),
    { numRuns: RUNS * 5, seed: SEED },
  );
});

// Odd text a person can paste into a URL, decoded as Next decodes it.
const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udfff", "\u202e", "💸", "' OR 1=1 --", " ", "%", "platform", "custom"),
  // Dates zod's ISO checks accept and Postgres refuses.
  fc.constantFrom("0000-01-01", "2024-01-01", "9999-12-31", "2024-01-01T00:00:00+23:59", "0000-01-01T00:00:00Z"),
);
// Cursors as a forger makes them: base64url JSON of the right shape with odd values.
const forgedCursor = fc
  .record({
    s: fc.constantFrom("cost", "last_seen", "first_seen", "calls", "retries", "retry_cost", "duration", "x"),
    d: fc.constantFrom("asc", "desc"),
    k: fc.constantFrom("after", "before"),
    v: fc.oneof(oddText, fc.constantFrom("1", "0.5", "99999999999999999999999999", "2026-11-01T00:00:00.000Z")),
    i: fc.oneof(fc.constantFrom("abc", "x-1"), oddText),
    t: oddText,
    n: fc.integer(),
  })
  .map((c) => Buffer.from(JSON.stringify(c), "utf8").toString("base64url"));
const pageParams = fc.dictionary(
  fc.constantFrom("range", "from", "to", "stack", "team", "agent", "model", "key", "cost_center", "repository", "user", "sort", "dir", "state", "task", "cursor"),
  fc.oneof(oddText, forgedCursor),
  { maxKeys: 6 },
);

test("the overview, executions list and detail, and models page load for any search params (odd text is dropped or a 400, never a 500)", async () => {
  await fc.assert(
    fc.asyncProperty(pageParams, oddText, forgedCursor, async (params, executionSegment, callsCursor) => {
      await overviewFor(org, parseDashboardView(params));
      await pageRange(org.timezone, { from: params.from, to: params.to });
      expect(await resolveExecutionId(org.id, executionSegment)).toBeNull();
      try {
        await executionTimeline({ orgId: org.id, executionId: "x-1", callsCursor });
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).status).toBe(400);
      }
      const search = parseListSearch(params);
      const range = await resolveListRange(org.timezone, search);
      try {
        await listExecutions({ orgId: org.id, sort: search.sort, dir: search.dir, filters: filtersOf(search, range), cursor: search.cursor });
      } catch (err) {
        // A cursor the list did not make: the page says so and shows the first page.
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).status).toBe(400);
      }
    }),
    { numRuns: Math.max(20, Math.floor(RUNS / 3)), seed: SEED },
  );
});
