// Property-based tests of the OTLP/HTTP receivers (POST /api/v1/otlp/v1/{logs,metrics,traces}) on
// real HTTP and a real Postgres: arbitrary bytes and JSON, exports of Claude Code records, GenAI
// spans and cost counters with hostile fields (ill-formed Unicode, NUL, deep AnyValues, huge and
// negative numbers, times past 2^64), in protobuf or JSON, gzip or not, chunked or not. Whatever
// arrives, the server never answers 5xx, always answers a decodable OTLP body (an
// Export…ServiceResponse on 200, a google.rpc.Status otherwise, in the request's encoding), and the
// org's rows grow by exactly what the answer says was taken: every spend record is stored or
// counted as rejected, and a refused export writes nothing. FUZZ_RUNS / FUZZ_SEED scale or replay.
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { kv, type TOtlpSignal } from "../testing/otlp";
import { claudeApiRequest, jsonToProtobuf, logsExport, nanosAgo, otlpRequest, REJECTED_FIELD, usageRowCount, type TOtlpAnswer } from "../testing/otlp-sdk";

let server: Awaited<ReturnType<typeof startMachineServer>>;
const logged: string[] = [];
beforeAll(async () => {
  server = await startMachineServer();
  // A 5xx is logged as "[api] unhandled error": collected, and every property asserts there was none.
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
});
beforeEach(() => {
  logged.length = 0;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const params = (scale = 1) => ({ numRuns: Math.max(1, Math.round(RUNS * scale)), seed: SEED, endOnFailure: true });
const MIB = 1024 * 1024;

type TEnc = "json" | "protobuf";
const CONTENT_TYPE: Record<TEnc, string> = { json: "application/json", protobuf: "application/x-protobuf" };

// ——— the invariant ———

type TSent = { signal: TOtlpSignal; enc: TEnc | "other"; orgId: string; before: number; spend: number | null; skipped?: number };

/**
 * The answer is an OTLP answer and the rows agree with it. `spend`: records that are spend (each
 * stored or rejected, none dropped); null when unknown (arbitrary input: then no rows at all).
 * `skipped`: of those, the ones with nothing to store (a zero or non-finite counter value).
 */
async function expectHonest(a: TOtlpAnswer, s: TSent, what: string) {
  const context = `${what} → ${a.status} ${a.error ?? a.raw.toString("utf8").slice(0, 400)}`;
  expect(logged, context).toEqual([]);
  expect(a.status, context).toBeGreaterThan(0);
  expect([200, 400, 413, 415], context).toContain(a.status);
  expect(a.decodeError, context).toBeNull();
  // In the request's encoding (JSON when the request's could not be told).
  expect(a.encoding, context).toBe(s.enc === "other" ? "json" : s.enc);
  const rows = (await usageRowCount(s.orgId)) - s.before;
  if (a.status !== 200) {
    expect(typeof a.body.code, context).toBe("number");
    expect(typeof a.body.message, context).toBe("string");
    expect(rows, `${context}: a refused export wrote rows`).toBe(0);
    return { rows, rejected: 0 };
  }
  const partial = (a.body.partialSuccess ?? {}) as Record<string, unknown>;
  expect(Object.keys(a.body).filter((k) => k !== "partialSuccess"), context).toEqual([]);
  const rejected = Number(partial[REJECTED_FIELD[s.signal]] ?? 0);
  expect(Number.isInteger(rejected) && rejected >= 0, context).toBe(true);
  if (rejected > 0) expect(String(partial.errorMessage ?? ""), context).toMatch(new RegExp(`^${rejected} rejected: `));
  if (s.spend === null) expect(rows, context).toBe(0);
  else expect(rows, `${context}: ${s.spend} spend records, ${s.skipped ?? 0} with nothing to store, ${rejected} rejected, ${rows} rows`).toBe(s.spend - (s.skipped ?? 0) - rejected);
  return { rows, rejected };
}

// ——— how a body travels ———

const framing = fc.record({ gzip: fc.boolean(), contentLength: fc.boolean(), chunks: fc.constantFrom(1, 1, 3, 50) });
type TFraming = { gzip: boolean; contentLength: boolean; chunks: number };

function post(signal: TOtlpSignal, enc: TEnc, body: Buffer, secret: string, f: TFraming, contentType = CONTENT_TYPE[enc]) {
  return otlpRequest(server.url, {
    signal,
    body: f.gzip ? gzipSync(body) : body,
    secret,
    contentType,
    contentEncoding: f.gzip ? "gzip" : undefined,
    contentLength: f.contentLength,
    chunks: f.chunks,
  });
}

// ——— hostile values ———

const LONE = ["\ud800", "\udbff", "\udc00", "\udfff"];
const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => `x${String.fromCharCode(u)}`) },
  { weight: 2, arbitrary: fc.constantFrom("", " ", "\u0000", "a\u0000b", ...LONE, "\ud83d\ude00", "\ufeff", "\u2028", "é", "x".repeat(5000), "\\", '"') },
);

