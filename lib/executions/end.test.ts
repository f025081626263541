import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { ev, expectErrorShape } from "../testing/events-api";
import { api, startMachineServer } from "../testing/machine-server";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const RANGE = `from=${encodeURIComponent(minutesAgo(60 * 24))}&to=${encodeURIComponent(minutesAgo(-5))}`;

async function listed(secret: string) {
  const res = await api(server.url, `/api/v1/executions?${RANGE}&order=recent&limit=100`, { secret });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.executions.map((e: any) => [e.id, e]));
}

const end = (secret: string, id: string, body: unknown) =>
  api(server.url, `/api/v1/executions/${encodeURIComponent(id)}/end`, { secret, method: "POST", body });

describe("execution state: one definition for the API and the pages", () => {
  test("running while calls arrive, idle after the idle threshold of silence (not RUNNING for weeks)", async () => {
    const { secret } = await createTestOrg();
    await api(server.url, "/api/v1/events", { secret, body: { events: [ev("a", { execution_id: "fresh" }), ev("b", { execution_id: "quiet", timestamp: minutesAgo(16) })] } });
    const executions = await listed(secret);
    expect(executions.fresh.status).toBe("running");
    expect(executions.quiet.status).toBe("idle");
  });

  test("the client ends an execution: done with its outcome, once; a later end keeps the first end time", async () => {
    const { secret } = await createTestOrg();
    await api(server.url, "/api/v1/events", { secret, body: ev("c1", { execution_id: "run-42", cost_usd: "0.5" }) });
    const first = await end(secret, "run-42", { status: "done", outcome: "PR merged" });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.execution).toMatchObject({ id: "run-42", status: "done", outcome: "PR merged", cost_usd: "0.50", calls: 1 });
    expect(Date.parse(first.body.execution.ended_at)).toBeGreaterThan(Date.now() - 60_000);

    const again = await end(secret, "run-42", { status: "failed" });
    expect(again.body.execution).toMatchObject({ status: "failed", outcome: "PR merged", ended_at: first.body.execution.ended_at });
    expect((await listed(secret))["run-42"]).toMatchObject({ status: "failed", ended_at: first.body.execution.ended_at });
  });

  test("an id with a slash, sent encoded, ends that execution", async () => {
    const { secret } = await createTestOrg();
    await api(server.url, "/api/v1/events", { secret, body: ev("s1", { execution_id: "bot/run 7" }) });
    const res = await end(secret, "bot/run 7", { status: "done" });
    expect(res.status).toBe(200);
    expect(res.body.execution.id).toBe("bot/run 7");
  });

  test("a blocked execution stays blocked when the client ends it (ending is no way around the breaker)", async () => {
    const { org, secret } = await createTestOrg();
    await api(server.url, "/api/v1/events", { secret, body: ev("b1", { execution_id: "looping" }) });
    await pool().query(`UPDATE "Execution" SET status = 'BLOCKED' WHERE "orgId" = $1 AND "executionId" = 'looping'`, [org.id]);
    const res = await end(secret, "looping", { status: "done" });
    expect(res.body.execution.status).toBe("blocked");
  });

  test("mistakes: unknown execution 404, bad body 422, no key 401, wrong scope 403 — all in the error shape", async () => {
    const { secret } = await createTestOrg();
    const readOnly = await createTestOrg({ scopes: ["read"] });
    await api(server.url, "/api/v1/events", { secret, body: ev("m1", { execution_id: "real" }) });
    const cases: [Awaited<ReturnType<typeof end>>, number][] = [
      [await end(secret, "nope", { status: "done" }), 404],
      [await end(secret, "real", { status: "finished" }), 422],
      [await end(secret, "real", { status: "done", extra: 1 }), 422],
      [await end(secret, "real", { status: "done", outcome: "x".repeat(257) }), 422],
      [await end(secret, "real", { status: "done", outcome: "lone \ud800" }), 422],
      [await end(null as unknown as string, "real", { status: "done" }), 401],
      [await end(readOnly.secret, "real", { status: "done" }), 403],
    ];
    for (const [res, status] of cases) {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expectErrorShape(res.body);
    }
    expect((await listed(secret)).real.status).toBe("running");
  });

  test("org B cannot end org A's execution, even by its id", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    await api(server.url, "/api/v1/events", { secret: a.secret, body: ev("x1", { execution_id: "shared-name" }) });
    expect((await end(b.secret, "shared-name", { status: "failed" })).status).toBe(404);
    expect((await listed(a.secret))["shared-name"].status).toBe("running");
  });
});

describe("execution_status on an event ends its execution in the same write", () => {
  test("the last call says done: the execution is done, its end time set, later calls still count", async () => {
    const { secret } = await createTestOrg();
    const res = await api(server.url, "/api/v1/events", {
      secret,
      body: { events: [ev("e1", { execution_id: "job-1", cost_usd: "1" }), ev("e2", { execution_id: "job-1", cost_usd: "2", execution_status: "done" })] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const first = (await listed(secret))["job-1"];
    expect(first).toMatchObject({ status: "done", calls: 2, cost_usd: "3.00" });
    expect(first.ended_at).not.toBeNull();

    // A straggler (sent before the end, arriving after) counts, and does not reopen it.
    await api(server.url, "/api/v1/events", { secret, body: ev("e3", { execution_id: "job-1", cost_usd: "0.5" }) });
    expect((await listed(secret))["job-1"]).toMatchObject({ status: "done", calls: 3, cost_usd: "3.50", ended_at: first.ended_at });
  });

  test("failed, and a blocked execution stays blocked", async () => {
    const { org, secret } = await createTestOrg();
    await api(server.url, "/api/v1/events", { secret, body: ev("f1", { execution_id: "job-f", status: "error", execution_status: "failed" }) });
    expect((await listed(secret))["job-f"].status).toBe("failed");
    await api(server.url, "/api/v1/events", { secret, body: ev("b1", { execution_id: "job-b" }) });
    await pool().query(`UPDATE "Execution" SET status = 'BLOCKED' WHERE "orgId" = $1 AND "executionId" = 'job-b'`, [org.id]);
    await api(server.url, "/api/v1/events", { secret, body: ev("b2", { execution_id: "job-b", execution_status: "done" }) });
    expect((await listed(secret))["job-b"].status).toBe("blocked");
  });

  test("execution_status without execution_id, or an unknown value, is that event's 422", async () => {
    const { secret } = await createTestOrg();
    const res = await api(server.url, "/api/v1/events", {
      secret,
      body: { events: [ev("ok"), ev("x1", { execution_status: "done" }), ev("x2", { execution_id: "j", execution_status: "finished" })] },
    });
    expect(res.status).toBe(207);
    expect(res.body.rejected.map((r: any) => [r.index, r.errors[0].path])).toEqual([
      [1, "execution_status"],
      [2, "execution_status"],
    ]);
  });
});
