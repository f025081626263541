import { expect, test } from "vitest";
import { MAX_CALL_COST_USD, exceedsMaxCallCost } from "./money";

test("exceedsMaxCallCost compares decimal strings exactly against 10,000 USD", () => {
  expect(MAX_CALL_COST_USD).toBe(10_000);
  const within = ["0", "0.0", "9999.999999999999999999", "10000", "10000.", "10000.000000000000", "00010000", "0000.5", "1234", "999"];
  const above = ["10000.000000000001", "10001", "10000.1", "99999", "100000", "000100000", "999999999999.999999999999999999", "20000.000000"];
  for (const amount of within) expect(exceedsMaxCallCost(amount), amount).toBe(false);
  for (const amount of above) expect(exceedsMaxCallCost(amount), amount).toBe(true);
});
