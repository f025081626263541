// The OTLP/HTTP transport (opentelemetry.io/docs/specs/otlp/#otlphttp) as a client sees it, on real
// HTTP and a real Postgres: every answer is an Export…ServiceResponse (200) or a google.rpc.Status
// (errors) in the request's encoding, partialSuccess counts exactly what was not stored, and no
// refused export writes a row. Responses are decoded here with protobufjs and the vendored schema,
// independently of the server's encoder.
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestKey, createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import {
  claudeApiRequest,
  jsonToProtobuf,
  logsExport,
  nanosAgo,
  otlpRequest,
  REJECTED_FIELD,
  usageRowCount,
  type TOtlpAnswer,
} from "../testing/otlp-sdk";
import { kv, type TOtlpSignal } from "../testing/otlp";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const MIB = 1024 * 1024;
const ENCODINGS = ["json", "protobuf"] as const;
type TEnc = (typeof ENCODINGS)[number];
const CONTENT_TYPE: Record<TEnc, string> = { json: "application/json", protobuf: "application/x-protobuf" };

function bodyOf(signal: TOtlpSignal, enc: TEnc, json: unknown): Buffer {
  return enc === "json" ? Buffer.from(JSON.stringify(json)) : jsonToProtobuf(signal, json);
}

function send(signal: TOtlpSignal, enc: TEnc, json: unknown, secret: string | null, extra: Partial<Parameters<typeof otlpRequest>[1]> = {}) {
  return otlpRequest(server.url, { signal, body: bodyOf(signal, enc, json), secret, contentType: CONTENT_TYPE[enc], ...extra });
}

const rejectedOf = (signal: TOtlpSignal, a: TOtlpAnswer) => Number((a.body.partialSuccess as Record<string, unknown> | undefined)?.[REJECTED_FIELD[signal]] ?? 0);
const messageOf = (a: TOtlpAnswer) => String((a.body.partialSuccess as Record<string, unknown> | undefined)?.errorMessage ?? "");

/** A 200 in the request's encoding, decodable as the signal's response. */
function expectExportResponse(a: TOtlpAnswer, enc: TEnc) {
  const context = `${a.status} ${a.raw.toString("utf8").slice(0, 300)}`;
  expect(a.status, context).toBe(200);
  expect(a.encoding, context).toBe(enc);
  expect(a.decodeError, context).toBeNull();
}

/** An error answer: a google.rpc.Status {code, message} in `enc`, nothing else in it. */
function expectStatus(a: TOtlpAnswer, status: number, enc: TEnc | "json", rpcCode: number) {
  const context = `${a.status} ${a.raw.toString("utf8").slice(0, 300)}`;
  expect(a.status, context).toBe(status);
  expect(a.encoding, context).toBe(enc);
  expect(a.decodeError, context).toBeNull();
  expect(a.body.code, context).toBe(rpcCode);
  expect(typeof a.body.message, context).toBe("string");
  expect((a.body.message as string).length, context).toBeGreaterThan(0);
  if (enc === "json") expect(Object.keys(a.body).sort(), context).toEqual(["code", "message"]);
}

// One model call of each signal that the mappers turn into one row.
function oneOf(signal: TOtlpSignal): unknown {
  if (signal === "logs") return logsExport([claudeApiRequest()]);
  if (signal === "metrics") {
    const point = { attributes: kv({ "session.id": `s-${randomUUID()}`, model: "claude-sonnet-4-6" }), startTimeUnixNano: nanosAgo(120_000), timeUnixNano: nanosAgo(60_000), asDouble: 0.5 };
    return {
      resourceMetrics: [
        {
          resource: { attributes: kv({ "service.name": "claude-code" }) },
          scopeMetrics: [{ scope: { name: "com.anthropic.claude_code" }, metrics: [{ name: "claude_code.cost.usage", unit: "USD", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point] } }] }],
        },
      ],
    };
  }
  const traceId = randomUUID().replace(/-/g, "");
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ "service.name": "support-bot" }) },
        scopeSpans: [
          {
            scope: { name: "openai-agents" },
            spans: [
              {
                traceId,
                spanId: traceId.slice(0, 16),
                name: "chat gpt-4o-mini",
                kind: 3,
                startTimeUnixNano: nanosAgo(61_000),
                endTimeUnixNano: nanosAgo(60_000),
                attributes: kv({ "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20 }),
                status: {},
              },
            ],
          },
        ],
      },
    ],
  };
}

