import type { CSSProperties } from "react";
import { Heading, Link, Section, Text } from "@react-email/components";
import { z } from "zod";
import { alertHeadline, alsoPassedLabel, budgetTitle, dateTimeIn, formatPercent, itemLabel, periodEndLabel, periodLabel, PERIOD_WORD, scopeLabel } from "../../alerts/format";
import { ZAlertEvent, ZStoredAlertEvent } from "../../alerts/notice";
import { displayUsd } from "../../money";
import { ActionLink, colors, EmailLayout, styles } from "./layout";

// One budget alert to one recipient: the event every channel is made from (lib/alerts/notice.ts),
// and the org's time zone the period and dates are shown in (the event carries instants).
export const ZBudgetAlertEmail = z.strictObject({
  timezone: z.string().min(1),
  event: ZAlertEvent,
});
export type TBudgetAlertEmailProps = z.infer<typeof ZBudgetAlertEmail>;
// A queued payload read back to render: fields a newer version added are dropped (lib/alerts/notice.ts).
export const ZStoredBudgetAlertEmail = z.object({ timezone: z.string().min(1), event: ZStoredAlertEvent });

// Lines, not tables: the plain-text part is derived from this HTML, and table cells run together
// there ("Spent:$8.50…"); one line per fact reads the same in both.
const line: CSSProperties = { fontSize: "14px", lineHeight: "22px", color: colors.text, margin: "0 0 4px" };
const label: CSSProperties = { color: colors.muted };
const sectionTitle: CSSProperties = { fontSize: "13px", fontWeight: 600, color: colors.muted, letterSpacing: "0.02em", margin: "20px 0 6px" };

function Facts({ rows }: { rows: [string, string][] }) {
  return (
    <Section style={{ margin: "0 0 8px" }}>
      {rows.map(([name, value]) => (
        <Text key={name} style={line}>
          <span style={label}>{name}:</span> {value}
        </Text>
      ))}
    </Section>
  );
}

function Ranked({ title, rows }: { title: string; rows: { label: string; cost: string }[] }) {
  if (rows.length === 0) return null;
  return (
    <Section>
      <Text style={sectionTitle}>{title}</Text>
      {rows.map((r, i) => (
        <Text key={`${r.label}-${i}`} style={{ ...line, wordBreak: "break-all" }}>
          {i + 1}. {r.label} · <strong>{r.cost}</strong>
        </Text>
      ))}
    </Section>
  );
}

export function BudgetAlertEmail({ timezone, event }: TBudgetAlertEmailProps) {
  const { budget } = event;
  const forecast = event.type === "budget.forecast_exceeded";
  const title = budgetTitle(budget);
  const item = itemLabel(budget);
  const limit = displayUsd(budget.limit_usd);
  const spent = displayUsd(event.spent_usd);
  const end = periodEndLabel(budget, timezone);
  const alsoPassed = alsoPassedLabel(event);

  const facts: [string, string][] = [
    ["Spent", `${spent} of ${limit} (${formatPercent(event.percent)})`],
    ["Covers", `${scopeLabel(budget)}, ${PERIOD_WORD[budget.period]}${budget.enforcement === "block" ? "; calls are blocked at 100%" : ""}`],
  ];
  if (item) facts.push(["About", item]);
  facts.push(["Period", end ? `${periodLabel(budget, timezone)}, ${end}` : periodLabel(budget, timezone)]);
  if (event.projected_usd) facts.push(["Projected", `${displayUsd(event.projected_usd)} at the period's end`]);
  if (forecast && event.projected_breach_at) facts.push(["Limit reached", `around ${dateTimeIn(event.projected_breach_at, timezone)} (${timezone}) at this rate`]);
  if (alsoPassed) facts.push(["Also passed", `${alsoPassed}, in the same jump (this one email covers them)`]);

  return (
    <EmailLayout preview={alertHeadline(event)}>
      <Heading as="h1" style={styles.heading}>
        {forecast ? `${title} forecast to exceed ${limit}` : `${title} at ${formatPercent(event.percent)}`}
      </Heading>
      <Text style={styles.paragraph}>
        {forecast ? (
          <>
            At the rate spent so far, <strong>{title}</strong>
            {item ? ` for ${item}` : ""} in <strong>{event.org.name}</strong> will pass its {limit} limit before the period ends:{" "}
            <strong>{spent}</strong> spent, <strong>{event.projected_usd ? displayUsd(event.projected_usd) : "more than the limit"}</strong> projected.
          </>
        ) : (
          <>
            <strong>{title}</strong>
            {item ? ` for ${item}` : ""} in <strong>{event.org.name}</strong> has passed its {formatPercent(event.threshold_percent)} alert threshold:{" "}
            <strong>{spent}</strong> of <strong>{limit}</strong> spent {budget.period === "total" ? "so far" : "this period"}.
          </>
        )}
      </Text>
      <Facts rows={facts} />
      <Ranked
        title="Top executions"
        rows={event.top_executions.map((e) => ({ label: e.agent ? `${e.id} (${e.agent})` : e.id, cost: displayUsd(e.cost_usd) }))}
      />
      <Ranked title="Driving the spend" rows={event.top_drivers.map((d) => ({ label: `${d.kind} ${d.name}`, cost: displayUsd(d.cost_usd) }))} />
      <Section style={{ height: "12px" }} />
      <ActionLink url={event.dashboard_url} label="See the spend" />
      {event.budget_url ? (
        <Text style={styles.muted}>
          The budget: <Link href={event.budget_url} style={{ color: styles.rawLink.color }}>{event.budget_url}</Link>
        </Text>
      ) : null}
      <Text style={styles.muted}>
        You get this email as a recipient of this budget&apos;s alerts in {event.org.name}. Each threshold alerts once per period; times are in{" "}
        {timezone}.
      </Text>
    </EmailLayout>
  );
}

BudgetAlertEmail.PreviewProps = {
  timezone: "Europe/Berlin",
  event: {
    id: "alert_preview",
    type: "budget.threshold_reached",
    created_at: "2026-11-20T09:30:00.000Z",
    org: { slug: "acme", name: "Acme" },
    budget: {
      id: "budget_preview",
      name: "Platform team",
      scope: "team",
      scope_value: "platform",
      item: null,
      period: "month",
      period_start: "2026-10-31T23:00:00.000Z",
      period_end: "2026-11-30T23:00:00.000Z",
      limit_usd: "10.000000000000",
      enforcement: "alert",
    },
    threshold_percent: 80,
    also_passed_percent: [50],
    spent_usd: "8.500000000000",
    percent: 85,
    projected_usd: "12.75",
    projected_breach_at: null,
    top_executions: [
      { id: "run-42", agent: "pr-bot", cost_usd: "3.10" },
      { id: "run-17", agent: "triage", cost_usd: "1.95" },
      { id: "run-9", agent: null, cost_usd: "0.004" },
    ],
    top_drivers: [
      { kind: "agent", name: "pr-bot", cost_usd: "5.20" },
      { kind: "key", name: "br_Ab12Cd34", cost_usd: "3.30" },
    ],
    dashboard_url: "http://localhost:3000/acme/overview?range=custom&from=2026-11-01&to=2026-11-30&team=platform",
    budget_url: "http://localhost:3000/acme/budgets?budget=budget_preview",
  },
} satisfies TBudgetAlertEmailProps;

export default BudgetAlertEmail;
