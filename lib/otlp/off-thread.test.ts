// The decoding thread (lib/otlp/off-thread.ts): what it makes of an export is exactly what the
// request thread makes of it, its errors are the same errors, an export's bytes are moved to it
// (never a shared pool's), and an export in flight when it dies is answered 503 + Retry-After and
// stored once when re-sent — over real HTTP into a real Postgres.
import { afterAll, beforeAll, expect, test } from "vitest";
import { pool } from "../db";
import { DomainError } from "../errors";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { postOtlp, shiftedToNow } from "../testing/otlp";
import logsFixture from "./fixtures/claude-code.logs.json";
import tracesFixture from "./fixtures/genai.traces.json";
import { stopDecodeThread, threadBacklog, translatedBy, translateOffThread } from "./off-thread";
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

test("an export's own memory is moved to the thread; a small body in Node's shared pool is copied, its neighbours untouched", async () => {
  const big = json(shiftedToNow(logsFixture));
  expect(big.byteOffset === 0 && big.byteLength === big.buffer.byteLength).toBe(true);
  const size = big.byteLength;
  await translateOffThread("logs", "json", big);
  // Moved: the request thread holds none of it any more.
  expect(big.byteLength).toBe(0);
  expect(size).toBeGreaterThan(0);
  const small = Buffer.from(JSON.stringify({ resourceLogs: [] }));
  const neighbour = Buffer.from("a neighbour in the same pool");
  expect(small.buffer).toBe(neighbour.buffer);
  await translateOffThread("logs", "json", small);
  expect(small.toString()).toBe(JSON.stringify({ resourceLogs: [] }));
  expect(neighbour.toString()).toBe("a neighbour in the same pool");
});

// Big enough (2,000 records) that the thread is still at work when it is stopped.
function bigExport(tag = "") {
  const big = shiftedToNow(logsFixture) as { resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[] };
  const records = big.resourceLogs[0].scopeLogs[0].logRecords;
  big.resourceLogs[0].scopeLogs[0].logRecords = Array.from({ length: 2000 }, (_, i) => {
    const r = structuredClone(records[i % records.length]);
    // Distinct request ids per record and export, so each stores calls of its own.
    for (const a of r.attributes) if (a.key === "request_id" && a.value.stringValue) a.value.stringValue += `-${tag}${i}`;
    return r;
  });
  return big;
}

test("an export the thread held when it died is a 503 with Retry-After (its bytes went with the thread); the others are translated as usual", async () => {
  const big = bigExport();
  const expected = JSON.parse(JSON.stringify(translateExport("logs", "json", json(big)).translation));
  await translateOffThread("logs", "json", json({})); // a running thread
  const inFlight = Array.from({ length: 3 }, () => translateOffThread("logs", "json", json(big)).then((t) => ({ t }), (err: unknown) => ({ err })));
  await stopDecodeThread();
  const results = await Promise.all(inFlight);
  const refused = results.filter((r) => "err" in r);
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) expect((r as { err: unknown }).err).toMatchObject({ status: 503, headers: { "Retry-After": "1" } });
  for (const r of results) if ("t" in r) expect(JSON.parse(JSON.stringify(r.t))).toEqual(expected);
});

test("exports in flight when the thread dies: each answered 200 or 503 + Retry-After; sent again, as an exporter does, every call is stored exactly once; the next one starts a new thread", async () => {
  const { org, secret } = await createTestOrg();
  const exports = Array.from({ length: 6 }, (_, i) => bigExport(`e${i}-`));
  const posts = exports.map((body) => postOtlp(server.url, "logs", secret, body));
  // Stopped once it holds some of them (they arrive over HTTP one by one).
  for (let waited = 0; threadBacklog() < 2 && waited < 10_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
  await stopDecodeThread();
  const answers = await Promise.all(posts);
  const retried = answers.flatMap((a, i) => (a.status === 200 ? [] : [i]));
  expect(retried.length).toBeGreaterThan(0);
  for (const i of retried) {
    expect(answers[i].status).toBe(503);
    expect(answers[i].headers.get("retry-after")).toBe("1");
  }
  const again = await Promise.all(retried.map((i) => postOtlp(server.url, "logs", secret, exports[i])));
  expect(again.map((a) => a.status)).toEqual(retried.map(() => 200));
  // Every call the six exports describe, once (a 200 export re-sent would change nothing either).
  const ids = new Set(exports.flatMap((body) => {
    const t = translateExport("logs", "json", json(body));
    return t.signal === "logs" ? t.translation.candidates.map((c) => c.event.id) : [];
  }));
  expect(ids.size).toBeGreaterThan(2_000);
  const { rows } = await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
  expect(rows[0].n).toBe(ids.size);
  const threadBefore = translatedBy.thread;
  await translateOffThread("logs", "json", json(exports[0]));
  expect(translatedBy.thread).toBe(threadBefore + 1);
});
