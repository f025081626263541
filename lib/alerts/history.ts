import type { TOrgAccess } from "../auth/membership";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { kickOutbox } from "../email/outbox";
import { conflict, notFound } from "../errors";
import type { BudgetScope, OutboxStatus } from "../generated/prisma/enums";
import { defaultBudgetName } from "../budgets/names";
import { itemLabel, scopeLabel } from "./format";
import type { TAlertEvent } from "./notice";
import { kickWebhooks } from "./webhooks";
import { redactWebhookUrl } from "./webhook-target";

// The alerts page: every alert of the org, newest first, with what became of each of its emails and
// webhooks — and resending one that failed.

// Keyset pagination by (createdAt, id), as the audit log: alerts recorded in one transaction share
// a millisecond and are neither skipped nor repeated between pages.
export type TAlertCursor = { createdAt: Date; id: string };

export function encodeAlertCursor(entry: TAlertCursor): string {
  return `${entry.createdAt.toISOString()}_${entry.id}`;
}

export function decodeAlertCursor(raw: unknown): TAlertCursor | undefined {
  if (typeof raw !== "string") return undefined;
  const at = raw.indexOf("_");
  if (at < 0) return undefined;
  const createdAt = new Date(raw.slice(0, at));
  const id = raw.slice(at + 1);
  if (Number.isNaN(createdAt.getTime()) || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) return undefined;
  return { createdAt, id };
}

// A budget id from a page's URL (?budget=…): ids are cuid / uuid text; anything else is no filter.
export function decodeBudgetFilter(raw: unknown): string | undefined {
  return typeof raw === "string" && /^[A-Za-z0-9_-]{1,128}$/.test(raw) ? raw : undefined;
}

// queued: waiting for its first attempt; retrying: an attempt failed and another is due; sent; failed.
export type TDeliveryState = "queued" | "retrying" | "sent" | "failed";

export function deliveryState(row: { status: OutboxStatus; lastError: string | null }): TDeliveryState {
  if (row.status === "SENT") return "sent";
  if (row.status === "FAILED") return "failed";
  return row.lastError ? "retrying" : "queued";
}

export type TAlertDelivery = {
  channel: "email" | "webhook";
  id: string;
  // The address, or the URL as every member may see it (secrets in the path and query masked).
  target: string;
  state: TDeliveryState;
  attempts: number;
  // Resend's message id (email) or the receiver's HTTP status (webhook).
  providerId: string | null;
  responseStatus: number | null;
  lastError: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date | null;
};

export type TAlertRow = {
  id: string;
  createdAt: Date;
  kind: "threshold" | "forecast";
  threshold: number;
  spentUsd: string;
  limitUsd: string;
  // spent / limit × 100, one decimal.
  percent: number;
  notified: boolean;
  // For an alert recorded but not sent (notified = false): the higher threshold whose message told of
  // it, when that alert is on the same page; null otherwise (or when none: a carried-over threshold).
  passedWith: number | null;
  periodStart: Date;
  projectedAt: Date | null;
  budget: { id: string; name: string; scope: string; archived: boolean };
  item: string | null;
  deliveries: TAlertDelivery[];
};

const SCOPE: Record<BudgetScope, TAlertEvent["budget"]["scope"]> = {
  ORG: "org",
  TEAM: "team",
  COST_CENTER: "cost_center",
  KEY: "key",
  AGENT: "agent",
  USER: "user",
  MODEL: "model",
  TASK: "task",
  EXECUTION: "execution",
};

const plain = (value: { toFixed: () => string }) => value.toFixed();

