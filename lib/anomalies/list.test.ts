// The anomalies page's read: status and kind filters, open before acknowledged, keyset pages that
// visit every anomaly once, the execution's state and the mini timeline around the loop — from
// anomalies the real detectors recorded through the API, and from findings recorded directly.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { DomainError } from "../errors";
import { at, failingCall, orgWithOwner } from "../testing/anomalies";
import { api, startMachineServer } from "../testing/machine-server";
import { acknowledgeAnomaly } from "./acknowledge";
import { anomaliesHref, anomalyCounts, executionAnomalies, listAnomalies, openAnomaliesFirst, parseAnomalySearch, TIMELINE_BEFORE, TIMELINE_FROM } from "./list";
import { recordFindings, type TFinding } from "./record";
import { executionTimeline } from "../executions/timeline";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const post = (secret: string, body: unknown) => api(server.url, "/api/v1/events", { secret, body });
const failing = (execution: string, i: number, base: number) => failingCall(execution, i, base);

// A finding as a detector would report it, about an execution that need not exist.
const finding = (orgId: string, n: number, extra: Partial<TFinding> = {}): TFinding => ({
  orgId,
  kind: "CONTEXT_GROWTH",
  subject: `execution:run-${n}`,
  executionId: `run-${n}`,
  agent: "bot",
  costUsd: `${n}.5`,
  block: false,
  evidence: { rule: "context_growth", first_input_tokens: 1000, max_input_tokens: 9000, growth: 9, calls: n },
  ...extra,
});

// n anomalies detected a minute apart (run-1 oldest).
async function recordMany(orgId: string, n: number, extra: (i: number) => Partial<TFinding> = () => ({})) {
  await recordFindings(Array.from({ length: n }, (_, i) => finding(orgId, i + 1, extra(i + 1))));
  await pool().query(
    `UPDATE "Anomaly" SET "detectedAt" = now() - make_interval(mins => 100 - substr("executionId", 5)::int) WHERE "orgId" = $1`,
    [orgId],
  );
}

