// The scope detectors (the anomaly sweep): VELOCITY for the org and each agent, MODEL_MISUSE for
// an agent calling a premium model it normally does not — caught and not-caught cases, one anomaly
// per episode, closed when the cause is gone.
import { expect, test } from "vitest";
import { pool, prisma } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { ingestAt } from "../testing/usage";
import { refreshAgentBaselines } from "./baselines";
import { recordFindings } from "./record";
import { modelMisuseFindings, sweepAnomalies, velocityFindings } from "./sweep";

const spend = (id: string, usd: string, at: Date, agent = "bot", model?: string) => ({ id, timestamp: at.toISOString(), kind: model ? "llm" : "tool", agent, cost_usd: usd, ...(model ? { model } : {}) });

test("VELOCITY: an agent spending $3 in the last minute after a quiet day is caught (10× its 24 h rate); the org alone is not reported twice", async () => {
  const t = await createTestOrg();
  const now = new Date();
  // A quiet day: $14.40 over 24 hours = $0.01 a minute.
  await ingestAt(t, Array.from({ length: 24 }, (_, h) => spend(`q${h}`, "0.6", new Date(now.getTime() - (h + 2) * 3600_000))), now);
  expect(await velocityFindings([t.org.id])).toEqual([]);
  await ingestAt(t, [spend("burst-1", "1.5", new Date(now.getTime() - 20_000)), spend("burst-2", "1.5", new Date(now.getTime() - 10_000))], now);
  const findings = await velocityFindings([t.org.id]);
  expect(findings.map((f) => [f.kind, f.subject, f.costUsd])).toEqual([["VELOCITY", "agent:bot", "3.000000000000"]]);
  expect(findings[0].evidence).toMatchObject({ rule: "velocity", usd_per_minute: "3.000000000000", limit_usd_per_minute: null });
  expect(Number(findings[0].evidence.factor)).toBeGreaterThan(10);
});

test("VELOCITY: cents a minute are never a runaway; an org limit catches a steady burn the factor rule would not", async () => {
  const t = await createTestOrg();
  const now = new Date();
  await ingestAt(t, [spend("tiny", "0.5", new Date(now.getTime() - 5_000))], now);
  expect(await velocityFindings([t.org.id])).toEqual([]); // under the $1/min minimum
  // A steady $2 a minute all day: not 10× its own average, but over an org limit of $1.50/min.
  const steady = Array.from({ length: 24 }, (_, h) => spend(`s${h}`, "120", new Date(now.getTime() - (h + 1) * 3600_000 + 60_000)));
  await ingestAt(t, [...steady, spend("now", "2", new Date(now.getTime() - 5_000))], now);
  expect(await velocityFindings([t.org.id])).toEqual([]);
  await prisma().organization.update({ where: { id: t.org.id }, data: { anomalySettings: { velocity: { limitUsdPerMinute: "1.50" } } } });
  const findings = await velocityFindings([t.org.id]);
  expect(findings.map((f) => [f.subject, f.evidence.limit_usd_per_minute])).toEqual([["agent:bot", "1.50"]]);
});

test("MODEL_MISUSE: an agent on gpt-4o-mini 90 % of the time calling claude-opus-4-1 is flagged; its usual model and a 2× pricier one are not", async () => {
  const t = await createTestOrg();
  const now = new Date();
  const mini = Array.from({ length: 19 }, (_, i) => ({ id: `m${i}`, timestamp: new Date(now.getTime() - (i + 3) * 3600_000).toISOString(), agent: "triage", model: "gpt-4o-mini", usage: { prompt_tokens: 1000, completion_tokens: 100 } }));
  await ingestAt(t, mini, now);
  await ingestAt(t, [{ id: "o1", timestamp: new Date(now.getTime() - 60_000).toISOString(), agent: "triage", model: "claude-opus-4-1", usage: { input_tokens: 1000, output_tokens: 100 } }], now);
  // gpt-4.1-mini costs under 3× gpt-4o-mini's input price: a choice, not misuse.
  await ingestAt(t, [{ id: "g1", timestamp: new Date(now.getTime() - 50_000).toISOString(), agent: "triage", model: "gpt-4.1-mini", usage: { prompt_tokens: 1000, completion_tokens: 100 } }], now);
  await refreshAgentBaselines([t.org.id]);
  const baseline = await prisma().agentBaseline.findUniqueOrThrow({ where: { orgId_agent: { orgId: t.org.id, agent: "triage" } } });
  expect([baseline.usualModel, baseline.usualModelShare]).toEqual(["gpt-4o-mini", 19 / 21]);
  const findings = await modelMisuseFindings([t.org.id]);
  expect(findings.map((f) => [f.subject, f.evidence.model, f.evidence.usual_model, f.evidence.calls])).toEqual([["agent:triage|model:claude-opus-4-1", "claude-opus-4-1", "gpt-4o-mini", 1]]);
  expect(Number(findings[0].evidence.price_factor)).toBeGreaterThanOrEqual(5);
});

test("the sweep records scope anomalies once per episode and closes them when the cause is gone", async () => {
  const t = await createTestOrg();
  const now = new Date();
  await ingestAt(t, [spend("b1", "5", new Date(now.getTime() - 10_000))], now);
  await sweepAnomalies([t.org.id]);
  await sweepAnomalies([t.org.id]);
  const open = await prisma().anomaly.findMany({ where: { orgId: t.org.id } });
  expect(open.map((a) => [a.kind, a.subject, a.resolvedAt])).toEqual([["VELOCITY", "agent:bot", null]]);
  // Ten quiet minutes later it is over; the next burst is a new episode.
  await pool().query(`UPDATE "Anomaly" SET "updatedAt" = now() - interval '11 minutes' WHERE "orgId" = $1`, [t.org.id]);
  await sweepAnomalies([t.org.id]);
  const closed = await prisma().anomaly.findFirstOrThrow({ where: { orgId: t.org.id } });
  expect(closed.resolvedAt).not.toBeNull();
  const again = await recordFindings([{ orgId: t.org.id, kind: "VELOCITY", subject: "agent:bot", executionId: null, agent: "bot", costUsd: "4", block: false, evidence: { rule: "velocity", usd_per_minute: "4" } }]);
  expect(again.opened).toBe(1);
});