// One page of alerts, and the cursor of the next page (null on the last one). Alerts recorded in one
// transaction (one moment) are shown loudest first: the one that was sent, then those it covered.
// `budgetId`: only that budget's alerts (a budget card's "all alerts" link).
export async function listAlerts(
  orgId: string,
  options: { limit?: number; before?: TAlertCursor; budgetId?: string } = {},
): Promise<{ rows: TAlertRow[]; next: TAlertCursor | null }> {
  const { before, budgetId } = options;
  const limit = options.limit ?? 50;
  const alerts = await prisma().budgetAlert.findMany({
    where: {
      orgId,
      ...(budgetId ? { budgetId } : {}),
      ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    include: { budget: { select: { id: true, name: true, scope: true, scopeValue: true, archivedAt: true } } },
  });
  const last = alerts.at(-1);
  const next = alerts.length === limit && last ? { createdAt: last.createdAt, id: last.id } : null;
  if (alerts.length === 0) return { rows: [], next };
  const ids = alerts.map((a) => a.id);
  const valuesOf = (scope: BudgetScope) => [...new Set(alerts.filter((a) => a.budget.scope === scope).map((a) => a.budget.scopeValue))];
  const [emails, webhooks, teams, costCenters, keys] = await Promise.all([
    prisma().emailOutbox.findMany({
      where: { orgId, alertId: { in: ids } },
      select: { id: true, alertId: true, to: true, status: true, attempts: true, lastError: true, providerId: true, sentAt: true, nextAttemptAt: true },
      orderBy: { createdAt: "asc" },
    }),
    prisma().webhookDelivery.findMany({
      where: { orgId, alertId: { in: ids } },
      select: { id: true, alertId: true, url: true, status: true, attempts: true, lastError: true, responseStatus: true, sentAt: true, nextAttemptAt: true },
      orderBy: { createdAt: "asc" },
    }),
    prisma().team.findMany({ where: { orgId, id: { in: valuesOf("TEAM") } }, select: { id: true, slug: true } }),
    prisma().costCenter.findMany({ where: { orgId, id: { in: valuesOf("COST_CENTER") } }, select: { id: true, code: true } }),
    prisma().virtualKey.findMany({ where: { orgId, id: { in: valuesOf("KEY") } }, select: { id: true, prefix: true } }),
  ]);
  // Budgets name teams, cost centers and keys by id: shown as people know them (slug, code, prefix).
  const names = new Map<string, string>([...teams.map((t) => [t.id, t.slug] as const), ...costCenters.map((c) => [c.id, c.code] as const), ...keys.map((k) => [k.id, k.prefix] as const)]);
  const byAlert = new Map<string, TAlertDelivery[]>();
  const add = (alertId: string | null, delivery: TAlertDelivery) => {
    if (!alertId) return;
    byAlert.set(alertId, [...(byAlert.get(alertId) ?? []), delivery]);
  };
  for (const e of emails) {
    add(e.alertId, {
      channel: "email",
      id: e.id,
      target: e.to.join(", "),
      state: deliveryState(e),
      attempts: e.attempts,
      providerId: e.providerId,
      responseStatus: null,
      lastError: e.lastError,
      sentAt: e.sentAt,
      nextAttemptAt: e.status === "PENDING" ? e.nextAttemptAt : null,
    });
  }
  for (const w of webhooks) {
    add(w.alertId, {
      channel: "webhook",
      id: w.id,
      target: redactWebhookUrl(w.url),
      state: deliveryState(w),
      attempts: w.attempts,
      providerId: null,
      responseStatus: w.responseStatus,
      lastError: w.lastError,
      sentAt: w.sentAt,
      nextAttemptAt: w.status === "PENDING" ? w.nextAttemptAt : null,
    });
  }
  // The alert that told of a silent one: same budget, period, item, kind and epoch, a higher
  // threshold, recorded in the same transaction (the same moment).
  const passedWith = (a: (typeof alerts)[number]) =>
    alerts.find(
      (o) =>
        o.notified &&
        o.budgetId === a.budgetId &&
        o.periodStart.getTime() === a.periodStart.getTime() &&
        o.itemKey === a.itemKey &&
        o.kind === a.kind &&
        o.epoch === a.epoch &&
        o.threshold > a.threshold &&
        o.createdAt.getTime() === a.createdAt.getTime(),
    )?.threshold ?? null;
  // Emails of one alert were queued together: by address, then webhooks.
  for (const list of byAlert.values()) list.sort((x, y) => (x.channel === y.channel ? x.target.localeCompare(y.target) : x.channel === "email" ? -1 : 1));
  const rows = alerts.map((a): TAlertRow => {
    const scope = SCOPE[a.budget.scope];
    const rawValue = a.budget.scopeValue;
    const scopeValue = scope === "org" ? null : (names.get(rawValue) ?? rawValue);
    const limit = a.limitUsd;
    const percent = limit.isZero() ? 0 : a.spentUsd.div(limit).mul(100).toDecimalPlaces(1).toNumber();
    return {
      id: a.id,
      createdAt: a.createdAt,
      kind: a.kind === "FORECAST" ? "forecast" : "threshold",
      threshold: a.threshold,
      spentUsd: plain(a.spentUsd),
      limitUsd: plain(limit),
      percent,
      notified: a.notified,
      passedWith: a.notified ? null : passedWith(a),
      periodStart: a.periodStart,
      projectedAt: a.projectedAt,
      budget: { id: a.budget.id, name: a.budget.name ?? defaultBudgetName(a.budget.scope, scopeValue), scope: scopeLabel({ scope, scope_value: scopeValue }), archived: a.budget.archivedAt !== null },
      item: a.itemKey ? itemLabel({ scope, item: a.itemKey }) : null,
      deliveries: byAlert.get(a.id) ?? [],
    };
  });
  rows.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || Number(y.notified) - Number(x.notified) || y.threshold - x.threshold);
  return { rows, next };
}

