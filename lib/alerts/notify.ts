import { createHash } from "node:crypto";
import type pg from "pg";
import { kickOutbox } from "../email/outbox";
import { prepareEmail } from "../email/templates/registry";
import { ZAlertEvent, type TAlertEvent } from "./notice";
import { slackMessage } from "./slack";
import { isSlackWebhookUrl } from "./webhook-target";
import { kickWebhooks } from "./webhooks";

// The one door from an alert to its channels, for the code that records alerts (lib/budgets: in the
// ingest transaction, and in the sweep job). Everything is written through the caller's client, so
// the emails and the webhook commit with the BudgetAlert row or not at all; a crash between COMMIT
// and kickAlertDeliveries() loses nothing (the job tick sends what a kick did not).
//
//   await client.query("BEGIN");
//   … INSERT INTO "BudgetAlert" … RETURNING id   (the event's id)
//   await queueAlertNotifications(client, event, { emails, webhookUrl });
//   await client.query("COMMIT");
//   kickAlertDeliveries();
//
// Exactly once: one EmailOutbox row per (alert, recipient) and one WebhookDelivery per (alert, URL),
// each under a unique idempotency key with ON CONFLICT DO NOTHING — calling this twice for the same
// alert (a retried transaction, the sweep finding what ingest already queued) queues nothing more.
// Bad channel data never fails the caller: an address Resend refuses or a URL the sender may not
// call becomes a FAILED delivery on the alerts page. A malformed event (a bug) throws.

export type TAlertChannels = { emails: string[]; webhookUrl: string | null };

// Resend takes idempotency keys of at most 256 characters; a long address is named by its hash.
export const keyOf = (prefix: string, value: string) => {
  const key = `${prefix}/${value}`;
  return key.length <= 256 ? key : `${prefix}/sha256:${createHash("sha256").update(value).digest("hex")}`;
};
export const alertEmailKey = (alertId: string, email: string) => keyOf(`alert/${alertId}`, email);
export const alertWebhookKey = (alertId: string, url: string) => keyOf(`alert/${alertId}`, url);

// Trimmed, lower-cased, each once: "Ada@x.com" and "ada@x.com " are one recipient.
export function alertRecipients(emails: readonly string[]): string[] {
  return [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
}

// The body a URL receives, fixed when the alert is queued (the row keeps it, exactly as sent and
// signed on every attempt): the event's JSON, or Slack's message format for a Slack URL.
export function webhookBody(event: TAlertEvent, url: string, timezone: string): string {
  return JSON.stringify(isSlackWebhookUrl(url) ? slackMessage(event, timezone) : event);
}

export async function queueAlertNotifications(db: pg.PoolClient, event: TAlertEvent, channels: TAlertChannels): Promise<void> {
  const parsed = ZAlertEvent.parse(event);
  const { rows } = await db.query<{ orgId: string; timezone: string }>(
    `SELECT a."orgId", o.timezone FROM "BudgetAlert" a JOIN "Organization" o ON o.id = a."orgId" WHERE a.id = $1`,
    [parsed.id],
  );
  if (!rows[0]) throw new Error(`queueAlertNotifications: no BudgetAlert ${parsed.id} (insert the alert first, in the same transaction)`);
  const { orgId, timezone } = rows[0];

  const recipients = alertRecipients(channels.emails);
  if (recipients.length > 0) {
    // Validates the payload against the template now: a payload that cannot render fails here,
    // in the transaction, not later in the sender.
    const { subject, payload } = prepareEmail("budget-alert", { timezone, event: parsed });
    await db.query(
      `INSERT INTO "EmailOutbox" (id, "orgId", "alertId", "to", subject, template, payload, "idempotencyKey")
       SELECT gen_random_uuid()::text, $1, $2, ARRAY[r.address], $3, 'budget-alert', $4::jsonb, r.key
       FROM unnest($5::text[], $6::text[]) AS r(address, key)
       ON CONFLICT ("idempotencyKey") DO NOTHING`,
      [orgId, parsed.id, subject, JSON.stringify(payload), recipients, recipients.map((r) => alertEmailKey(parsed.id, r))],
    );
  }

  const url = channels.webhookUrl?.trim();
  if (url) {
    await db.query(
      `INSERT INTO "WebhookDelivery" (id, "orgId", "alertId", url, body, "idempotencyKey")
       VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5)
       ON CONFLICT ("idempotencyKey") DO NOTHING`,
      [orgId, parsed.id, url, webhookBody(parsed, url, timezone), alertWebhookKey(parsed.id, url)],
    );
  }
}

// After COMMIT: sends what was queued from this process at once (both senders coalesce kicks and
// never reject). Safe to call when nothing was queued.
export function kickAlertDeliveries(): void {
  void kickOutbox();
  void kickWebhooks();
}
