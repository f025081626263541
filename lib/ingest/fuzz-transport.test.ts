// Property-based test of the wire in front of POST /api/v1/events: generated bodies (events, other
// JSON, truncated JSON, random bytes, invalid UTF-8, deep nesting, oversize, gzip, gzip garbage and
// bombs), content types, framings, bad keys and clients that hang up mid-body, all sent one after
// another on ONE keep-alive connection where possible. Whatever came before, every request gets an
// answer in time, never a 5xx, nothing is logged as a server error, and the org's events, rollups
// and executions agree with what the answers said. FUZZ_RUNS / FUZZ_SEED scale or replay a run.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { ev } from "../testing/events-api";
import { createTestOrg } from "../testing/fixtures";
import { batch } from "../testing/fuzz-events";
import { ingestLedger, storedEventIdSet } from "../testing/ingest-ledger";
import { startMachineServer } from "../testing/machine-server";
import { keepAliveAgent, rawRequest } from "../testing/raw-http";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const RUNS = Number(process.env.FUZZ_RUNS ?? 80);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const MIB = 1024 * 1024;
// "Answered in time": generous for a loaded 2-core machine, short enough to shrink a hang.
const TIMEOUT_MS = 5_000;

// 20 KiB on the wire, 8 MiB of JSON whitespace once inflated.
const GZIP_BOMB = gzipSync(Buffer.concat([Buffer.from('{"events":['), Buffer.alloc(8 * MIB, 0x20), Buffer.from("]}")]), { level: 9 });

// A body, printed in a counterexample as its kind, size and first bytes (not a megabyte of numbers).
type TBody = { kind: string; bytes: Buffer; events: number };
function described(kind: string, bytes: Buffer, events = 0): TBody {
  const preview = JSON.stringify(bytes.subarray(0, 80).toString("latin1"));
  return { kind, bytes, events, [fc.toStringMethod]: () => `${kind}(${bytes.length} bytes, ${events} events: ${preview}…)` } as TBody;
}
const json = (kind: string, text: string, events = 0): TBody => described(kind, Buffer.from(text, "utf8"), events);

const body: fc.Arbitrary<TBody> = fc.oneof(
  { weight: 6, arbitrary: batch(30).map((b) => json("events", b.json, b.events.length)) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("[]", "1", "-0", "1e400", '"x"', "null", "true", "{}", '{"events":[]}', '{"events":{}}', '{"events":[1,"a",null]}', '{"events":[{"id":"a","model":"gpt-4o"}],"extra":1}')
      .map((text) => json("other json", text)),
  },
  { weight: 2, arbitrary: batch(5).chain((b) => fc.nat({ max: Math.max(0, b.json.length - 1) }).map((n) => json("truncated", b.json.slice(0, n)))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => described("random bytes", Buffer.from(a))) },
  {
    weight: 1,
    arbitrary: fc.tuple(batch(3), fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82])).map(([b, bad]) => {
      // Invalid UTF-8 inside a string value: still JSON-shaped, not text.
      const [head, tail] = [b.json.slice(0, b.json.indexOf('"') + 1), b.json.slice(b.json.indexOf('"') + 1)];
      return described("invalid utf-8", Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)]));
    }),
  },
  { weight: 1, arbitrary: batch(3).map((b) => json("bom", `\ufeff${b.json}`)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        "[".repeat(500_000),
        "[".repeat(200_000) + "]".repeat(200_000),
        `{"events":${"[".repeat(200_000)}${"]".repeat(200_000)}}`,
        `{"events":[${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}]}`,
      )
      .map((text) => json("deep", text)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(batch(3), fc.integer({ min: 1, max: 3 * MIB })).map(([b, extra]) => json("oversize", b.json + " ".repeat(MIB - b.json.length + extra))),
  },
  { weight: 1, arbitrary: fc.constant(json("empty", "")) },
);

