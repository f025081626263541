// Tenant isolation of the machine API (docs/api.md: "A key never reads another org"): org A's key
// never sees org B's spend or executions, and nothing A posts — even naming B's team slug, cost
// center code, execution id or event ids — changes B's totals.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const RANGE = () => `from=${encodeURIComponent(iso(-30 * 24 * HOUR))}&to=${encodeURIComponent(iso(10 * MIN))}`;
const ROLLUP_GROUPS = ["team", "agent", "model", "user", "cost_center", "repository", "key", "day"];
const EVENT_GROUPS = ["task", "execution"];

function normDec(s: unknown): string {
  expect(typeof s, `not a decimal string: ${JSON.stringify(s)}`).toBe("string");
  const [i, f = ""] = (s as string).split(".");
  const frac = f.replace(/0+$/, "");
  return `${i.replace(/^0+(?=\d)/, "")}${frac ? `.${frac}` : ""}`;
}

async function post(secret: string, events: unknown[]) {
  const res = await api(server.url, "/api/v1/events", { secret, body: { events } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function spend(secret: string, groupBy?: string) {
  const res = await api(server.url, `/api/v1/spend?${RANGE()}${groupBy ? `&group_by=${groupBy}` : ""}`, { secret });
  expect(res.status, `group_by=${groupBy}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

// Org B: a team with a cost center, a key on that team, and spend in two executions.
async function makeOrgB() {
  const b = await createTestOrg();
  const cc = await createCostCenter(b.org.id, "BCC");
  const team = await createTeam(b.org.id, "bteam", cc.id);
  const key = await createTestKey({ orgId: b.org.id, name: "b key", scopes: ["ingest", "read"], teamId: team.id });
  await post(key.secret, [
    { id: "b-1", model: "b-model", agent: "b-agent", user: "b-user", task: "b-task", execution_id: "b-exec", repository: "b-repo", cost_usd: "10", timestamp: iso(-2 * HOUR) },
    { id: "b-2", model: "b-model", agent: "b-agent", user: "b-user", task: "b-task", execution_id: "shared-x", repository: "b-repo", cost_usd: "20", timestamp: iso(-HOUR) },
  ]);
  return { ...b, bKey: key, team, cc };
}

const B_VALUES = ["bteam", "BCC", "b-model", "b-agent", "b-user", "b-task", "b-exec", "b-repo"];

// Everything B can observe about its own totals.
async function snapshotB(orgId: string, secret: string) {
  const db = pool();
  const groups: Record<string, unknown> = {};
  for (const g of [undefined, ...ROLLUP_GROUPS]) {
    const body = await spend(secret, g);
    groups[g ?? "total"] = [normDec(body.total_usd), body.groups.map((x: any) => [x.key, normDec(x.cost_usd), x.calls]).sort()];
  }
  const executions = await api(server.url, `/api/v1/executions?${RANGE()}`, { secret });
  const rows = await db.query(
    `SELECT (SELECT sum("costUsd")::text FROM "UsageRollup" WHERE "orgId" = $1) AS rollups,
            (SELECT sum("costUsd")::text FROM "UsageEvent" WHERE "orgId" = $1) AS events,
            (SELECT json_agg(json_build_object('id', "executionId", 'cost', "costUsd"::text, 'calls', calls) ORDER BY "executionId")::text FROM "Execution" WHERE "orgId" = $1) AS executions`,
    [orgId],
  );
  return { groups, executions: executions.body.executions.map((e: any) => [e.id, normDec(e.cost_usd), e.calls]), db: rows.rows[0] };
}

describe("tenant isolation", () => {
  test("A's key never reads B's spend, in any group_by read from rollups", async () => {
    const b = await makeOrgB();
    const a = await createTestOrg();
    await post(a.secret, [{ id: "a-1", model: "a-model", agent: "a-agent", execution_id: "a-exec", cost_usd: "1", timestamp: iso(-HOUR) }]);
    const total = await spend(a.secret);
    expect(normDec(total.total_usd)).toBe("1");
    for (const g of ROLLUP_GROUPS) {
      const body = await spend(a.secret, g);
      expect(normDec(body.total_usd), `group_by=${g}`).toBe("1");
      const keys = body.groups.map((x: any) => x.key);
      for (const v of [...B_VALUES, b.bKey.prefix, b.key.prefix]) expect(keys, `group_by=${g}`).not.toContain(v);
      expect(body.groups.reduce((n: number, x: any) => n + x.calls, 0)).toBe(1);
    }
    expect(normDec((await spend(b.bKey.secret)).total_usd)).toBe("30");
  });

  test("A's key never reads B's spend with group_by=task or execution", async () => {
    const b = await makeOrgB();
    const a = await createTestOrg();
    await post(a.secret, [{ id: "a-1", model: "a-model", task: "a-task", execution_id: "a-exec", cost_usd: "1", timestamp: iso(-HOUR) }]);
    for (const g of EVENT_GROUPS) {
      const body = await spend(a.secret, g);
      expect(normDec(body.total_usd), `group_by=${g}`).toBe("1");
      expect(body.groups.map((x: any) => x.key), `group_by=${g}`).toEqual([g === "task" ? "a-task" : "a-exec"]);
    }
    const bBody = await spend(b.bKey.secret, "execution");
    expect(normDec(bBody.total_usd)).toBe("30");
  });

  test("A's key never reads B's executions", async () => {
    const b = await makeOrgB();
    const a = await createTestOrg();
    await post(a.secret, [{ id: "a-1", model: "a-model", execution_id: "a-exec", cost_usd: "1", timestamp: iso(-HOUR) }]);
    for (const order of ["cost", "recent"]) {
      const res = await api(server.url, `/api/v1/executions?${RANGE()}&order=${order}&limit=500`, { secret: a.secret });
      expect(res.status).toBe(200);
      expect(res.body.executions.map((e: any) => e.id)).toEqual(["a-exec"]);
    }
    const own = await api(server.url, `/api/v1/executions?${RANGE()}`, { secret: b.bKey.secret });
    expect(own.body.executions.map((e: any) => e.id).sort()).toEqual(["b-exec", "shared-x"]);
  });

  test("a query parameter cannot select another org", async () => {
    const b = await makeOrgB();
    const a = await createTestOrg();
    for (const extra of [`org=${b.org.slug}`, `org_id=${b.org.id}`, `orgId=${b.org.id}`]) {
      const res = await api(server.url, `/api/v1/spend?${RANGE()}&${extra}`, { secret: a.secret });
      // Rejected, or ignored: never B's data.
      if (res.status === 200) expect(normDec(res.body.total_usd)).toBe("0");
      else expect(res.status).toBe(422);
      const ex = await api(server.url, `/api/v1/executions?${RANGE()}&${extra}`, { secret: a.secret });
      if (ex.status === 200) expect(ex.body.executions).toEqual([]);
      else expect(ex.status).toBe(422);
    }
  });

  test("events posted with A's key naming B's team, cost center, execution id and event ids never change B", async () => {
    const b = await makeOrgB();
    const a = await createTestOrg();
    const before = await snapshotB(b.org.id, b.bKey.secret);
    expect(before.groups.total).toEqual(["30", []]);

    const res = await post(a.secret, [
      { id: "b-1", model: "b-model", agent: "b-agent", team: "bteam", cost_center: "BCC", execution_id: "shared-x", cost_usd: "5", timestamp: iso(-HOUR) },
      { id: "b-2", model: "b-model", team: "bteam", execution_id: "b-exec", cost_usd: "7", timestamp: iso(-HOUR) },
      { id: "a-3", model: "b-model", cost_center: "BCC", execution_id: "shared-x", cost_usd: "1", timestamp: iso(-HOUR) },
    ]);
    // B's event ids are new in A: accepted, not duplicates.
    expect(res).toMatchObject({ accepted: 3, duplicates: 0 });
    // The execution echoed back is A's own shared-x.
    expect(normDec(res.execution.cost_usd)).toBe("6");

    expect(await snapshotB(b.org.id, b.bKey.secret)).toEqual(before);

    // A's spend holds exactly what A posted, attributed to nothing of B's.
    const aTeams = await spend(a.secret, "team");
    expect(normDec(aTeams.total_usd)).toBe("13");
    expect(aTeams.groups.map((g: any) => g.key)).not.toContain("bteam");
    const aCcs = await spend(a.secret, "cost_center");
    expect(aCcs.groups.map((g: any) => g.key)).not.toContain("BCC");
    const { rows } = await pool().query(
      `SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1 AND ("teamId" = $2 OR "costCenterId" = $3)`,
      [a.org.id, b.team.id, b.cc.id],
    );
    expect(rows[0].n).toBe(0);
    const rollupLeak = await pool().query(`SELECT count(*)::int AS n FROM "UsageRollup" WHERE "orgId" = $1 AND ("teamId" = $2 OR "costCenterId" = $3)`, [
      a.org.id,
      b.team.id,
      b.cc.id,
    ]);
    expect(rollupLeak.rows[0].n).toBe(0);
  });

  test("the same execution_id in two orgs stays two executions, also when posted concurrently", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const posts = Array.from({ length: 20 }, (_, i) =>
      api(server.url, "/api/v1/events", {
        secret: i % 2 ? a.secret : b.secret,
        body: { id: `c-${i}`, kind: "tool", execution_id: "same-exec", cost_usd: i % 2 ? "1" : "0.1", timestamp: iso(-MIN) },
      }),
    );
    const responses = await Promise.all(posts);
    for (const r of responses) expect(r.status).toBe(200);
    const ea = await api(server.url, `/api/v1/executions?${RANGE()}`, { secret: a.secret });
    const eb = await api(server.url, `/api/v1/executions?${RANGE()}`, { secret: b.secret });
    expect(ea.body.executions.map((e: any) => [e.id, normDec(e.cost_usd), e.calls])).toEqual([["same-exec", "10", 10]]);
    expect(eb.body.executions.map((e: any) => [e.id, normDec(e.cost_usd), e.calls])).toEqual([["same-exec", "1", 10]]);
    const { rows } = await pool().query(`SELECT "orgId", "costUsd"::text AS cost FROM "Execution" WHERE "executionId" = 'same-exec' AND "orgId" = ANY($1)`, [[a.org.id, b.org.id]]);
    expect(rows).toHaveLength(2);
  });
});
