import { displayUsd } from "../money";
import { alertHeadline, alsoPassedLabel, budgetTitle, dateTimeIn, formatPercent, itemLabel, periodEndLabel, periodLabel, PERIOD_WORD, scopeLabel } from "./format";
import type { TAlertEvent } from "./notice";

// A budget alert as a Slack incoming-webhook message: `text` (notifications, clients without
// blocks) and Block Kit blocks with the numbers and a button to the dashboard.
// https://api.slack.com/messaging/webhooks — mrkdwn, where &, < and > in user text must be escaped.

export type TSlackMessage = { text: string; blocks: Record<string, unknown>[] };

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Money too: displayUsd writes "<$0.01" for an amount that rounds to nothing.
const usd = (value: string) => esc(displayUsd(value));

// Slack refuses a section over 3,000 characters and a field over 2,000.
const cap = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const mrkdwn = (text: string, max = 2000) => ({ type: "mrkdwn", text: cap(text, max) });

export function slackMessage(event: TAlertEvent, timezone: string): TSlackMessage {
  const { budget } = event;
  const forecast = event.type === "budget.forecast_exceeded";
  const title = esc(budgetTitle(budget));
  const item = itemLabel(budget);
  const limit = usd(budget.limit_usd);
  const spent = usd(event.spent_usd);
  const headline = forecast
    ? `:chart_with_upwards_trend: *${title}*${item ? ` for ${esc(item)}` : ""} is forecast to exceed ${limit}`
    : `${event.threshold_percent >= 100 ? ":rotating_light:" : ":warning:"} *${title}*${item ? ` for ${esc(item)}` : ""} is at *${formatPercent(event.percent)}*`;

  const end = periodEndLabel(budget, timezone);
  const fields = [
    mrkdwn(`*Spent*\n${spent} of ${limit} (${formatPercent(event.percent)})`),
    mrkdwn(`*Budget*\n${esc(scopeLabel(budget))}, ${PERIOD_WORD[budget.period]}${budget.enforcement === "block" ? ", blocks at 100%" : ""}`),
    mrkdwn(`*Period*\n${periodLabel(budget, timezone)}${end ? `, ${end}` : ""}`),
  ];
  if (event.projected_usd) fields.push(mrkdwn(`*Projected at period end*\n${usd(event.projected_usd)}`));
  if (forecast && event.projected_breach_at) fields.push(mrkdwn(`*Limit reached around*\n${dateTimeIn(event.projected_breach_at, timezone)} (${timezone})`));

  const blocks: Record<string, unknown>[] = [
    { type: "section", text: mrkdwn(`${headline} in ${esc(event.org.name)}`, 3000) },
    { type: "section", fields },
  ];
  const ranked: string[] = [];
  if (event.top_executions.length) {
    ranked.push(`*Top executions*\n${event.top_executions.map((e) => `• \`${esc(e.id)}\`${e.agent ? ` (${esc(e.agent)})` : ""} — ${usd(e.cost_usd)}`).join("\n")}`);
  }
  if (event.top_drivers.length) {
    ranked.push(`*Driving the spend*\n${event.top_drivers.map((d) => `• ${d.kind} ${esc(d.name)} — ${usd(d.cost_usd)}`).join("\n")}`);
  }
  if (ranked.length) blocks.push({ type: "section", text: mrkdwn(ranked.join("\n\n"), 3000) });
  const alsoPassed = alsoPassedLabel(event);
  blocks.push({
    type: "context",
    elements: [mrkdwn(`${alsoPassed ? `Also passed: ${alsoPassed} · ` : ""}Burnrate · ${esc(event.org.slug)} · times in ${timezone}`)],
  });
  blocks.push({
    type: "actions",
    elements: [
      { type: "button", text: { type: "plain_text", text: "See the spend" }, url: event.dashboard_url },
      ...(event.budget_url ? [{ type: "button", text: { type: "plain_text", text: "Open the budget" }, url: event.budget_url }] : []),
    ],
  });
  // `text` is the notification and fallback line; Slack reads it as mrkdwn too, so it is escaped.
  return { text: cap(esc(alertHeadline(event)), 3000), blocks };
}
