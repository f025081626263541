import fc from "fast-check";

// Generators of usage events for the property-based tests of POST /api/v1/events: plausible events
// (so there is something to count), four in ten with one or two fields replaced by something
// hostile — ill-formed Unicode, NUL, oversize text, deep nesting, huge / negative / non-integer
// numbers, exponents JSON.stringify cannot write (1e400, -0), out-of-range dates and costs. Ids and
// execution ids come from small pools, so duplicates happen inside a batch, across batches and
// between concurrent requests.

/** JSON text to splice in verbatim where JSON.stringify cannot say it (1e400, -0, 100,000 nested arrays). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The event (or body) as JSON text; RawJson values are written as they are, undefined members skipped. */
export function toWire(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : toWire(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const members: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) members.push(`${JSON.stringify(k)}:${toWire(v)}`);
    return `{${members.join(",")}}`;
  }
  // NaN and ±Infinity as JSON numbers are null (JSON.stringify's choice); a lone surrogate is escaped.
  return JSON.stringify(value) ?? "null";
}

/** `depth` arrays (or objects {"a": …}) inside each other, as JSON text: too deep to build and stringify here. */
export function nestedJson(kind: "array" | "object", depth: number): RawJson {
  return kind === "array" ? new RawJson("[".repeat(depth) + "]".repeat(depth)) : new RawJson('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
}

// One UTF-16 unit or code point of hostile text: any code point, a lone surrogate, NUL, separators.
const hostileUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)) },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "\u2028", "\ufeff", "\uffff", "\\", '"') },
);

const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: hostileUnit, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "x\u0000", "x\ud800", "\udc00x", "x".repeat(300), "\ud83d\ude00", "é") },
);

const hostileNumber = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      0, -1, 1.5, 2147483647, 2147483648, -2147483648, 9007199254740991, 9007199254740993, 1e21, 1e300, 5e-324,
      new RawJson("1e400"), new RawJson("-1e400"), new RawJson("-0"), new RawJson("1E5"), new RawJson("0.0000000000000000001"),
    ),
  },
  { weight: 1, arbitrary: fc.double() },
);

const hostileStructure = fc.constantFrom<unknown>(
  null, true, [], {}, [1, "a"], { a: 1 }, "12",
  nestedJson("array", 9), nestedJson("array", 4000), nestedJson("array", 100_000), nestedJson("object", 5000),
);

/** Anything at all, for any field. */
const hostileValue = fc.oneof({ weight: 3, arbitrary: hostileText }, { weight: 3, arbitrary: hostileNumber }, { weight: 2, arbitrary: hostileStructure });

const tokens = fc.integer({ min: 0, max: 20_000 });
const plainUsage = fc.oneof(
  { weight: 4, arbitrary: fc.record({ prompt_tokens: tokens, completion_tokens: tokens }) },
  { weight: 2, arbitrary: fc.record({ input_tokens: tokens, output_tokens: tokens, cache_read_input_tokens: tokens, cache_creation_input_tokens: tokens }) },
  { weight: 1, arbitrary: fc.record({ input_tokens: tokens, output_tokens: tokens, cache_read_tokens: tokens }) },
);
const hostileUsage = fc.oneof(
  plainUsage.chain((u) => fc.record({ key: fc.constantFrom("prompt_tokens", "input_tokens", "completion_tokens", "output_tokens", "cache_read_tokens"), value: hostileValue }).map(({ key, value }) => ({ ...u, [key]: value }))),
  plainUsage.chain((u) => fc.record({ key: hostileText, value: hostileValue }).map(({ key, value }) => ({ ...u, [key]: value }))),
  fc.constantFrom<unknown>(
    { prompt_tokens: 3_000_000_000, completion_tokens: 1 },
    { input_tokens: 1_500_000_000, cache_read_input_tokens: 1_000_000_000, output_tokens: 1 },
    // gpt-4o output at 10 USD per million: 20,000 USD, over the per-call limit.
    { prompt_tokens: 0, completion_tokens: 2_000_000_000 },
    { prompt_tokens: 5, completion_tokens: 1, input_tokens: 5 },
    { whole: "response" },
  ),
);

const plainMetadata = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const hostileMetadata = fc.oneof(
  fc.dictionary(fc.string({ unit: hostileUnit, maxLength: 6 }), fc.jsonValue({ maxDepth: 10, stringUnit: hostileUnit }), { minKeys: 1, maxKeys: 4 }),
  fc.constantFrom<unknown>(
    { deep: nestedJson("array", 4000) },
    { deep: nestedJson("array", 100_000) },
    { deep: nestedJson("object", 5000) },
    { nine: nestedJson("array", 8) },
    { big: new RawJson("1e400") },
    { blob: "m".repeat(5000) },
    Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
  ),
);

const DAY = 24 * 3600 * 1000;
const plainTimestamp = fc.integer({ min: 60_000, max: 30 * DAY }).map((ago) => new Date(Date.now() - ago).toISOString());
const hostileTimestamp = fc.constantFrom<unknown>(
  "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "+010000-01-01T00:00:00Z",
  "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z", "yesterday", "", 1767225600000,
  new Date(Date.now() + 3600_000).toISOString(), new Date(Date.now() - 40 * DAY).toISOString(),
);

