import { expect, test } from "vitest";
import { BudgetAlertEmail } from "../email/templates/budget-alert";
import type { TAlertEvent } from "./notice";
import { slackMessage } from "./slack";

const event: TAlertEvent = BudgetAlertEmail.PreviewProps.event;

test("user text and money in Slack's mrkdwn are escaped: '<$0.01' and '<b>' never become Slack markup", () => {
  const message = slackMessage(
    { ...event, budget: { ...event.budget, name: "R&D <b>" }, top_executions: [{ id: "run-<1>", agent: null, cost_usd: "0.004" }], spent_usd: "0.003" },
    "UTC",
  );
  const all = JSON.stringify(message);
  expect(all).toContain("R&amp;D &lt;b&gt; budget");
  expect(all).toContain("`run-&lt;1&gt;` — &lt;$0.01");
  expect(all).toContain("&lt;$0.01 of $10.00");
  // No raw angle bracket is left in any mrkdwn text (Slack reads <…> as a link or a mention).
  const texts = [message.text, ...JSON.stringify(message.blocks).match(/"text":"[^"]*"/g)!];
  for (const text of texts) expect(text).not.toMatch(/[<>]/);
});

test("a forecast names the projection and the breach; the message stays within Slack's limits", () => {
  const message = slackMessage(
    { ...event, type: "budget.forecast_exceeded", threshold_percent: 100, projected_usd: "14.1", projected_breach_at: "2026-11-24T10:00:00Z", budget: { ...event.budget, name: "x".repeat(300) } },
    "Europe/Berlin",
  );
  expect(message.text).toMatch(/forecast to exceed \$10\.00 \(monthly\) — \$8\.50 so far, \$14\.10 projected$/);
  const fields = (message.blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text);
  expect(fields).toContain("*Limit reached around*\nNov 24, 2026, 11:00 (Europe/Berlin)");
  expect(fields.length).toBeLessThanOrEqual(10);
  for (const block of message.blocks) expect(JSON.stringify(block).length).toBeLessThan(3000);
});
