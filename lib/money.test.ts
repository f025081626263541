import { expect, test } from "vitest";
import { displayUsd, exactUsd, formatUsd } from "./money";

test("formatUsd: exact decimal strings, trailing zeros trimmed to at least cents", () => {
  expect(formatUsd("1489.535349930000")).toBe("1489.53534993");
  expect(formatUsd("0.010000000000")).toBe("0.01");
  expect(formatUsd("12.5")).toBe("12.50");
  expect(formatUsd(null)).toBe("0.00");
  expect(formatUsd("-0.000")).toBe("0.00");
});

test("displayUsd: one rule — cents with separators; a non-zero amount under half a cent is <$0.01", () => {
  expect(displayUsd("1489.535349930000")).toBe("$1,489.54");
  expect(displayUsd("1234567.891")).toBe("$1,234,567.89");
  expect(displayUsd("0")).toBe("$0.00");
  expect(displayUsd("0.0048")).toBe("<$0.01");
  expect(displayUsd("0.000000000001")).toBe("<$0.01");
  expect(displayUsd("0.005")).toBe("<$0.01"); // half-even rounds it to $0.00, but it is not nothing
  expect(displayUsd("0.015")).toBe("$0.02");
  expect(displayUsd("0.025")).toBe("$0.02");
  expect(displayUsd("999.995")).toBe("$1,000.00");
  expect(displayUsd("-12.5")).toBe("-$12.50");
  expect(displayUsd(null)).toBe("$0.00");
});

test("exactUsd: every digit, with separators", () => {
  expect(exactUsd("1489.535349930000")).toBe("$1,489.53534993");
  expect(exactUsd("1000000")).toBe("$1,000,000.00");
  expect(exactUsd("0.0048")).toBe("$0.0048");
});
