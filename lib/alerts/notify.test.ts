import { afterAll, describe, expect, test } from "vitest";
import { closeDb, pool, prisma } from "../db";
import { renderTemplate } from "../email/templates/registry";
import { insertTestAlert, type TTestAlertOptions } from "../testing/alerts";
import { createTestOrg } from "../testing/fixtures";
import { createPrivateDatabase } from "../testing/private-database";
import { alertEmailKey, alertWebhookKey, queueAlertNotifications } from "./notify";
import { treatAsSlackForTests } from "./webhook-target";

// queueAlertNotifications runs inside the caller's transaction on a pg client (the ingest
// transaction): what it writes commits or rolls back with the alert, and is written once per
// alert and channel however often it is called.

// The rows queued here stay queued: a database of this file's own, so no other file's sender (a
// sign-in test timing its magic link) has to send them first.
const database = await createPrivateDatabase("alert-notify");
afterAll(async () => {
  await closeDb();
  await database.drop();
});

// A port nothing listens on: if another file's sender ever picks these rows up, they go nowhere.
const HOOK = "http://127.0.0.1:9/hooks/burnrate";

async function inTransaction<T>(run: (client: import("pg").PoolClient) => Promise<T>, outcome: "COMMIT" | "ROLLBACK" = "COMMIT"): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const result = await run(client);
    await client.query(outcome);
    return result;
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
}

async function newOrg(timezone = "Europe/Berlin") {
  const { org } = await createTestOrg({ timezone });
  return { id: org.id, slug: org.slug, name: org.name };
}

const emailsOf = (alertId: string) => prisma().emailOutbox.findMany({ where: { alertId }, orderBy: { idempotencyKey: "asc" } });
const webhooksOf = (alertId: string) => prisma().webhookDelivery.findMany({ where: { alertId } });

