import { displayUsd } from "../money";
import type { TAlertEvent } from "./notice";

// How an alert reads in words, the same in the email, the Slack message and the pages: pure
// functions of the event (and the org's time zone), no I/O.

export const PERIOD_WORD: Record<TAlertEvent["budget"]["period"], string> = { day: "daily", week: "weekly", month: "monthly", total: "total" };

// Names and ids are user input: one line, bounded, wherever a line is all there is (subjects).
export function oneLine(value: string, max = 120): string {
  const line = value.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// 85 → "85%", 85.3 → "85.3%" (the event carries one decimal).
export function formatPercent(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

// "Platform team" → "Platform team budget"; a name that already says budget is left alone.
export function budgetTitle(budget: Pick<TAlertEvent["budget"], "name">): string {
  const name = oneLine(budget.name, 80) || "Unnamed";
  return /\bbudget$/i.test(name) ? name : `${name} budget`;
}

const SCOPE_NOUN: Record<TAlertEvent["budget"]["scope"], string> = {
  org: "organization",
  team: "team",
  cost_center: "cost center",
  key: "key",
  agent: "agent",
  user: "user",
  model: "model",
  task: "task",
  execution: "execution",
};

// What the budget covers: "team platform", "the whole organization", "each execution on its own".
export function scopeLabel(budget: Pick<TAlertEvent["budget"], "scope" | "scope_value">): string {
  if (budget.scope === "org") return "the whole organization";
  const noun = SCOPE_NOUN[budget.scope];
  if (budget.scope_value === null || budget.scope_value === "*" || budget.scope_value === "") return `each ${noun} on its own`;
  return `${noun} ${oneLine(budget.scope_value, 80)}`;
}

// The task or execution a per-item alert is about: "execution run-42"; null for other budgets.
export function itemLabel(budget: Pick<TAlertEvent["budget"], "scope" | "item">): string | null {
  if (!budget.item) return null;
  return `${SCOPE_NOUN[budget.scope]} ${oneLine(budget.item, 80)}`;
}

// One line that says it all (subject, Slack fallback text, page title of the alert):
// "Platform team budget at 85% — $8.50 of $10.00 (monthly)"
// "Platform team budget forecast to exceed $10.00 (monthly) — $6.20 so far, $14.10 projected"
export function alertHeadline(event: TAlertEvent): string {
  const title = budgetTitle(event.budget);
  const item = itemLabel(event.budget);
  const forItem = item ? ` for ${item}` : "";
  const period = PERIOD_WORD[event.budget.period];
  const limit = displayUsd(event.budget.limit_usd);
  if (event.type === "budget.forecast_exceeded") {
    const projected = event.projected_usd ? `, ${displayUsd(event.projected_usd)} projected` : "";
    return `${title}${forItem} forecast to exceed ${limit} (${period}) — ${displayUsd(event.spent_usd)} so far${projected}`;
  }
  return `${title}${forItem} at ${formatPercent(event.percent)} — ${displayUsd(event.spent_usd)} of ${limit} (${period})`;
}

export function alertSubject(event: TAlertEvent): string {
  return `[Burnrate] ${alertHeadline(event)}`;
}

// "Dec 1, 2026, 00:00" in the org's zone.
export function dateTimeIn(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, dateStyle: "medium", timeStyle: "short", hourCycle: "h23" }).format(new Date(iso));
}

export function dateIn(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, dateStyle: "medium" }).format(new Date(iso));
}

// The period as days in the org's zone: "Nov 1 – 30, 2026", "Nov 28, 2026", "since Nov 1, 2026".
// The stored end is exclusive (the next period's start), so the last day is the one before it.
export function periodLabel(budget: Pick<TAlertEvent["budget"], "period_start" | "period_end">, timezone: string): string {
  const start = new Date(budget.period_start);
  if (!budget.period_end) return `since ${dateIn(budget.period_start, timezone)}`;
  const lastMoment = new Date(new Date(budget.period_end).getTime() - 1);
  const days = new Intl.DateTimeFormat("en-US", { timeZone: timezone, dateStyle: "medium" });
  // Intl puts thin spaces around the dash; plain ones read (and search) the same everywhere.
  return days.formatRange(start, lastMoment).replace(/[\u2009\u202f]/g, " ");
}

// "ends Dec 1, 2026, 00:00 (Europe/Berlin)"; null for a total budget.
export function periodEndLabel(budget: Pick<TAlertEvent["budget"], "period_end">, timezone: string): string | null {
  return budget.period_end ? `ends ${dateTimeIn(budget.period_end, timezone)} (${timezone})` : null;
}

// "Also passed: 50%, 80%" — lower thresholds crossed in the same jump; null when none.
export function alsoPassedLabel(event: Pick<TAlertEvent, "also_passed_percent">): string | null {
  if (event.also_passed_percent.length === 0) return null;
  return [...event.also_passed_percent].sort((a, b) => a - b).map(formatPercent).join(", ");
}
