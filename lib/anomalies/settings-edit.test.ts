// Saving runaway detection's settings: merged over what is stored, validated whole, audited with
// what changed — and a saved setting changes what the detectors do on the next write.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { prisma } from "../db";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { saveAnomalySettingsAction } from "./actions";
import { DEFAULT_ANOMALY_SETTINGS } from "./settings";
import { anomalyDefaultsInWords, anomalySettingsFor, saveAnomalySettings } from "./settings-edit";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

async function org() {
  const t = await createTestOrg();
  const owner = await createUser(`owner-${randomBytes(3).toString("hex")}@example.test`);
  await addMember(t.org.id, owner.id, "OWNER");
  return { ...t, owner };
}

const loop = (execution: string) => {
  const base = Date.now() - 60_000;
  return [1, 2, 3].map((i) => ({
    id: `${execution}-${i}`,
    timestamp: new Date(base + i * 4000).toISOString(),
    execution_id: execution,
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    usage: { input_tokens: 30_000, output_tokens: 0 },
    status: "error",
    error_type: "rate_limit",
  }));
};

test("a save merges over the stored settings, keeps the rest, and audits only what changed", async () => {
  const w = await org();
  expect(await anomalySettingsFor(w.org.id)).toEqual(DEFAULT_ANOMALY_SETTINGS);
  await saveAnomalySettings(w.org.id, w.owner.id, { retryLoop: { minCalls: 4 } });
  const saved = await saveAnomalySettings(w.org.id, w.owner.id, { costSpike: { perCallLimitUsd: null }, retryLoop: { windowMinutes: 10 } });
  expect(saved.retryLoop).toEqual({ ...DEFAULT_ANOMALY_SETTINGS.retryLoop, minCalls: 4 });
  expect(saved.costSpike.perCallLimitUsd).toBeNull();
  expect(await anomalySettingsFor(w.org.id)).toEqual(saved);
  const audit = await prisma().auditLog.findMany({ where: { orgId: w.org.id, action: "anomaly.settings_changed" }, orderBy: { createdAt: "asc" } });
  expect(audit.map((a) => a.details)).toEqual([{ "retryLoop.minCalls": { from: 3, to: 4 } }, { "costSpike.perCallLimitUsd": { from: "2", to: null } }]);
  // Saving the same again writes nothing.
  await saveAnomalySettings(w.org.id, w.owner.id, { retryLoop: { minCalls: 4 } });
  expect(await prisma().auditLog.count({ where: { orgId: w.org.id, action: "anomaly.settings_changed" } })).toBe(2);
});

test("out-of-range values are refused field by field, nothing stored; an admin-only action", async () => {
  const w = await org();
  await expect(saveAnomalySettings(w.org.id, w.owner.id, { retryLoop: { minCalls: 1 }, costSpike: { perCallLimitUsd: "two" } })).rejects.toMatchObject({
    code: "invalid_request",
    details: expect.arrayContaining([expect.objectContaining({ path: "retryLoop.minCalls" }), expect.objectContaining({ path: "costSpike.perCallLimitUsd" })]),
  });
  expect(await anomalySettingsFor(w.org.id)).toEqual(DEFAULT_ANOMALY_SETTINGS);
  const unknown = await saveAnomalySettingsAction.runAs(w.owner.id, w.org.slug, { retryLoop: { maxCalls: 3 } });
  expect(unknown).toMatchObject({ ok: false, error: { code: "invalid_request" } });
  const member = await createUser();
  await addMember(w.org.id, member.id, "MEMBER");
  expect(await saveAnomalySettingsAction.runAs(member.id, w.org.slug, { retryLoop: { block: false } })).toMatchObject({ ok: false, error: { code: "forbidden" } });
});

test("breaker off → the next loop is recorded but the execution runs on; 5 calls needed → 3 are no loop", async () => {
  const w = await org();
  expect(await saveAnomalySettingsAction.runAs(w.owner.id, w.org.slug, { retryLoop: { block: false } })).toMatchObject({ ok: true });
  const res = await api(server.url, "/api/v1/events", { secret: w.secret, body: { events: loop("run-a") } });
  expect(res.body.execution).toMatchObject({ state: "ok", reason: null });
  expect(await prisma().anomaly.findMany({ where: { orgId: w.org.id } })).toEqual([expect.objectContaining({ kind: "RETRY_LOOP", executionId: "run-a", blocked: false })]);

  await saveAnomalySettings(w.org.id, w.owner.id, { retryLoop: { block: true, minCalls: 5 } });
  const res2 = await api(server.url, "/api/v1/events", { secret: w.secret, body: { events: loop("run-b") } });
  expect(res2.body.execution).toMatchObject({ state: "ok" });
  expect(await prisma().anomaly.count({ where: { orgId: w.org.id, executionId: "run-b" } })).toBe(0);
});

test("the defaults in plain words", () => {
  const words = anomalyDefaultsInWords();
  expect(words.retryLoop.rule).toBe("default: 3 identical calls within 10 minutes");
  expect(words.retryLoop.block).toBe("default: stops the execution");
  expect(words.costSpike.perCallLimitUsd).toBe("default: one LLM call over $2.00; empty = no limit");
  expect(words.contextGrowth.rule).toBe("default: a call's input 5× the first call's, and at least 100,000 tokens");
});
