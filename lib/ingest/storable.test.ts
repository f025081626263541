import { expect, test } from "vitest";
import { MAX_METADATA_BYTES } from "./event-schema";
import { MAX_NESTING_DEPTH, storableProblems } from "./storable";

const objects = (depth: number): unknown => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { k: v };
  return v;
};
const arrays = (depth: number): unknown => JSON.parse("[".repeat(depth) + "]".repeat(depth));

test("metadata and usage may nest exactly MAX_NESTING_DEPTH levels, not one more", () => {
  expect(MAX_NESTING_DEPTH).toBe(8);
  for (const field of ["metadata", "usage"]) {
    expect(storableProblems({ id: "x", [field]: objects(8) })).toEqual([]);
    expect(storableProblems({ id: "x", [field]: arrays(8) })).toEqual([]);
    const [problem] = storableProblems({ id: "x", [field]: objects(9) });
    expect(problem.path).toBe(`${field}${".k".repeat(8)}`);
    expect(problem.message).toMatch(/deeper than 8 levels/);
    expect(storableProblems({ id: "x", [field]: arrays(9) })).toEqual([
      expect.objectContaining({ path: `${field}${"[0]".repeat(8)}` }),
    ]);
  }
});

test("a million nested arrays are rejected without recursion, quickly", () => {
  const deep = arrays(1_000_000);
  const started = performance.now();
  expect(storableProblems({ id: "x", metadata: { a: deep } })).toEqual([expect.objectContaining({ path: `metadata.a${"[0]".repeat(7)}` })]);
  expect(performance.now() - started).toBeLessThan(100);
});

test("every string is checked, field names included, with the path to it", () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ id: "a\ud800" }, "id", /well-formed/],
    [{ agent: "\udfff" }, "agent", /well-formed/],
    [{ timestamp: "2026\u0000" }, "timestamp", /NUL/],
    [{ ["bad\udc00"]: 1 }, "bad\udc00", /field name must be well-formed/],
    [{ metadata: { a: [{ b: "x\ud83d" }] } }, "metadata.a[0].b", /well-formed/],
    [{ metadata: { a: [{ ["\u0000"]: 1 }] } }, "metadata.a[0].\u0000", /field name must not contain NUL/],
    [{ usage: { input_tokens_details: { note: "\ud800" } } }, "usage.input_tokens_details.note", /well-formed/],
    [{ metadata: { n: Infinity } }, "metadata.n", /finite/],
    [{ metadata: { n: [-Infinity] } }, "metadata.n[0]", /finite/],
  ];
  for (const [event, path, message] of cases) {
    const problems = storableProblems(event);
    expect(problems, JSON.stringify(path)).toEqual([{ path, message: expect.stringMatching(message) }]);
  }
});

test("well-formed text passes: surrogate pairs, other scripts, empty strings", () => {
  expect(storableProblems({ id: "😀", agent: "", metadata: { "ключ": ["値", "\u{10FFFF}", { e: "é" }] }, usage: { a: "\ud83d\ude00" } })).toEqual([]);
});

test("one problem per field, every field reported", () => {
  const problems = storableProblems({ id: "\ud800", model: "\u0000", metadata: { a: "\ud800", b: "\ud800" } });
  expect(problems.map((p) => p.path)).toEqual(["id", "model", "metadata.a"]);
});

test("metadata with more values than its byte limit could hold stops early", () => {
  const [problem] = storableProblems({ metadata: { list: new Array(MAX_METADATA_BYTES + 1).fill(0) } });
  expect(problem).toEqual({ path: "metadata", message: `at most ${MAX_METADATA_BYTES} bytes as JSON` });
  // Usage is not stored: only its depth is bounded.
  expect(storableProblems({ usage: { list: new Array(MAX_METADATA_BYTES + 1).fill(0) } })).toEqual([]);
});

test("the reused worklist is left empty after a problem: the next event starts clean", () => {
  expect(storableProblems({ metadata: { a: { b: "\ud800" }, c: { d: { e: 1 } } } })).toHaveLength(1);
  expect(storableProblems({ metadata: objects(8) })).toEqual([]);
  expect(storableProblems({ metadata: arrays(9) })[0].path).toBe(`metadata${"[0]".repeat(8)}`);
});

test("not an object: nothing to say (the schema reports the type)", () => {
  for (const raw of [null, 1, "x", [], [{ id: "\ud800" }]]) expect(storableProblems(raw)).toEqual([]);
});
