import { describe, expect, test } from "vitest";
import type { TAlertEvent } from "../../alerts/notice";
import { BudgetAlertEmail } from "./budget-alert";
import { prepareEmail, renderTemplate } from "./registry";

const base = BudgetAlertEmail.PreviewProps;
const event = (patch: Partial<TAlertEvent> = {}, budget: Partial<TAlertEvent["budget"]> = {}): TAlertEvent => ({
  ...base.event,
  ...patch,
  budget: { ...base.event.budget, ...budget },
});

// As the outbox does it: prepare when queued (JSON stored), render from the stored JSON when sent.
async function sent(timezone: string, e: TAlertEvent) {
  const { subject, payload } = prepareEmail("budget-alert", { timezone, event: e });
  const email = await renderTemplate("budget-alert", JSON.parse(JSON.stringify(payload)));
  expect(email.subject).toBe(subject);
  return email;
}

describe("the budget-alert email", () => {
  test("a threshold alert: subject, numbers, scope, period in the org's zone, drivers, link, lower thresholds", async () => {
    const email = await sent("Europe/Berlin", event());
    expect(email.subject).toBe("[Burnrate] Platform team budget at 85% — $8.50 of $10.00 (monthly)");
    const text = email.text;
    expect(text).toContain("Platform team budget in Acme has passed its 80% alert threshold: $8.50 of $10.00 spent this period.");
    expect(text).toContain("Spent: $8.50 of $10.00 (85%)");
    expect(text).toContain("Covers: team platform, monthly");
    // The month of November in Berlin: stored as 2026-10-31T23:00Z … 2026-11-30T23:00Z (exclusive).
    expect(text).toContain("Period: Nov 1 – 30, 2026, ends Dec 1, 2026, 00:00 (Europe/Berlin)");
    expect(text).toContain("Projected: $12.75 at the period's end");
    expect(text).toContain("Also passed: 50%, in the same jump");
    expect(text).toMatch(/1\. run-42 \(pr-bot\) · \$3\.10\s+2\. run-17 \(triage\) · \$1\.95\s+3\. run-9 · <\$0\.01/);
    expect(text).toMatch(/1\. agent pr-bot · \$5\.20\s+2\. key br_Ab12Cd34 · \$3\.30/);
    // The spend behind it (the dashboard filtered to the team over the month), and the budget itself.
    expect(email.html).toContain('href="http://localhost:3000/acme/overview?range=custom&amp;from=2026-11-01&amp;to=2026-11-30&amp;team=platform"');
    expect(text).toContain("See the spend");
    expect(text).toContain("The budget: http://localhost:3000/acme/budgets?budget=budget_preview");
    // Plain text reads line by line, never "Spent:$8.50" run together from table cells.
    expect(text).not.toMatch(/:\$/);
  });

  test("the same alert for an org in UTC shows UTC days", async () => {
    const email = await sent("UTC", event());
    expect(email.text).toContain("Period: Oct 31 – Nov 30, 2026, ends Nov 30, 2026, 23:00 (UTC)");
  });

  test("a forecast alert names the projection and the breach time; a per-execution block budget says which execution and that it blocks", async () => {
    const email = await sent(
      "America/New_York",
      event(
        { type: "budget.forecast_exceeded", threshold_percent: 100, percent: 62, spent_usd: "1234.5", projected_usd: "2100.004", projected_breach_at: "2026-11-21T19:00:00Z", also_passed_percent: [] },
        { name: "Per-run cap", scope: "execution", scope_value: "*", item: "run-42", limit_usd: "2000", enforcement: "block" },
      ),
    );
    expect(email.subject).toBe("[Burnrate] Per-run cap budget for execution run-42 forecast to exceed $2,000.00 (monthly) — $1,234.50 so far, $2,100.00 projected");
    expect(email.text).toContain("will pass its $2,000.00 limit before the period ends: $1,234.50 spent, $2,100.00 projected.");
    expect(email.text).toContain("Covers: each execution on its own, monthly; calls are blocked at 100%");
    expect(email.text).toContain("About: execution run-42");
    expect(email.text).toContain("Limit reached: around Nov 21, 2026, 14:00 (America/New_York) at this rate");
    expect(email.text).not.toContain("Also passed");
  });

  test("a total budget has no end; a name that already says budget is not doubled; user input is escaped in the HTML", async () => {
    const email = await sent("UTC", event({ projected_usd: null, top_executions: [], top_drivers: [] }, { name: "Org <b>budget</b>", period: "total", period_end: null, scope: "org", scope_value: null }));
    expect(email.subject).toBe("[Burnrate] Org <b>budget</b> budget at 85% — $8.50 of $10.00 (total)");
    const plain = await sent("UTC", event({}, { name: "Research budget", period: "total", period_end: null, scope: "org", scope_value: null }));
    expect(plain.subject).toBe("[Burnrate] Research budget at 85% — $8.50 of $10.00 (total)");
    expect(plain.text).toContain("Period: since Oct 31, 2026");
    expect(plain.text).toContain("Covers: the whole organization, total");
    expect(plain.text).toContain("spent so far.");
    expect(email.html).not.toContain("<b>budget</b>");
    expect(email.html).toContain("&lt;b&gt;budget&lt;/b&gt;");
    expect(email.text).not.toContain("Top executions");
  });

  test("the payload is the event as it is (strict): anything else is refused when queued", () => {
    expect(() => prepareEmail("budget-alert", { timezone: "UTC", event: { ...event(), extra: 1 } as TAlertEvent })).toThrow(/extra/);
    expect(() => prepareEmail("budget-alert", { timezone: "", event: event() })).toThrow();
  });

  test("a payload a newer version queued (a field this one does not know) still renders; one missing a field does not", async () => {
    const { payload } = prepareEmail("budget-alert", { timezone: "UTC", event: event() });
    const newer = payload as { event: Record<string, unknown> & { budget: Record<string, unknown> } };
    const stored = { ...newer, event: { ...newer.event, added_later: "x", budget: { ...newer.event.budget, added_later_too: 1 } } };
    const email = await renderTemplate("budget-alert", JSON.parse(JSON.stringify(stored)));
    expect(email.text).toContain("Spent: $8.50 of $10.00 (85%)");
    const { spent_usd: _dropped, ...missing } = newer.event;
    await expect(renderTemplate("budget-alert", { ...newer, event: missing })).rejects.toThrow(/spent_usd/);
  });
});
