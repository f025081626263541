// The fast path (./event-fast-path.ts) against ZEventSchema: whatever it accepts, zod accepts with
// the very same result; whatever zod rejects, it leaves to zod. Generated events mix valid values
// with values at and past every bound, padded and blank text, wrong types and unknown fields.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EventStream } from "../../scripts/bench/workload";
import { fastParseEvent } from "./event-fast-path";
import { ZEventSchema } from "./event-schema";

const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom("", " ", "  x  ", "\t\n", "a".repeat(max), "a".repeat(max + 1), ` ${"a".repeat(max)} `, "\u00a0y\u2028"),
    fc.constant(null),
    fc.integer(),
  );
const anyValue = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 6 }), fc.constant({}), fc.constant([]));
const number = fc.oneof(
  fc.integer({ min: -5, max: 200_000 }),
  fc.constantFrom(0, -0, 1, 100_000, 100_001, 86_400_000, 86_400_001, 10_000, 10_000.0000001, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e308, -1),
  fc.double(),
);
// One arbitrary per field: a valid value most of the time, else one at or past a bound, or a wrong type.
const field = {
  id: fc.oneof({ arbitrary: fc.constantFrom("e-1", "x", "a".repeat(128)), weight: 8 }, fc.constantFrom("", "a".repeat(129), " id "), fc.integer()),
  timestamp: fc.oneof(
    { arbitrary: fc.constantFrom("2026-11-29T02:24:04.404Z", "2026-11-29T02:24:04Z", "2026-11-29T02:24:04.404+05:30", "2028-02-29T00:00:00Z"), weight: 6 },
    fc.constantFrom("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T02:24Z", "2026-11-29 02:24:04Z", "2026-11-29T02:24:04"),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constant(null),
    fc.integer(),
  ),
  kind: fc.oneof({ arbitrary: fc.constantFrom("llm", "tool"), weight: 6 }, fc.constantFrom("LLM", "other"), fc.constant(null)),
  usage: fc.oneof(
    { arbitrary: fc.constant({ input_tokens: 10, output_tokens: 2 }), weight: 6 },
    fc.constant(null),
    fc.dictionary(fc.string({ maxLength: 4 }), anyValue, { maxKeys: 4 }),
    fc.constant([]),
    fc.constant("x"),
    fc.constant(JSON.parse('{"__proto__": {"a": 1}}')),
  ),
  cost_usd: fc.oneof(number, fc.constantFrom("0", "1.5", "10000", "10000.000000000000000001", "10000.1", "1e3", "-1", "01.10", "123456789012.5", "1.1234567890123456789"), fc.constant(null)),
  pull_request: fc.oneof(text(256), number),
  attempt: fc.oneof(number, fc.constant(null)),
  status: fc.oneof({ arbitrary: fc.constantFrom("ok", "error"), weight: 4 }, fc.constantFrom("OK"), fc.constant(null)),
  execution_status: fc.oneof({ arbitrary: fc.constantFrom("done", "failed"), weight: 3 }, fc.constantFrom("ended"), fc.constant(null)),
  latency_ms: fc.oneof(number, fc.constant(null)),
  metadata: fc.oneof(
    { arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), anyValue, { maxKeys: 3 }), weight: 4 },
    fc.constant(null),
    fc.constant(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))),
    fc.constant({ ["k".repeat(129)]: 1 }),
    fc.constant([]),
  ),
  executionId: fc.string({ maxLength: 3 }),
  ...Object.fromEntries(
    Object.entries({ provider: 64, model: 200, execution_id: 256, task: 256, session_id: 256, agent: 256, subagent: 256, user: 256, team: 256, cost_center: 256, feature: 256, repository: 256, branch: 256, error_type: 128, tool: 128, fingerprint: 128 }).map(
      ([name, max]) => [name, fc.oneof({ arbitrary: fc.constantFrom("claude-sonnet-4-20250514", "gpt-4o", " agent-1 "), weight: 6 }, text(max))],
    ),
  ),
} as Record<string, fc.Arbitrary<unknown>>;
// An id and a model (what every LLM event needs) and a few other fields: most generated events are
// then valid, or wrong in one place.
const event = fc
  .tuple(
    fc.record({ id: field.id, model: field.model }, { requiredKeys: [] }),
    fc.subarray(Object.keys(field), { maxLength: 8 }).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, field[k]])))),
  )
  .map(([base, rest]) => ({ ...base, ...rest }));

describe("the event fast path", () => {
  test("accepts only what ZEventSchema accepts, with the same result", () => {
    let fast = 0;
    fc.assert(
      fc.property(event, (raw) => {
        const parsed = fastParseEvent(raw);
        if (parsed === null) return;
        fast++;
        const zod = ZEventSchema.safeParse(raw);
        expect(zod.success, JSON.stringify(raw)).toBe(true);
        expect(parsed).toEqual(zod.data);
      }),
      { numRuns: 20_000 },
    );
    // The generator reaches the fast path often enough for this to mean something.
    expect(fast).toBeGreaterThan(2000);
  });

  test("takes the events agents send: the ingest bench's whole workload", () => {
    const stream = new EventStream("fast", 0, 8, 7);
    for (let i = 0; i < 2000; i++) {
      const raw = JSON.parse(JSON.stringify(stream.next()));
      const parsed = fastParseEvent(raw);
      expect(parsed, JSON.stringify(raw)).not.toBeNull();
      expect(parsed).toEqual(ZEventSchema.parse(raw));
    }
  });
});
