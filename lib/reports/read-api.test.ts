// Contract tests of the read API (docs/api.md): GET /api/v1/spend and GET /api/v1/executions, over
// real HTTP against a real Postgres, with a small crafted data set whose sums are worked by hand.
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const isoAt = (ms: number) => new Date(ms).toISOString();
const utcMidnight = (ms: number) => Math.floor(ms / DAY) * DAY;
const q = (params: Record<string, string | number | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join("&");

function normDec(s: unknown): string {
  expect(typeof s, `not a decimal string: ${JSON.stringify(s)}`).toBe("string");
  expect(s).toMatch(/^\d+(\.\d+)?$/);
  const [i, f = ""] = (s as string).split(".");
  const frac = f.replace(/0+$/, "");
  return `${i.replace(/^0+(?=\d)/, "")}${frac ? `.${frac}` : ""}`;
}
const sumDec = (values: string[]) => normDec(values.reduce((acc, v) => acc.plus(new Decimal(v)), new Decimal(0)).toFixed());

function expectErrorShape(body: any): void {
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
}

const post = async (secret: string, events: unknown[]) => {
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.accepted).toBe(events.length);
  return res;
};

async function spend(secret: string, params: Record<string, string | number | undefined>) {
  const res = await api(server.url, `/api/v1/spend?${q(params)}`, { secret });
  expect(res.status, `${JSON.stringify(params)} → ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

// group key (null for "unattributed" → "∅") → [cost, calls, input_tokens, output_tokens]
function groupMap(body: any): Record<string, [string, number, number, number]> {
  const out: Record<string, [string, number, number, number]> = {};
  for (const g of body.groups) {
    const k = g.key === null || g.key === "" ? "∅" : g.key;
    expect(out[k], `duplicate group ${k}`).toBeUndefined();
    out[k] = [normDec(g.cost_usd), g.calls, g.input_tokens, g.output_tokens];
  }
  return out;
}

describe("GET /api/v1/spend group_by", () => {
  // Two days, D1 and D2, three days ago (UTC org).
  const D1 = utcMidnight(Date.now()) - 3 * DAY;
  const D2 = D1 + DAY;
  const range = { from: isoAt(D1), to: isoAt(D2 + DAY) };
  let secret: string;
  let k1Prefix: string;
  let k2Prefix: string;
  const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  beforeAll(async () => {
    const t = await createTestOrg();
    secret = t.secret;
    k2Prefix = t.key.prefix;
    const eng = await createCostCenter(t.org.id, "CC-ENG");
    const ops = await createCostCenter(t.org.id, "CC-OPS");
    const alpha = await createTeam(t.org.id, "alpha", eng.id);
    await createTeam(t.org.id, "beta", ops.id);
    const k1 = await createTestKey({ orgId: t.org.id, name: "k1", scopes: ["ingest"], teamId: alpha.id });
    k1Prefix = k1.prefix;
    const u = (i: number, o: number) => ({ input_tokens: i, output_tokens: o });
    await post(k1.secret, [
      { id: "e1", team: "alpha", agent: "planner", model: "gpt-4o", user: "u1", task: "t1", execution_id: "x1", repository: "r1", cost_usd: "1.10", usage: u(100, 10), timestamp: isoAt(D1 + 10 * HOUR + 15 * MIN) },
      { id: "e2", agent: "planner", model: "claude-x", user: "u2", task: "t1", execution_id: "x1", repository: "r1", cost_usd: "0.20", usage: u(200, 20), timestamp: isoAt(D1 + 11 * HOUR + 20 * MIN) },
    ]);
    await post(secret, [
      { id: "e3", team: "beta", agent: "coder", model: "gpt-4o", user: "u1", task: "t2", execution_id: "x2", repository: "r2", cost_usd: "3", usage: u(300, 30), timestamp: isoAt(D2 + 9 * HOUR + 5 * MIN) },
      { id: "e4", cost_center: "CC-ENG", agent: "coder", model: "gpt-4o", user: "u3", task: "t2", execution_id: "x3", cost_usd: "0.000000000001", usage: u(400, 40), timestamp: isoAt(D2 + 9 * HOUR + 55 * MIN) },
      { id: "e5", kind: "tool", tool: "bash", team: "beta", cost_center: "CC-ENG", cost_usd: 0.5, timestamp: isoAt(D2 + DAY - 1000) },
      // Outside [from, to): exactly at `to`, and 1 ms before `from`.
      { id: "out1", model: "gpt-4o", team: "alpha", agent: "planner", cost_usd: "100", timestamp: isoAt(D2 + DAY) },
      { id: "out2", model: "gpt-4o", team: "alpha", agent: "planner", cost_usd: "100", timestamp: isoAt(D1 - 1) },
    ]);
  });

  const expected: Record<string, () => Record<string, [string, number, number, number]>> = {
    team: () => ({ alpha: ["1.3", 2, 300, 30], beta: ["3.5", 2, 300, 30], "∅": ["0.000000000001", 1, 400, 40] }),
    cost_center: () => ({ "CC-ENG": ["1.800000000001", 4, 700, 70], "CC-OPS": ["3", 1, 300, 30] }),
    agent: () => ({ planner: ["1.3", 2, 300, 30], coder: ["3.000000000001", 2, 700, 70], "∅": ["0.5", 1, 0, 0] }),
    model: () => ({ "gpt-4o": ["4.100000000001", 3, 800, 80], "claude-x": ["0.2", 1, 200, 20], "∅": ["0.5", 1, 0, 0] }),
    user: () => ({ u1: ["4.1", 2, 400, 40], u2: ["0.2", 1, 200, 20], u3: ["0.000000000001", 1, 400, 40], "∅": ["0.5", 1, 0, 0] }),
    task: () => ({ t1: ["1.3", 2, 300, 30], t2: ["3.000000000001", 2, 700, 70], "∅": ["0.5", 1, 0, 0] }),
    execution: () => ({ x1: ["1.3", 2, 300, 30], x2: ["3", 1, 300, 30], x3: ["0.000000000001", 1, 400, 40], "∅": ["0.5", 1, 0, 0] }),
    repository: () => ({ r1: ["1.3", 2, 300, 30], r2: ["3", 1, 300, 30], "∅": ["0.500000000001", 2, 400, 40] }),
    key: () => ({ [k1Prefix]: ["1.3", 2, 300, 30], [k2Prefix]: ["3.500000000001", 3, 700, 70] }),
    day: () => ({ [dayKey(D1)]: ["1.3", 2, 300, 30], [dayKey(D2)]: ["3.500000000001", 3, 700, 70] }),
  };

  for (const groupBy of Object.keys(expected)) {
    test(`group_by=${groupBy} returns the right keys and sums`, async () => {
      const body = await spend(secret, { ...range, group_by: groupBy });
      expect(normDec(body.total_usd)).toBe("4.800000000001");
      expect(groupMap(body)).toEqual(expected[groupBy]());
      expect(sumDec(body.groups.map((g: any) => g.cost_usd))).toBe("4.800000000001");
    });
  }

  test("group_by=day is in date order (a time series), other groups by spend, biggest first", async () => {
    const days = await spend(secret, { ...range, group_by: "day" });
    // D2 cost more than D1: spend order would put it first.
    expect(days.groups.map((g: any) => g.key)).toEqual([dayKey(D1), dayKey(D2)]);
    const agents = await spend(secret, { ...range, group_by: "agent" });
    expect(agents.groups.map((g: any) => g.key)).toEqual(["coder", "planner", null]);
  });

  test("a group without a value (tool calls have no model) is JSON null, not an empty string", async () => {
    for (const groupBy of ["model", "agent", "team", "user", "task", "execution", "repository"]) {
      const body = await spend(secret, { ...range, group_by: groupBy });
      const keys = body.groups.map((g: any) => g.key);
      expect(keys, groupBy).toContain(null);
      expect(keys, groupBy).not.toContain("");
    }
  });

  test("response shape: from, to, total_usd, groups[{key,cost_usd,calls,input_tokens,output_tokens}]", async () => {
    const body = await spend(secret, { ...range, group_by: "team" });
    expect(new Date(body.from).getTime()).toBe(D1);
    expect(new Date(body.to).getTime()).toBe(D2 + DAY);
    expect(typeof body.total_usd).toBe("string");
    for (const g of body.groups) {
      expect(Object.keys(g)).toEqual(expect.arrayContaining(["key", "cost_usd", "calls", "input_tokens", "output_tokens"]));
      expect(typeof g.cost_usd).toBe("string");
      expect(Number.isInteger(g.calls) && Number.isInteger(g.input_tokens) && Number.isInteger(g.output_tokens)).toBe(true);
    }
    const noGroup = await spend(secret, range);
    expect(normDec(noGroup.total_usd)).toBe("4.800000000001");
  });
});

describe("range edges that cut hours", () => {
  // Events at :10, :30, :50 of hour H, in hour H+1, and at :10, :30, :50 of H+2, with power-of-two
  // costs so every subset has its own sum.
  const H = utcMidnight(Date.now()) - 2 * DAY + 5 * HOUR;
  const at = (h: number, m: number) => isoAt(H + h * HOUR + m * MIN);
  const events = [
    { id: "a", cost_usd: "1", timestamp: at(0, 10) },
    { id: "f", cost_usd: "32", timestamp: at(0, 30) },
    { id: "b", cost_usd: "2", timestamp: at(0, 50) },
    { id: "c", cost_usd: "4", timestamp: at(1, 20) },
    { id: "d", cost_usd: "8", timestamp: at(2, 10) },
    { id: "g", cost_usd: "64", timestamp: at(2, 30) },
    { id: "e", cost_usd: "16", timestamp: at(2, 50) },
  ].map((e) => ({ ...e, model: "m-edge", task: `task-${e.id}`, execution_id: "x-edge" }));

  // Groups read from the hourly rollups plus raw events at the edges…
  const ROLLUP_GROUPS = [undefined, "model", "day", "agent", "team", "key"];
  // …and groups summed from the raw events only.
  const EVENT_GROUPS = ["task", "execution"];

  async function check(secret: string, from: string, to: string, expectedTotal: string, calls: number, groups = ROLLUP_GROUPS) {
    for (const groupBy of groups) {
      const body = await spend(secret, { from, to, group_by: groupBy });
      expect(normDec(body.total_usd), `group_by=${groupBy} [${from}, ${to})`).toBe(expectedTotal);
      if (groupBy) {
        expect(sumDec(body.groups.map((g: any) => g.cost_usd)), `group_by=${groupBy}`).toBe(expectedTotal);
        expect(body.groups.reduce((n: number, g: any) => n + g.calls, 0), `group_by=${groupBy} calls`).toBe(calls);
      }
    }
  }

  test("UTC org: from/to at :30 count only the events inside, from inclusive, to exclusive", async () => {
    const { secret } = await createTestOrg();
    await post(secret, events);
    // [H:30, H+2:30) → f(32) + b(2) + c(4) + d(8)
    await check(secret, at(0, 30), at(2, 30), "46", 4);
    // Inside one hour: [H:05, H:55) → a + f + b
    await check(secret, at(0, 5), at(0, 55), "35", 3);
    // Hour aligned: [H+1:00, H+2:00) → c
    await check(secret, at(1, 0), at(2, 0), "4", 1);
    // [H:50, H+2:50) → b + c + d + g (e at exactly `to` is out)
    await check(secret, at(0, 50), at(2, 50), "78", 4);
  });

  test("UTC org: the same edges with group_by=task and group_by=execution", async () => {
    const { secret } = await createTestOrg();
    await post(secret, events);
    await check(secret, at(0, 30), at(2, 30), "46", 4, EVENT_GROUPS);
    await check(secret, at(0, 5), at(0, 55), "35", 3, EVENT_GROUPS);
    await check(secret, at(0, 50), at(2, 50), "78", 4, EVENT_GROUPS);
  });

  test("Asia/Kolkata org (+05:30): local hours start at :30 UTC; cuts at :40 and :20 are exact", async () => {
    const { secret } = await createTestOrg({ timezone: "Asia/Kolkata" });
    await post(secret, events);
    await check(secret, at(0, 30), at(2, 30), "46", 4);
    // [H:40, H+2:20) → b + c + d
    await check(secret, at(0, 40), at(2, 20), "14", 3);
    // [H:00, H+1:00) → a + f + b
    await check(secret, at(0, 0), at(1, 0), "35", 3);
  });
});

describe("org timezone for group_by=day", () => {
  test("Asia/Kolkata: 20:00Z counts on the next local day, 18:00Z on the same day", async () => {
    const { secret } = await createTestOrg({ timezone: "Asia/Kolkata" });
    const D = utcMidnight(Date.now()) - 3 * DAY;
    const localDay = (ms: number) => new Date(ms + 330 * MIN).toISOString().slice(0, 10);
    await post(secret, [
      { id: "k1", kind: "tool", cost_usd: "1", timestamp: isoAt(D + 18 * HOUR) }, // 23:30 local, day D
      { id: "k2", kind: "tool", cost_usd: "2", timestamp: isoAt(D + 20 * HOUR) }, // 01:30 local, day D+1
      { id: "k3", kind: "tool", cost_usd: "4", timestamp: isoAt(D + 18 * HOUR + 31 * MIN) }, // 00:01 local, day D+1
      { id: "k4", kind: "tool", cost_usd: "8", timestamp: isoAt(D + 18 * HOUR + 29 * MIN) }, // 23:59 local, day D
    ]);
    const body = await spend(secret, { from: isoAt(D), to: isoAt(D + 2 * DAY), group_by: "day" });
    expect(groupMap(body)).toEqual({
      [localDay(D)]: ["9", 2, 0, 0],
      [localDay(D + DAY)]: ["6", 2, 0, 0],
    });
    expect(localDay(D + 20 * HOUR)).toBe(localDay(D + DAY));
  });
});

// Fall-back transitions repeat one local hour. A range that ends or starts at the transition must
// still count each event exactly once. Uses whichever zone had a fall-back in the last ~33 days.
function offsetMin(zone: string, ms: number): number {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(new Date(ms))
    .find((p) => p.type === "timeZoneName")!.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
function recentFallBack(): { zone: string; at: number } | null {
  const zones = ["America/New_York", "Europe/Berlin", "Europe/London", "America/Chicago", "Australia/Sydney", "Pacific/Auckland", "America/Santiago"];
  const now = Date.now();
  const start = Math.ceil((now - 33 * DAY) / HOUR) * HOUR;
  for (const zone of zones) {
    for (let t = start; t < now - 3 * HOUR; t += HOUR) {
      if (offsetMin(zone, t) < offsetMin(zone, t - 1) && offsetMin(zone, t - 1) - offsetMin(zone, t) === 60) return { zone, at: t };
    }
  }
  return null;
}
const fallBack = recentFallBack();

describe("daylight-saving fall-back", () => {
  test.skipIf(!fallBack)(`an event in each pass of the repeated hour is counted once, in its own range (${fallBack?.zone} at ${fallBack ? isoAt(fallBack.at) : "-"})`, async () => {
    const { zone, at: T } = fallBack!;
    const { secret } = await createTestOrg({ timezone: zone });
    await post(secret, [
      { id: "first-pass", model: "m-dst", cost_usd: "1", timestamp: isoAt(T - 30 * MIN) },
      { id: "second-pass", model: "m-dst", cost_usd: "2", timestamp: isoAt(T + 30 * MIN) },
    ]);
    for (const groupBy of [undefined, "model", "day"]) {
      const before = await spend(secret, { from: isoAt(T - HOUR), to: isoAt(T), group_by: groupBy });
      const after = await spend(secret, { from: isoAt(T), to: isoAt(T + HOUR), group_by: groupBy });
      const both = await spend(secret, { from: isoAt(T - 2 * HOUR), to: isoAt(T + 2 * HOUR), group_by: groupBy });
      const earlier = await spend(secret, { from: isoAt(T - 2 * HOUR), to: isoAt(T), group_by: groupBy });
      const later = await spend(secret, { from: isoAt(T), to: isoAt(T + 2 * HOUR), group_by: groupBy });
      expect(
        [before, after, both, earlier, later].map((b) => normDec(b.total_usd)),
        `group_by=${groupBy}: [T-1h,T) [T,T+1h) [T-2h,T+2h) [T-2h,T) [T,T+2h)`,
      ).toEqual(["1", "2", "3", "1", "2"]);
    }
  });
});

describe("GET /api/v1/spend and /executions: invalid query params → 422", () => {
  test("each bad parameter is named in details", async () => {
    const { secret } = await createTestOrg();
    const now = Date.now();
    const cases: [string, string][] = [
      ["/api/v1/spend?group_by=nope", "group_by"],
      ["/api/v1/spend?group_by=hour", "group_by"],
      ["/api/v1/spend?from=garbage", "from"],
      ["/api/v1/spend?to=31-12-2026", "to"],
      [`/api/v1/spend?from=${encodeURIComponent(isoAt(now))}&to=${encodeURIComponent(isoAt(now - DAY))}`, "from"],
      ["/api/v1/executions?limit=0", "limit"],
      ["/api/v1/executions?limit=-3", "limit"],
      ["/api/v1/executions?limit=abc", "limit"],
      ["/api/v1/executions?limit=1.5", "limit"],
      ["/api/v1/executions?order=tokens", "order"],
      ["/api/v1/executions?from=yesterday", "from"],
    ];
    const failures: string[] = [];
    for (const [path, param] of cases) {
      const res = await api(server.url, path, { secret });
      const paths = (res.body?.error?.details ?? []).map((d: any) => d.path);
      if (res.status !== 422) failures.push(`${path}: ${res.status}`);
      else if (!paths.includes(param)) failures.push(`${path}: details ${JSON.stringify(paths)}`);
      else expectErrorShape(res.body);
    }
    expect(failures).toEqual([]);
  });
});

describe("GET /api/v1/executions", () => {
  test("ordered by cost, limited, with calls, retries, retry cost, status, first/last seen", async () => {
    const { secret } = await createTestOrg();
    const now = Date.now();
    const t = (minAgo: number) => isoAt(now - minAgo * MIN);
    await post(secret, [
      { id: "a1", model: "m", execution_id: "xa", attempt: 1, status: "error", error_type: "timeout", cost_usd: "3", timestamp: t(50) },
      { id: "a2", model: "m", execution_id: "xa", attempt: 2, status: "ok", cost_usd: "2", timestamp: t(40) },
      { id: "b1", model: "m", execution_id: "xb", cost_usd: "7", timestamp: t(30) },
      { id: "c1", model: "m", execution_id: "xc", cost_usd: "1", timestamp: t(20) },
      { id: "d1", model: "m", execution_id: "xd", cost_usd: "3", timestamp: t(10) },
      // Active three days ago only: outside the range asked below.
      { id: "e1", model: "m", execution_id: "xe", cost_usd: "100", timestamp: isoAt(now - 3 * DAY) },
    ]);
    const range = { from: isoAt(now - 2 * HOUR), to: isoAt(now + MIN) };

    const top2 = await api(server.url, `/api/v1/executions?${q({ ...range, order: "cost", limit: 2 })}`, { secret });
    expect(top2.status).toBe(200);
    expect(top2.body.executions.map((e: any) => e.id)).toEqual(["xb", "xa"]);

    const all = await api(server.url, `/api/v1/executions?${q({ ...range, order: "cost", limit: 10 })}`, { secret });
    expect(all.body.executions.map((e: any) => [e.id, normDec(e.cost_usd)])).toEqual([
      ["xb", "7"],
      ["xa", "5"],
      ["xd", "3"],
      ["xc", "1"],
    ]);
    expect(all.body.next_cursor).toBeNull();

    // Page by page with the cursor: the same executions in the same order, none twice, then null.
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: any = await api(server.url, `/api/v1/executions?${q({ ...range, order: "cost", limit: 1, ...(cursor ? { cursor } : {}) })}`, { secret });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      walked.push(...page.body.executions.map((e: any) => e.id));
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    expect(walked).toEqual(["xb", "xa", "xd", "xc"]);
    const newest = await api(server.url, `/api/v1/executions?${q({ ...range, order: "recent", limit: 2 })}`, { secret });
    expect(newest.body.executions.map((e: any) => e.id)).toEqual(["xd", "xc"]);
    // A cursor made for another order, or not made by us: a clear 400, never a 500.
    const costCursor = (await api(server.url, `/api/v1/executions?${q({ ...range, order: "cost", limit: 1 })}`, { secret })).body.next_cursor;
    for (const bad of [costCursor, "not-a-cursor", Buffer.from('{"s":"cost","d":"desc","k":"after","v":"1 OR 1=1","i":"x"}').toString("base64url")]) {
      const refused = await api(server.url, `/api/v1/executions?${q({ ...range, order: bad === costCursor ? "recent" : "cost", cursor: bad })}`, { secret });
      expect(refused.status, bad).toBe(400);
      expectErrorShape(refused.body);
    }

    const xa = all.body.executions.find((e: any) => e.id === "xa");
    expect(xa.calls).toBe(2);
    expect(xa.retries).toBe(1);
    const retryCostKey = Object.keys(xa).find((k) => /retry_cost/.test(k));
    expect(retryCostKey, JSON.stringify(xa)).toBeDefined();
    expect(normDec(xa[retryCostKey!])).toBe("2");
    expect(typeof xa.status).toBe("string");
    const firstKey = Object.keys(xa).find((k) => /first_seen/.test(k))!;
    const lastKey = Object.keys(xa).find((k) => /last_seen/.test(k))!;
    expect(new Date(xa[firstKey]).getTime()).toBe(new Date(t(50)).getTime());
    expect(new Date(xa[lastKey]).getTime()).toBe(new Date(t(40)).getTime());

    const recent = await api(server.url, `/api/v1/executions?${q({ ...range, order: "recent" })}`, { secret });
    expect(recent.body.executions.map((e: any) => e.id)).toEqual(["xd", "xc", "xb", "xa"]);

    const wide = await api(server.url, `/api/v1/executions?${q({ from: isoAt(now - 4 * DAY), to: range.to, limit: 1 })}`, { secret });
    expect(wide.body.executions.map((e: any) => [e.id, normDec(e.cost_usd)])).toEqual([["xe", "100"]]);
  });
});

describe("attribution by team slug", () => {
  test("an unknown team slug is attributed to the key's team, and still counted", async () => {
    const { org } = await createTestOrg();
    const home = await createTeam(org.id, "home");
    const key = await createTestKey({ orgId: org.id, name: "team key", scopes: ["ingest", "read"], teamId: home.id });
    const now = Date.now();
    await post(key.secret, [
      { id: "u1", kind: "tool", team: "no-such-team", cost_usd: "1.25", timestamp: isoAt(now - MIN) },
      { id: "u2", kind: "tool", cost_usd: "0.75", timestamp: isoAt(now - MIN) },
    ]);
    const body = await spend(key.secret, { from: isoAt(now - HOUR), to: isoAt(now + MIN), group_by: "team" });
    expect(groupMap(body)).toEqual({ home: ["2", 2, 0, 0] });
    expect(normDec(body.total_usd)).toBe("2");
  });

  test("a team created a moment ago is found by its slug (not misattributed to the key's team)", async () => {
    const { org, secret } = await createTestOrg();
    const now = Date.now();
    // The first post makes ingest load the org's teams…
    await post(secret, [{ id: "n0", kind: "tool", cost_usd: "1", timestamp: isoAt(now - MIN) }]);
    // …then an operator creates a team and an agent uses it right away.
    await createTeam(org.id, "fresh");
    await post(secret, [{ id: "n1", kind: "tool", team: "fresh", cost_usd: "2", timestamp: isoAt(now - MIN) }]);
    const body = await spend(secret, { from: isoAt(now - HOUR), to: isoAt(now + MIN), group_by: "team" });
    expect(groupMap(body)).toEqual({ "∅": ["1", 1, 0, 0], fresh: ["2", 1, 0, 0] });
  });
});