describe("200: an Export…ServiceResponse in the request's encoding", () => {
  for (const signal of ["logs", "metrics", "traces"] as const) {
    for (const enc of ENCODINGS) {
      test(`${signal}, ${enc}: everything accepted → no partialSuccess, one row`, async () => {
        const { org, secret } = await createTestOrg();
        const a = await send(signal, enc, oneOf(signal), secret);
        expectExportResponse(a, enc);
        // Nothing to say: partial_success is left out (JSON `{}`, an empty protobuf message).
        expect(a.body).toEqual({});
        if (enc === "json") expect(a.raw.toString()).toBe("{}");
        else expect(a.raw.length).toBe(0);
        expect(await usageRowCount(org.id)).toBe(1);
      });
    }
  }

  for (const enc of ENCODINGS) {
    test(`logs, ${enc}: 3 good api_request records and 2 broken ones → rejectedLogRecords 2, 3 rows, both reasons named`, async () => {
      const { org, secret } = await createTestOrg();
      const body = logsExport([
        claudeApiRequest({ "event.sequence": 1 }),
        claudeApiRequest({ "event.sequence": 2, input_tokens: "abc" }),
        claudeApiRequest({ "event.sequence": 3 }),
        claudeApiRequest({ "event.sequence": 4, model: undefined }),
        claudeApiRequest({ "event.sequence": 5 }),
      ]);
      const a = await send("logs", enc, body, secret);
      expectExportResponse(a, enc);
      expect(rejectedOf("logs", a)).toBe(2);
      expect(messageOf(a)).toMatch(/^2 rejected: /);
      expect(messageOf(a)).toMatch(/input_tokens is not a whole number of tokens/);
      expect(messageOf(a)).toMatch(/claude_code\.api_request without a model/);
      expect(await usageRowCount(org.id)).toBe(3);
    });
  }

  test("traces: spans rejected are counted as rejectedSpans; the rest stored", async () => {
    const { org, secret } = await createTestOrg();
    const body = oneOf("traces") as { resourceSpans: { scopeSpans: { spans: { spanId: string; attributes: unknown }[] }[] }[] };
    const spans = body.resourceSpans[0].scopeSpans[0].spans;
    const good = spans[0];
    spans.push({ ...good, spanId: "00000000000000a1", attributes: kv({ "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5 }) });
    spans.push({ ...good, spanId: "00000000000000a2", attributes: kv({ "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": -5 }) });
    for (const enc of ENCODINGS) {
      const a = await send("traces", enc, body, secret);
      expectExportResponse(a, enc);
      expect(rejectedOf("traces", a)).toBe(2);
      expect(messageOf(a)).toMatch(/without gen_ai\.request\.model/);
      expect(messageOf(a)).toMatch(/gen_ai\.usage\.input_tokens is not a whole number/);
      expect(await usageRowCount(org.id)).toBe(1);
    }
  });

  for (const enc of ENCODINGS) {
    test(`${enc}: an unpriced model is stored (at $0), named in errorMessage, rejected 0`, async () => {
      const { org, secret } = await createTestOrg();
      const model = `claude-imaginary-${randomUUID().slice(0, 8)}`;
      const a = await send("logs", enc, logsExport([claudeApiRequest({ model, cost_usd: undefined })]), secret);
      expectExportResponse(a, enc);
      expect(a.body.partialSuccess).toBeDefined();
      expect(rejectedOf("logs", a)).toBe(0);
      expect(messageOf(a)).toContain(model);
      expect(messageOf(a)).toMatch(/unpriced/);
      const { rows } = await pool().query(`SELECT model, "costUsd"::text AS cost, "costSource"::text AS source FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
      expect(rows).toEqual([{ model, cost: "0.000000000000", source: "UNPRICED" }]);
    });
  }

  test("records of no known tool are accepted and ignored: 200, rejected 0, no rows", async () => {
    const { org, secret } = await createTestOrg();
    const rec = { timeUnixNano: nanosAgo(1000), body: { stringValue: "GET /health 200" }, attributes: kv({ "http.status_code": 200 }) };
    for (const enc of ENCODINGS) {
      const a = await send("logs", enc, logsExport([rec, rec], { "service.name": "web" }), secret);
      expectExportResponse(a, enc);
      expect(a.body).toEqual({});
    }
    expect(await usageRowCount(org.id)).toBe(0);
  });

  test("empty exports (no resources, an empty body) are valid: 200 {}", async () => {
    const { org, secret } = await createTestOrg();
    for (const signal of ["logs", "metrics", "traces"] as const) {
      expectExportResponse(await send(signal, "json", {}, secret), "json");
      // An empty protobuf message is zero bytes.
      const empty = await otlpRequest(server.url, { signal, body: Buffer.alloc(0), secret, contentType: "application/x-protobuf" });
      expectExportResponse(empty, "protobuf");
      expect(empty.body).toEqual({});
    }
    expect(await usageRowCount(org.id)).toBe(0);
  });

  test("a re-sent export (an exporter's retry) is not new spend: same rows, rejected 0", async () => {
    const { org, secret } = await createTestOrg();
    const body = logsExport([claudeApiRequest(), claudeApiRequest()]);
    for (const enc of ENCODINGS) expectExportResponse(await send("logs", enc, body, secret), enc);
    expect(await usageRowCount(org.id)).toBe(2);
  });

  test("content-type parameters and application/protobuf are accepted", async () => {
    const { org, secret } = await createTestOrg();
    const a = await send("logs", "json", logsExport([claudeApiRequest()]), secret, { contentType: "Application/JSON; charset=utf-8" });
    expect(a.status).toBe(200);
    const b = await send("logs", "protobuf", logsExport([claudeApiRequest()]), secret, { contentType: "application/protobuf" });
    expect(b.status).toBe(200);
    expect(b.encoding).toBe("protobuf");
    expect(await usageRowCount(org.id)).toBe(2);
  });
});

describe("framing", () => {
  for (const enc of ENCODINGS) {
    test(`${enc}: chunked (no content-length), in many pieces`, async () => {
      const { org, secret } = await createTestOrg();
      const body = logsExport(Array.from({ length: 20 }, (_, i) => claudeApiRequest({ "event.sequence": i })));
      const a = await send("logs", enc, body, secret, { contentLength: false, chunks: 37 });
      expectExportResponse(a, enc);
      expect(a.body).toEqual({});
      expect(await usageRowCount(org.id)).toBe(20);
    });

    test(`${enc}: gzip, with and without content-length`, async () => {
      const { org, secret } = await createTestOrg();
      const body = gzipSync(bodyOf("logs", enc, logsExport([claudeApiRequest(), claudeApiRequest()])));
      expectExportResponse(await otlpRequest(server.url, { signal: "logs", body, secret, contentType: CONTENT_TYPE[enc], contentEncoding: "gzip" }), enc);
      const again = gzipSync(bodyOf("logs", enc, logsExport([claudeApiRequest()])));
      expectExportResponse(await otlpRequest(server.url, { signal: "logs", body: again, secret, contentType: CONTENT_TYPE[enc], contentEncoding: "gzip", contentLength: false, chunks: 5 }), enc);
      expect(await usageRowCount(org.id)).toBe(3);
    });
  }
});

describe("errors: a google.rpc.Status in the request's encoding, and no rows", () => {
  for (const enc of ENCODINGS) {
    test(`${enc}: 401 without a key, with an unknown key, with a malformed Authorization`, async () => {
      const { org, secret } = await createTestOrg();
      const body = logsExport([claudeApiRequest()]);
      expectStatus(await send("logs", enc, body, null), 401, enc, 16);
      expectStatus(await send("logs", enc, body, `${secret.slice(0, -4)}0000`), 401, enc, 16);
      expectStatus(await send("logs", enc, body, null, { headers: { authorization: "Basic Zm9vOmJhcg==" } }), 401, enc, 16);
      expect(await usageRowCount(org.id)).toBe(0);
    });

    test(`${enc}: 403 for a key without the ingest scope`, async () => {
      const { org, secret } = await createTestOrg({ scopes: ["read"] });
      const a = await send("logs", enc, logsExport([claudeApiRequest()]), secret);
      expectStatus(a, 403, enc, 7);
      expect(a.body.message).toMatch(/ingest/);
      expect(await usageRowCount(org.id)).toBe(0);
    });

    test(`${enc}: 413 for a gzip bomb (small on the wire, over 16 MiB inflated)`, async () => {
      const { org, secret } = await createTestOrg();
      // A valid export whose record carries 17 MiB of padding: it would be accepted if it were read.
      const inflated =
        enc === "json"
          ? Buffer.concat([Buffer.from(JSON.stringify(logsExport([claudeApiRequest()])).slice(0, -1)), Buffer.alloc(17 * MIB, 0x20), Buffer.from("}")])
          : Buffer.concat([jsonToProtobuf("logs", logsExport([claudeApiRequest()])), Buffer.alloc(17 * MIB, 0)]);
      const body = gzipSync(inflated, { level: 9 });
      expect(body.length).toBeLessThan(100_000);
      const a = await otlpRequest(server.url, { signal: "logs", body, secret, contentType: CONTENT_TYPE[enc], contentEncoding: "gzip" });
      expectStatus(a, 413, enc, 8);
      expect(await usageRowCount(org.id)).toBe(0);
    });

    test(`${enc}: 413 for a plain body over 16 MiB, chunked (no content-length to refuse it early)`, async () => {
      const { org, secret } = await createTestOrg();
      const head = bodyOf("logs", enc, logsExport([claudeApiRequest()]));
      const body = enc === "json" ? Buffer.concat([head.subarray(0, -1), Buffer.alloc(16 * MIB, 0x20), Buffer.from("}")]) : Buffer.concat([head, Buffer.alloc(16 * MIB, 0)]);
      const a = await otlpRequest(server.url, { signal: "logs", body, secret, contentType: CONTENT_TYPE[enc], contentLength: false, chunks: 64 });
      // The server may answer before the upload ends and close the connection: the answer, if any, is a 413.
      if (a.status !== 0) expectStatus(a, 413, enc, 8);
      expect(await usageRowCount(org.id)).toBe(0);
    });

    test(`${enc}: 10,000 records are one export; 10,001 are a 413`, async () => {
      const { org, secret } = await createTestOrg();
      // A prompt record is not spend: the count matters here, not the rows.
      const prompt = { timeUnixNano: nanosAgo(1000), body: { stringValue: "claude_code.user_prompt" }, attributes: kv({ "session.id": "s" }) };
      const spend = claudeApiRequest();
      const ok = await send("logs", enc, logsExport([...Array.from({ length: 9_999 }, () => prompt), spend]), secret);
      expectExportResponse(ok, enc);
      expect(await usageRowCount(org.id)).toBe(1);
      const { org: org2, secret: secret2 } = await createTestOrg();
      const tooMany = await send("logs", enc, logsExport([...Array.from({ length: 10_000 }, () => prompt), claudeApiRequest()]), secret2);
      expectStatus(tooMany, 413, enc, 8);
      expect(tooMany.body.message).toMatch(/10000|10,000/);
      expect(await usageRowCount(org2.id)).toBe(0);
    });

    test(`${enc}: 10,001 records across resources and scopes are counted together`, async () => {
      const { org, secret } = await createTestOrg();
      const spend = claudeApiRequest();
      const scope = (n: number) => ({ scope: { name: "x" }, logRecords: Array.from({ length: n }, () => spend) });
      const body = { resourceLogs: [{ resource: {}, scopeLogs: [scope(5000), scope(1)] }, { resource: {}, scopeLogs: [scope(5000)] }] };
      expectStatus(await send("logs", enc, body, secret), 413, enc, 8);
      expect(await usageRowCount(org.id)).toBe(0);
    });
  }

  test("400 for a body that is not a protobuf Export…ServiceRequest, with a protobuf Status", async () => {
    const { org, secret } = await createTestOrg();
    for (const signal of ["logs", "metrics", "traces"] as const) {
      for (const bytes of [[0xff, 0xff, 0xff, 0xff], [0x0a, 0x05, 0x01], [0x0f], Buffer.from('{"resourceLogs":[]}')]) {
        const a = await otlpRequest(server.url, { signal, body: Buffer.from(bytes), secret, contentType: "application/x-protobuf" });
        expectStatus(a, 400, "protobuf", 3);
        expect(a.body.message).toMatch(/protobuf/);
      }
    }
    expect(await usageRowCount(org.id)).toBe(0);
  });

  test("400 for malformed JSON and for JSON of the wrong shape, with a JSON Status naming the path", async () => {
    const { org, secret } = await createTestOrg();
    const cases: [TOtlpSignal, string, RegExp][] = [
      ["logs", '{"resourceLogs":[', /not JSON/],
      ["logs", "", /not JSON/],
      ["logs", "[]", /body/],
      ["logs", "null", /./],
      ["logs", '{"resourceLogs":{}}', /resourceLogs: must be an array/],
      ["logs", '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-1}]}]}]}', /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.timeUnixNano/],
      ["logs", '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"intValue":1.5}}]}]}]}]}', /intValue/],
      ["metrics", '{"resourceMetrics":[{"scopeMetrics":"x"}]}', /resourceMetrics\[0\]\.scopeMetrics: must be an array/],
      ["traces", '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}', /traceId: must be a hex string/],
    ];
    for (const [signal, text, message] of cases) {
      const a = await otlpRequest(server.url, { signal, body: Buffer.from(text), secret, contentType: "application/json" });
      expect(a.status, text).toBe(400);
      expectStatus(a, 400, "json", 3);
      expect(a.body.message, text).toMatch(message);
    }
    expect(await usageRowCount(org.id)).toBe(0);
  });

  test("400 for gzip that is not gzip; 415 for an unknown content-encoding", async () => {
    const { org, secret } = await createTestOrg();
    const body = Buffer.from(JSON.stringify(logsExport([claudeApiRequest()])));
    expectStatus(await otlpRequest(server.url, { signal: "logs", body, secret, contentEncoding: "gzip" }), 400, "json", 3);
    expectStatus(await otlpRequest(server.url, { signal: "logs", body: jsonToProtobuf("logs", logsExport([claudeApiRequest()])), secret, contentType: "application/x-protobuf", contentEncoding: "gzip" }), 400, "protobuf", 3);
    expectStatus(await otlpRequest(server.url, { signal: "logs", body, secret, contentEncoding: "br" }), 415, "json", 3);
    expect(await usageRowCount(org.id)).toBe(0);
  });

  test("415 for text/plain or no content-type (answered in JSON: the request's encoding is unknown)", async () => {
    const { org, secret } = await createTestOrg();
    const body = Buffer.from(JSON.stringify(logsExport([claudeApiRequest()])));
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", null]) {
      const a = await otlpRequest(server.url, { signal: "logs", body, secret, contentType });
      expectStatus(a, 415, "json", 3);
      expect(a.body.message).toMatch(/application\/x-protobuf/);
    }
    expect(await usageRowCount(org.id)).toBe(0);
  });

  for (const enc of ENCODINGS) {
    test(`${enc}: 429 with Retry-After once the key's rpm limit is spent`, async () => {
      const { org } = await createTestOrg();
      const limited = await createTestKey({ orgId: org.id, name: "limited", scopes: ["ingest"], rpmLimit: 2 });
      expectExportResponse(await send("logs", enc, logsExport([claudeApiRequest()]), limited.secret), enc);
      expectExportResponse(await send("logs", enc, logsExport([claudeApiRequest()]), limited.secret), enc);
      const third = await send("logs", enc, logsExport([claudeApiRequest()]), limited.secret);
      expectStatus(third, 429, enc, 8);
      const retryAfter = Number(third.headers["retry-after"]);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, String(third.headers["retry-after"])).toBe(true);
      expect(await usageRowCount(org.id)).toBe(2);
    });
  }

  test("the error answers carry no-store and a content-length (a client can read them whole)", async () => {
    const a = await send("logs", "protobuf", logsExport([claudeApiRequest()]), null);
    expect(a.headers["cache-control"]).toBe("no-store");
    expect(Number(a.headers["content-length"])).toBe(a.raw.length);
  });
});

describe("tenant isolation", () => {
  test("org B's key posting the same export (same ids) never changes org A's rows; ids are per org", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const records = [claudeApiRequest({ request_id: "req_shared_1" }), claudeApiRequest({ request_id: "req_shared_2", cost_usd: "0.5" })];
    const snapshot = async (orgId: string) =>
      (await pool().query(`SELECT "eventId", "costUsd"::text AS cost, "inputTokens" AS input, "keyId", "unknownTeam" FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "eventId"`, [orgId])).rows;
    expectExportResponse(await send("logs", "json", logsExport(records), a.secret), "json");
    const before = await snapshot(a.org.id);
    expect(before).toHaveLength(2);
    expect(before.every((r) => r.keyId === a.key.id)).toBe(true);

    // Same ids from org B, different figures and attribution, both encodings.
    const altered = [claudeApiRequest({ request_id: "req_shared_1", cost_usd: "9.99", input_tokens: "1" }), claudeApiRequest({ request_id: "req_shared_2", cost_usd: "7" })];
    for (const enc of ENCODINGS) {
      const answer = await send("logs", enc, logsExport(altered, { "service.name": "claude-code", "team.id": "other" }), b.secret);
      expectExportResponse(answer, enc);
      // Not a duplicate of A's: nothing rejected, nothing said.
      expect(answer.body).toEqual({});
    }
    expect(await snapshot(a.org.id)).toEqual(before);
    const theirs = await snapshot(b.org.id);
    expect(theirs.map((r) => [r.eventId, r.cost, r.input, r.keyId, r.unknownTeam])).toEqual(
      before.map((r, i) => [r.eventId, ["9.990000000000", "7.000000000000"][i], [1, 1840][i], b.key.id, "other"]),
    );
  });

  test("sessions and cumulative series are per org: B's metrics never change what A's session counts", async () => {
    const a = await createTestOrg();
    const b = await createTestOrg();
    const session = `shared-${randomUUID()}`;
    const start = nanosAgo(300_000);
    const cumulative = (value: number, msAgo: number) => ({
      resourceMetrics: [
        {
          resource: { attributes: kv({ "service.name": "claude-code" }) },
          scopeMetrics: [
            {
              scope: { name: "com.anthropic.claude_code" },
              metrics: [
                { name: "claude_code.cost.usage", unit: "USD", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: kv({ "session.id": session, model: "claude-sonnet-4-6" }), startTimeUnixNano: start, timeUnixNano: nanosAgo(msAgo), asDouble: value }] } },
              ],
            },
          ],
        },
      ],
    });
    expect((await send("metrics", "json", cumulative(1.5, 120_000), a.secret)).status).toBe(200);
    // B's series reaches 4 first; A's next point (2.0) must still count 0.5 for A.
    expect((await send("metrics", "protobuf", cumulative(4, 90_000), b.secret)).status).toBe(200);
    expect((await send("metrics", "json", cumulative(2, 60_000), a.secret)).status).toBe(200);
    const sum = async (orgId: string) => (await pool().query(`SELECT coalesce(sum("costUsd"),0)::text AS t FROM "UsageEvent" WHERE "orgId" = $1`, [orgId])).rows[0].t;
    expect(await sum(a.org.id)).toBe("2.000000000000");
    expect(await sum(b.org.id)).toBe("4.000000000000");
  });
});