const request = fc.record({
  body,
  encoding: fc.oneof(
    { weight: 6, arbitrary: fc.constant("identity") },
    { weight: 3, arbitrary: fc.constantFrom("gzip", "GZIP") },
    { weight: 1, arbitrary: fc.constantFrom("gzip garbage", "gzip bomb", "br", "gzip, br") },
  ),
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", "application/vnd.acme+json") },
    { weight: 1, arbitrary: fc.constantFrom("text/plain", "", "application/x-www-form-urlencoded", "application/json-seq") },
  ),
  contentLength: fc.boolean(),
  // How many writes the body goes out in (chunked framing unless content-length is set); 0: 64 KiB each.
  chunks: fc.constantFrom(1, 2, 7, 40, 0),
  key: fc.oneof({ weight: 12, arbitrary: fc.constant("valid") }, { weight: 1, arbitrary: fc.constantFrom("missing", "unknown") }),
  hangUpAfter: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 0.9, noNaN: true }) }),
});

test("any sequence of bodies on one keep-alive connection: answered in time, never 5xx, totals agree", async () => {
  const logged: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  const totals = { runs: 0, requests: 0, hungUp: 0, bytes: 0, statuses: {} as Record<number, number> };
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (requests) => {
        logged.length = 0;
        const { org, secret } = await createTestOrg();
        const agent = keepAliveAgent(1);
        try {
          let accepted = 0;
          for (const r of requests) {
            let bytes = r.body.bytes;
            if (r.encoding === "gzip" || r.encoding === "GZIP") bytes = gzipSync(bytes);
            else if (r.encoding === "gzip garbage") bytes = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), bytes]);
            else if (r.encoding === "gzip bomb") bytes = GZIP_BOMB;
            const headers: Record<string, string> = {};
            if (r.contentType) headers["content-type"] = r.contentType;
            if (r.encoding !== "identity") headers["content-encoding"] = r.encoding.startsWith("gzip ") ? "gzip" : r.encoding;
            if (r.contentLength) headers["content-length"] = String(bytes.length);
            if (r.key !== "missing") headers.authorization = `Bearer ${r.key === "valid" ? secret : "br_0000000000000000000000000000000000000000000"}`;
            const hangUpAfter = r.hangUpAfter === null ? undefined : Math.floor(bytes.length * r.hangUpAfter);

            const chunks = r.chunks || Math.ceil(bytes.length / 65_536);
            const answer = await rawRequest(server.url, { agent, headers, body: bytes, chunks, abortAfterBytes: hangUpAfter, timeoutMs: TIMEOUT_MS });
            totals.requests++;
            totals.bytes += bytes.length;
            if (hangUpAfter !== undefined && answer.status <= 0) {
              totals.hungUp++;
              continue;
            }
            const context = `${r.body.kind} ${r.encoding} ${r.contentType} → ${answer.status} ${answer.error ?? answer.body.slice(0, 300)}`;
            expect([200, 207, 400, 401, 413, 415, 422], context).toContain(answer.status);
            totals.statuses[answer.status] = (totals.statuses[answer.status] ?? 0) + 1;
            const parsed = JSON.parse(answer.body);
            if (answer.status === 200 || answer.status === 207) {
              expect(parsed.accepted + parsed.duplicates + parsed.rejected.length, context).toBe(Math.max(1, r.body.events));
              accepted += parsed.accepted;
            } else {
              expect(Object.keys(parsed), context).toEqual(["error"]);
            }
          }
          // Whatever happened on it, the connection (or its replacement) answers the next request.
          const canary = Buffer.from(JSON.stringify(ev(`canary-${totals.runs}`)));
          const last = await rawRequest(server.url, {
            agent,
            headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "content-length": String(canary.length) },
            body: canary,
            timeoutMs: TIMEOUT_MS,
          });
          expect(last.status, last.error ?? last.body).toBe(200);
          accepted += 1;

          expect((await storedEventIdSet(org.id)).size).toBe(accepted);
          expect(await ingestLedger(org.id)).toEqual({ events: accepted, rollupsMatchEvents: true, executionMismatches: 0, hourlyMismatches: 0, dailyMismatches: 0 });
          expect(logged).toEqual([]);
          totals.runs++;
        } finally {
          agent.destroy();
        }
      }),
      // Shrinking a hang costs a timeout per step: stop after a minute with the smallest case so far.
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
  } finally {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`[fuzz-transport] ${JSON.stringify(totals)} in ${seconds} s`);
  }
}, 120_000);
