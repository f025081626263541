// Property-based test of the gateway's edge: generated request bodies — plausible calls with one
// field made hostile (ill-formed Unicode, NUL, huge or unwritable numbers, deep nesting, wrong
// types), other JSON, truncated JSON, random bytes — to both routes, streaming or not. Every request
// is answered, never with a 5xx, and nothing is logged as a server error. An oversize body is a 413
// in the provider's shape. FUZZ_RUNS / FUZZ_SEED scale or replay a run.
import fc from "fast-check";
import { expect, test, vi } from "vitest";
import { nestedJson, RawJson, toWire } from "../testing/fuzz-events";
import { gatewayWithFakeProvider, orgBehindGateway } from "../testing/gateway";
import { keepAliveAgent, rawRequest } from "../testing/raw-http";
import { GATEWAY_MAX_BODY_BYTES } from "./relay";

const gw = gatewayWithFakeProvider();

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const ROUTES = ["/api/v1/gateway/openai/v1/chat/completions", "/api/v1/gateway/anthropic/v1/messages"] as const;

const hostileText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => `m${String.fromCharCode(u)}`),
  fc.constantFrom("", " ", "x\u0000", "\udc00x", "x".repeat(201), "\ud83d\ude00", "gpt-5.2", "claude-sonnet-4-6"),
);
const hostileValue = fc.oneof(
  hostileText,
  fc.constantFrom<unknown>(0, -1, 1.5, 9007199254740993, 1e300, new RawJson("1e400"), new RawJson("-0"), new RawJson("123456789012345678901234567890123")),
  fc.constantFrom<unknown>(null, true, [], {}, [1, "a"], { include_usage: "yes" }, { include_usage: true }, nestedJson("array", 5000), nestedJson("array", 100_000), nestedJson("object", 5000)),
  fc.double(),
);
const plausible = fc.record({
  model: fc.constantFrom("gpt-5.2", "claude-sonnet-4-6", "no-such-model"),
  max_tokens: fc.integer({ min: 1, max: 4096 }),
  messages: fc.constant([{ role: "user", content: "hi" }]),
  stream: fc.boolean(),
});

type TBody = { kind: string; bytes: Buffer };
const described = (kind: string, bytes: Buffer): TBody =>
  ({ kind, bytes, [fc.toStringMethod]: () => `${kind}(${bytes.length} bytes: ${JSON.stringify(bytes.subarray(0, 80).toString("latin1"))}…)` }) as TBody;

const body: fc.Arbitrary<TBody> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(plausible, fc.constantFrom("model", "stream", "stream_options", "messages", "max_tokens", "temperature", "seed", "metadata"), hostileValue)
      .map(([call, field, value]) => described(`call with hostile ${field}`, Buffer.from(toWire({ ...call, [field]: value }), "utf8"))),
  },
  { weight: 2, arbitrary: plausible.map((call) => described("plausible call", Buffer.from(JSON.stringify(call)))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("[]", "1", "1e400", '"x"', "null", "{}", '{"model":null}', '{"model":"gpt-5.2","stream":null,"stream_options":null}').map((t) => described("other json", Buffer.from(t))),
  },
  { weight: 1, arbitrary: plausible.chain((c) => fc.nat({ max: 40 }).map((n) => described("truncated", Buffer.from(JSON.stringify(c).slice(0, n))))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => described("random bytes", Buffer.from(a))) },
  { weight: 1, arbitrary: fc.constant(described("invalid UTF-8", Buffer.from([0x7b, 0x22, 0x6d, 0x6f, 0x64, 0x65, 0x6c, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))) },
);

test("generated bodies to both gateway routes: always answered, never a 5xx, no server error logged", async () => {
  const t = await orgBehindGateway(gw.server.url, gw.fake.url);
  const logged: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  const agent = keepAliveAgent();
  try {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(...ROUTES), fc.boolean(), async (b, path, bearer) => {
        const auth: Record<string, string> = bearer ? { authorization: `Bearer ${t.secret}` } : { "x-api-key": t.secret };
        const answer = await rawRequest(gw.server.url, { agent, path, body: b.bytes, headers: { ...auth, "content-type": "application/json", "content-length": String(b.bytes.length) }, timeoutMs: 10_000 });
        expect(answer.status, answer.body.slice(0, 300)).toBeGreaterThanOrEqual(200);
        expect(answer.status, answer.body.slice(0, 300)).toBeLessThan(500);
        if (answer.status >= 400) {
          const error = JSON.parse(answer.body);
          if (path.includes("anthropic")) expect(error).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.any(String) } });
          else expect(error).toMatchObject({ error: { type: expect.any(String), message: expect.any(String) } });
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(logged).toEqual([]);
  } finally {
    spy.mockRestore();
    agent.destroy();
  }
});

test("a body over the gateway's limit is a 413 in the provider's shape", async () => {
  const t = await orgBehindGateway(gw.server.url, gw.fake.url);
  const before = gw.fake.requests.length;
  const big = Buffer.alloc(GATEWAY_MAX_BODY_BYTES + 1, 0x20);
  const openai = await rawRequest(gw.server.url, { path: ROUTES[0], body: big, headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json", "content-length": String(big.length) } });
  expect(openai.status).toBe(413);
  expect(JSON.parse(openai.body)).toMatchObject({ error: { type: "invalid_request_error", code: "payload_too_large" } });
  const anthropic = await rawRequest(gw.server.url, { path: ROUTES[1], body: big, chunks: 8, headers: { "x-api-key": t.secret, "content-type": "application/json" } });
  expect(anthropic.status).toBe(413);
  expect(JSON.parse(anthropic.body)).toMatchObject({ type: "error", error: { type: "request_too_large" } });
  expect(gw.fake.requests.length).toBe(before);
});
