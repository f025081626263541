import type { PoolClient } from "pg";
import { kickAlertDeliveries, queueAlertNotifications } from "../alerts/notify";
import type { TAlertEvent } from "../alerts/notice";
import { pool, withTransaction } from "../db";
import { env } from "../env";
import { Decimal, formatUsd } from "../money";
import { COUNTER_BUDGET_JSON, COUNTER_STATE_COLUMNS, ITEM_LIMIT, ITEM_LIMIT_JOIN, toCounterState, type TCounterState, type TRawCounterState } from "./counters";
import { budgetLinks } from "./links";
import { defaultBudgetName, itemBudgetName, scopeLabel } from "./names";
import { projectPeriodEnd } from "./projection";
import { BUDGET_PERIOD_AT, BUDGET_PERIOD_END, MODEL_FAMILY } from "./sql";

// A crossing in a period's last moments is still news after the period ends: its follow-up may run
// after midnight, or — after a crash — the sweep hours later. So an ended period still alerts for a
// counter last moved by then (its events were reported on time, give or take ALERT_GRACE) and a
// budget not changed since the period ended; a counter moved later (a late event, the recount of a
// budget made or edited after the period) alerts no one.
export const ALERT_GRACE = "10 minutes";
const STILL_NEWS = (counterUpdatedAt: string, budgetUpdatedAt: string, periodEnd: string) =>
  `(${counterUpdatedAt} <= ${periodEnd} + interval '${ALERT_GRACE}' AND ${budgetUpdatedAt} < ${periodEnd})`;

// Level-triggered alerts (docs/architecture.md §6): a threshold alerts once per (budget, period,
// item, threshold, kind, epoch) when the spend is at or above it, however it got there. The unique
// BudgetAlert row is the guarantee: whoever inserts it — an ingest's follow-up, a budget change, the
// sweep, on any replica — also writes its email and webhook rows in the same transaction; everyone
// else's insert conflicts and sends nothing. One jump over several thresholds sends one message, for
// the highest; the lower ones are recorded as passed (notified = false).

type TDueCounter = Pick<TCounterState, "orgId" | "budgetId" | "periodStart" | "itemKey" | "spentUsd" | "dueThresholds" | "blockDue"> & {
  budget: Pick<TCounterState["budget"], "enforcement" | "scope" | "amountUsd">;
};

// `at`: the clock periods are judged by (ended, within ALERT_GRACE); null = the database's now().
export async function evaluateDueCounters(counters: TDueCounter[], at: Date | null = null): Promise<{ alerts: number; blocked: number }> {
  let alerts = 0;
  let blocked = 0;
  for (const counter of counters) {
    const result = await withTransaction((client) => recordAlerts(client, counter, at));
    alerts += result.alerts;
    blocked += result.blocked;
  }
  if (alerts) kickAlertDeliveries();
  return { alerts, blocked };
}

export type TAlertBudget = {
  id: string;
  name: string | null;
  scope: string;
  scopeValue: string;
  period: string;
  amountUsd: string;
  enforcement: "ALERT" | "BLOCK";
  thresholds: number[];
  recipients: string[];
  webhookUrl: string | null;
  alertEpoch: number;
  archivedAt: Date | null;
  orgSlug: string;
  orgName: string;
  timezone: string;
  orgWebhookUrl: string | null;
  periodEnd: Date | null;
  // The period starting at periodStart has ended (by the database's clock): it blocks no more work…
  periodEnded: boolean;
  // …and alerts no more, unless its crossing is still news (ALERT_GRACE).
  periodOver: boolean;
};