// A deep AnyValue as an object (JSON and protobuf alike).
function nestedAnyValue(kind: "array" | "kvlist", depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { stringValue: "leaf" };
  for (let i = 0; i < depth; i++) v = kind === "array" ? { arrayValue: { values: [v] } } : { kvlistValue: { values: [{ key: "k", value: v }] } };
  return v;
}

// A 10,000-deep AnyValue as JSON text, built as text.
const DEEP = "__deep10k";
const DEEP_JSON: Record<string, string> = {
  array: '{"arrayValue":{"values":['.repeat(10_000) + '{"stringValue":"leaf"}' + "]}}".repeat(10_000),
  kvlist: '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(10_000) + '{"stringValue":"leaf"}' + "}]}}".repeat(10_000),
};
/** JSON text of a body, with the deep placeholders spliced in. */
function toJsonText(body: unknown): string {
  return JSON.stringify(body).replace(/\{"__deep10k":"(array|kvlist)"\}/g, (_, k: string) => DEEP_JSON[k]);
}

// An AnyValue. Some only JSON can say (non-finite doubles as text, ints past int64): `jsonOnly`.
type THostileValue = { value: Record<string, unknown>; jsonOnly: boolean };
const anyValue: fc.Arbitrary<THostileValue> = fc.oneof(
  { weight: 4, arbitrary: hostileText.map((s) => ({ value: { stringValue: s }, jsonOnly: false })) },
  { weight: 3, arbitrary: fc.constantFrom("0", "1840", "-1", "abc", "1e3", "1.5", " 12 ", "99999999999999999999", "0.061329", "1e308", "6.1e-2").map((s) => ({ value: { stringValue: s }, jsonOnly: false })) },
  { weight: 2, arbitrary: fc.constantFrom("0", "7", "9223372036854775807", "-9223372036854775808", "-1", "2147483648").map((s) => ({ value: { intValue: s }, jsonOnly: false })) },
  { weight: 1, arbitrary: fc.constantFrom("99999999999999999999", "9223372036854775808", "1.5", "").map((s) => ({ value: { intValue: s }, jsonOnly: true })) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1.5, -0.5, 1e308, -1e308, 5e-324, 1e21, 0.061329, 12).map((d) => ({ value: { doubleValue: d }, jsonOnly: false })) },
  { weight: 1, arbitrary: fc.constantFrom("NaN", "Infinity", "-Infinity", "1e400").map((d) => ({ value: { doubleValue: d }, jsonOnly: true })) },
  { weight: 1, arbitrary: fc.boolean().map((b) => ({ value: { boolValue: b }, jsonOnly: false })) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, unknown>>({}, { bytesValue: "AAEC" }, { arrayValue: {} }, { kvlistValue: { values: [] } }).map((value) => ({ value, jsonOnly: false })) },
  // Deep: protobufjs stops at 100 messages deep, encoding (here) and decoding (the server: a 400, see
  // the named cases); JSON is not recursed into at all.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom<"array" | "kvlist">("array", "kvlist"), fc.constantFrom(3, 20, 60)).map(([k, d]) => ({ value: nestedAnyValue(k, d), jsonOnly: d > 20 })) },
  // 10,000 deep: too deep for JSON.stringify here, so a placeholder spliced as text (toJsonText).
  { weight: 1, arbitrary: fc.constantFrom("array", "kvlist").map((k) => ({ value: { [DEEP]: k }, jsonOnly: true })) },
);

