import { redactWebhookUrl } from "../alerts/webhook-target";
import { pool } from "../db";
import { Decimal, formatUsd } from "../money";
import { ITEM_ALLOWANCES } from "./counters";
import { defaultBudgetName } from "./names";
import { projectPeriodEnd } from "./projection";
import { BUDGET_PERIOD_AT, BUDGET_PERIOD_END } from "./sql";
import { budgetState, type TBudgetState } from "./state";
import { isPerItem, nameLabel, targetOf, type TBudgetScope, type TBudgetTarget } from "./target";

export type { TBudgetScope, TBudgetTarget };

// The budgets page's read model (also the admin CLI's `budget list`): every budget of an org with
// its current period in the org's zone, what it covers as people read it, the period's spend from
// its counters (summed in SQL; money as decimal strings), its state by the API's rule (./state.ts),
// burn rate and projection (./projection.ts), the calls counted at $0 because nothing priced them,
// and its recent alerts. Active budgets worst first; archived ones apart, without spend (their
// counters stop moving when they are archived).

export type TBudgetPeriod = "DAY" | "WEEK" | "MONTH" | "TOTAL";

export type TBudgetAlertEntry = {
  id: string;
  createdAt: string;
  threshold: number;
  kind: "ACTUAL" | "FORECAST";
  // false: passed in the same jump as a higher threshold (one message named that one), or carried
  // over when the amount was raised — recorded, not sent.
  notified: boolean;
  spentUsd: string;
  limitUsd: string;
  // The task or execution of a per-item budget's alert; null otherwise.
  item: string | null;
  periodStart: string;
  projectedAt: string | null;
};

// limitUsd: the budget's amount, or more where an approval or a resume raised this item's limit.
export type TBudgetItem = { item: string; spentUsd: string; limitUsd: string; percent: number; state: TBudgetState; calls: number; unpricedCalls: number };

export type TBudgetOverview = {
  id: string;
  // The budget's own name, else the name alerts use for it ("Team platform").
  name: string;
  customName: string | null;
  target: TBudgetTarget;
  amountUsd: string;
  period: TBudgetPeriod;
  periodStart: string;
  // Exclusive (the next period's start); null for TOTAL.
  periodEnd: string | null;
  enforcement: "ALERT" | "BLOCK";
  thresholds: number[];
  forecastAlerts: boolean;
  recipients: {
    // The budget's own list; empty = the default.
    explicit: string[];
    // Who the default reaches now: the org's owners and admins (and a cost center's owner).
    defaults: string[];
  };
  // The budget's own webhook, else the org's default (settings), else none. `shown` is the URL as
  // every member may see it (a Slack URL's token masked); `url` is for the people who edit it.
  webhook: { url: string; shown: string; source: "budget" | "org" } | null;
  // This period. For a per-item budget: the total over its items; percent and state are its
  // fullest item's (each item has the whole amount).
  spentUsd: string;
  calls: number;
  unpricedCalls: number;
  percent: number;
  state: TBudgetState;
  // Dollars a day so far this period; null for TOTAL budgets.
  burnUsdPerDay: string | null;
  // Linear projection to the period's end; null when too early, TOTAL or per item (projectionNote says which).
  projection: { projectedUsd: string; percent: number; over: boolean; breachAt: string | null } | null;
  projectionNote: "too_early" | "total" | "per_item" | null;
  items: { withCalls: number; over: number; top: TBudgetItem[] } | null;
  alerts: { recent: TBudgetAlertEntry[]; sentThisPeriod: number };
  createdAt: string;
  updatedAt: string;
};

export type TArchivedBudget = Pick<TBudgetOverview, "id" | "name" | "customName" | "target" | "amountUsd" | "period" | "enforcement" | "thresholds" | "createdAt"> & {
  archivedAt: string;
};

export type TBudgetsPage = { active: TBudgetOverview[]; archived: TArchivedBudget[]; timezone: string; now: string };

const RECENT_ALERTS = 6;
const TOP_ITEMS = 5;
const ARCHIVED_SHOWN = 100;
const DAY_MS = 86_400_000;

