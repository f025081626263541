// A budget's state and what is left of it, exact to the last digit: checked against decimal.js on
// amounts at every scale Postgres numeric hands us (integers, cents, 12 decimals, huge).
import fc from "fast-check";
import { expect, test } from "vitest";
import { Decimal } from "../money";
import { budgetState, remainingUsd } from "./state";

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

// Numeric text as Postgres prints it: no exponent, any number of decimals.
const amount = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 12 }))
  .map(([units, scale]) => new Decimal(units.toString()).dividedBy(new Decimal(10).pow(scale)).toFixed(scale));

function oracleState(spent: string, limit: string, thresholds: number[]) {
  const percent = new Decimal(spent).times(100);
  if (percent.gte(new Decimal(limit).times(100))) return "exceeded";
  return thresholds.some((t) => t < 100 && percent.gte(new Decimal(limit).times(t))) ? "warning" : "ok";
}

test("state and remaining agree with decimal arithmetic on any amounts and thresholds", () => {
  fc.assert(
    fc.property(amount, amount, fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 5 }), (spent, limit, thresholds) => {
      expect(budgetState(spent, limit, thresholds)).toBe(oracleState(spent, limit, thresholds));
      expect(new Decimal(remainingUsd(spent, limit)).equals(Decimal.max(0, new Decimal(limit).minus(spent)))).toBe(true);
    }),
    { numRuns: RUNS },
  );
});

test("the edges: exactly at a threshold, a hair under it, and scales that differ", () => {
  expect(budgetState("8", "10", [50, 80, 100])).toBe("warning");
  expect(budgetState("7.999999999999", "10.00", [80, 100])).toBe("ok");
  expect(budgetState("10.000000000000", "10", [50, 80, 100])).toBe("exceeded");
  expect(budgetState("9.999999999999", "10", [100])).toBe("ok");
  expect(budgetState("0", "0", [])).toBe("exceeded");
  expect(remainingUsd("2.5", "10")).toBe("7.5");
  expect(remainingUsd("0.000000000001", "1")).toBe("0.999999999999");
  expect(remainingUsd("12", "10.00")).toBe("0.00");
});