const hostileTime = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string | number | null>(null) },
  { weight: 2, arbitrary: fc.constantFrom<string | number | null>("0", "1", "99999999999999999999", "18446744073709551615", "18446744073709551616", "9223372036854775808", nanosAgo(40 * 86_400_000), String(BigInt(Date.now() + 86_400_000 * 400) * 1_000_000n)) },
  // JSON only: a negative, a fraction, not a number, a number (rounded past 2^53).
  { weight: 1, arbitrary: fc.constantFrom<string | number | null>(-1, 1.5, "abc", Date.now() * 1e6, 1e30) },
);
const jsonOnlyTime = (t: string | number | null) => t !== null && (typeof t === "number" || !/^\d{1,20}$/.test(t) || BigInt(t) > 0xffffffffffffffffn);

// Claude Code's api_request fields a property may replace with a hostile value.
const CLAUDE_FIELDS = [
  "session.id", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "cost_usd", "duration_ms",
  "user.email", "prompt.id", "event.timestamp", "event.sequence", "query_source", "agent.name", "team.id", "repo",
];

const mutation = fc.record({ key: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...CLAUDE_FIELDS) }, { weight: 1, arbitrary: hostileText }), value: anyValue });

type TAttr = { key: string; value: Record<string, unknown> };

function withMutations(attributes: TAttr[], mutations: { key: string; value: THostileValue }[]): TAttr[] {
  const out = attributes.map((a) => ({ ...a }));
  for (const m of mutations) {
    const at = out.findIndex((a) => a.key === m.key);
    if (at >= 0) out[at] = { key: m.key, value: m.value.value };
    else out.push({ key: m.key, value: m.value.value });
  }
  return out;
}

// ——— properties ———

describe("arbitrary input", () => {
  test("random bytes as protobuf and as JSON, any signal: a 400 or an (empty) export, never 5xx, no rows", async () => {
    const { org, secret } = await createTestOrg();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TOtlpSignal>("logs", "metrics", "traces"),
        fc.constantFrom<TEnc>("json", "protobuf"),
        fc.oneof(
          { weight: 4, arbitrary: fc.uint8Array({ maxLength: 600 }) },
          // Plausible protobuf: field tags of the request with random payloads.
          { weight: 3, arbitrary: fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 60 })), { maxLength: 6 }).map((fields) => Buffer.concat(fields.flatMap(([n, p]) => [Buffer.from([(n << 3) | 2, p.length]), Buffer.from(p)]))) },
        ),
        framing,
        async (signal, enc, bytes, f) => {
          const before = await usageRowCount(org.id);
          const a = await post(signal, enc, Buffer.from(bytes), secret, f);
          await expectHonest(a, { signal, enc, orgId: org.id, before, spend: null }, `${signal} ${enc} ${Buffer.from(bytes).toString("hex").slice(0, 80)}`);
        },
      ),
      params(1.5),
    );
  });

  test("random JSON values, alone and in the places of an export's arrays and objects: never 5xx, no rows", async () => {
    const { org, secret } = await createTestOrg();
    const value = fc.jsonValue({ maxDepth: 4 });
    const shaped = fc.oneof(
      value,
      value.map((v) => ({ resourceLogs: v })),
      value.map((v) => ({ resourceLogs: [{ resource: v, scopeLogs: [{ scope: v, logRecords: [v] }] }] })),
      value.map((v) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: v, body: v, attributes: [{ key: "k", value: v }, v] }] }] }] })),
      value.map((v) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "claude_code.cost.usage", sum: { aggregationTemporality: v, dataPoints: [{ asDouble: v, asInt: v, attributes: v }] } }, v] }] }] })),
      value.map((v) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: v, spanId: v, status: v, attributes: [{ key: "gen_ai.operation.name", value: v }] }] }] }] })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<TOtlpSignal>("logs", "metrics", "traces"), shaped, framing, async (signal, v, f) => {
        const before = await usageRowCount(org.id);
        const text = JSON.stringify(v) ?? "null";
        const a = await post(signal, "json", Buffer.from(text), secret, f);
        await expectHonest(a, { signal, enc: "json", orgId: org.id, before, spend: null }, `${signal} ${text.slice(0, 200)}`);
      }),
      params(1.5),
    );
  });
});