type TRow = {
  id: string;
  name: string | null;
  scope: TBudgetScope;
  scopeValue: string;
  amountUsd: string;
  period: TBudgetPeriod;
  enforcement: "ALERT" | "BLOCK";
  thresholds: number[];
  recipients: string[];
  webhookUrl: string | null;
  orgWebhookUrl: string | null;
  forecastAlerts: boolean;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  timezone: string;
  periodStart: Date;
  periodEnd: Date | null;
  spentUsd: string;
  topItemUsd: string;
  topItemLimitUsd: string;
  calls: string;
  unpricedCalls: string;
  withCalls: string;
  over: string;
  targetSlug: string | null;
  targetName: string | null;
  targetGone: boolean | null;
  costCenterOwner: string | null;
};

// One row per budget: its current period at `now` in the org's zone, and that period's counters
// summed (one counter, or one per task / execution).
const BUDGETS_SQL = `
WITH b AS (
  SELECT b.*, o.timezone, o."alertWebhookUrl" AS "orgWebhookUrl", ${BUDGET_PERIOD_AT("b", "$2::timestamptz", "o.timezone")} AS ps
    FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId"
   WHERE b."orgId" = $1 AND (b."archivedAt" IS NULL) = $3
)
SELECT b.id, b.name, b.scope::text AS scope, b."scopeValue", b."amountUsd"::text AS "amountUsd", b.period::text AS period,
       b.enforcement::text AS enforcement, b.thresholds, b.recipients, b."webhookUrl", b."orgWebhookUrl", b."forecastAlerts",
       b."createdAt", b."updatedAt", b."archivedAt", b.timezone,
       b.ps AS "periodStart", ${BUDGET_PERIOD_END("b", "b.ps", "b.timezone")} AS "periodEnd",
       coalesce(s.spent, 0)::text AS "spentUsd", coalesce(s.fullest[2], 0)::text AS "topItemUsd",
       coalesce(s.fullest[3], b."amountUsd")::text AS "topItemLimitUsd",
       coalesce(s.calls, 0)::text AS calls, coalesce(s.unpriced, 0)::text AS "unpricedCalls",
       coalesce(s.with_calls, 0)::text AS "withCalls", coalesce(s.over, 0)::text AS over,
       coalesce(t.slug, cc.code, k.prefix) AS "targetSlug",
       coalesce(t.name, cc.name, k.name) AS "targetName",
       CASE b.scope WHEN 'TEAM' THEN t."archivedAt" IS NOT NULL WHEN 'COST_CENTER' THEN cc."archivedAt" IS NOT NULL
                    WHEN 'KEY' THEN k."revokedAt" IS NOT NULL END AS "targetGone",
       cc."ownerEmail" AS "costCenterOwner"
  FROM b
  LEFT JOIN LATERAL (
    -- The fullest item is the one nearest its own limit (an approval raises one item's limit):
    -- the greatest [spent / limit, spent, limit], without sorting every item.
    SELECT sum(c."spentUsd") AS spent, sum(c.calls) AS calls, sum(c."unpricedCalls") AS unpriced,
           max(ARRAY[c."spentUsd" / nullif(lim.amount, 0), c."spentUsd", lim.amount]) AS fullest,
           count(*) FILTER (WHERE c.calls > 0) AS with_calls, count(*) FILTER (WHERE c."spentUsd" >= lim.amount) AS over
      FROM "BudgetCounter" c
      LEFT JOIN ${ITEM_ALLOWANCES("b.\"orgId\"", "b.id", "b.ps")} al ON b.scope IN ('TASK', 'EXECUTION') AND al."itemKey" = c."itemKey"
     CROSS JOIN LATERAL (SELECT b."amountUsd" + coalesce(al.extra, 0) AS amount) lim
     WHERE c."orgId" = b."orgId" AND c."budgetId" = b.id AND c."periodStart" = b.ps
  ) s ON TRUE
  LEFT JOIN "Team" t ON b.scope = 'TEAM' AND t."orgId" = b."orgId" AND t.id = b."scopeValue"
  LEFT JOIN "CostCenter" cc ON b.scope = 'COST_CENTER' AND cc."orgId" = b."orgId" AND cc.id = b."scopeValue"
  LEFT JOIN "VirtualKey" k ON b.scope = 'KEY' AND k."orgId" = b."orgId" AND k.id = b."scopeValue"
 ORDER BY coalesce(b."archivedAt", b."createdAt") DESC, b.id
 LIMIT $4`;

