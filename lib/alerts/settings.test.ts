import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { addMember, createTestOrg, createUser } from "../testing/fixtures";
import { startWebhookReceiver, type TWebhookReceiver } from "../testing/webhook-receiver";
import { revealWebhookSecretAction, rotateWebhookSecretAction, sendTestWebhookAction, setAlertWebhookAction } from "./actions";
import { ZAlertEvent } from "./notice";
import { verifyBurnrateSignature } from "./signature";
import { treatAsSlackForTests } from "./webhook-target";

// The settings page's actions, as an owner runs them (who may run them: lib/auth/actions-roles.test.ts).

let receiver: TWebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
});

async function ownerOfNewOrg() {
  const { org } = await createTestOrg({ timezone: "Asia/Kolkata" });
  const owner = await createUser();
  await addMember(org.id, owner.id, "OWNER");
  const run = <T>(action: { runAs: (u: string, s: string, i: unknown) => Promise<T> }, input: unknown = {}) => action.runAs(owner.id, org.slug, input);
  const audit = () => prisma().auditLog.findMany({ where: { orgId: org.id, action: { startsWith: "webhook." } }, orderBy: { createdAt: "asc" } });
  return { org, owner, run, audit };
}

describe("the default alert webhook", () => {
  test("set, set again (no change, no audit), replaced by a Slack URL (audited without its token), cleared", async () => {
    const { org, run, audit } = await ownerOfNewOrg();
    const url = "https://hooks.example.test/burnrate?token=abcdefghijklmnop";
    expect(await run(setAlertWebhookAction, { url: `  ${url}  ` })).toEqual({ ok: true, data: { webhookUrl: url, hasSecret: false, slack: false } });
    expect(await run(setAlertWebhookAction, { url })).toMatchObject({ ok: true });
    const slack = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx";
    expect(await run(setAlertWebhookAction, { url: slack })).toMatchObject({ ok: true, data: { webhookUrl: slack, slack: true } });
    expect(await run(setAlertWebhookAction, { url: "" })).toMatchObject({ ok: true, data: { webhookUrl: null } });
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.id } })).alertWebhookUrl).toBeNull();

    const entries = await audit();
    expect(entries.map((e) => e.details)).toEqual([
      { from: null, to: "https://hooks.example.test/burnrate?…" },
      { from: "https://hooks.example.test/burnrate?…", to: "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcd…" },
      { from: "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcd…", to: null },
    ]);
    expect(JSON.stringify(entries)).not.toContain("abcdefghijklmnopqrstuvwx");
  });

  test("a URL that cannot receive webhooks is refused with the field named, and nothing changes", async () => {
    const { org, run, audit } = await ownerOfNewOrg();
    for (const [url, message] of [
      ["not a url", "is not a valid URL"],
      ["ftp://example.test/hook", "must start with https://"],
      ["https://user:secret@example.test/hook", "must not contain a user name or password"],
      ["http://example.test/hook", "must start with https:// (http:// is allowed for localhost only)"],
      [`https://example.test/${"x".repeat(2100)}`, "At most 2048 characters"],
    ]) {
      const result = await run(setAlertWebhookAction, { url });
      expect(result, url).toMatchObject({ ok: false, error: { code: "invalid_request", details: [{ path: "url", message }] } });
    }
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.id } })).alertWebhookUrl).toBeNull();
    expect(await audit()).toEqual([]);
  });
});

describe("the signing secret", () => {
  test("made at first reveal and the same at every reveal after; rotation replaces it and is audited", async () => {
    const { org, run, audit } = await ownerOfNewOrg();
    const first = await run(revealWebhookSecretAction);
    expect(first).toEqual({ ok: true, data: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) });
    expect(await run(revealWebhookSecretAction)).toEqual(first);
    expect(await audit()).toEqual([]);

    const rotated = await run(rotateWebhookSecretAction);
    expect(rotated).toEqual({ ok: true, data: expect.stringMatching(/^whsec_/) });
    expect(rotated).not.toEqual(first);
    expect(await run(revealWebhookSecretAction)).toEqual(rotated);
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.id } })).webhookSecret).toBe((rotated as { data: string }).data);
    const entries = await audit();
    expect(entries).toMatchObject([{ action: "webhook.secret_rotated", targetType: "Organization", targetId: org.id }]);
    expect(JSON.stringify(entries)).not.toContain("whsec_");
  });
});

describe("send test webhook", () => {
  test("POSTs a sample event, signed: the receiver verifies it and the answer's status comes back", async () => {
    const { org, run } = await ownerOfNewOrg();
    await run(setAlertWebhookAction, { url: `${receiver.url}/hooks/test` });
    const { data: secret } = (await run(revealWebhookSecretAction)) as { data: string };
    receiver.handle((hook) => (verifyBurnrateSignature(secret, hook.headers["burnrate-signature"] as string, hook.raw) ? { status: 202, body: "accepted" } : { status: 401, body: "bad signature" }));

    const result = await run(sendTestWebhookAction);
    expect(result).toEqual({ ok: true, data: { url: `${receiver.url}/hooks/test`, status: 202, ok: true, ms: expect.any(Number), answer: "accepted", error: null } });
    const hook = receiver.received.at(-1)!;
    const event = ZAlertEvent.parse(JSON.parse(hook.body));
    expect(event).toMatchObject({ id: expect.stringMatching(/^test_/), type: "budget.threshold_reached", org: { slug: org.slug, name: org.name } });
    expect(event.dashboard_url).toMatch(new RegExp(`/${org.slug}/alerts$`));
    expect(hook.headers).toMatchObject({ "burnrate-delivery": event.id, "burnrate-event": "budget.threshold_reached", "user-agent": "Burnrate-Webhooks/1" });
  });

  test("a receiver's error, a refused connection and a Slack URL are reported as they are; no URL is a form error", async () => {
    const { run } = await ownerOfNewOrg();
    expect(await run(sendTestWebhookAction)).toMatchObject({ ok: false, error: { code: "invalid_request", message: "Save a webhook URL first." } });

    await run(setAlertWebhookAction, { url: `${receiver.url}/hooks/broken` });
    receiver.handle(() => ({ status: 500, body: "Internal Server Error: NullPointerException" }));
    expect(await run(sendTestWebhookAction)).toMatchObject({ ok: true, data: { status: 500, ok: false, answer: "Internal Server Error: NullPointerException" } });

    const down = await startWebhookReceiver();
    await down.close();
    await run(setAlertWebhookAction, { url: `${down.url}/hooks/down` });
    expect(await run(sendTestWebhookAction)).toMatchObject({ ok: true, data: { status: null, ok: false, error: expect.stringContaining("ECONNREFUSED") } });

    const forget = treatAsSlackForTests(receiver.host);
    try {
      receiver.handle(() => ({ status: 200, body: "ok" }));
      await run(setAlertWebhookAction, { url: `${receiver.url}/services/T1/B1/abcdefghijklmnopqrstuvwx` });
      expect(await run(sendTestWebhookAction)).toMatchObject({ ok: true, data: { status: 200, ok: true, url: `${receiver.url}/services/T1/B1/abcd…` } });
      const hook = receiver.received.at(-1)!;
      expect(JSON.parse(hook.body)).toMatchObject({ text: "Example (test from Burnrate settings) budget at 85% — $85.00 of $100.00 (monthly)" });
      expect(hook.headers["burnrate-signature"]).toBeUndefined();
    } finally {
      forget();
    }
  });
});