describe("a retry loop caught through the API", () => {
  test("its row: the sentence, blocked, the execution's state, and a mini timeline with the loop's calls flagged", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 5 * 60_000;
    // Two ordinary calls first, then the failing one five times.
    await post(w.secret, { events: [0, 1].map((i) => ({ id: `ok-${i}`, timestamp: at(base, i), execution_id: "run-loop", agent: "migration-bot", model: "gpt-4o", usage: { prompt_tokens: 40_000 + i * 500, completion_tokens: 50 + i } })) });
    for (let i = 1; i <= 5; i++) await post(w.secret, failing("run-loop", i, base));

    const page = await listAnomalies({ orgId: w.org.id });
    expect(page.nextCursor).toBeNull();
    expect(page.rows).toHaveLength(1);
    const row = page.rows[0];
    expect(row).toMatchObject({ kind: "RETRY_LOOP", status: "open", executionId: "run-loop", agent: "migration-bot", blocked: true, execution: { state: "blocked", calls: 7 } });
    expect(row.summary).toMatch(/^run run-loop \(migration-bot\): 5 identical calls to claude-sonnet-4-5 failing with rate_limit in 32 s, \$/);
    expect(row.timeline.map((p) => [p.flagged, p.error])).toEqual([
      [false, false],
      [false, false],
      [true, true],
      [true, true],
      [true, true],
      [true, true],
      [true, true],
    ]);
    // Exact money beside the drawn number.
    const stored = await prisma().usageEvent.findMany({ where: { orgId: w.org.id }, orderBy: { occurredAt: "asc" } });
    expect(row.timeline.map((p) => p.cost_usd)).toEqual(stored.map((e) => expect.stringMatching(new RegExp(`^${e.costUsd.toFixed(2).replace(".", "\\.")}`))));
    expect(row.costUsd).toBe((await executionAnomalies(w.org.id, "run-loop"))[0].costUsd);
  });

  test("the execution's detail marks the call the loop starts at, and lists its anomalies", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 5 * 60_000;
    await post(w.secret, { events: [0, 1].map((i) => ({ id: `ok-${i}`, timestamp: at(base, i), execution_id: "run-m", agent: "migration-bot", model: "gpt-4o", usage: { prompt_tokens: 40_000 + i * 500, completion_tokens: 50 + i } })) });
    await post(w.secret, { events: [1, 2, 3, 4].map((i) => failing("run-m", i, base)) });
    const t = (await executionTimeline({ orgId: w.org.id, executionId: "run-m" }))!;
    expect(t.chart.markers).toEqual([{ n: 3, anomalyId: t.anomalies[0].id, kind: "RETRY_LOOP", label: "Loop starts", resolved: false }]);
    expect(t.anomalies.map((a) => [a.kind, a.status, a.blocked])).toEqual([["RETRY_LOOP", "open", true]]);
    expect(t.execution.status).toBe("blocked");
  });

  test("the timeline is capped: a few calls before the loop's first call and the calls from it on", async () => {
    const w = await orgWithOwner();
    const base = Date.now() - 20 * 60_000;
    const ordinary = Array.from({ length: 20 }, (_, i) => ({ id: `c-${i}`, timestamp: at(base, i), execution_id: "long", model: "gpt-4o", usage: { prompt_tokens: 1000 + 97 * i, completion_tokens: 10 + i } }));
    await post(w.secret, { events: ordinary });
    const loop = Array.from({ length: 40 }, (_, i) => ({ ...failing("long", i + 1, base + 60_000), usage: { input_tokens: 120_000, output_tokens: 0 }, timestamp: at(base + 60_000, i * 2) }));
    await post(w.secret, { events: loop });
    // (Its input also grew 120× from the first call, past 100k: a CONTEXT_GROWTH too, whose timeline is the latest calls.)
    const [row] = (await listAnomalies({ orgId: w.org.id, kind: "RETRY_LOOP" })).rows;
    const [growth] = (await listAnomalies({ orgId: w.org.id, kind: "CONTEXT_GROWTH" })).rows;
    expect(growth.timeline).toHaveLength(TIMELINE_BEFORE + TIMELINE_FROM);
    expect(growth.timeline[growth.timeline.length - 1].at).toBe(at(base + 60_000, 78));
    expect(row.timeline).toHaveLength(TIMELINE_BEFORE + TIMELINE_FROM);
    expect(row.timeline.slice(0, TIMELINE_BEFORE).every((p) => !p.flagged)).toBe(true);
    expect(row.timeline.slice(TIMELINE_BEFORE).every((p) => p.flagged)).toBe(true);
  });
});