// The fullest items of per-item budgets in their current period (nearest their own limit first).
const TOP_ITEMS_SQL = `
SELECT "budgetId", "itemKey", "spentUsd", "limitUsd", calls, "unpricedCalls" FROM (
  SELECT c."budgetId", c."itemKey", c."spentUsd"::text AS "spentUsd", lim.amount::text AS "limitUsd", c.calls::text AS calls,
         c."unpricedCalls"::text AS "unpricedCalls",
         row_number() OVER (PARTITION BY c."budgetId" ORDER BY c."spentUsd" / nullif(lim.amount, 0) DESC NULLS LAST, c."spentUsd" DESC, c."itemKey") AS rn
    FROM unnest($2::text[], $3::timestamptz[]) AS p("budgetId", ps)
    JOIN "BudgetCounter" c ON c."orgId" = $1 AND c."budgetId" = p."budgetId" AND c."periodStart" = p.ps
    JOIN "Budget" b ON b."orgId" = $1 AND b.id = c."budgetId"
    -- The org's allowances are few (one per approval or resume with a limit).
    LEFT JOIN (SELECT "budgetId", "periodStart", "itemKey", sum("extraUsd") AS extra FROM "BudgetAllowance" WHERE "orgId" = $1 GROUP BY 1, 2, 3) al
           ON al."budgetId" = c."budgetId" AND al."periodStart" = c."periodStart" AND al."itemKey" = c."itemKey"
   CROSS JOIN LATERAL (SELECT b."amountUsd" + coalesce(al.extra, 0) AS amount) lim
   WHERE c.calls > 0
) x WHERE rn <= ${TOP_ITEMS} ORDER BY "budgetId", rn`;

// Each budget's latest alerts, any period, and how many were sent in its current period ($3, aligned
// with the budget ids in $2) — counted in the same statement, so the count and the list shown beside
// it never disagree while an alert is being recorded.
const ALERTS_SQL = `
SELECT id, "budgetId", "createdAt", threshold, kind, notified, "spentUsd", "limitUsd", "itemKey", "periodStart", "projectedAt", "sentThisPeriod" FROM (
  SELECT a.id, a."budgetId", a."createdAt", a.threshold, a.kind::text AS kind, a.notified, a."spentUsd"::text AS "spentUsd",
         a."limitUsd"::text AS "limitUsd", a."itemKey", a."periodStart", a."projectedAt",
         row_number() OVER (PARTITION BY a."budgetId" ORDER BY a."createdAt" DESC, a.threshold DESC, a.id) AS rn,
         count(*) FILTER (WHERE a.notified AND a."periodStart" = k.ps) OVER (PARTITION BY a."budgetId")::int AS "sentThisPeriod"
    FROM "BudgetAlert" a
    JOIN unnest($2::text[], $3::timestamptz[]) AS k(id, ps) ON a."budgetId" = k.id
   WHERE a."orgId" = $1
) x WHERE rn <= ${RECENT_ALERTS} ORDER BY "budgetId", rn`;