const plainCost = fc.oneof(
  fc.integer({ min: 0, max: 50_000_000 }).map((micro) => (micro / 1e6).toFixed(6)),
  fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
  fc.constantFrom<unknown>("10000", 10000, "9999.999999999999999999", "0.000000000001", "1e-7", 1e-7, new RawJson("1E-7"), new RawJson("-0")),
);
const hostileCost = fc.constantFrom<unknown>(
  "10000.000000000001", "999999999999.999999999999999999", "-0", "1e5", " 1", "abc", "", 10000.5, -0.01, 1e300, new RawJson("1e400"),
);

const ID_POOL = [...Array.from({ length: 24 }, (_, i) => `id-${i}`), "lone-\ufffd", "😀", "x".repeat(128)];
const HOSTILE_IDS = ["lone-\ud800", "lone-\udc00", "nul-\u0000", "x".repeat(129), ""];

const plainEvent = fc.record(
  {
    id: fc.constantFrom(...ID_POOL),
    kind: fc.constantFrom("llm", "llm", "llm", "tool"),
    provider: fc.constantFrom("openai", "anthropic", "acme"),
    model: fc.constantFrom("gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514", "o3-mini", "acme-unpriced-model"),
    usage: plainUsage,
    cost_usd: plainCost,
    timestamp: plainTimestamp,
    execution_id: fc.constantFrom("ex-0", "ex-1", "ex-2", "ex-3"),
    task: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0),
    agent: fc.constantFrom("reviewer", "fixer", "bot-🤖"),
    user: fc.constantFrom("ann@acme.dev", "bob@acme.dev"),
    team: fc.constantFrom("platform", "payments"),
    repository: fc.constant("acme/api"),
    pull_request: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.constant("PR-7")),
    attempt: fc.integer({ min: 1, max: 3 }),
    status: fc.constantFrom("ok", "ok", "ok", "error"),
    error_type: fc.constant("rate_limit"),
    latency_ms: fc.integer({ min: 0, max: 60_000 }),
    // Shared across events and executions: loops get detected (and executions blocked) mid-fuzz.
    fingerprint: fc.constantFrom("fp-a", "fp-b", "😀-fp", "x".repeat(128)),
    metadata: plainMetadata,
  },
  { requiredKeys: ["id", "model"] },
);

// What can go wrong with one field: a value meant for it but out of bounds, or anything at all.
const FIELDS = ["id", "kind", "provider", "model", "usage", "cost_usd", "timestamp", "execution_id", "task", "agent", "team", "pull_request", "attempt", "status", "latency_ms", "fingerprint", "metadata"] as const;
const hostileFor: Record<(typeof FIELDS)[number], fc.Arbitrary<unknown>> = {
  id: fc.oneof(fc.constantFrom<unknown>(...HOSTILE_IDS), hostileValue),
  kind: fc.oneof(fc.constant("chat"), hostileValue),
  provider: hostileText,
  model: hostileText,
  usage: fc.oneof({ weight: 3, arbitrary: hostileUsage }, { weight: 1, arbitrary: hostileValue }),
  cost_usd: fc.oneof({ weight: 2, arbitrary: hostileCost }, { weight: 1, arbitrary: hostileValue }),
  timestamp: fc.oneof({ weight: 2, arbitrary: hostileTimestamp }, { weight: 1, arbitrary: hostileValue }),
  execution_id: hostileText,
  task: hostileText,
  agent: hostileText,
  team: hostileText,
  pull_request: hostileValue,
  attempt: hostileNumber,
  status: fc.oneof(fc.constant("failed"), hostileValue),
  latency_ms: hostileNumber,
  fingerprint: fc.oneof(fc.constant("x".repeat(129)), hostileText),
  metadata: fc.oneof({ weight: 3, arbitrary: hostileMetadata }, { weight: 1, arbitrary: hostileValue }),
};
const mutation = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...FIELDS).chain((field) => hostileFor[field].map((value) => ({ field: field as string, value }))) },
  // An unknown member (a misspelt name, or a name that is itself hostile text).
  { weight: 1, arbitrary: fc.record({ field: fc.oneof(fc.constant("executionId"), hostileText), value: hostileValue }) },
);

/** One event: usually well-formed (so there is something to count), else with one or two fields gone wrong. */
export const event = fc
  .tuple(plainEvent, fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 2 }) }))
  .map(([plain, mutations]) => {
    const out: Record<string, unknown> = { ...plain };
    for (const { field, value } of mutations) out[field] = value;
    return out;
  });

/** A request's events: 1..max, sent as one event object or as {"events": [...]}. */
export const batch = (max: number) =>
  fc.record({ events: fc.array(event, { minLength: 1, maxLength: max, size: "medium" }), single: fc.boolean() }).map(({ events, single }) => ({
    events,
    json: single && events.length === 1 ? toWire(events[0]) : toWire({ events }),
  }));