describe("queueAlertNotifications", () => {
  test("rolled back with the alert: no alert, no email, no webhook is left", async () => {
    const org = await newOrg();
    const alertId = await inTransaction(async (client) => {
      const { alertId, event } = await insertTestAlert(client, { org });
      await queueAlertNotifications(client, event, { emails: ["lead@example.test", "finance@example.test"], webhookUrl: HOOK });
      // Inside the transaction the rows are there…
      expect((await client.query(`SELECT count(*)::int AS n FROM "EmailOutbox" WHERE "alertId" = $1`, [alertId])).rows[0].n).toBe(2);
      expect((await client.query(`SELECT count(*)::int AS n FROM "WebhookDelivery" WHERE "alertId" = $1`, [alertId])).rows[0].n).toBe(1);
      return alertId;
    }, "ROLLBACK");
    // …and after the rollback nothing is.
    expect(await prisma().budgetAlert.count({ where: { id: alertId } })).toBe(0);
    expect(await emailsOf(alertId)).toEqual([]);
    expect(await prisma().emailOutbox.count({ where: { orgId: org.id } })).toBe(0);
    expect(await prisma().webhookDelivery.count({ where: { orgId: org.id } })).toBe(0);
  });

  test("committed: one email per recipient and one webhook, exactly once when queued twice (a retried transaction, the sweep)", async () => {
    const org = await newOrg();
    const channels = { emails: ["Lead@Example.test", "finance@example.test", " lead@example.test ", ""], webhookUrl: HOOK };
    const { alertId, event } = await inTransaction(async (client) => {
      const alert = await insertTestAlert(client, { org });
      await queueAlertNotifications(client, alert.event, channels);
      // Twice in the same transaction…
      await queueAlertNotifications(client, alert.event, channels);
      return alert;
    });
    // …and again in a later one (the sweep finding what ingest already queued).
    await inTransaction((client) => queueAlertNotifications(client, event, channels));

    const emails = await emailsOf(alertId);
    expect(emails.map((e) => e.to)).toEqual([["finance@example.test"], ["lead@example.test"]]);
    for (const email of emails) {
      expect(email).toMatchObject({
        orgId: org.id,
        alertId,
        template: "budget-alert",
        subject: "[Burnrate] Platform team budget at 85% — $8.50 of $10.00 (monthly)",
        idempotencyKey: alertEmailKey(alertId, email.to[0]),
        attempts: 0,
      });
      expect(email.idempotencyKey).toBe(`alert/${alertId}/${email.to[0]}`);
      // The stored payload renders (as the outbox will), in the org's zone (the test's period is
      // November in UTC, so it ends at 01:00 in Berlin).
      const rendered = await renderTemplate(email.template, email.payload);
      expect(rendered.text).toContain("ends Dec 1, 2026, 01:00 (Europe/Berlin)");
      expect(email.payload).toMatchObject({ timezone: "Europe/Berlin", event: { id: alertId } });
    }

    const [webhook, ...more] = await webhooksOf(alertId);
    expect(more).toEqual([]);
    expect(webhook).toMatchObject({ orgId: org.id, url: HOOK, status: "PENDING", attempts: 0, idempotencyKey: `alert/${alertId}/${HOOK}` });
    expect(webhook.idempotencyKey).toBe(alertWebhookKey(alertId, HOOK));
    // The body is the event itself, as documented (snake_case, exactly the TAlertEvent).
    expect(JSON.parse(webhook.body)).toEqual(event);
  });

  test("no recipients and no URL queue nothing; a Slack URL stores Slack's message format", async () => {
    const org = await newOrg("UTC");
    const slackUrl = "http://127.0.0.1:9/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX";
    const forget = treatAsSlackForTests("127.0.0.1:9");
    try {
      const { alertId } = await inTransaction(async (client) => {
        const alert = await insertTestAlert(client, { org, budgetName: "Ops <prod> & co" });
        await queueAlertNotifications(client, alert.event, { emails: [], webhookUrl: null });
        expect((await client.query(`SELECT count(*)::int AS n FROM "EmailOutbox" WHERE "alertId" = $1`, [alert.alertId])).rows[0].n).toBe(0);
        await queueAlertNotifications(client, alert.event, { emails: [], webhookUrl: slackUrl });
        return alert;
      });
      const [webhook] = await webhooksOf(alertId);
      const body = JSON.parse(webhook.body);
      expect(body.text).toBe("Ops &lt;prod&gt; &amp; co budget at 85% — $8.50 of $10.00 (monthly)");
      expect(body.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
      expect(JSON.stringify(body.blocks)).toContain("$8.50 of $10.00 (85%)");
      expect(body.blocks.at(-1)).toMatchObject({ type: "actions", elements: [{ type: "button", url: `http://localhost:3000/${org.slug}/alerts` }] });
    } finally {
      forget();
    }
  });

  test("an address too long for Resend's 256-character key is keyed by its hash", async () => {
    const org = await newOrg();
    const long = `${"x".repeat(240)}@example.test`;
    const { alertId } = await inTransaction(async (client) => {
      const alert = await insertTestAlert(client, { org });
      await queueAlertNotifications(client, alert.event, { emails: [long], webhookUrl: null });
      return alert;
    });
    const [email] = await emailsOf(alertId);
    expect(email.to).toEqual([long]);
    expect(email.idempotencyKey).toMatch(new RegExp(`^alert/${alertId}/sha256:[0-9a-f]{64}$`));
    expect(email.idempotencyKey.length).toBeLessThanOrEqual(256);
  });

  test("an alert that is not in the transaction, or an event that is not an alert event, is a bug: it throws and the caller rolls back", async () => {
    const org = await newOrg();
    const options: TTestAlertOptions = { org };
    await expect(
      inTransaction(async (client) => {
        const { event } = await insertTestAlert(client, options);
        await queueAlertNotifications(client, { ...event, id: "no-such-alert" }, { emails: ["a@example.test"], webhookUrl: null });
      }),
    ).rejects.toThrow(/no BudgetAlert no-such-alert/);
    await expect(
      inTransaction(async (client) => {
        const { event } = await insertTestAlert(client, options);
        await queueAlertNotifications(client, { ...event, spent_usd: 8.5 } as never, { emails: ["a@example.test"], webhookUrl: HOOK });
      }),
    ).rejects.toThrow(/spent_usd/);
    expect(await prisma().budgetAlert.count({ where: { orgId: org.id } })).toBe(0);
    expect(await prisma().emailOutbox.count({ where: { orgId: org.id } })).toBe(0);
  });
});