export async function budgetsOverview(orgId: string, now = new Date()): Promise<TBudgetsPage> {
  const db = pool();
  const [active, archived, people, org] = await Promise.all([
    db.query<TRow>(BUDGETS_SQL, [orgId, now, true, 10_000]),
    db.query<TRow>(BUDGETS_SQL, [orgId, now, false, ARCHIVED_SHOWN]),
    db.query<{ email: string }>(
      `SELECT u.email FROM "Membership" m JOIN "User" u ON u.id = m."userId"
        WHERE m."orgId" = $1 AND m.role IN ('OWNER', 'ADMIN') AND u.email IS NOT NULL ORDER BY u.email`,
      [orgId],
    ),
    db.query<{ timezone: string }>(`SELECT timezone FROM "Organization" WHERE id = $1`, [orgId]),
  ]);
  const perItem = active.rows.filter((r) => isPerItem(r.scope, r.scopeValue));
  const [items, alerts] = await Promise.all([
    perItem.length
      ? db.query<{ budgetId: string; itemKey: string; spentUsd: string; limitUsd: string; calls: string; unpricedCalls: string }>(TOP_ITEMS_SQL, [
          orgId,
          perItem.map((r) => r.id),
          perItem.map((r) => r.periodStart),
        ])
      : { rows: [] },
    active.rows.length
      ? db.query<{
          id: string;
          budgetId: string;
          createdAt: Date;
          threshold: number;
          kind: "ACTUAL" | "FORECAST";
          notified: boolean;
          spentUsd: string;
          limitUsd: string;
          itemKey: string;
          periodStart: Date;
          projectedAt: Date | null;
          sentThisPeriod: number;
        }>(ALERTS_SQL, [orgId, active.rows.map((r) => r.id), active.rows.map((r) => r.periodStart)])
      : { rows: [] },
  ]);
  const ownersAndAdmins = people.rows.map((p) => p.email.toLowerCase());
  const topByBudget = groupBy(items.rows, (r) => r.budgetId);
  const alertsByBudget = groupBy(alerts.rows, (r) => r.budgetId);

  const budgets = active.rows.map((row): TBudgetOverview => {
    const target = targetOf(row);
    const spent = row.spentUsd;
    const fullest = target.perItem ? row.topItemUsd : spent;
    const fullestLimit = target.perItem ? row.topItemLimitUsd : row.amountUsd;
    const percent = percentOf(fullest, fullestLimit);
    const state = budgetState(fullest, fullestLimit, row.thresholds);
    const { burnUsdPerDay, projection, projectionNote } = rates(row, target.perItem, now);
    return {
      id: row.id,
      name: row.name ?? defaultBudgetName(row.scope, target.scope === "ORG" ? null : nameLabel(row, target)),
      customName: row.name,
      target,
      amountUsd: formatUsd(row.amountUsd),
      period: row.period,
      periodStart: row.periodStart.toISOString(),
      periodEnd: row.periodEnd ? row.periodEnd.toISOString() : null,
      enforcement: row.enforcement,
      thresholds: row.thresholds,
      forecastAlerts: row.forecastAlerts,
      recipients: {
        explicit: row.recipients,
        defaults: row.recipients.length ? [] : [...new Set([...ownersAndAdmins, ...(row.costCenterOwner ? [row.costCenterOwner.toLowerCase()] : [])])].sort(),
      },
      webhook: row.webhookUrl
        ? { url: row.webhookUrl, shown: redactWebhookUrl(row.webhookUrl), source: "budget" }
        : row.orgWebhookUrl
          ? { url: row.orgWebhookUrl, shown: redactWebhookUrl(row.orgWebhookUrl), source: "org" }
          : null,
      spentUsd: formatUsd(spent),
      calls: Number(row.calls),
      unpricedCalls: Number(row.unpricedCalls),
      percent,
      state,
      burnUsdPerDay,
      projection,
      projectionNote,
      items: target.perItem
        ? {
            withCalls: Number(row.withCalls),
            over: Number(row.over),
            top: (topByBudget.get(row.id) ?? []).map((i) => ({
              item: i.itemKey,
              spentUsd: formatUsd(i.spentUsd),
              limitUsd: formatUsd(i.limitUsd),
              percent: percentOf(i.spentUsd, i.limitUsd),
              state: budgetState(i.spentUsd, i.limitUsd, row.thresholds),
              calls: Number(i.calls),
              unpricedCalls: Number(i.unpricedCalls),
            })),
          }
        : null,
      alerts: {
        recent: (alertsByBudget.get(row.id) ?? []).map((a) => ({
          id: a.id,
          createdAt: a.createdAt.toISOString(),
          threshold: a.threshold,
          kind: a.kind,
          notified: a.notified,
          spentUsd: formatUsd(a.spentUsd),
          limitUsd: formatUsd(a.limitUsd),
          item: target.scope === "TASK" || target.scope === "EXECUTION" ? a.itemKey || null : null,
          periodStart: a.periodStart.toISOString(),
          projectedAt: a.projectedAt ? a.projectedAt.toISOString() : null,
        })),
        sentThisPeriod: alertsByBudget.get(row.id)?.[0]?.sentThisPeriod ?? 0,
      },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  });
  budgets.sort((a, b) => SEVERITY[b.state] - SEVERITY[a.state] || a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id));

  return {
    active: budgets,
    archived: archived.rows.map((row) => {
      const target = targetOf(row);
      return {
        id: row.id,
        name: row.name ?? defaultBudgetName(row.scope, target.scope === "ORG" ? null : nameLabel(row, target)),
        customName: row.name,
        target,
        amountUsd: formatUsd(row.amountUsd),
        period: row.period,
        enforcement: row.enforcement,
        thresholds: row.thresholds,
        createdAt: row.createdAt.toISOString(),
        archivedAt: row.archivedAt!.toISOString(),
      };
    }),
    timezone: org.rows[0]?.timezone ?? "UTC",
    now: now.toISOString(),
  };
}

