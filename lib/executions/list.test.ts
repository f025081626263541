// The executions list against a real Postgres: every sort walks all pages (forwards and back) with
// no execution missing or repeated, ties included; filters; a tampered cursor is refused cleanly;
// org A never lists org B's executions; a deep page is an index range scan, not a count of rows.
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { pool } from "../db";
import { DomainError } from "../errors";
import { createCostCenter, createTeam, createTestOrg } from "../testing/fixtures";
import { EXECUTION_SORTS, encodeCursor, listExecutions, listHref, parseListSearch, resolveListRange, type TExecutionSort, type TSortDir } from "./list";

type TSeed = {
  executionId: string;
  costUsd: string;
  retryCostUsd?: string;
  calls?: number;
  retries?: number;
  firstSeenAt: string;
  lastSeenAt: string;
  status?: "RUNNING" | "DONE" | "FAILED" | "BLOCKED";
  agent?: string;
  task?: string;
  teamId?: string | null;
  userId?: string;
  repository?: string;
};

async function insertExecutions(orgId: string, seeds: TSeed[]): Promise<void> {
  for (const s of seeds) {
    await pool().query(
      `INSERT INTO "Execution" (id, "orgId", "executionId", agent, task, "teamId", "userId", repository, "firstSeenAt", "lastSeenAt",
                                calls, retries, "costUsd", "retryCostUsd", status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::"ExecutionStatus")`,
      [randomUUID(), orgId, s.executionId, s.agent ?? null, s.task ?? null, s.teamId ?? null, s.userId ?? null, s.repository ?? null,
        s.firstSeenAt, s.lastSeenAt, s.calls ?? 1, s.retries ?? 0, s.costUsd, s.retryCostUsd ?? "0", s.status ?? "DONE"],
    );
  }
}

// Walks a sort to the end with small pages; returns the ids in the order seen.
async function walk(orgId: string, sort: TExecutionSort, dir: TSortDir, limit: number, filters = {}): Promise<{ ids: string[]; pages: string[][]; lastCursor: string | null }> {
  const ids: string[] = [];
  const pages: string[][] = [];
  let cursor: string | null = null;
  let lastCursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await listExecutions({ orgId, sort, dir, limit, cursor, filters });
    const pageIds = page.executions.map((e) => e.id);
    ids.push(...pageIds);
    pages.push(pageIds);
    if (!page.nextCursor) break;
    lastCursor = cursor;
    cursor = page.nextCursor;
  }
  return { ids, pages, lastCursor };
}

// 12 executions with deliberate ties: four cost $2.50 exactly (written with different scales), three
// have 0 retries and the same call count, two have the same duration.
const T0 = Date.parse("2026-11-10T12:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const SEEDS: TSeed[] = [
  { executionId: "a", costUsd: "2.5", calls: 10, retries: 0, firstSeenAt: at(0), lastSeenAt: at(10) },
  { executionId: "b", costUsd: "2.500000000000", calls: 10, retries: 2, retryCostUsd: "0.4", firstSeenAt: at(1), lastSeenAt: at(31) },
  { executionId: "c", costUsd: "41.017", calls: 120, retries: 0, firstSeenAt: at(2), lastSeenAt: at(200) },
  { executionId: "d", costUsd: "0.000001", calls: 1, retries: 0, firstSeenAt: at(3), lastSeenAt: at(3) },
  { executionId: "e", costUsd: "2.50", calls: 4, retries: 1, retryCostUsd: "0.4", firstSeenAt: at(4), lastSeenAt: at(14) },
  { executionId: "f", costUsd: "0", calls: 2, retries: 0, firstSeenAt: at(5), lastSeenAt: at(6) },
  { executionId: "g", costUsd: "13.2", calls: 40, retries: 8, retryCostUsd: "5.125", firstSeenAt: at(6), lastSeenAt: at(66) },
  { executionId: "h", costUsd: "2.5", calls: 10, retries: 0, firstSeenAt: at(7), lastSeenAt: at(8) },
  { executionId: "i", costUsd: "7", calls: 3, retries: 0, firstSeenAt: at(8), lastSeenAt: at(9) },
  { executionId: "j", costUsd: "0.99", calls: 25, retries: 3, retryCostUsd: "0.09", firstSeenAt: at(9), lastSeenAt: at(100) },
  { executionId: "k", costUsd: "1.01", calls: 6, retries: 0, firstSeenAt: at(10), lastSeenAt: at(20) },
  { executionId: "l", costUsd: "0.5", calls: 1, retries: 0, firstSeenAt: at(11), lastSeenAt: at(11) },
];

