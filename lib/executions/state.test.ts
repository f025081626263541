import { expect, test } from "vitest";
import { executionState } from "./state";

test("running until the idle threshold passes; ended and blocked executions keep their state", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  expect(executionState("RUNNING", ago(14), now, 15)).toBe("running");
  expect(executionState("RUNNING", ago(15), now, 15)).toBe("running");
  expect(executionState("RUNNING", ago(16), now, 15)).toBe("idle");
  expect(executionState("RUNNING", ago(60 * 24 * 21), now, 15)).toBe("idle");
  expect(executionState("RUNNING", ago(16), now, 30)).toBe("running");
  expect(executionState("DONE", ago(1), now, 15)).toBe("done");
  expect(executionState("FAILED", ago(999), now, 15)).toBe("failed");
  expect(executionState("BLOCKED", ago(999), now, 15)).toBe("blocked");
});
