// The detector's memory of recent calls is used only when it provably holds every call: its count
// plus this write's calls equals the count the write returned.
import { expect, test } from "vitest";
import type { TCall } from "./detect";
import { forgetRecentCalls, MAX_TOTAL_CALLS, recentCallsAfterWrite, rememberCalls } from "./recent-calls";

const at = Date.parse("2026-11-28T10:00:00Z");
const call = (i: number, minute = i): TCall => ({ eventId: `e${i}`, occurredAt: new Date(at + minute * 60_000), kind: "LLM", model: "m", tool: null, errorType: null, status: "OK", fingerprint: null, costUsd: "0.1", input: 100, output: 10 });
const WINDOW = 10 * 60_000;

test("a write that accounts for every call extends the memory; newest first, pruned to the window", () => {
  forgetRecentCalls();
  rememberCalls("x", 2, [call(1), call(0)], WINDOW);
  expect(recentCallsAfterWrite("x", 3, [call(2)], WINDOW, null)?.map((c) => c.eventId)).toEqual(["e2", "e1", "e0"]);
  // Twelve minutes on, the first two are outside the loop window.
  expect(recentCallsAfterWrite("x", 4, [call(3, 12)], WINDOW, null)?.map((c) => c.eventId)).toEqual(["e3", "e2"]);
});

test("a call it did not see (another replica's write) makes it a miss, and the entry is dropped until read again", () => {
  forgetRecentCalls();
  rememberCalls("x", 2, [call(1), call(0)], WINDOW);
  expect(recentCallsAfterWrite("x", 4, [call(3)], WINDOW, null)).toBeNull();
  expect(recentCallsAfterWrite("x", 5, [call(4)], WINDOW, null)).toBeNull();
  expect(recentCallsAfterWrite("unknown", 2, [call(1)], WINDOW, null)).toBeNull();
});

test("an execution the write started (every call it has, this write inserted) needs no memory, and is remembered", () => {
  forgetRecentCalls();
  expect(recentCallsAfterWrite("new", 2, [call(0), call(1)], WINDOW, null)?.map((c) => c.eventId)).toEqual(["e1", "e0"]);
  expect(recentCallsAfterWrite("new", 3, [call(2)], WINDOW, null)?.map((c) => c.eventId)).toEqual(["e2", "e1", "e0"]);
  // Pruned to the window like any other.
  expect(recentCallsAfterWrite("late", 2, [call(0), call(15)], WINDOW, null)?.map((c) => c.eventId)).toEqual(["e15"]);
});

test("a resume drops the calls before it; a wider window than remembered is a miss", () => {
  forgetRecentCalls();
  rememberCalls("x", 2, [call(1), call(0)], WINDOW);
  expect(recentCallsAfterWrite("x", 3, [call(2)], WINDOW, new Date(at + 90_000))?.map((c) => c.eventId)).toEqual(["e2"]);
  expect(recentCallsAfterWrite("x", 4, [call(3)], 2 * WINDOW, null)).toBeNull();
});

test("it holds at most MAX_TOTAL_CALLS calls: the executions written longest ago are forgotten first (a miss, read again)", () => {
  forgetRecentCalls();
  const full = Array.from({ length: 500 }, (_, i) => call(500 - i, 0));
  const executions = MAX_TOTAL_CALLS / 500 + 1;
  for (let x = 0; x < executions; x++) rememberCalls(`x${x}`, 500, full, WINDOW);
  // One execution too many: the first written is gone, the second and the last are still known.
  expect(recentCallsAfterWrite("x0", 501, [call(501, 1)], WINDOW, null)).toBeNull();
  expect(recentCallsAfterWrite("x1", 501, [call(501, 1)], WINDOW, null)).toHaveLength(500);
  expect(recentCallsAfterWrite(`x${executions - 1}`, 501, [call(501, 1)], WINDOW, null)).toHaveLength(500);
  // Written again, x1 is the newest: remembering two more pushes out x2 and x3, not x1.
  rememberCalls("y0", 500, full, WINDOW);
  rememberCalls("y1", 500, full, WINDOW);
  expect(recentCallsAfterWrite("x1", 502, [call(502, 1)], WINDOW, null)).toHaveLength(500);
  expect(recentCallsAfterWrite("x2", 501, [call(501, 1)], WINDOW, null)).toBeNull();
});
