import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { TAlertEvent } from "../alerts/notice";

// A budget and one of its alerts, as lib/budgets records them, for the channel tests (and the e2e
// seed): written through a pg client so a test can do it inside its own transaction.
export type TTestAlert = { alertId: string; budgetId: string; event: TAlertEvent };

export type TTestAlertOptions = {
  org: { id: string; slug: string; name: string };
  budgetName?: string;
  scope?: "ORG" | "TEAM" | "EXECUTION";
  scopeValue?: string;
  // The scope as people read it in the event (a team's slug where scopeValue is its id).
  scopeLabel?: string;
  // The period as the budget's zone draws it; November 2026 in UTC by default.
  period?: { start: Date; end: Date };
  itemKey?: string;
  threshold?: number;
  kind?: "ACTUAL" | "FORECAST";
  spentUsd?: string;
  limitUsd?: string;
  notified?: boolean;
  createdAt?: Date;
  appUrl?: string;
};

const SCOPE = { ORG: "org", TEAM: "team", EXECUTION: "execution" } as const;

export async function insertTestAlert(db: pg.ClientBase, options: TTestAlertOptions): Promise<TTestAlert> {
  const suffix = randomBytes(4).toString("hex");
  const scope = options.scope ?? "TEAM";
  const scopeValue = options.scopeValue ?? (scope === "ORG" ? "" : scope === "EXECUTION" ? "*" : "platform");
  const limitUsd = options.limitUsd ?? "10";
  const spentUsd = options.spentUsd ?? "8.5";
  const threshold = options.threshold ?? 80;
  const kind = options.kind ?? "ACTUAL";
  const periodStart = options.period?.start ?? new Date("2026-11-01T00:00:00Z");
  const periodEnd = options.period?.end ?? new Date("2026-12-01T00:00:00Z");
  const budget = await db.query<{ id: string }>(
    `INSERT INTO "Budget" (id, "orgId", name, scope, "scopeValue", "amountUsd", period, "updatedAt")
     VALUES ($1, $2, $3, $4::"BudgetScope", $5, $6::numeric, 'MONTH', now()) RETURNING id`,
    [`budget_${suffix}`, options.org.id, options.budgetName ?? "Platform team", scope, scopeValue, limitUsd],
  );
  const alert = await db.query<{ id: string; createdAt: Date }>(
    `INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, "spentUsd", "limitUsd", notified, "createdAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7::"AlertKind", $8::numeric, $9::numeric, $10, $11) RETURNING id, "createdAt"`,
    [`alert_${suffix}`, options.org.id, budget.rows[0].id, periodStart, options.itemKey ?? "", threshold, kind, spentUsd, limitUsd, options.notified ?? true, options.createdAt ?? new Date()],
  );
  const percent = Math.round((Number(spentUsd) / Number(limitUsd)) * 1000) / 10;
  const event: TAlertEvent = {
    id: alert.rows[0].id,
    type: kind === "FORECAST" ? "budget.forecast_exceeded" : "budget.threshold_reached",
    created_at: alert.rows[0].createdAt.toISOString(),
    org: { slug: options.org.slug, name: options.org.name },
    budget: {
      id: budget.rows[0].id,
      name: options.budgetName ?? "Platform team",
      scope: SCOPE[scope],
      scope_value: scope === "ORG" ? null : (options.scopeLabel ?? scopeValue),
      item: options.itemKey || null,
      period: "month",
      period_start: periodStart.toISOString(),
      period_end: periodEnd.toISOString(),
      limit_usd: limitUsd,
      enforcement: "alert",
    },
    threshold_percent: kind === "FORECAST" ? 100 : threshold,
    also_passed_percent: threshold > 50 ? [50] : [],
    spent_usd: spentUsd,
    percent,
    projected_usd: "12.75",
    projected_breach_at: kind === "FORECAST" ? "2026-11-24T10:00:00.000Z" : null,
    top_executions: [
      { id: "run-42", agent: "pr-bot", cost_usd: "3.1" },
      { id: "run-17", agent: "triage", cost_usd: "1.95" },
    ],
    top_drivers: [{ kind: "agent", name: "pr-bot", cost_usd: "5.2" }],
    dashboard_url: `${options.appUrl ?? "http://localhost:3000"}/${options.org.slug}/alerts`,
  };
  return { alertId: alert.rows[0].id, budgetId: budget.rows[0].id, event };
}