// The budget as an alert describes it, with its org and the end of the period starting at periodStart;
// its amount is the item's limit (approvals raise it for one task / execution: ./counters.ts).
export async function loadAlertBudget(client: PoolClient, orgId: string, budgetId: string, periodStart: Date, itemKey = "", at: Date | null = null): Promise<TAlertBudget | null> {
  const { rows } = await client.query<TAlertBudget>(
    `SELECT b.id, b.name, b.scope, b."scopeValue", b.period, ${ITEM_LIMIT("b", "k")}::text AS "amountUsd", b.enforcement, b.thresholds,
            b.recipients, b."webhookUrl", b."alertEpoch", b."archivedAt", o.slug AS "orgSlug", o.name AS "orgName", o.timezone,
            o."alertWebhookUrl" AS "orgWebhookUrl", p."end" AS "periodEnd",
            coalesce(p."end" <= coalesce($5::timestamptz, now()), false) AS "periodEnded",
            coalesce(p."end" <= coalesce($5::timestamptz, now())
                     AND NOT coalesce((SELECT ${STILL_NEWS(`c."updatedAt"`, `b."updatedAt"`, `p."end"`)}
                                         FROM "BudgetCounter" c WHERE c."orgId" = $1 AND c."budgetId" = $2 AND c."periodStart" = $3 AND c."itemKey" = $4), false),
                     false) AS "periodOver"
       FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId"
      CROSS JOIN LATERAL (SELECT ${BUDGET_PERIOD_END("b", "$3::timestamptz", "o.timezone")} AS "end") p
      CROSS JOIN (SELECT $1::text AS "orgId", $2::text AS "budgetId", $3::timestamptz AS "periodStart", $4::text AS "itemKey") k
      WHERE b."orgId" = $1 AND b.id = $2`,
    [orgId, budgetId, periodStart, itemKey, at],
  );
  return rows[0] ?? null;
}

async function recordAlerts(client: PoolClient, counter: TDueCounter, at: Date | null): Promise<{ alerts: number; blocked: number }> {
  const budget = await loadAlertBudget(client, counter.orgId, counter.budgetId, counter.periodStart, counter.itemKey, at);
  // An ended period whose crossing is no longer news (a late event counted into yesterday) moves its
  // counter but alerts no one: the money is past holding back, and the current period has its own.
  if (!budget || budget.archivedAt || budget.periodOver) return { alerts: 0, blocked: 0 };
  let alerts = 0;
  const spent = new Decimal(counter.spentUsd);
  const amount = new Decimal(budget.amountUsd);
  // Re-checked here against the budget as it is now (it may have changed since the counter was read).
  // Every reached threshold is inserted; those already recorded (by anyone) conflict and are skipped.
  const due = budget.thresholds.filter((t) => spent.times(100).gte(amount.times(t))).sort((a, b) => a - b);
  if (due.length) {
    const highest = due[due.length - 1];
    const { rows: inserted } = await client.query<{ id: string; threshold: number }>(
      `INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch, "spentUsd", "limitUsd", notified)
       SELECT gen_random_uuid()::text, $1, $2, $3, $4, t, 'ACTUAL', $5, $6, $7, t = $8 FROM unnest($9::int[]) AS t
       ON CONFLICT ("orgId", "budgetId", "periodStart", "itemKey", threshold, kind, epoch) DO NOTHING
       RETURNING id, threshold`,
      [counter.orgId, counter.budgetId, counter.periodStart, counter.itemKey, budget.alertEpoch, counter.spentUsd, budget.amountUsd, highest, due],
    );
    const notice = inserted.find((r) => r.threshold === highest);
    if (notice) {
      const passed = inserted.filter((r) => r.threshold !== highest).map((r) => r.threshold);
      const event = await alertEvent(client, budget, counter, { id: notice.id, kind: "ACTUAL", threshold: highest, alsoPassed: passed });
      await queueAlertNotifications(client, event, await channelsOf(client, counter.orgId, budget));
      alerts++;
    }
  }
  // Work is stopped by the period it runs in: a per-item budget's ended day stops nothing today.
  const blocked = budget.periodEnded ? 0 : await blockOverBudgetExecutions(client, counter, budget, spent.gte(amount));
  return { alerts, blocked };
}