describe("executions list", () => {
  test("every sort, both directions, walked in pages of 5 and 1: each execution exactly once, in order", async () => {
    const { org } = await createTestOrg();
    await insertExecutions(org.id, SEEDS);
    // What a reader checks by hand for the cost sort: $41.017, $13.20, $7, then the four $2.50s
    // (in a stable order), $1.01, $0.99, $0.50, <$0.01, $0.
    const byCost = (await walk(org.id, "cost", "desc", 5)).ids;
    expect(byCost.slice(0, 3)).toEqual(["c", "g", "i"]);
    expect(byCost.slice(3, 7).sort()).toEqual(["a", "b", "e", "h"]);
    expect(byCost.slice(7)).toEqual(["k", "j", "l", "d", "f"]);

    const key: Record<TExecutionSort, (s: TSeed) => number> = {
      cost: (s) => Number(s.costUsd),
      retry_cost: (s) => Number(s.retryCostUsd ?? 0),
      calls: (s) => s.calls ?? 1,
      retries: (s) => s.retries ?? 0,
      last_seen: (s) => Date.parse(s.lastSeenAt),
      first_seen: (s) => Date.parse(s.firstSeenAt),
      duration: (s) => Date.parse(s.lastSeenAt) - Date.parse(s.firstSeenAt),
    };
    for (const sort of EXECUTION_SORTS) {
      for (const dir of ["desc", "asc"] as const) {
        for (const limit of [5, 1, 12]) {
          const { ids, pages } = await walk(org.id, sort, dir, limit);
          expect(new Set(ids).size, `${sort} ${dir} /${limit}: a repeat in ${ids}`).toBe(ids.length);
          expect([...ids].sort(), `${sort} ${dir} /${limit}`).toEqual(SEEDS.map((s) => s.executionId).sort());
          expect(pages.length).toBe(Math.ceil(SEEDS.length / limit));
          // The values never go the wrong way (ties may come in any stable order).
          const values = ids.map((id) => key[sort](SEEDS.find((s) => s.executionId === id)!));
          for (let i = 1; i < values.length; i++) {
            if (dir === "desc") expect(values[i], `${sort} desc at ${i}`).toBeLessThanOrEqual(values[i - 1]);
            else expect(values[i], `${sort} asc at ${i}`).toBeGreaterThanOrEqual(values[i - 1]);
          }
        }
        // The same order whatever the page size: the order is total (ties broken by id).
        expect((await walk(org.id, sort, dir, 5)).ids).toEqual((await walk(org.id, sort, dir, 12)).ids);
      }
    }
  });

  test("previous page: walking back from the last page gives the same pages in reverse", async () => {
    const { org } = await createTestOrg();
    await insertExecutions(org.id, SEEDS);
    const forward = await walk(org.id, "cost", "desc", 5);
    // Page 1 → 2 → 3, then back 3 → 2 → 1.
    let page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5 });
    expect(page.prevCursor).toBeNull();
    page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5, cursor: page.nextCursor });
    page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5, cursor: page.nextCursor });
    expect(page.executions.map((e) => e.id)).toEqual(forward.pages[2]);
    expect(page.nextCursor).toBeNull();
    page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5, cursor: page.prevCursor });
    expect(page.executions.map((e) => e.id)).toEqual(forward.pages[1]);
    expect(page.nextCursor).not.toBeNull();
    page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5, cursor: page.prevCursor });
    expect(page.executions.map((e) => e.id)).toEqual(forward.pages[0]);
    expect(page.prevCursor).toBeNull();
  });

  test("a row with the cursor's exact value, added between two page loads, is not skipped twice nor shown twice", async () => {
    const { org } = await createTestOrg();
    await insertExecutions(org.id, SEEDS);
    const first = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5 });
    await insertExecutions(org.id, [{ executionId: "late", costUsd: "100", firstSeenAt: at(50), lastSeenAt: at(51) }]);
    const second = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5, cursor: first.nextCursor });
    // Still the page after the first page's last row, not shifted by one as OFFSET would be.
    expect(second.executions.map((e) => e.id)).not.toContain(first.executions.at(-1)!.id);
    expect(second.executions.map((e) => e.id)).not.toContain("late");
  });

  test("the numbers a row shows: exact cost, retries and retry cost, duration, state", async () => {
    const { org } = await createTestOrg();
    await insertExecutions(org.id, SEEDS);
    const { executions } = await listExecutions({ orgId: org.id, sort: "retry_cost", dir: "desc", limit: 1 });
    expect(executions[0]).toMatchObject({ id: "g", cost_usd: "13.20", retries: 8, retry_cost_usd: "5.125", calls: 40, duration_ms: 60 * 60_000, status: "done" });
  });

  test("filters: range, state, agent, task, team, user, repository, cost center (via the team)", async () => {
    const { org } = await createTestOrg();
    const cc = await createCostCenter(org.id, "CC-42");
    const platform = await createTeam(org.id, "platform", cc.id);
    const web = await createTeam(org.id, "web");
    const now = new Date();
    const ago = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
    await insertExecutions(org.id, [
      { executionId: "live", costUsd: "1", firstSeenAt: ago(5), lastSeenAt: ago(1), status: "RUNNING", agent: "coder", task: "fix #1", teamId: platform.id, userId: "ann@x.dev", repository: "acme/api" },
      { executionId: "quiet", costUsd: "2", firstSeenAt: ago(90), lastSeenAt: ago(60), status: "RUNNING", agent: "coder", task: "fix #2", teamId: web.id, userId: "bob@x.dev", repository: "acme/web" },
      { executionId: "stopped", costUsd: "3", firstSeenAt: ago(300), lastSeenAt: ago(200), status: "BLOCKED", agent: "migrator", teamId: platform.id, userId: "ann@x.dev" },
      { executionId: "old", costUsd: "4", firstSeenAt: ago(60 * 24 * 10), lastSeenAt: ago(60 * 24 * 10 - 5), status: "FAILED", agent: "migrator", teamId: null },
    ]);
    const ids = async (filters: object) => (await listExecutions({ orgId: org.id, filters })).executions.map((e) => e.id).sort();
    expect(await ids({})).toEqual(["live", "old", "quiet", "stopped"]);
    expect(await ids({ state: "running" })).toEqual(["live"]);
    expect(await ids({ state: "idle" })).toEqual(["quiet"]);
    expect(await ids({ state: "blocked" })).toEqual(["stopped"]);
    expect(await ids({ state: "failed" })).toEqual(["old"]);
    expect(await ids({ agent: "migrator" })).toEqual(["old", "stopped"]);
    expect(await ids({ task: "fix #2" })).toEqual(["quiet"]);
    expect(await ids({ team: "platform" })).toEqual(["live", "stopped"]);
    expect(await ids({ team: "nope" })).toEqual([]);
    expect(await ids({ user: "ann@x.dev" })).toEqual(["live", "stopped"]);
    expect(await ids({ repository: "acme/web" })).toEqual(["quiet"]);
    expect(await ids({ costCenter: "CC-42" })).toEqual(["live", "stopped"]);
    expect(await ids({ agent: "coder", team: "platform" })).toEqual(["live"]);
    // Active in the range: "old" ended 10 days ago; an execution that straddles `from` is in.
    expect(await ids({ from: new Date(now.getTime() - 24 * 3600_000) })).toEqual(["live", "quiet", "stopped"]);
    expect(await ids({ from: new Date(now.getTime() - 70 * 60_000), to: new Date(now.getTime() - 30 * 60_000) })).toEqual(["quiet"]);
  });

  test("ranges are the org's days: 'today' in Asia/Kolkata starts at its midnight (18:30 UTC the day before)", async () => {
    const now = new Date("2026-11-20T10:00:00Z"); // 15:30 in Kolkata
    expect(await resolveListRange("Asia/Kolkata", { range: "today" }, now)).toEqual({ from: new Date("2026-11-19T18:30:00Z"), to: null });
    expect(await resolveListRange("Asia/Kolkata", { range: "7d" }, now)).toEqual({ from: new Date("2026-11-13T18:30:00Z"), to: null });
    // Across the end of DST in Berlin (Oct 25): local midnights, 23 or 25 hours apart.
    expect(await resolveListRange("Europe/Berlin", { range: "30d" }, new Date("2026-11-10T12:00:00Z"))).toEqual({ from: new Date("2026-10-11T22:00:00Z"), to: null });
    expect(await resolveListRange("Europe/Berlin", { range: "month" }, new Date("2026-11-10T12:00:00Z"))).toEqual({ from: new Date("2026-10-31T23:00:00Z"), to: null });
    expect(await resolveListRange("Europe/Berlin", { range: "30d", from: "2026-10-24", to: "2026-10-25" })).toEqual({ from: new Date("2026-10-23T22:00:00Z"), to: new Date("2026-10-25T23:00:00Z") });
    expect(await resolveListRange("UTC", { range: "all" })).toEqual({ from: null, to: null });
  });

  test("a tampered or foreign cursor is a clear bad request (400), never a 500 or another page", async () => {
    const { org } = await createTestOrg();
    await insertExecutions(org.id, SEEDS);
    const good = (await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", limit: 5 })).nextCursor!;
    const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
    const forged = [
      "not-a-cursor!",
      "%%%",
      b64("{not json"),
      b64([1, 2]),
      b64({ s: "cost", d: "desc", k: "after", v: "1; DROP TABLE \"Execution\"", i: "x" }),
      b64({ s: "cost", d: "desc", k: "after", v: "1e400", i: "x" }),
      b64({ s: "cost", d: "desc", k: "after", v: "2.5", i: "x'--" }),
      b64({ s: "cost", d: "desc", k: "sideways", v: "2.5", i: "x" }),
      b64({ s: "cost", d: "desc", k: "after", v: "2.5", i: "x", extra: 1 }),
      encodeCursor({ s: "calls", d: "desc", k: "after", v: "10", i: "x" }), // another sort's cursor
      encodeCursor({ s: "cost", d: "asc", k: "after", v: "2.5", i: "x" }), // another direction's
      "A".repeat(5000),
    ];
    for (const cursor of forged) {
      const err = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", cursor }).then(() => null, (e) => e);
      expect(err, cursor.slice(0, 40)).toBeInstanceOf(DomainError);
      expect(err.status).toBe(400);
      expect(err.message).toBe("Invalid page cursor");
    }
    // Out-of-range values of the right shape: a bigint beyond int8, a date that is no date.
    for (const [sort, v] of [["calls", "99999999999999999999"], ["calls", "1 OR 1=1"], ["retries", "abc"], ["last_seen", "2026-13-45T99:00:00Z"], ["duration", "-5"]] as const) {
      const err = await listExecutions({ orgId: org.id, sort, dir: "desc", cursor: encodeCursor({ s: sort, d: "desc", k: "after", v, i: "x" }) }).then(() => null, (e) => e);
      expect(err?.status, `${sort} ${v}`).toBe(400);
    }
    // A well-formed cursor naming a row that does not exist is simply a position: no error.
    const page = await listExecutions({ orgId: org.id, sort: "cost", dir: "desc", cursor: encodeCursor({ s: "cost", d: "desc", k: "after", v: "2.5", i: "zzzz" }) });
    expect(page.executions.map((e) => Number(e.cost_usd)).every((c) => c <= 2.5)).toBe(true);
    expect(good).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test("tenant isolation: org A's list never holds org B's executions, even with B's cursor", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    await insertExecutions(a.org.id, SEEDS.slice(0, 3));
    await insertExecutions(b.org.id, [{ executionId: "b-secret", costUsd: "999", firstSeenAt: at(0), lastSeenAt: at(1) }, ...SEEDS.slice(0, 3)]);
    const aIds = (await walk(a.org.id, "cost", "desc", 2)).ids;
    expect(aIds.sort()).toEqual(["a", "b", "c"]);
    const bPage = await listExecutions({ orgId: b.org.id, sort: "cost", dir: "desc", limit: 1 });
    const withBCursor = await listExecutions({ orgId: a.org.id, sort: "cost", dir: "desc", cursor: bPage.nextCursor });
    expect(withBCursor.executions.map((e) => e.id)).not.toContain("b-secret");
    expect(withBCursor.executions.every((e) => ["a", "b", "c"].includes(e.id))).toBe(true);
  });

  test("the URL: unusable parameters fall back to defaults, links keep the filters and drop the cursor", () => {
    const search = parseListSearch({ sort: "retries", dir: "sideways", range: "7d", agent: "coder", state: "nope", from: "2026-02-30", cursor: "abc" });
    expect(search).toMatchObject({ sort: "retries", dir: "desc", range: "7d", agent: "coder", state: undefined, from: undefined, cursor: "abc" });
    expect(listHref("acme", search, { sort: "cost" })).toBe("/acme/executions?range=7d&agent=coder");
    expect(listHref("acme", search, { cursor: "xyz" })).toBe("/acme/executions?sort=retries&range=7d&agent=coder&cursor=xyz");
    expect(listHref("acme", parseListSearch({}), {})).toBe("/acme/executions");
  });
});

