import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closeDb, pool, prisma } from "../db";
import { kickOutbox } from "../email/outbox";
import { insertTestAlert, type TTestAlertOptions } from "../testing/alerts";
import { startFakeResend, type TFakeResend } from "../testing/fake-resend";
import { addMember, createTeam, createTestOrg, createUser } from "../testing/fixtures";
import { createPrivateDatabase } from "../testing/private-database";
import { startWebhookReceiver, type TWebhookReceiver } from "../testing/webhook-receiver";
import { resendAlertDeliveryAction } from "./actions";
import { budgetTitle } from "../budgets/names";
import { decodeAlertCursor, decodeBudgetFilter, encodeAlertCursor, listAlerts } from "./history";
import { kickAlertDeliveries, queueAlertNotifications } from "./notify";
import { drainWebhooks, kickWebhooks } from "./webhooks";

// Senders run here (resend kicks them): a database of this file's own.
const database = await createPrivateDatabase("alert-history");
let fake: TFakeResend;
let receiver: TWebhookReceiver;
const saved = { key: process.env.RESEND_API_KEY, url: process.env.RESEND_BASE_URL };
beforeAll(async () => {
  fake = await startFakeResend();
  receiver = await startWebhookReceiver();
  process.env.RESEND_BASE_URL = fake.url;
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
  for (const [name, value] of [["RESEND_API_KEY", saved.key], ["RESEND_BASE_URL", saved.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await closeDb();
  await database.drop();
});

async function committed<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const result = await run(client);
    await client.query("COMMIT");
    return result;
  } finally {
    client.release();
  }
}

async function ownerOfNewOrg() {
  const { org } = await createTestOrg();
  const owner = await createUser();
  await addMember(org.id, owner.id, "OWNER");
  return { org: { id: org.id, slug: org.slug, name: org.name }, owner };
}

async function alertWith(options: TTestAlertOptions, channels: { emails: string[]; webhookUrl: string | null }) {
  return committed(async (client) => {
    const alert = await insertTestAlert(client, options);
    await queueAlertNotifications(client, alert.event, channels);
    return alert;
  });
}

describe("the alerts list", () => {
  test("newest first, each with its deliveries and their state; a team budget shows the team's slug; passed-but-not-sent alerts have none", async () => {
    const { org } = await ownerOfNewOrg();
    const team = await createTeam(org.id, "platform");
    const older = await alertWith({ org, scope: "TEAM", scopeValue: team.id, threshold: 50, spentUsd: "5.2", createdAt: new Date("2026-11-20T08:00:00Z") }, { emails: ["a@example.test"], webhookUrl: null });
    const muted = await alertWith({ org, threshold: 50, notified: false, createdAt: new Date("2026-11-21T08:00:00Z") }, { emails: [], webhookUrl: null });
    // 80% passed in the same jump as 100% (one transaction, one moment): recorded, not sent.
    const jumped = await committed(async (client) => {
      const loud = await insertTestAlert(client, { org, threshold: 100, spentUsd: "11", createdAt: new Date("2026-11-21T09:00:00Z") });
      await client.query(
        `INSERT INTO "BudgetAlert" (id, "orgId", "budgetId", "periodStart", "itemKey", threshold, kind, "spentUsd", "limitUsd", notified, "createdAt")
         SELECT id || '-80', "orgId", "budgetId", "periodStart", "itemKey", 80, kind, "spentUsd", "limitUsd", false, "createdAt" FROM "BudgetAlert" WHERE id = $1`,
        [loud.alertId],
      );
      return loud;
    });
    const newer = await alertWith(
      { org, scope: "EXECUTION", itemKey: "run-42", threshold: 100, spentUsd: "10.25", createdAt: new Date("2026-11-22T08:00:00Z") },
      { emails: ["a@example.test", "b@example.test"], webhookUrl: "https://hooks.example.test/services/abcdefghijklmnopqrstuvwxyz?key=secret" },
    );
    // One of each state.
    await prisma().emailOutbox.updateMany({ where: { alertId: newer.alertId, to: { has: "a@example.test" } }, data: { status: "SENT", providerId: "re_123", sentAt: new Date() } });
    await prisma().emailOutbox.updateMany({ where: { alertId: newer.alertId, to: { has: "b@example.test" } }, data: { lastError: "Resend: rate limited", attempts: 1 } });
    await prisma().webhookDelivery.updateMany({ where: { alertId: newer.alertId }, data: { status: "FAILED", responseStatus: 410, lastError: "HTTP 410: gone", attempts: 1 } });

    const { rows, next } = await listAlerts(org.id);
    expect(next).toBeNull();
    // The two of one moment: the one sent first, then the one it covered (whatever their ids).
    expect(rows.map((r) => r.id)).toEqual([newer.alertId, jumped.alertId, `${jumped.alertId}-80`, muted.alertId, older.alertId]);
    expect(rows[1]).toMatchObject({ threshold: 100, notified: true, passedWith: null });
    expect(rows[2]).toMatchObject({ threshold: 80, notified: false, passedWith: 100, deliveries: [] });
    rows.splice(1, 2);
    expect(rows[0]).toMatchObject({
      kind: "threshold",
      threshold: 100,
      spentUsd: "10.25",
      limitUsd: "10",
      percent: 102.5,
      notified: true,
      item: "execution run-42",
      budget: { name: "Platform team", scope: "each execution on its own" },
    });
    expect(rows[0].deliveries).toEqual([
      expect.objectContaining({ channel: "email", target: "a@example.test", state: "sent", providerId: "re_123" }),
      expect.objectContaining({ channel: "email", target: "b@example.test", state: "retrying", lastError: "Resend: rate limited", nextAttemptAt: expect.any(Date) }),
      // The URL as every member may see it: the secret path segment and the query masked.
      expect.objectContaining({ channel: "webhook", target: "https://hooks.example.test/services/abcd…?…", state: "failed", responseStatus: 410, lastError: "HTTP 410: gone" }),
    ]);
    expect(rows[1]).toMatchObject({ notified: false, passedWith: null, deliveries: [] });
    expect(rows[2]).toMatchObject({ budget: { scope: "team platform" }, item: null, percent: 52, deliveries: [expect.objectContaining({ state: "queued" })] });
  });

  test("pages by (createdAt, id): alerts of the same millisecond are neither skipped nor repeated", async () => {
    const { org } = await ownerOfNewOrg();
    const at = new Date("2026-11-20T10:00:00.123Z");
    for (let i = 0; i < 7; i++) await alertWith({ org, createdAt: i < 5 ? at : new Date(at.getTime() - 1) }, { emails: [], webhookUrl: null });
    const seen: string[] = [];
    let before: ReturnType<typeof decodeAlertCursor>;
    for (let page = 0; page < 10; page++) {
      const { rows, next } = await listAlerts(org.id, { limit: 2, before });
      seen.push(...rows.map((r) => r.id));
      if (!next) break;
      before = decodeAlertCursor(encodeAlertCursor(next));
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    for (const raw of [undefined, "", "yesterday", "2026-11-20T10:00:00Z", "x_y", "2026-11-20T10:00:00Z_a'b", ["a"]]) expect(decodeAlertCursor(raw)).toBeUndefined();
  });

  test("one budget's alerts: only its own, and another org's budget id lists nothing", async () => {
    const a = await ownerOfNewOrg();
    const b = await ownerOfNewOrg();
    const first = await alertWith({ org: a.org, budgetName: "First" }, { emails: [], webhookUrl: null });
    await alertWith({ org: a.org, budgetName: "Second" }, { emails: [], webhookUrl: null });
    const theirs = await alertWith({ org: b.org, budgetName: "Theirs" }, { emails: [], webhookUrl: null });
    const { rows } = await listAlerts(a.org.id, { budgetId: first.budgetId });
    expect(rows.map((r) => r.budget.name)).toEqual(["First"]);
    expect(await listAlerts(a.org.id, { budgetId: theirs.budgetId })).toEqual({ rows: [], next: null });
    expect(await budgetTitle(a.org.id, first.budgetId)).toBe("First");
    expect(await budgetTitle(a.org.id, theirs.budgetId)).toBeNull();
    for (const raw of [undefined, "", "a b", "x\u0000", "a".repeat(129), ["id"]]) expect(decodeBudgetFilter(raw), String(raw)).toBeUndefined();
    expect(decodeBudgetFilter(first.budgetId)).toBe(first.budgetId);
    // Unnamed, it is called what its alerts call it.
    await prisma().budget.update({ where: { id: first.budgetId }, data: { name: null } });
    expect((await listAlerts(a.org.id, { budgetId: first.budgetId })).rows.map((r) => r.budget.name)).toEqual(["Team platform"]);
    expect(await budgetTitle(a.org.id, first.budgetId)).toBe("Team platform");
  });

  test("another org's alerts are not listed", async () => {
    const a = await ownerOfNewOrg();
    const b = await ownerOfNewOrg();
    await alertWith({ org: b.org }, { emails: ["x@example.test"], webhookUrl: null });
    expect(await listAlerts(a.org.id)).toEqual({ rows: [], next: null });
  });
});

describe("resending a failed delivery", () => {
  test("an email Resend refused (a bad API key) goes out once, under the same idempotency key, after the key is fixed", async () => {
    const { org, owner } = await ownerOfNewOrg();
    const alert = await alertWith({ org }, { emails: ["lead@example.test"], webhookUrl: null });
    process.env.RESEND_API_KEY = "re_wrong";
    await kickOutbox();
    const [email] = await prisma().emailOutbox.findMany({ where: { alertId: alert.alertId } });
    expect(email).toMatchObject({ status: "FAILED", lastError: expect.stringContaining("API key is invalid") });

    process.env.RESEND_API_KEY = fake.apiKey;
    fake.received.length = 0;
    const result = await resendAlertDeliveryAction.runAs(owner.id, org.slug, { channel: "email", id: email.id });
    expect(result).toEqual({ ok: true, data: { target: "lead@example.test" } });
    await kickOutbox();
    expect(fake.sent().map((r) => [r.idempotencyKey, r.body.to, r.body.subject])).toEqual([
      [`alert/${alert.alertId}/lead@example.test`, ["lead@example.test"], "[Burnrate] Platform team budget at 85% — $8.50 of $10.00 (monthly)"],
    ]);
    expect(await prisma().emailOutbox.findUniqueOrThrow({ where: { id: email.id } })).toMatchObject({ status: "SENT", attempts: 1, lastError: null, providerId: fake.sent()[0].id });

    const audit = await prisma().auditLog.findMany({ where: { orgId: org.id, action: "alert.delivery_resent" } });
    expect(audit).toMatchObject([{ actorId: owner.id, targetType: "EmailOutbox", targetId: email.id, details: { channel: "email", to: "lead@example.test", alertId: alert.alertId, previousError: expect.stringContaining("API key is invalid") } }]);

    // Sent now: resending again is refused and changes nothing.
    expect(await resendAlertDeliveryAction.runAs(owner.id, org.slug, { channel: "email", id: email.id })).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "alert.delivery_resent" } })).toBe(1);
  });

  test("a webhook that got 410 is POSTed once more with the same Burnrate-Delivery id; two clicks at once re-queue it once", async () => {
    const { org, owner } = await ownerOfNewOrg();
    const admin = await createUser();
    await addMember(org.id, admin.id, "ADMIN");
    const alert = await alertWith({ org }, { emails: [], webhookUrl: `${receiver.url}/hooks/resend` });
    receiver.handle(() => ({ status: 410, body: "gone" }));
    await drainWebhooks();
    const [row] = await prisma().webhookDelivery.findMany({ where: { alertId: alert.alertId } });
    expect(row).toMatchObject({ status: "FAILED", responseStatus: 410 });

    receiver.handle(() => ({ status: 200 }));
    receiver.received.length = 0;
    const results = await Promise.all([owner, admin].map((u) => resendAlertDeliveryAction.runAs(u.id, org.slug, { channel: "webhook", id: row.id })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: { code: "conflict" } }]);
    await kickWebhooks();
    await kickWebhooks();
    expect(receiver.received.map((r) => r.headers["burnrate-delivery"])).toEqual([row.id]);
    expect(await prisma().webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "SENT", responseStatus: 200, attempts: 1 });
    expect(await prisma().auditLog.count({ where: { orgId: org.id, action: "alert.delivery_resent" } })).toBe(1);
  });

  test("queued or another org's deliveries, and emails that belong to no alert, cannot be resent", async () => {
    const a = await ownerOfNewOrg();
    const b = await ownerOfNewOrg();
    const alertB = await alertWith({ org: b.org }, { emails: ["x@example.test"], webhookUrl: "http://127.0.0.1:9/hooks/b" });
    await prisma().emailOutbox.updateMany({ where: { alertId: alertB.alertId }, data: { status: "FAILED" } });
    await prisma().webhookDelivery.updateMany({ where: { alertId: alertB.alertId }, data: { status: "FAILED" } });
    const [emailB] = await prisma().emailOutbox.findMany({ where: { alertId: alertB.alertId } });
    const [hookB] = await prisma().webhookDelivery.findMany({ where: { alertId: alertB.alertId } });
    for (const [channel, id] of [["email", emailB.id], ["webhook", hookB.id]] as const) {
      expect(await resendAlertDeliveryAction.runAs(a.owner.id, a.org.slug, { channel, id })).toMatchObject({ ok: false, error: { code: "not_found" } });
    }
    expect((await prisma().emailOutbox.findUniqueOrThrow({ where: { id: emailB.id } })).status).toBe("FAILED");

    const invitation = await prisma().emailOutbox.create({
      data: { orgId: a.org.id, to: ["new@example.test"], subject: "x", template: "invitation", payload: {}, idempotencyKey: `invitation/${a.org.id}`, status: "FAILED" },
    });
    expect(await resendAlertDeliveryAction.runAs(a.owner.id, a.org.slug, { channel: "email", id: invitation.id })).toMatchObject({ ok: false, error: { code: "not_found" } });

    const queued = await alertWith({ org: a.org }, { emails: ["q@example.test"], webhookUrl: null });
    const [pending] = await prisma().emailOutbox.findMany({ where: { alertId: queued.alertId } });
    expect(await resendAlertDeliveryAction.runAs(a.owner.id, a.org.slug, { channel: "email", id: pending.id })).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await prisma().auditLog.count({ where: { orgId: a.org.id, action: "alert.delivery_resent" } })).toBe(0);
  });
});

test("after COMMIT, kickAlertDeliveries sends the alert's emails and webhook from this process at once", async () => {
  const { org } = await ownerOfNewOrg();
  process.env.RESEND_API_KEY = fake.apiKey;
  fake.received.length = 0;
  receiver.received.length = 0;
  receiver.handle(() => ({ status: 200 }));
  const alert = await alertWith({ org }, { emails: ["kick@example.test"], webhookUrl: `${receiver.url}/hooks/kick` });
  const t0 = Date.now();
  kickAlertDeliveries();
  await expect.poll(async () => (await listAlerts(org.id)).rows[0].deliveries.map((d) => d.state), { timeout: 5_000, interval: 20 }).toEqual(["sent", "sent"]);
  const latency = Date.now() - t0;
  expect(latency).toBeLessThan(2_000);
  // (Earlier tests' rows still queued in this database may go out in the same drain.)
  expect(fake.sent().filter((r) => r.body.to.includes("kick@example.test")).map((r) => r.idempotencyKey)).toEqual([`alert/${alert.alertId}/kick@example.test`]);
  expect(receiver.received).toHaveLength(1);
  console.info(`[alerts] kick → email sent and webhook answered in ${latency} ms (webhook arrived after ${receiver.received[0].at - t0} ms)`);
});
