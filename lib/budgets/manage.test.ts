// Budget settings: an update changes what it names; bad input is a field error, never an internal one.
import { describe, expect, test } from "vitest";
import { prisma } from "../db";
import { orgWithPeople } from "../testing/budget-alerts";
import { createBudget, updateBudget } from "./manage";

describe("budget settings", () => {
  test("an update changes only the fields it names", async () => {
    const w = await orgWithPeople();
    const b = await createBudget(w.org.id, null, {
      name: "Careful",
      scope: "ORG",
      amountUsd: "10",
      period: "WEEK",
      enforcement: "BLOCK",
      thresholds: [25, 75],
      recipients: ["finance@example.test"],
      forecastAlerts: false,
    });
    const after = await updateBudget(w.org.id, null, b.id, { amountUsd: "20" });
    expect(after).toMatchObject({ name: "Careful", period: "WEEK", enforcement: "BLOCK", thresholds: [25, 75], recipients: ["finance@example.test"], forecastAlerts: false });
    expect(after.amountUsd.toString()).toBe("20");
  });

  test("a budget's webhook follows the org webhook's rules; recipients must be addresses", async () => {
    const w = await orgWithPeople();
    for (const webhookUrl of ["ftp://example.com/x", "https://user:pw@example.com/hook", "not a url"]) {
      await expect(createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH", webhookUrl }), webhookUrl).rejects.toMatchObject({
        code: "invalid_request",
        details: [expect.objectContaining({ path: "webhookUrl" })],
      });
    }
    await expect(createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH", recipients: ["not-an-address"] })).rejects.toMatchObject({
      code: "invalid_request",
    });
    await expect(createBudget(w.org.id, null, { scope: "ORG", amountUsd: "0", period: "MONTH" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(createBudget(w.org.id, null, { scope: "ORG", amountUsd: "10", period: "MONTH", thresholds: [0] })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await prisma().budget.count({ where: { orgId: w.org.id } })).toBe(0);
  });
});

test("an amount that is not a number is a field error, not an internal error", async () => {
  const w = await orgWithPeople();
  for (const amountUsd of ["ten", "1e3", "-5", ""]) {
    await expect(createBudget(w.org.id, null, { scope: "ORG", amountUsd, period: "MONTH" }), amountUsd).rejects.toMatchObject({
      code: "invalid_request",
      details: [expect.objectContaining({ path: "amountUsd" })],
    });
  }
});