describe("a deep page is one index range scan (EXPLAIN)", () => {
  test("with 3,000 executions, a page 2,400 rows deep reads one page of index entries (every sort), not the rows before it", async () => {
    const { org } = await createTestOrg();
    await pool().query(
      `INSERT INTO "Execution" (id, "orgId", "executionId", "firstSeenAt", "lastSeenAt", calls, retries, "costUsd", "retryCostUsd", status)
       SELECT gen_random_uuid()::text, $1, 'x' || g, now() - g * interval '1 minute', now() - g * interval '1 minute' + (g % 97) * interval '1 second',
              g % 50, g % 7, (g % 400) / 7.0, (g % 7) / 3.0, 'DONE'
         FROM generate_series(1, 3000) g`,
      [org.id],
    );
    await pool().query(`ANALYZE "Execution"`);
    for (const sort of EXECUTION_SORTS) {
      // Walk 2,400 rows deep in pages of 200, then plan the next 50-row page.
      const deep = await listExecutions({ orgId: org.id, sort, dir: "desc", limit: 200 });
      let cursor = deep.nextCursor;
      for (let i = 0; i < 11; i++) cursor = (await listExecutions({ orgId: org.id, sort, dir: "desc", limit: 200, cursor })).nextCursor;
      const plan = await explainPage(org.id, sort, cursor!);
      // The scan starts at the cursor: the index returns the page (plus one), not everything before it.
      expect(plan.nodeType, `${sort}: ${JSON.stringify(plan.raw).slice(0, 400)}`).toMatch(/Index Scan/);
      expect(plan.indexName, sort).toMatch(/^Execution_orgId_/);
      expect(plan.rows, sort).toBeLessThanOrEqual(51);
      if (process.env.SHOW_PLANS) console.log(sort, plan.nodeType, plan.indexName, plan.rows, JSON.stringify(plan.raw).match(/"Index Cond":"[^"]*"/)?.[0]);
    }
  });
});

// Runs the list's query under EXPLAIN ANALYZE by capturing the SQL listExecutions sends.
async function explainPage(orgId: string, sort: TExecutionSort, cursor: string) {
  const client = pool();
  const original = client.query.bind(client);
  let captured: { text: string; values: unknown[] } | null = null;
  (client as any).query = (text: string, values: unknown[]) => {
    captured = { text, values };
    return original(text, values);
  };
  try {
    await listExecutions({ orgId, sort, dir: "desc", limit: 50, cursor });
  } finally {
    (client as any).query = original;
  }
  const { rows } = await original(`EXPLAIN (ANALYZE, FORMAT JSON) ${captured!.text}`, captured!.values);
  const root = rows[0]["QUERY PLAN"][0].Plan;
  // Limit → (maybe a join with Team) → the scan of Execution.
  const find = (node: any): any => (node["Relation Name"] === "Execution" ? node : (node.Plans ?? []).map(find).find(Boolean));
  const scan = find(root);
  return { nodeType: scan["Node Type"] as string, indexName: scan["Index Name"] as string, rows: scan["Actual Rows"] as number, raw: root };
}
