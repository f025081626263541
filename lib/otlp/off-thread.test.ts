// The decoding thread (lib/otlp/off-thread.ts): what it makes of an export is exactly what the
// request thread makes of it, its errors are the same errors, and exports in flight when it dies
// are still taken — over real HTTP into a real Postgres.
import { afterAll, beforeAll, expect, test } from "vitest";
import { pool } from "../db";
import { DomainError } from "../errors";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { postOtlp, shiftedToNow } from "../testing/otlp";
import logsFixture from "./fixtures/claude-code.logs.json";
import tracesFixture from "./fixtures/genai.traces.json";
import { stopDecodeThread, translatedBy, translateOffThread } from "./off-thread";
import { translateExport } from "./translate";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const json = (body: unknown) => Buffer.from(JSON.stringify(body));

test("the thread's translation of logs and traces equals the request thread's, and the thread did it", async () => {
  for (const [signal, fixture] of [["logs", shiftedToNow(logsFixture)], ["traces", shiftedToNow(tracesFixture)]] as const) {
    const before = translatedBy.thread;
    const threaded = await translateOffThread(signal, "json", json(fixture));
    expect(translatedBy.thread).toBe(before + 1);
    const here = translateExport(signal, "json", json(fixture));
    expect(threaded).toEqual(JSON.parse(JSON.stringify(here.translation)));
    const events = "candidates" in threaded ? threaded.candidates : threaded.calls;
    expect(events.length).toBeGreaterThan(0);
  }
});

test("a bad export is the same 400 from the thread, and a too-big one the same 413", async () => {
  const bad = await translateOffThread("logs", "json", json({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [{ key: "a", value: { intValue: "x" } }] }] }] }] })).catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(DomainError);
  expect(bad).toMatchObject({ status: 400, message: "resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value.intValue: must be a 64-bit integer (a JSON string or number)" });
  const records = Array.from({ length: 10_001 }, () => ({}));
  const tooMany = await translateOffThread("logs", "json", json({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] })).catch((e: unknown) => e);
  expect(tooMany).toMatchObject({ status: 413, message: "At most 10000 records per export (got 10001): lower the exporter's batch size" });
});

test("exports the thread took and did not answer when it died are translated on the request thread, the same", async () => {
  // Big enough (2,000 records) that the thread is still at work when it is stopped.
  const big = shiftedToNow(logsFixture) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
  const records = big.resourceLogs[0].scopeLogs[0].logRecords;
  big.resourceLogs[0].scopeLogs[0].logRecords = Array.from({ length: 2000 }, (_, i) => records[i % records.length]);
  const expected = JSON.parse(JSON.stringify(translateExport("logs", "json", json(big)).translation));
  await translateOffThread("logs", "json", json({})); // a running thread
  const before = { ...translatedBy };
  const inFlight = Array.from({ length: 3 }, () => translateOffThread("logs", "json", json(big)));
  await stopDecodeThread();
  const results = await Promise.all(inFlight);
  for (const r of results) expect(JSON.parse(JSON.stringify(r))).toEqual(expected);
  expect(translatedBy.requestThread - before.requestThread).toBeGreaterThan(0);
  expect(translatedBy.requestThread - before.requestThread + translatedBy.thread - before.thread).toBe(3);
});

test("exports in flight when the thread dies are translated on the request thread: every one answered 200 and stored; the next one starts a new thread", async () => {
  const { org, secret } = await createTestOrg();
  const exports = Array.from({ length: 6 }, (_, i) => {
    const body = shiftedToNow(logsFixture) as { resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[] };
    // Distinct request ids per export, so each stores calls of its own.
    for (const rl of body.resourceLogs) for (const sl of rl.scopeLogs) for (const r of sl.logRecords) for (const a of r.attributes) if (a.key === "request_id" && a.value.stringValue) a.value.stringValue += `-${i}`;
    return body;
  });
  const posts = exports.map((body) => postOtlp(server.url, "logs", secret, body));
  await stopDecodeThread();
  const answers = await Promise.all(posts);
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
  const { rows } = await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
  // Every call the six exports describe (some records repeat across them: one row each).
  const ids = new Set(exports.flatMap((body) => {
    const t = translateExport("logs", "json", json(body));
    return t.signal === "logs" ? t.translation.candidates.map((c) => c.event.id) : [];
  }));
  expect(ids.size).toBeGreaterThan(6);
  expect(rows[0].n).toBe(ids.size);
  const threadBefore = translatedBy.thread;
  await translateOffThread("logs", "json", json(exports[0]));
  expect(translatedBy.thread).toBe(threadBefore + 1);
});