// Puts a FAILED alert delivery back in the queue to be sent once more, with a fresh set of attempts.
// It keeps its idempotency key and id: a delivery that failed was, as far as we know, never taken —
// Resend keys idempotency on emails it sent (for 24 h), so the same key sends it now; and if an
// earlier attempt did get through unseen (an answer lost to a timeout), the same key makes Resend
// answer that first email instead of sending a second, and the same Burnrate-Delivery id lets a
// webhook receiver drop the repeat. A new key would trade that for a possible duplicate.
// Fenced on status FAILED: two people clicking at once re-queue it once; the second is told.
export async function resendDelivery(access: TOrgAccess, input: { channel: "email" | "webhook"; id: string }): Promise<{ target: string }> {
  const orgId = access.org.id;
  const target = await prisma().$transaction(async (tx) => {
    let found: { target: string; lastError: string | null; alertId: string | null } | null;
    let requeued: number;
    if (input.channel === "email") {
      const row = await tx.emailOutbox.findFirst({ where: { id: input.id, orgId, alertId: { not: null } }, select: { to: true, lastError: true, alertId: true } });
      found = row && { target: row.to.join(", "), lastError: row.lastError, alertId: row.alertId };
      ({ count: requeued } = await tx.emailOutbox.updateMany({
        where: { id: input.id, orgId, alertId: { not: null }, status: "FAILED" },
        data: { status: "PENDING", attempts: 0, nextAttemptAt: new Date(), lastError: null },
      }));
    } else {
      const row = await tx.webhookDelivery.findFirst({ where: { id: input.id, orgId }, select: { url: true, lastError: true, alertId: true } });
      found = row && { target: redactWebhookUrl(row.url), lastError: row.lastError, alertId: row.alertId };
      ({ count: requeued } = await tx.webhookDelivery.updateMany({
        where: { id: input.id, orgId, status: "FAILED" },
        data: { status: "PENDING", attempts: 0, nextAttemptAt: new Date(), lastError: null, responseStatus: null },
      }));
    }
    if (!found) throw notFound("No such alert delivery.");
    if (requeued !== 1) throw conflict("Only a failed delivery can be resent; this one is queued or already sent.");
    await recordAudit(tx, {
      orgId,
      actorId: access.userId,
      action: "alert.delivery_resent",
      targetType: input.channel === "email" ? "EmailOutbox" : "WebhookDelivery",
      targetId: input.id,
      details: { channel: input.channel, to: found.target, alertId: found.alertId, previousError: found.lastError?.slice(0, 300) ?? null },
    });
    return found.target;
  });
  if (input.channel === "email") void kickOutbox();
  else void kickWebhooks();
  return { target };
}
