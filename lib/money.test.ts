import { expect, test } from "vitest";
import { axisUsd, displayUsd, exactUsd, formatUsd } from "./money";

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

test("axisUsd: neighbouring ticks never read alike, at any scale", () => {
  const ticks = (step: number) => [0, 1, 2, 3, 4].map((i) => axisUsd(i * step));
  expect(ticks(0.0025)).toEqual(["$0", "$0.0025", "$0.005", "$0.0075", "$0.01"]);
  expect(ticks(2.5)).toEqual(["$0", "$2.5", "$5", "$7.5", "$10"]);
  expect(ticks(12.5)).toEqual(["$0", "$12.5", "$25", "$37.5", "$50"]);
  expect(ticks(250)).toEqual(["$0", "$250", "$500", "$750", "$1k"]);
  expect(ticks(1250)).toEqual(["$0", "$1.25k", "$2.5k", "$3.75k", "$5k"]);
  expect(ticks(2_500_000)).toEqual(["$0", "$2.5M", "$5M", "$7.5M", "$10M"]);
  expect(axisUsd(0.000000125)).toBe("$0.000000125");
  expect(axisUsd(0.1 + 0.2)).toBe("$0.3");
  expect(axisUsd(-1500)).toBe("-$1.5k");
});