// A BLOCK budget on a task or an execution at or over its amount stops that work: its running
// executions become BLOCKED (the budget check and, later, the gateway refuse them) until a person
// resumes them. Idempotent; the ingest still stores every event (the money is spent).
async function blockOverBudgetExecutions(client: PoolClient, counter: TDueCounter, budget: TAlertBudget, over: boolean): Promise<number> {
  if (!over || budget.enforcement !== "BLOCK" || (budget.scope !== "EXECUTION" && budget.scope !== "TASK")) return 0;
  const reason = `Budget "${itemBudgetName(budget, counter.itemKey)}" reached ${formatUsd(counter.spentUsd)} of ${formatUsd(budget.amountUsd)} USD`;
  const column = budget.scope === "EXECUTION" ? `"executionId"` : "task";
  const { rowCount } = await client.query(
    `UPDATE "Execution" SET status = 'BLOCKED', "blockedAt" = now(), "blockedReason" = $3
      WHERE "orgId" = $1 AND ${column} = $2 AND status = 'RUNNING'`,
    [counter.orgId, counter.itemKey, reason],
  );
  return rowCount ?? 0;
}

// Who hears of it: the budget's recipients, else the org's owners and admins and, for a cost
// center's budget, its owner. The webhook: the budget's, else the org's default.
export async function channelsOf(client: PoolClient, orgId: string, budget: TAlertBudget): Promise<{ emails: string[]; webhookUrl: string | null }> {
  let emails = budget.recipients;
  if (emails.length === 0) {
    const { rows } = await client.query<{ email: string }>(
      `SELECT u.email FROM "Membership" m JOIN "User" u ON u.id = m."userId" WHERE m."orgId" = $1 AND m.role IN ('OWNER', 'ADMIN')
       UNION
       SELECT "ownerEmail" FROM "CostCenter" WHERE $2 = 'COST_CENTER' AND "orgId" = $1 AND id = $3 AND "ownerEmail" IS NOT NULL`,
      [orgId, budget.scope, budget.scopeValue],
    );
    emails = rows.map((r) => r.email);
  }
  const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))].sort();
  return { emails: unique, webhookUrl: budget.webhookUrl ?? budget.orgWebhookUrl };
}

