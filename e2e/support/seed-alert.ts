// Records a budget alert the way lib/budgets will (the budgets UI is another issue's): a budget on
// team "platform", its alert, the alert's emails and webhook through queueAlertNotifications in one
// transaction, then kicks the senders in this process and waits for them. Run with the e2e
// environment (e2e/support/alerts.ts); prints {"alertId": …} on its last line.
//   node --import tsx e2e/support/seed-alert.ts <org-slug> '<json options>'
import { kickAlertDeliveries, queueAlertNotifications } from "../../lib/alerts/notify";
import { kickWebhooks } from "../../lib/alerts/webhooks";
import { closeDb, pool, prisma } from "../../lib/db";
import { prepareDatabase } from "../../lib/db/bootstrap";
import { kickOutbox } from "../../lib/email/outbox";
import { insertTestAlert } from "../../lib/testing/alerts";

type TOptions = {
  budgetName: string;
  threshold: number;
  spentUsd: string;
  limitUsd: string;
  emails: string[];
  webhookUrl: string | null;
  minutesAgo?: number;
  // Lower thresholds passed in the same jump: recorded with notified = false, no message.
  silent?: number[];
  // Addresses the provider refuses (there is no Resend here: the e2e server captures email, so a
  // refusal is recorded as the outbox records Resend's 422 for an invalid address).
  refused?: string[];
};

// With DATABASE_URL unset (CI, a fresh machine) the e2e server runs an embedded Postgres in
// .data/e2e; join it as the admin CLI does rather than assume a URL.
const database = await prepareDatabase({ log: () => undefined });
const [slug, raw] = process.argv.slice(2);
const options = JSON.parse(raw) as TOptions;
const org = await prisma().organization.findUniqueOrThrow({ where: { slug } });
const team = await prisma().team.findFirstOrThrow({ where: { orgId: org.id, slug: "platform" } });
const client = await pool().connect();
let alertId: string;
try {
  await client.query("BEGIN");
  const alert = await insertTestAlert(client, {
    org,
    budgetName: options.budgetName,
    scope: "TEAM",
    scopeValue: team.id,
    scopeLabel: team.slug,
    // November 2026 as Europe/Berlin draws it (the spec's org zone).
    period: { start: new Date("2026-10-31T23:00:00Z"), end: new Date("2026-11-30T23:00:00Z") },
    threshold: options.threshold,
    spentUsd: options.spentUsd,
    limitUsd: options.limitUsd,
    createdAt: new Date(Date.now() - (options.minutesAgo ?? 0) * 60_000),
    appUrl: process.env.APP_URL,
  });
  alertId = alert.alertId;
  for (const threshold of options.silent ?? []) {
    await client.query(
      `INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, "spentUsd", "limitUsd", notified, "createdAt")
       SELECT id || '-' || $2::text, "orgId", "budgetId", "periodStart", "itemKey", $2::int, kind, "spentUsd", "limitUsd", false, "createdAt" FROM "BudgetAlert" WHERE id = $1`,
      [alert.alertId, threshold],
    );
  }
  await queueAlertNotifications(client, { ...alert.event, also_passed_percent: options.silent ?? [] }, { emails: options.emails, webhookUrl: options.webhookUrl });
  await client.query("COMMIT");
} finally {
  client.release();
}
for (const address of options.refused ?? []) {
  await prisma().emailOutbox.updateMany({
    where: { alertId, to: { has: address } },
    data: { status: "FAILED", attempts: 1, lastError: "Resend refused the email: Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format." },
  });
}
kickAlertDeliveries();
await Promise.all([kickOutbox(), kickWebhooks()]);
console.log(JSON.stringify({ alertId }));
await closeDb();
await database.stop();