describe("hostile exports", () => {
  test("Claude Code api_request records with hostile fields and times: each stored or counted as rejected", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ mutations: fc.array(mutation, { maxLength: 3 }), time: hostileTime, requestIdSuffix: fc.option(hostileText, { nil: undefined }) }), { minLength: 1, maxLength: 12 }),
        fc.array(mutation, { maxLength: 2 }),
        fc.constantFrom<TEnc>("json", "protobuf"),
        framing,
        async (records, resourceMutations, requested, f) => {
          const { org, secret } = await createTestOrg();
          const run = randomUUID().slice(0, 8);
          let jsonOnly = resourceMutations.some((m) => m.value.jsonOnly);
          const logRecords = records.map((r, i) => {
            jsonOnly ||= r.mutations.some((m) => m.value.jsonOnly) || jsonOnlyTime(r.time);
            // Unique per record (a hostile suffix never makes two records one event).
            const base = claudeApiRequest({ request_id: `req_${run}_${i}${r.requestIdSuffix ?? ""}`, "event.sequence": i });
            const rec: Record<string, unknown> = { ...base, attributes: withMutations(base.attributes, r.mutations) };
            if (r.time !== null) rec.timeUnixNano = rec.observedTimeUnixNano = r.time;
            return rec;
          });
          const body = logsExport(logRecords);
          body.resourceLogs[0].resource.attributes = withMutations(body.resourceLogs[0].resource.attributes as TAttr[], resourceMutations) as typeof body.resourceLogs[0]["resource"]["attributes"];
          const enc: TEnc = jsonOnly ? "json" : requested;
          const bytes = enc === "json" ? Buffer.from(toJsonText(body)) : jsonToProtobuf("logs", body);
          const a = await post("logs", enc, bytes, secret, f);
          await expectHonest(a, { signal: "logs", enc, orgId: org.id, before: 0, spend: records.length }, `logs ${enc} ${JSON.stringify(records).slice(0, 600)} resource ${JSON.stringify(resourceMutations).slice(0, 200)}`);
        },
      ),
      params(),
    );
  });

  test("GenAI spans with hostile usage, ids and times: each model-call span stored or counted as rejected", async () => {
    const SPAN_FIELDS = ["gen_ai.request.model", "gen_ai.response.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.reasoning.output_tokens", "gen_ai.agent.name", "gen_ai.conversation.id", "gen_ai.provider.name", "user.id", "error.type"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            mutations: fc.array(fc.record({ key: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SPAN_FIELDS) }, { weight: 1, arbitrary: hostileText }), value: anyValue }), { maxLength: 3 }),
            start: hostileTime,
            end: hostileTime,
            status: fc.constantFrom(0, 1, 2),
            operation: fc.constantFrom("chat", "chat", "generate_content", "embeddings", "text_completion"),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        fc.constantFrom<TEnc>("json", "protobuf"),
        framing,
        async (spans, requested, f) => {
          const { org, secret } = await createTestOrg();
          const traceId = randomUUID().replace(/-/g, "");
          let jsonOnly = false;
          const list = spans.map((s, i) => {
            jsonOnly ||= s.mutations.some((m) => m.value.jsonOnly) || jsonOnlyTime(s.start) || jsonOnlyTime(s.end);
            const attributes = withMutations(
              kv({ "gen_ai.operation.name": s.operation, "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 30 }),
              s.mutations,
            );
            return {
              traceId,
              spanId: (i + 1).toString(16).padStart(16, "0"),
              name: s.operation,
              startTimeUnixNano: s.start ?? nanosAgo(61_000),
              endTimeUnixNano: s.end ?? nanosAgo(60_000),
              attributes,
              status: { code: s.status },
            };
          });
          const body = { resourceSpans: [{ resource: { attributes: kv({ "service.name": "bot" }) }, scopeSpans: [{ scope: { name: "fuzz" }, spans: list }] }] };
          const enc: TEnc = jsonOnly ? "json" : requested;
          const bytes = enc === "json" ? Buffer.from(toJsonText(body)) : jsonToProtobuf("traces", body);
          const a = await post("traces", enc, bytes, secret, f);
          // A hostile gen_ai.operation.name is not a model call (not spend): only count the ones left as they were.
          const spend = list.filter((s) => s.attributes.find((a) => a.key === "gen_ai.operation.name")?.value.stringValue === spans[list.indexOf(s)].operation).length;
          await expectHonest(a, { signal: "traces", enc, orgId: org.id, before: 0, spend }, `traces ${enc} ${JSON.stringify(spans).slice(0, 600)}`);
        },
      ),
      params(),
    );
  });

  test("Claude Code cost counters, delta and cumulative, hostile values: each point stored, skipped (zero, non-finite) or rejected", async () => {
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: 0.000001, max: 50, noNaN: true }) },
      // 1e26 and up only as deltas: a cumulative point that large is a 500 (see the test.fails below).
      { weight: 2, arbitrary: fc.constantFrom<number | string>(0, -0, -1.5, 1e25, 9.99e25, 9999.99, 10_000.5, 5e-324, 1e-13, Number.MAX_SAFE_INTEGER) },
      { weight: 1, arbitrary: fc.constantFrom<number | string>(1e308, 1e26).map((v) => ({ deltaOnly: v })) },
      { weight: 1, arbitrary: fc.constantFrom<number | string>("NaN", "Infinity", "-Infinity", "0.25") },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ value, asInt: fc.boolean(), mutations: fc.array(mutation, { maxLength: 2 }), time: hostileTime }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom(1, 2),
        fc.constantFrom<TEnc>("json", "protobuf"),
        framing,
        async (generated, temporality, requested, f) => {
          const { org, secret } = await createTestOrg();
          const points = generated.map((p) => (typeof p.value === "object" ? { ...p, value: temporality === 1 ? p.value.deltaOnly : 1 } : (p as typeof p & { value: number | string })));
          let jsonOnly = false;
          let skipped = 0;
          const dataPoints = points.map((p, i) => {
            const v = typeof p.value === "number" && p.asInt && Number.isSafeInteger(p.value) ? { asInt: String(p.value) } : { asDouble: p.value };
            jsonOnly ||= typeof p.value === "string" || p.mutations.some((m) => m.value.jsonOnly) || jsonOnlyTime(p.time);
            const n = Number(p.value);
            // Nothing to store: zero (also at 20 decimals: 5e-324 is read as 0), not finite, or (cumulative)
            // negative. Between 1e-20 and the 12 decimals kept is a $0 row.
            if (!Number.isFinite(n) || Number(n.toFixed(20)) === 0 || (temporality === 2 && n < 0)) skipped++;
            // One series and one group per point: its own session.id and a marker attribute.
            const attributes = withMutations(kv({ "session.id": `s-${randomUUID()}`, model: "claude-sonnet-4-6", point: i }), p.mutations.filter((m) => m.key !== "session.id"));
            return { attributes, startTimeUnixNano: nanosAgo(3_600_000), timeUnixNano: p.time ?? nanosAgo(60_000), ...v };
          });
          const body = {
            resourceMetrics: [
              {
                resource: { attributes: kv({ "service.name": "claude-code" }) },
                scopeMetrics: [{ scope: { name: "com.anthropic.claude_code" }, metrics: [{ name: "claude_code.cost.usage", unit: "USD", sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints } }] }],
              },
            ],
          };
          const enc: TEnc = jsonOnly ? "json" : requested;
          const bytes = enc === "json" ? Buffer.from(toJsonText(body)) : jsonToProtobuf("metrics", body);
          const a = await post("metrics", enc, bytes, secret, f);
          await expectHonest(a, { signal: "metrics", enc, orgId: org.id, before: 0, spend: points.length, skipped }, `metrics t${temporality} ${enc} ${JSON.stringify(points).slice(0, 600)}`);
        },
      ),
      params(),
    );
  });
});