describe("filters, order and pages", () => {
  test("unresolved: open before acknowledged, newest first; each status on its own; resolved apart", async () => {
    const w = await orgWithOwner();
    await recordMany(w.org.id, 5);
    const ids = async (status?: Parameters<typeof listAnomalies>[0]["status"]) => (await listAnomalies({ orgId: w.org.id, status })).rows.map((r) => r.executionId);
    expect(await ids()).toEqual(["run-5", "run-4", "run-3", "run-2", "run-1"]);
    const byExecution = new Map((await listAnomalies({ orgId: w.org.id })).rows.map((r) => [r.executionId, r.id]));
    await acknowledgeAnomaly(w.org.id, w.owner.id, byExecution.get("run-5")!);
    await acknowledgeAnomaly(w.org.id, w.owner.id, byExecution.get("run-2")!);
    await pool().query(`UPDATE "Anomaly" SET "resolvedAt" = now(), "resolvedBy" = 'operator (CLI)' WHERE id = $1`, [byExecution.get("run-3")]);
    expect(await ids()).toEqual(["run-4", "run-1", "run-5", "run-2"]);
    expect(await ids("open")).toEqual(["run-4", "run-1"]);
    expect(await ids("acknowledged")).toEqual(["run-5", "run-2"]);
    expect(await ids("resolved")).toEqual(["run-3"]);
    const acked = (await listAnomalies({ orgId: w.org.id, status: "acknowledged" })).rows[0];
    expect(acked).toMatchObject({ status: "acknowledged", acknowledgedBy: w.owner.email, execution: null, timeline: [] });
    expect((await listAnomalies({ orgId: w.org.id, status: "resolved" })).rows[0]).toMatchObject({ status: "resolved", resolvedBy: "operator (CLI)" });
    expect(await anomalyCounts(w.org.id)).toEqual({ open: 2, acknowledged: 2, openBlocked: 0, byKind: { CONTEXT_GROWTH: 4 } });
  });

  test("keyset pages of 2 walk every unresolved anomaly exactly once, across the open / acknowledged boundary, also by kind", async () => {
    const w = await orgWithOwner();
    await recordMany(w.org.id, 9, (i) => (i % 3 === 0 ? { kind: "COST_SPIKE", evidence: { rule: "per_call", event_id: "x", at: new Date().toISOString(), model: "m", cost_usd: "3", limit_usd: "2" } } : {}));
    const all = (await listAnomalies({ orgId: w.org.id, limit: 100 })).rows;
    for (const r of all.filter((_, i) => i % 2 === 0)) await acknowledgeAnomaly(w.org.id, w.owner.id, r.id);
    const expected = (await listAnomalies({ orgId: w.org.id, limit: 100 })).rows.map((r) => r.id);
    expect(expected).toHaveLength(9);
    const walk = async (kind: "COST_SPIKE" | null) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 20; guard++) {
        const page = await listAnomalies({ orgId: w.org.id, kind, cursor, limit: 2 });
        seen.push(...page.rows.map((r) => r.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return seen;
    };
    expect(await walk(null)).toEqual(expected);
    const spikes = await walk("COST_SPIKE");
    expect(spikes).toHaveLength(3);
    expect(spikes).toEqual(expected.filter((id) => all.find((r) => r.id === id)!.kind === "COST_SPIKE"));
  });

  test("a forged cursor, or one made for another status, is a bad_request; the URL parser drops what it does not know", async () => {
    const w = await orgWithOwner();
    await recordMany(w.org.id, 3);
    const { nextCursor } = await listAnomalies({ orgId: w.org.id, limit: 1 });
    await expect(listAnomalies({ orgId: w.org.id, status: "open", cursor: nextCursor })).rejects.toBeInstanceOf(DomainError);
    for (const bad of ["nope!", Buffer.from('{"s":"unresolved","g":0,"t":"0000-01-01T00:00:00Z","i":"x"}').toString("base64url"), Buffer.from("{\"s\":\"unresolved\",\"g\":0,\"t\":\"2026-01-01T00:00:00Z\",\"i\":\"x' OR 1=1\"}").toString("base64url")]) {
      await expect(listAnomalies({ orgId: w.org.id, cursor: bad })).rejects.toMatchObject({ code: "bad_request" });
    }
    expect(parseAnomalySearch({ status: "resolved", kind: "retry_loop", cursor: "abc" })).toEqual({ status: "resolved", kind: "RETRY_LOOP", cursor: "abc" });
    expect(parseAnomalySearch({ status: "all", kind: ["x"], cursor: "a".repeat(301) })).toEqual({ status: "unresolved", kind: null, cursor: null });
    expect(anomaliesHref("acme", { status: "open", kind: "COST_SPIKE" })).toBe("/acme/anomalies?status=open&kind=cost_spike");
  });

  test("the overview's panel: open ones only, blocked first; another org's never", async () => {
    const w = await orgWithOwner();
    const other = await orgWithOwner();
    await recordMany(other.org.id, 2);
    await recordMany(w.org.id, 4);
    await pool().query(`UPDATE "Anomaly" SET blocked = true WHERE "orgId" = $1 AND "executionId" = 'run-2'`, [w.org.id]);
    const rows = (await listAnomalies({ orgId: w.org.id })).rows;
    await acknowledgeAnomaly(w.org.id, w.owner.id, rows.find((r) => r.executionId === "run-4")!.id);
    const panel = await openAnomaliesFirst(w.org.id, 2);
    expect(panel.rows.map((r) => r.executionId)).toEqual(["run-2", "run-3"]);
    expect([panel.total, panel.blocked]).toEqual([3, 1]);
    expect((await openAnomaliesFirst(other.org.id)).rows.map((r) => r.executionId)).toEqual(["run-2", "run-1"]);
  });
});
