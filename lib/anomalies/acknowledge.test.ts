// Acknowledging: open → acknowledged once, audit-logged, the execution still blocked; another org's
// anomaly is not found. Resuming through the action resolves the loop and the execution runs again.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { prisma } from "../db";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { acknowledgeAnomaly } from "./acknowledge";
import { acknowledgeAnomalyAction, resumeExecutionAction } from "./actions";
import { listAnomalies } from "./list";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

async function loopingOrg() {
  const t = await createTestOrg();
  const owner = await createUser(`owner-${randomBytes(3).toString("hex")}@example.test`);
  await addMember(t.org.id, owner.id, "OWNER");
  const base = Date.now() - 60_000;
  const events = [1, 2, 3].map((i) => ({
    id: `loop-${i}`,
    timestamp: new Date(base + i * 5000).toISOString(),
    execution_id: "run-loop",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    usage: { input_tokens: 30_000, output_tokens: 0 },
    status: "error",
    error_type: "overloaded",
  }));
  const res = await api(server.url, "/api/v1/events", { secret: t.secret, body: { events } });
  expect(res.body.execution.state).toBe("blocked");
  const anomaly = await prisma().anomaly.findFirstOrThrow({ where: { orgId: t.org.id } });
  return { ...t, owner, anomaly };
}

test("acknowledge: once, audit-logged; the execution stays blocked; again changes nothing", async () => {
  const w = await loopingOrg();
  expect(await acknowledgeAnomaly(w.org.id, w.owner.id, w.anomaly.id, "looking into it")).toEqual({ anomalyId: w.anomaly.id, acknowledged: true });
  expect(await acknowledgeAnomaly(w.org.id, w.owner.id, w.anomaly.id)).toEqual({ anomalyId: w.anomaly.id, acknowledged: false });
  const [row] = (await listAnomalies({ orgId: w.org.id, status: "acknowledged" })).rows;
  expect(row).toMatchObject({ id: w.anomaly.id, status: "acknowledged", acknowledgedBy: w.owner.email, execution: { state: "blocked" } });
  const audit = await prisma().auditLog.findMany({ where: { orgId: w.org.id, action: "anomaly.acknowledged" } });
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actorId: w.owner.id, targetId: w.anomaly.id, details: { kind: "RETRY_LOOP", executionId: "run-loop", note: "looking into it" } });
});

test("another org's anomaly id is not found, and stays open", async () => {
  const a = await loopingOrg();
  const b = await loopingOrg();
  await expect(acknowledgeAnomaly(a.org.id, a.owner.id, b.anomaly.id)).rejects.toMatchObject({ code: "not_found" });
  const result = await acknowledgeAnomalyAction.runAs(a.owner.id, a.org.slug, { anomalyId: b.anomaly.id });
  expect(result).toMatchObject({ ok: false, error: { code: "not_found" } });
  expect(await prisma().anomaly.findUniqueOrThrow({ where: { id: b.anomaly.id } })).toMatchObject({ acknowledgedAt: null });
});

test("resume through the action: running again, the loop resolved by that person; a viewer may not", async () => {
  const w = await loopingOrg();
  const viewer = await createUser();
  await addMember(w.org.id, viewer.id, "VIEWER");
  expect(await resumeExecutionAction.runAs(viewer.id, w.org.slug, { executionId: "run-loop" })).toMatchObject({ ok: false, error: { code: "forbidden" } });
  expect(await resumeExecutionAction.runAs(w.owner.id, w.org.slug, { executionId: "run-loop" })).toMatchObject({ ok: true, data: { resumed: true, resolvedAnomalies: 1 } });
  const [row] = (await listAnomalies({ orgId: w.org.id, status: "resolved" })).rows;
  expect(row).toMatchObject({ status: "resolved", resolvedBy: w.owner.email, execution: { state: "running" } });
  expect((await listAnomalies({ orgId: w.org.id })).rows).toEqual([]);
  expect(await resumeExecutionAction.runAs(w.owner.id, w.org.slug, { executionId: "nope\u0000" })).toMatchObject({ ok: false, error: { code: "invalid_request" } });
});
