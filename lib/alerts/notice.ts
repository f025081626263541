import { z } from "zod";

// What one budget alert says, whatever the channel: the email template, the webhook's JSON body
// (this shape, snake_case, documented in docs/api.md "Webhooks") and the Slack message are all made
// from it. Built once, in the transaction that records the alert (lib/budgets/evaluate.ts).
const alertEventOf = (object: typeof z.object) =>
  object({
    // The BudgetAlert id: stable across retries, so a receiver can drop a repeat.
    id: z.string(),
    type: z.enum(["budget.threshold_reached", "budget.forecast_exceeded"]),
    created_at: z.string(),
    org: object({ slug: z.string(), name: z.string() }),
    budget: object({
      id: z.string(),
      name: z.string(),
      scope: z.enum(["org", "team", "cost_center", "key", "agent", "user", "model", "task", "execution"]),
      // The scope's own value as people read it (team slug, cost-center code, key prefix, agent…); null for org.
      scope_value: z.string().nullable(),
      // For a per-task / per-execution budget: the task or execution this alert is about.
      item: z.string().nullable(),
      period: z.enum(["day", "week", "month", "total"]),
      period_start: z.string(),
      // Exclusive; null for a total budget.
      period_end: z.string().nullable(),
      limit_usd: z.string(),
      enforcement: z.enum(["alert", "block"]),
    }),
    // The threshold this alert is about, in percent of the limit (e.g. 80); 100 for a forecast.
    threshold_percent: z.number().int(),
    // Lower thresholds passed in the same jump, recorded but not sent on their own.
    also_passed_percent: z.array(z.number().int()),
    spent_usd: z.string(),
    // spent / limit × 100, one decimal.
    percent: z.number(),
    // Linear projection to the period's end from the burn rate so far; null when too early or total.
    projected_usd: z.string().nullable(),
    projected_breach_at: z.string().nullable(),
    // What drives the spend in this budget's scope and period (most expensive first, ≤ 3 each).
    top_executions: z.array(object({ id: z.string(), agent: z.string().nullable(), cost_usd: z.string() })),
    top_drivers: z.array(object({ kind: z.enum(["agent", "key"]), name: z.string(), cost_usd: z.string() })),
    // The spend behind the alert: the dashboard filtered to the budget's scope over the alert's period
    // (an execution's page for a per-execution budget, a task's executions for a per-task one).
    dashboard_url: z.string(),
    // The budget on the budgets page. Optional: an alert queued before this field existed has none.
    budget_url: z.string().optional(),
  });

// Strict where an alert is made (a field this version does not know is a bug here)…
export const ZAlertEvent = alertEventOf(z.strictObject as unknown as typeof z.object);
// …and lenient where a stored one is read back (an email rendered from the outbox): a field a newer
// version added is dropped, not refused, so a rolling deploy's old replica still sends it.
export const ZStoredAlertEvent = alertEventOf(z.object);

export type TAlertEvent = z.infer<typeof ZAlertEvent>;