export async function alertEvent(
  client: PoolClient,
  budget: TAlertBudget,
  counter: Pick<TDueCounter, "orgId" | "periodStart" | "itemKey" | "spentUsd">,
  alert: { id: string; kind: "ACTUAL" | "FORECAST"; threshold: number; alsoPassed: number[]; projectedAt?: Date | null },
): Promise<TAlertEvent> {
  const spent = new Decimal(counter.spentUsd);
  const amount = new Decimal(budget.amountUsd);
  const projection = projectPeriodEnd({ period: budget.period, periodStart: counter.periodStart, periodEnd: budget.periodEnd, spentUsd: counter.spentUsd, amountUsd: budget.amountUsd });
  const { executions, drivers } = await spendDrivers(client, counter.orgId, budget, counter.periodStart, counter.itemKey);
  const scopeName = budget.scope.toLowerCase() as TAlertEvent["budget"]["scope"];
  const label = await scopeLabel(client, counter.orgId, budget.scope, budget.scopeValue);
  const appUrl = (env().APP_URL ?? process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
  const item = budget.scope === "TASK" || budget.scope === "EXECUTION" ? counter.itemKey : null;
  const links = budgetLinks({
    appUrl,
    orgSlug: budget.orgSlug,
    timezone: budget.timezone,
    budgetId: budget.id,
    scope: budget.scope,
    scopeLabel: label,
    item,
    period: budget.period,
    periodStart: counter.periodStart,
    periodEnd: budget.periodEnd,
  });
  return {
    id: alert.id,
    type: alert.kind === "ACTUAL" ? "budget.threshold_reached" : "budget.forecast_exceeded",
    created_at: new Date().toISOString(),
    org: { slug: budget.orgSlug, name: budget.orgName },
    budget: {
      id: budget.id,
      name: budget.name ?? defaultBudgetName(budget.scope, label),
      scope: scopeName,
      scope_value: label,
      item,
      period: budget.period.toLowerCase() as TAlertEvent["budget"]["period"],
      period_start: counter.periodStart.toISOString(),
      period_end: budget.periodEnd ? budget.periodEnd.toISOString() : null,
      limit_usd: formatUsd(budget.amountUsd),
      enforcement: budget.enforcement === "BLOCK" ? "block" : "alert",
    },
    threshold_percent: alert.threshold,
    also_passed_percent: alert.alsoPassed.sort((a, b) => a - b),
    spent_usd: formatUsd(counter.spentUsd),
    percent: amount.isZero() ? 0 : spent.times(100).div(amount).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toNumber(),
    projected_usd: projection ? formatUsd(projection.projectedUsd) : null,
    projected_breach_at: alert.projectedAt ? alert.projectedAt.toISOString() : (projection?.breachAt?.toISOString() ?? null),
    top_executions: executions,
    top_drivers: drivers,
    dashboard_url: links.dashboardUrl,
    budget_url: links.budgetUrl,
  };
}

// What drives the spend in the budget's scope and period: its most expensive executions, and the
// agents and keys behind it. Read from executions and hourly rollups (never a scan of a month of
// events), after the counters' locks are released.
async function spendDrivers(
  client: PoolClient,
  orgId: string,
  budget: TAlertBudget,
  periodStart: Date,
  itemKey: string,
): Promise<{ executions: TAlertEvent["top_executions"]; drivers: TAlertEvent["top_drivers"] }> {
  const executionFilter: Record<string, string> = {
    ORG: "TRUE",
    TEAM: `e."teamId" = $3`,
    AGENT: "e.agent = $3",
    USER: `e."userId" = $3`,
    TASK: "e.task = $3",
    EXECUTION: `e."executionId" = $3`,
  };
  const rollupFilter: Record<string, string> = {
    ORG: "TRUE",
    TEAM: `r."teamId" = $3`,
    COST_CENTER: `r."costCenterId" = $3`,
    KEY: `r."keyId" = $3`,
    AGENT: "r.agent = $3",
    USER: `r."userId" = $3`,
    MODEL: `(r.model = $3 OR ${MODEL_FAMILY("r.model")} = $3)`,
  };
  // $3: the scope's value — for a per-item budget, the task or execution this counter is for.
  const params = budget.scope === "ORG" ? [orgId, periodStart] : [orgId, periodStart, budget.scope === "TASK" || budget.scope === "EXECUTION" ? itemKey : budget.scopeValue];
  const executions = executionFilter[budget.scope]
    ? (
        await client.query<{ id: string; agent: string | null; cost: string }>(
          `SELECT e."executionId" AS id, e.agent, e."costUsd"::text AS cost FROM "Execution" e
            WHERE e."orgId" = $1 AND e."lastSeenAt" >= $2 AND ${executionFilter[budget.scope]}
            ORDER BY e."costUsd" DESC LIMIT 3`,
          params,
        )
      ).rows.map((r) => ({ id: r.id, agent: r.agent, cost_usd: formatUsd(r.cost) }))
    : [];
  let drivers: TAlertEvent["top_drivers"] = [];
  if (rollupFilter[budget.scope]) {
    const { rows } = await client.query<{ kind: "agent" | "key"; name: string; cost: string }>(
      `WITH r AS (SELECT r.agent, r."keyId", r."costUsd" FROM "UsageRollup" r WHERE r."orgId" = $1 AND r.hour >= $2 AND ${rollupFilter[budget.scope]})
       (SELECT 'agent' AS kind, agent AS name, sum("costUsd")::text AS cost FROM r WHERE agent <> '' GROUP BY agent ORDER BY sum("costUsd") DESC LIMIT 3)
       UNION ALL
       (SELECT 'key', k.prefix, sum(r."costUsd")::text FROM r JOIN "VirtualKey" k ON k."orgId" = $1 AND k.id = r."keyId"
         GROUP BY k.prefix ORDER BY sum(r."costUsd") DESC LIMIT 3)`,
      params,
    );
    drivers = rows.map((r) => ({ kind: r.kind, name: r.name, cost_usd: formatUsd(r.cost) }));
  } else if (executions.length) {
    const byAgent = new Map<string, Decimal>();
    for (const e of executions) if (e.agent) byAgent.set(e.agent, (byAgent.get(e.agent) ?? new Decimal(0)).plus(e.cost_usd));
    drivers = [...byAgent].map(([name, cost]) => ({ kind: "agent" as const, name, cost_usd: formatUsd(cost.toFixed()) }));
  }
  return { executions, drivers };
}

// The counters of live budgets in their current period (the org's calendar; TOTAL: its one period)
// that reached their lowest threshold (or, under BLOCK, their limit) at the item's limit — which a
// resume can set below the budget's amount, so the budget's own amount is not a safe filter. The one selection of what can still
// alert, for the sweep and for a budget just changed: a period that has ended alerts no more (a new
// budget over last week's spend, or a late event into yesterday, sends nothing about them).
// `withPrevious`: also the period before, where its crossing is still news (STILL_NEWS: the sweep
// after a crash across a period's end); a budget change evaluates the current period only (a budget
// made at 00:05 says nothing about yesterday). `at`: the SQL of the clock (a parameter, or now()).
const CURRENT_COUNTERS_OVER_A_THRESHOLD = (where: string, withPrevious: boolean, at: string) => `
  SELECT ${COUNTER_STATE_COLUMNS(`k."spentUsd"`, "k.calls", `k."unpricedCalls"`)}, ${COUNTER_BUDGET_JSON("b")} AS budget
    FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId"
    CROSS JOIN LATERAL (SELECT ${BUDGET_PERIOD_AT("b", at, "o.timezone")} AS start) cur
    CROSS JOIN LATERAL (SELECT ${BUDGET_PERIOD_AT("b", "cur.start - interval '1 microsecond'", "o.timezone")} AS start) prev
    JOIN "BudgetCounter" k ON k."orgId" = b."orgId" AND k."budgetId" = b.id
     AND (k."periodStart" = cur.start
          ${withPrevious ? `OR (k."periodStart" = prev.start AND b.period <> 'TOTAL' AND ${STILL_NEWS(`k."updatedAt"`, `b."updatedAt"`, "cur.start")})` : ""})
    ${ITEM_LIMIT_JOIN}
   WHERE b."archivedAt" IS NULL AND ${where}
     AND k."spentUsd" * 100 >= lim.amount * least((SELECT min(th) FROM unnest(b.thresholds) th), CASE WHEN b.enforcement = 'BLOCK' THEN 100 END)`;

// The sweep (a job, once a minute): re-evaluates every budget, level-triggered — each current counter
// over a threshold with no alert recorded gets it now — so an alert a crash between an ingest's commit
// and its follow-up left unrecorded is recorded within a minute, however long the process was down
// (a crossing in a period's last moments: the next period's sweeps still find it, STILL_NEWS).
// Costs a read of the counters over their lowest threshold (the others are filtered on the counter
// row), not of every counter.
// Tests may sweep one org (`orgId`) on a clock of their own (`at`; the database's now() by default).
export async function sweepBudgets(options: { at?: Date; orgId?: string } = {}): Promise<{ counters: number; alerts: number; blocked: number }> {
  const at = options.at ?? null;
  const { rows } = await pool().query<TRawCounterState>(
    CURRENT_COUNTERS_OVER_A_THRESHOLD(`($2::text IS NULL OR b."orgId" = $2)`, true, "coalesce($1::timestamptz, now())"),
    [at, options.orgId ?? null],
  );
  const due = rows.map((row) => toCounterState(row)).filter((c) => c.dueThresholds.length > 0 || c.blockDue);
  const result = await evaluateDueCounters(due, at);
  return { counters: rows.length, ...result };
}

// Level-triggered evaluation of one budget's current counters, right after a change committed (a
// budget created, lowered or widened over spend alerts at once).
export async function evaluateBudget(orgId: string, budgetId: string): Promise<{ alerts: number; blocked: number }> {
  const { rows } = await pool().query<TRawCounterState>(CURRENT_COUNTERS_OVER_A_THRESHOLD(`b."orgId" = $1 AND b.id = $2`, false, "now()"), [orgId, budgetId]);
  const due = rows.map((row) => toCounterState(row)).filter((c) => c.dueThresholds.length || c.blockDue);
  return due.length ? evaluateDueCounters(due) : { alerts: 0, blocked: 0 };
}
