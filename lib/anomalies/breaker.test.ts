// The circuit breaker under concurrency and crashes: twenty parallel posts completing one loop,
// spread over two app processes on one database, block it once and send one email per recipient
// (what the Resend SDK really sent to a local fake Resend); a loop whose detection never ran (a
// crash between the ingest's commit and its detection) is found by the sweep, announced once.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { prisma } from "../db";
import { prepareEvents } from "../ingest/prepare";
import { sortRows, storeEvents } from "../ingest/store";
import { replicaCluster } from "../testing/replicas";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { api } from "../testing/machine-server";
import { sweepAnomalies } from "./sweep";

const cluster = await replicaCluster("breaker");
beforeAll(() => cluster.start(), 60_000);
afterAll(() => cluster.stop());

async function orgWithPeople() {
  const t = await createTestOrg();
  const people = [`owner-${randomBytes(3).toString("hex")}@example.test`, `admin-${randomBytes(3).toString("hex")}@example.test`];
  await addMember(t.org.id, (await createUser(people[0])).id, "OWNER");
  await addMember(t.org.id, (await createUser(people[1])).id, "ADMIN");
  return { ...t, people };
}

const failing = (execution: string, i: number, base: number) => ({
  id: `${execution}-${i}`,
  timestamp: new Date(base + i * 1000).toISOString(),
  execution_id: execution,
  agent: "test-fixer",
  model: "gpt-4o",
  usage: { prompt_tokens: 30_000, completion_tokens: 0 },
  status: "error",
  error_type: "tool_error",
});

test("20 parallel posts completing a loop over two processes: blocked once, one anomaly, one email per recipient", { timeout: 90_000 }, async () => {
  const w = await orgWithPeople();
  const base = Date.now() - 60_000;
  // Two calls first: the loop is one call away.
  for (const i of [1, 2]) expect((await api(cluster.replicas[0].url, "/api/v1/events", { secret: w.secret, body: failing("storm", i, base) })).body.execution.state).toBe("ok");
  const posts = Array.from({ length: 20 }, (_, i) => api(cluster.replicas[i % 2].url, "/api/v1/events", { secret: w.secret, body: failing("storm", i + 3, base) }));
  const responses = await Promise.all(posts);
  for (const r of responses) expect(r.status).toBe(200);
  expect(responses.reduce((n, r) => n + r.body.accepted, 0)).toBe(20);
  // Every response is answered after its own events and the detection that followed: each one
  // completes a loop of ≥ 3, so every one of them says blocked.
  expect(responses.map((r) => r.body.execution.state)).toEqual(Array(20).fill("blocked"));

  const toPeople = () => cluster.resend.sent().filter((m) => w.people.includes(m.body.to[0]));
  await waitFor(() => toPeople().length >= 2).catch(async (err: unknown) => {
    // What was recorded and queued, and what the replicas said, for the failure's message.
    const outbox = await prisma().emailOutbox.findMany({ where: { orgId: w.org.id }, select: { to: true, status: true, attempts: true, lastError: true, nextAttemptAt: true } });
    const anomalies = await prisma().anomaly.findMany({ where: { orgId: w.org.id }, select: { id: true, blocked: true, detectedAt: true } });
    console.error(JSON.stringify({ outbox, anomalies, sent: cluster.resend.sent().length, replicas: cluster.replicas.map((r) => r.child.output().slice(-2000)) }, null, 1));
    throw err;
  });
  await new Promise((r) => setTimeout(r, 1500)); // a late duplicate would arrive by now
  expect(toPeople().map((m) => m.body.to[0]).sort()).toEqual([...w.people].sort());
  expect(toPeople()[0].body.subject).toMatch(/^Blocked — Retry loop: run storm \(test-fixer\): \d+ identical calls to gpt-4o failing with tool_error/);
  const anomalies = await prisma().anomaly.findMany({ where: { orgId: w.org.id } });
  expect(anomalies.map((a) => [a.kind, a.executionId, a.blocked])).toEqual([["RETRY_LOOP", "storm", true]]);
  const execution = await prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "storm" } });
  expect([execution.status, Number(execution.calls)]).toEqual(["BLOCKED", 22]);
  // Concurrent detectors may upsert their evidence out of order; the sweep brings it to all 22 calls.
  await sweepAnomalies([w.org.id]);
  expect(((await prisma().anomaly.findFirstOrThrow({ where: { orgId: w.org.id } })).evidence as { calls: number }).calls).toBe(22);
  expect(toPeople()).toHaveLength(2);
});

test("a loop stored while detection never ran (a crash after the commit) is found by the sweep, blocked and announced once", async () => {
  const w = await orgWithPeople();
  const key = { id: w.key.id, orgId: w.org.id, orgSlug: w.org.slug, orgTimezone: "UTC", name: "k", prefix: w.key.prefix, scopes: ["ingest" as const], teamId: null, costCenterId: null, defaultAgent: null, allowedModels: [], rpmLimit: null, expiresAt: null };
  const base = Date.now() - 60_000;
  const { rows } = await prepareEvents(key, [1, 2, 3, 4].map((i) => failing("crashed", i, base)));
  await storeEvents(sortRows(rows)); // the write commits; its process dies before detection
  expect(await prisma().anomaly.count({ where: { orgId: w.org.id } })).toBe(0);
  await sweepAnomalies([w.org.id]);
  await sweepAnomalies([w.org.id]); // a second sweep (or another replica's) changes nothing
  const anomalies = await prisma().anomaly.findMany({ where: { orgId: w.org.id } });
  expect(anomalies.map((a) => [a.kind, a.blocked, (a.evidence as { calls: number }).calls])).toEqual([["RETRY_LOOP", true, 4]]);
  expect((await prisma().execution.findFirstOrThrow({ where: { orgId: w.org.id, executionId: "crashed" } })).status).toBe("BLOCKED");
  expect(await prisma().emailOutbox.count({ where: { anomalyId: anomalies[0].id } })).toBe(2);
});

async function waitFor(ready: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