// What the answer must count, in cases the mappers once got wrong (lib/otlp/metrics.ts, logs.ts,
// traces.ts — found by this suite, then fixed). Each says what OTLP requires.
describe("partialSuccess counts records, not events", () => {
  test("metrics: a rejected window of 1 cost point and 4 token points is 5 rejectedDataPoints", async () => {
    const { org, secret } = await createTestOrg();
    const time = nanosAgo(60_000);
    const start = nanosAgo(120_000);
    // No model attribute: the window cannot be priced or named, so all five points are rejected.
    const point = (attrs: Record<string, string>, v: number) => ({ attributes: kv({ "session.id": `s-${randomUUID().slice(0, 8)}`, ...attrs }), startTimeUnixNano: start, timeUnixNano: time, asDouble: v });
    const session = `s-${randomUUID()}`;
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: kv({ "service.name": "claude-code", "session.id": session }) },
          scopeMetrics: [
            {
              scope: { name: "com.anthropic.claude_code" },
              metrics: [
                { name: "claude_code.cost.usage", unit: "USD", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point({}, 0.5)].map((p) => ({ ...p, attributes: [] })) } },
                { name: "claude_code.token.usage", unit: "tokens", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: ["input", "output", "cacheRead", "cacheCreation"].map((type) => ({ ...point({ type }, 100), attributes: kv({ type }) })) } },
              ],
            },
          ],
        },
      ],
    };
    const a = await send("metrics", "json", body, secret);
    expectExportResponse(a, "json");
    expect(messageOf(a)).toMatch(/without a model/);
    expect(await usageRowCount(org.id)).toBe(0);
    // Today: 1 (one rejected group of points).
    expect(rejectedOf("metrics", a)).toBe(5);
  });

  test("logs: two records with the same request_id, both rejected, are 2 rejectedLogRecords", async () => {
    const { org, secret } = await createTestOrg();
    // Both too old to store (the events API's 35-day window); the same request id makes one event id.
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const body = logsExport([claudeApiRequest({ request_id: "req_dup", "event.timestamp": old }), claudeApiRequest({ request_id: "req_dup", "event.timestamp": old })]);
    const a = await send("logs", "json", body, secret);
    expectExportResponse(a, "json");
    expect(messageOf(a)).toMatch(/35 days/);
    expect(await usageRowCount(org.id)).toBe(0);
    // Today: 1 (rejections are keyed by event id).
    expect(rejectedOf("logs", a)).toBe(2);
  });

  test("traces: model-call spans without a trace or span id are rejected (counted), not merged into one row", async () => {
    const { org, secret } = await createTestOrg();
    const span = (input: number) => ({
      name: "chat",
      startTimeUnixNano: nanosAgo(61_000),
      endTimeUnixNano: nanosAgo(60_000),
      attributes: kv({ "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": input, "gen_ai.usage.output_tokens": 1 }),
    });
    const body = { resourceSpans: [{ resource: {}, scopeSpans: [{ spans: [span(100), span(200), span(300)] }] }] };
    const a = await send("traces", "json", body, secret);
    expectExportResponse(a, "json");
    // Today: rejected 0 and ONE row (input 100): the three spans share the event id "span:<hash of ':'>",
    // so two are taken for re-sends of the first — 500 tokens of spend vanish without a word.
    expect(rejectedOf("traces", a) + (await usageRowCount(org.id))).toBe(3);
  });
});
