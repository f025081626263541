// How budgets read on the page: pure helpers shared by the server-rendered cards and the client
// form (components/ is on the browser allow-list; nothing here touches the server).

export type TBudgetState = "ok" | "warning" | "exceeded";

// One colour per state, the same on the bar, the badge and the numbers: green, amber, red.
export const STATE_STYLE: Record<TBudgetState, { bar: string; badge: string; text: string; label: string }> = {
  ok: { bar: "bg-emerald-500", badge: "bg-emerald-50 text-emerald-800 ring-emerald-600/30", text: "text-emerald-700", label: "OK" },
  warning: { bar: "bg-amber-500", badge: "bg-amber-50 text-amber-900 ring-amber-600/40", text: "text-amber-700", label: "Warning" },
  exceeded: { bar: "bg-rose-600", badge: "bg-rose-600 text-white ring-rose-700", text: "text-rose-700", label: "Exceeded" },
};

// 85 → "85%", 85.3 → "85.3%".
export function percentLabel(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

export const PERIOD_WORD: Record<string, string> = { DAY: "daily", WEEK: "weekly", MONTH: "monthly", TOTAL: "total" };
export const PERIOD_NOUN: Record<string, string> = { DAY: "day", WEEK: "week", MONTH: "month", TOTAL: "lifetime" };

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

// What a budget covers, as the form offers it: each choice is a scope and how its value is given.
export const COVERAGE = [
  { value: "ORG", label: "The whole organization", scope: "ORG", input: "none" },
  { value: "TEAM", label: "A team", scope: "TEAM", input: "team" },
  { value: "COST_CENTER", label: "A cost center", scope: "COST_CENTER", input: "costCenter" },
  { value: "KEY", label: "A key", scope: "KEY", input: "key" },
  { value: "AGENT", label: "An agent", scope: "AGENT", input: "text" },
  { value: "USER", label: "A user", scope: "USER", input: "text" },
  { value: "MODEL", label: "A model", scope: "MODEL", input: "text" },
  { value: "TASK_EACH", label: "Each task, on its own", scope: "TASK", input: "each" },
  { value: "TASK_ONE", label: "One task", scope: "TASK", input: "text" },
  { value: "EXECUTION_EACH", label: "Each execution, on its own", scope: "EXECUTION", input: "each" },
  { value: "EXECUTION_ONE", label: "One execution", scope: "EXECUTION", input: "text" },
] as const;
export type TCoverage = (typeof COVERAGE)[number]["value"];

export function coverageOf(scope: string, scopeValue: string): TCoverage {
  if (scope === "TASK" || scope === "EXECUTION") return `${scope}_${scopeValue === "*" ? "EACH" : "ONE"}` as TCoverage;
  return scope as TCoverage;
}

export const TEXT_VALUE_LABEL: Partial<Record<TCoverage, { label: string; placeholder: string; hint: string }>> = {
  AGENT: { label: "Agent", placeholder: "pr-reviewer", hint: "The agent name events carry" },
  USER: { label: "User", placeholder: "ada@example.com", hint: "The user events carry" },
  MODEL: { label: "Model", placeholder: "gpt-4o", hint: "The model id events carry" },
  TASK_ONE: { label: "Task", placeholder: "nightly-triage", hint: "The task events carry" },
  EXECUTION_ONE: { label: "Execution", placeholder: "run-42", hint: "The execution_id events carry" },
};

// "Nov 1 – 30, 2026": a period's days in the org's zone. The stored end is exclusive (the next
// period's start), so the last day is the one before it. (The same words as the alert email's.)
export function periodDays(startIso: string, endIso: string, timezone: string): string {
  const days = new Intl.DateTimeFormat("en-US", { timeZone: timezone, dateStyle: "medium" });
  // Intl puts thin spaces around the dash; plain ones read (and search) the same everywhere.
  return days.formatRange(new Date(startIso), new Date(new Date(endIso).getTime() - 1)).replace(/[\u2009\u202f]/g, " ");
}

// "Dec 1, 2026, 00:00" in the org's zone, never the browser's.
export function dateTimeIn(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone, dateStyle: "medium", timeStyle: "short", hourCycle: "h23" }).format(new Date(iso));
}