const SEVERITY: Record<TBudgetState, number> = { ok: 0, warning: 1, exceeded: 2 };

// spent ÷ amount in percent, one decimal (half-even), exact until then.
export function percentOf(spentUsd: string, amountUsd: string): number {
  const amount = new Decimal(amountUsd);
  if (amount.isZero()) return 0;
  return new Decimal(spentUsd).times(100).div(amount).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toNumber();
}

function rates(
  row: Pick<TRow, "period" | "periodStart" | "periodEnd" | "spentUsd" | "amountUsd">,
  perItem: boolean,
  now: Date,
): Pick<TBudgetOverview, "burnUsdPerDay" | "projection" | "projectionNote"> {
  if (row.period === "TOTAL" || !row.periodEnd) return { burnUsdPerDay: null, projection: null, projectionNote: "total" };
  const elapsed = Math.min(now.getTime(), row.periodEnd.getTime()) - row.periodStart.getTime();
  const burn = elapsed > 0 ? new Decimal(row.spentUsd).times(DAY_MS).div(elapsed).toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN).toFixed() : "0";
  // Each task / execution has the whole amount: the sum over them projects nothing about any one.
  if (perItem) return { burnUsdPerDay: formatUsd(burn), projection: null, projectionNote: "per_item" };
  const p = projectPeriodEnd({ period: row.period, periodStart: row.periodStart, periodEnd: row.periodEnd, spentUsd: row.spentUsd, amountUsd: row.amountUsd, now });
  if (!p) return { burnUsdPerDay: formatUsd(burn), projection: null, projectionNote: "too_early" };
  return {
    burnUsdPerDay: formatUsd(p.burnUsdPerDay),
    projection: {
      projectedUsd: formatUsd(p.projectedUsd),
      percent: percentOf(p.projectedUsd, row.amountUsd),
      over: new Decimal(p.projectedUsd).gte(row.amountUsd),
      breachAt: p.breachAt ? p.breachAt.toISOString() : null,
    },
    projectionNote: null,
  };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) out.set(key(row), [...(out.get(key(row)) ?? []), row]);
  return out;
}

// The choices the budget form offers (active teams and cost centers, keys not revoked).
export async function budgetFormOptions(orgId: string) {
  const db = pool();
  const [teams, costCenters, keys] = await Promise.all([
    db.query<{ id: string; slug: string; name: string }>(`SELECT id, slug, name FROM "Team" WHERE "orgId" = $1 AND "archivedAt" IS NULL ORDER BY slug`, [orgId]),
    db.query<{ id: string; code: string; name: string }>(`SELECT id, code, name FROM "CostCenter" WHERE "orgId" = $1 AND "archivedAt" IS NULL ORDER BY code`, [orgId]),
    db.query<{ id: string; prefix: string; name: string }>(`SELECT id, prefix, name FROM "VirtualKey" WHERE "orgId" = $1 AND "revokedAt" IS NULL ORDER BY name, prefix`, [orgId]),
  ]);
  return { teams: teams.rows, costCenters: costCenters.rows, keys: keys.rows };
}
export type TBudgetFormOptions = Awaited<ReturnType<typeof budgetFormOptions>>;
