import { randomBytes } from "node:crypto";
import type { TOrgAccess } from "../auth/membership";
import { recordAudit } from "../audit/log";
import { prisma } from "../db";
import { invalid, notFound } from "../errors";
import { webhookBody } from "./notify";
import type { TAlertEvent } from "./notice";
import { newWebhookSecret } from "./signature";
import { postWebhook, WebhookRequestError } from "./webhook-http";
import { ensureWebhookSecret } from "./webhook-secret";
import { isSlackWebhookUrl, redactWebhookUrl, webhookPolicy, webhookUrlProblem } from "./webhook-target";
import { webhookHeaders, WEBHOOK_POLICY } from "./webhooks";

// The org's alert settings (the settings page): the default webhook URL for budgets that name none,
// its signing secret, and a test POST. Callers check the role (lib/alerts/actions.ts); these check
// the data.

export type TAlertSettings = { webhookUrl: string | null; hasSecret: boolean; slack: boolean };

export async function alertSettings(orgId: string): Promise<TAlertSettings> {
  const org = await prisma().organization.findUnique({ where: { id: orgId }, select: { alertWebhookUrl: true, webhookSecret: true } });
  if (!org) throw notFound("No such organization.");
  return { webhookUrl: org.alertWebhookUrl, hasSecret: org.webhookSecret !== null, slack: !!org.alertWebhookUrl && isSlackWebhookUrl(org.alertWebhookUrl) };
}

// Sets (or, with null / "", clears) the default webhook. The audit keeps the URLs redacted: a Slack
// URL's last segment is a credential, and every member reads the audit log.
export async function setAlertWebhookUrl(access: TOrgAccess, raw: string | null): Promise<TAlertSettings> {
  const url = raw?.trim() || null;
  if (url) {
    const problem = webhookUrlProblem(url);
    if (problem) throw invalid(`The webhook URL ${problem}.`, [{ path: "url", message: problem }]);
  }
  await prisma().$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ url: string | null }[]>`
      SELECT "alertWebhookUrl" AS url FROM "Organization" WHERE id = ${access.org.id} FOR UPDATE`;
    if ((before?.url ?? null) === url) return;
    await tx.organization.update({ where: { id: access.org.id }, data: { alertWebhookUrl: url } });
    await recordAudit(tx, {
      orgId: access.org.id,
      actorId: access.userId,
      action: "webhook.url_changed",
      targetType: "Organization",
      targetId: access.org.id,
      details: { from: before?.url ? redactWebhookUrl(before.url) : null, to: url ? redactWebhookUrl(url) : null },
    });
  });
  return alertSettings(access.org.id);
}

// The secret a receiver verifies with; made now if this org has none yet (first use).
export async function revealWebhookSecret(access: TOrgAccess): Promise<string> {
  return ensureWebhookSecret(access.org.id);
}

// A new secret at once: every delivery from now on is signed with it (a receiver still holding the
// old one refuses them until it is updated — the page says so before asking to confirm).
export async function rotateWebhookSecret(access: TOrgAccess): Promise<string> {
  const secret = newWebhookSecret();
  await prisma().$transaction(async (tx) => {
    await tx.organization.update({ where: { id: access.org.id }, data: { webhookSecret: secret } });
    await recordAudit(tx, { orgId: access.org.id, actorId: access.userId, action: "webhook.secret_rotated", targetType: "Organization", targetId: access.org.id });
  });
  return secret;
}

export type TTestWebhookResult = { url: string; status: number | null; ok: boolean; ms: number; answer: string | null; error: string | null };

// What a test POST carries: a made-up alert in the org's name, its id starting with "test_".
export function sampleAlertEvent(org: { slug: string; name: string }, appUrl: string, now = new Date()): TAlertEvent {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return {
    id: `test_${randomBytes(8).toString("hex")}`,
    type: "budget.threshold_reached",
    created_at: now.toISOString(),
    org: { slug: org.slug, name: org.name },
    budget: {
      id: "test_budget",
      name: "Example (test from Burnrate settings)",
      scope: "team",
      scope_value: "platform",
      item: null,
      period: "month",
      period_start: start.toISOString(),
      period_end: end.toISOString(),
      limit_usd: "100.00",
      enforcement: "alert",
    },
    threshold_percent: 80,
    also_passed_percent: [50],
    spent_usd: "85.00",
    percent: 85,
    projected_usd: "120.00",
    projected_breach_at: null,
    top_executions: [{ id: "example-run-1", agent: "example-agent", cost_usd: "12.34" }],
    top_drivers: [{ kind: "agent", name: "example-agent", cost_usd: "60.00" }],
    dashboard_url: `${appUrl}/${org.slug}/alerts`,
  };
}

// POSTs a sample event to the saved URL now, signed like every delivery, and tells what came back.
// Not queued, not retried: a person is waiting for the answer.
export async function sendTestWebhook(access: TOrgAccess, appUrl: string): Promise<TTestWebhookResult> {
  const org = await prisma().organization.findUnique({ where: { id: access.org.id }, select: { alertWebhookUrl: true, timezone: true } });
  const url = org?.alertWebhookUrl;
  if (!url) throw invalid("Save a webhook URL first.", [{ path: "url", message: "no webhook URL saved" }]);
  const event = sampleAlertEvent(access.org, appUrl);
  const body = webhookBody(event, url, org.timezone);
  const secret = isSlackWebhookUrl(url) ? null : await ensureWebhookSecret(access.org.id);
  const headers = webhookHeaders({ deliveryId: event.id, eventType: event.type, body, secret });
  const started = performance.now();
  try {
    const response = await postWebhook(url, body, headers, { timeoutMs: WEBHOOK_POLICY.timeoutMs, maxResponseBytes: 1024, policy: webhookPolicy() });
    const ok = response.status >= 200 && response.status < 300;
    return { url: redactWebhookUrl(url), status: response.status, ok, ms: response.ms, answer: response.excerpt.slice(0, 200) || null, error: null };
  } catch (err) {
    const message = err instanceof WebhookRequestError ? err.message : "The request failed";
    if (!(err instanceof WebhookRequestError)) console.error("[webhooks] test POST failed:", err);
    return { url: redactWebhookUrl(url), status: null, ok: false, ms: Math.round(performance.now() - started), answer: null, error: message };
  }
}