// ——— named cases: the shapes above at their extremes, each on its own ———

function bytesOf(enc: TEnc, signal: TOtlpSignal, body: unknown) {
  return enc === "json" ? Buffer.from(JSON.stringify(body)) : jsonToProtobuf(signal, body);
}
const plain: TFraming = { gzip: false, contentLength: true, chunks: 1 };

// Protobuf varint and a length-delimited field, by hand: a 10,000-deep AnyValue is too deep for
// protobufjs's recursive encoder, so it is written bottom-up.
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
const field = (no: number, payload: Buffer) => Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);

function deepProtobufAnyValue(kind: "array" | "kvlist", depth: number): Buffer {
  // AnyValue: string_value 1, array_value 5, kvlist_value 6; ArrayValue/KeyValueList: values 1; KeyValue: key 1, value 2.
  let v = field(1, Buffer.from("leaf"));
  for (let i = 0; i < depth; i++) v = kind === "array" ? field(5, field(1, v)) : field(6, field(1, Buffer.concat([field(1, Buffer.from("k")), field(2, v)])));
  return v;
}

describe("named hostile inputs", () => {
  test.each(["array", "kvlist"] as const)("a %s AnyValue 10,000 deep, in JSON (accepted: never recursed into) and protobuf (a 400)", async (kind) => {
    const { org, secret } = await createTestOrg();
    const record = claudeApiRequest();
    const deep = { ...record, attributes: [...record.attributes, { key: "deep", value: { [DEEP]: kind } }] };
    const text = toJsonText(logsExport([deep]));
    expect(text.length).toBeGreaterThan(200_000);
    const json = await post("logs", "json", Buffer.from(text), secret, plain);
    const { rows } = await expectHonest(json, { signal: "logs", enc: "json", orgId: org.id, before: 0, spend: 1 }, "json deep");
    expect(rows).toBe(1);

    // The same record in protobuf, the deep attribute (LogRecord.attributes = 6, a KeyValue) appended by hand.
    const keyValue = Buffer.concat([field(1, Buffer.from("deep")), field(2, deepProtobufAnyValue(kind, 10_000))]);
    const recordBytes = Buffer.concat([jsonToProtobufRecord(claudeApiRequest()), field(6, keyValue)]);
    // ExportLogsServiceRequest.resource_logs (1) → ResourceLogs.scope_logs (2) → ScopeLogs.log_records (2).
    const body = field(1, field(2, field(2, recordBytes)));
    const before = await usageRowCount(org.id);
    const pb = await post("logs", "protobuf", body, secret, plain);
    await expectHonest(pb, { signal: "logs", enc: "protobuf", orgId: org.id, before, spend: null }, "protobuf deep");
    expect(pb.status).toBe(400);
    expect(pb.body.message).toMatch(/depth/);
  });

  test("lone surrogates (\\ud800 escapes) in attribute values and keys: stored as U+FFFD, never reaching Postgres as they are, counts exact", async () => {
    const { org, secret } = await createTestOrg();
    const records = [
      claudeApiRequest({ "session.id": "sess-\ud800" }),
      claudeApiRequest({ model: "claude-sonnet-4-6", "user.email": "a\udc00@example.com" }),
      { ...claudeApiRequest(), attributes: [...claudeApiRequest().attributes, { key: "k\udbff", value: { stringValue: "v" } }] },
      claudeApiRequest({ "team.id": "\udfff" }),
    ];
    const text = JSON.stringify(logsExport(records));
    expect(text).toContain("\\ud800");
    const a = await post("logs", "json", Buffer.from(text), secret, plain);
    const { rows } = await expectHonest(a, { signal: "logs", enc: "json", orgId: org.id, before: 0, spend: 4 }, "lone surrogates");
    expect(rows).toBe(4);
    const { pool } = await import("../db");
    const stored = (await pool().query(`SELECT "sessionId", "userId", "unknownTeam" FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "sessionId", "userId"`, [org.id])).rows;
    expect(stored.map((r) => r.sessionId)).toContain("sess-\ufffd");
    expect(stored.map((r) => r.userId)).toContain("a\ufffd@example.com");
    expect(stored.map((r) => r.unknownTeam)).toContain("\ufffd");
  });

  test("NUL in session.id, model and keys (protobuf and JSON): never a 500, counts exact", async () => {
    for (const enc of ["json", "protobuf"] as const) {
      const { org, secret } = await createTestOrg();
      const records = [claudeApiRequest({ "session.id": "a\u0000b" }), claudeApiRequest({ model: "claude\u0000" }), claudeApiRequest({ "\u0000": "x" }), claudeApiRequest()];
      const a = await post("logs", enc, bytesOf(enc, "logs", logsExport(records)), secret, plain);
      await expectHonest(a, { signal: "logs", enc, orgId: org.id, before: 0, spend: 4 }, `NUL ${enc}`);
      expect(a.status).toBe(200);
    }
  });

  test("invalid UTF-8: in a protobuf string a 400 (proto3 strings are UTF-8), in a JSON body a 400", async () => {
    const { org, secret } = await createTestOrg();
    const marker = "MARKER_MARKER";
    const pb = jsonToProtobuf("logs", logsExport([claudeApiRequest({ "session.id": marker }), claudeApiRequest()]));
    const json = Buffer.from(JSON.stringify(logsExport([claudeApiRequest({ "session.id": marker }), claudeApiRequest()])));
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      for (const [enc, body] of [["protobuf", pb], ["json", json]] as const) {
        const b = Buffer.from(body);
        b.set(bad, b.indexOf(marker));
        const a = await post("logs", enc, b, secret, plain);
        await expectHonest(a, { signal: "logs", enc, orgId: org.id, before: 0, spend: null }, `invalid utf-8 ${enc} ${bad}`);
        expect(a.status).toBe(400);
      }
    }
  });

  test("huge numbers: intValue past int64 (a 400), asDouble 1e308 (rejected), times past 2^64 (a 400) and negative (a 400), 2^64−1 (a time that is no date: stored now)", async () => {
    const { org, secret } = await createTestOrg();
    const cases: [string, unknown, number, number][] = [
      ["intValue 99999999999999999999", logsExport([{ ...claudeApiRequest(), attributes: [...claudeApiRequest().attributes.filter((a) => a.key !== "input_tokens"), { key: "input_tokens", value: { intValue: "99999999999999999999" } }] }]), 400, 0],
      ["intValue 2^63 - 1 tokens", logsExport([{ ...claudeApiRequest(), attributes: [...claudeApiRequest().attributes.filter((a) => a.key !== "input_tokens"), { key: "input_tokens", value: { intValue: "9223372036854775807" } }] }]), 200, 0],
      ["cost doubleValue 1e308", logsExport([{ ...claudeApiRequest(), attributes: [...claudeApiRequest().attributes.filter((a) => a.key !== "cost_usd"), { key: "cost_usd", value: { doubleValue: 1e308 } }] }]), 200, 0],
      ["timeUnixNano 99999999999999999999", logsExport([{ ...claudeApiRequest({ "event.timestamp": undefined }), timeUnixNano: "99999999999999999999" }]), 400, 0],
      ["timeUnixNano 2^64", logsExport([{ ...claudeApiRequest({ "event.timestamp": undefined }), timeUnixNano: "18446744073709551616" }]), 400, 0],
      ["timeUnixNano -1", logsExport([{ ...claudeApiRequest({ "event.timestamp": undefined }), timeUnixNano: -1 }]), 400, 0],
      // 2^64 − 1 ns is in the year 2554: a date, in the future, so that record is rejected.
      ["timeUnixNano 2^64 - 1", logsExport([{ ...claudeApiRequest({ "event.timestamp": undefined }), timeUnixNano: "18446744073709551615", observedTimeUnixNano: "0" }]), 200, 0],
      ["timeUnixNano as a JSON number", logsExport([{ ...claudeApiRequest({ "event.timestamp": undefined }), timeUnixNano: Date.now() * 1e6 - 6e10 }]), 200, 1],
    ];
    for (const [name, body, status, rows] of cases) {
      const before = await usageRowCount(org.id);
      const a = await post("logs", "json", Buffer.from(JSON.stringify(body)), secret, plain);
      const seen = await expectHonest(a, { signal: "logs", enc: "json", orgId: org.id, before, spend: status === 200 ? 1 : null }, name);
      expect(a.status, name).toBe(status);
      expect(seen.rows, name).toBe(rows);
    }
  });

  // BUG (lib/otlp/cumulative.ts, not fixed here): the ledger writes the running total into
  // "TelemetrySeries"."pendingValue" numeric(38,12) BEFORE the event's cost is validated, so a total of
  // 1e26 or more fails the whole export with "numeric field overflow" → 500.
  test("a cumulative counter at 1e308 (or anything past the ledger's 26 digits) is rejected, not a 500", async () => {
    for (const v of [1e308, 1e26, 99999999999999999999999999]) {
      const { org, secret } = await createTestOrg();
      const body = {
        resourceMetrics: [
          {
            resource: {},
            scopeMetrics: [{ metrics: [{ name: "claude_code.cost.usage", sum: { aggregationTemporality: 2, dataPoints: [{ attributes: kv({ "session.id": `s-${randomUUID()}`, model: "claude-sonnet-4-6" }), startTimeUnixNano: nanosAgo(100_000), timeUnixNano: nanosAgo(1000), asDouble: v }] } }] }],
          },
        ],
      };
      const a = await post("metrics", "json", Buffer.from(JSON.stringify(body)), secret, plain);
      // Today: 500 {"code":13,"message":"Internal server error"} and "[api] unhandled error: error: numeric field overflow".
      logged.length = 0;
      expect(a.status, `${v}: ${a.raw.toString()}`).toBe(200);
      expect(await usageRowCount(org.id)).toBe(0);
      expect(String((a.body.partialSuccess as Record<string, unknown>)?.rejectedDataPoints)).toBe("1");
    }
  });

  test("oversize and chunked: 16 MiB + 1 after gunzip is a 413 whatever the framing; exactly 16 MiB is read", async () => {
    const { org, secret } = await createTestOrg();
    const head = JSON.stringify(logsExport([claudeApiRequest()]));
    const exact = Buffer.concat([Buffer.from(head.slice(0, -1)), Buffer.alloc(16 * MIB - head.length, 0x20), Buffer.from("}")]);
    expect(exact.length).toBe(16 * MIB);
    const over = Buffer.concat([exact, Buffer.from(" ")]);
    for (const f of [plain, { gzip: true, contentLength: true, chunks: 1 }, { gzip: false, contentLength: false, chunks: 200 }, { gzip: true, contentLength: false, chunks: 7 }]) {
      const before = await usageRowCount(org.id);
      const a = await post("logs", "json", over, secret, f);
      if (a.status === 0) continue; // answered early and reset mid-upload: the client saw no answer, nothing written
      await expectHonest(a, { signal: "logs", enc: "json", orgId: org.id, before, spend: null }, `over ${JSON.stringify(f)}`);
      expect(a.status).toBe(413);
    }
    const a = await post("logs", "json", exact, secret, { gzip: true, contentLength: false, chunks: 3 });
    await expectHonest(a, { signal: "logs", enc: "json", orgId: org.id, before: 0, spend: 1 }, "exactly 16 MiB");
    expect(a.status).toBe(200);
  });
});

// One LogRecord's protobuf bytes (no envelope).
function jsonToProtobufRecord(record: unknown): Buffer {
  // An export of one record is ResourceLogs(1){ ScopeLogs(2){ LogRecord(2) } }: peel the three envelopes.
  const whole = jsonToProtobuf("logs", { resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] });
  let b = whole;
  for (let i = 0; i < 3; i++) {
    let pos = 1;
    let len = 0;
    let shift = 0;
    for (;;) {
      const byte = b[pos++];
      len |= (byte & 127) << shift;
      if (byte < 128) break;
      shift += 7;
    }
    b = b.subarray(pos, pos + len);
  }
  return b;
}
