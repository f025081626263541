import { randomBytes } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { verifyBurnrateSignature } from "../lib/alerts/signature";
import { startWebhookReceiver, type TWebhookReceiver } from "../lib/testing/webhook-receiver";
import { admin } from "./support/admin";
import { seedAlert } from "./support/alerts";
import { signIn } from "./support/sign-in";

// A lead's story with budget alerts: alerts arrive (recorded as lib/budgets will record them — the
// budgets UI is another issue's), the alerts page says where each went and what failed, a failed
// webhook and a failed email are resent; on settings the lead sets the org's webhook, reveals the
// signing secret, sends a test the receiver verifies, rotates the secret and sees the old one refused.
test.describe.configure({ mode: "serial" });

const run = randomBytes(4).toString("hex");
const slug = `alerts-${run}`;
const lead = `lead-${run}@example.test`;
const finance = `finance-${run}@example.test`;
const typo = `typo-${run}@example`;
const viewer = `viewer-${run}@example.test`;

let page: Page;
let receiver: TWebhookReceiver;
// What the receiver checks signatures with: the secret as revealed on the settings page.
let secret = "";
const gone = new Set<string>();

async function shot(info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

test.beforeAll(async ({ browser }) => {
  admin("org", "create", slug, "--name", "Acme Robotics", "--timezone", "Europe/Berlin");
  admin("team", "create", "--org", slug, "platform");
  admin("member", "add", "--org", slug, lead, "--role", "owner");
  admin("member", "add", "--org", slug, viewer, "--role", "viewer");
  // A customer's endpoint: 410 for paths marked gone; otherwise 200 when the signature verifies
  // with the secret the lead copied, 401 when it does not (and 200 before any secret is known).
  receiver = await startWebhookReceiver((hook) => {
    if (gone.has(hook.path)) return { status: 410, body: "Gone: this endpoint was removed" };
    if (!secret) return { status: 200, body: "ok" };
    return verifyBurnrateSignature(secret, hook.headers["burnrate-signature"] as string, hook.raw) ? { status: 200, body: "ok" } : { status: 401, body: "invalid signature" };
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("dialog", (dialog) => void dialog.accept());
});

test.afterAll(async () => {
  await receiver?.close();
});

test("the alerts page lists each alert with its emails and webhook, what was sent and what failed", async ({}, info) => {
  gone.add("/hooks/platform");
  await seedAlert(slug, { budgetName: "Platform team", threshold: 50, spentUsd: "5.10", limitUsd: "10", emails: [lead], webhookUrl: null, minutesAgo: 90 });
  await seedAlert(slug, {
    budgetName: "Platform team",
    threshold: 100,
    spentUsd: "10.42",
    limitUsd: "10",
    emails: [lead, finance, typo],
    webhookUrl: `${receiver.url}/hooks/platform`,
    silent: [80],
    refused: [typo],
  });
  await signIn(page, lead);
  await page.goto(`/${slug}/alerts`);
  await expect(page.getByRole("heading", { name: "Alerts", exact: true })).toBeVisible();

  const rows = page.getByTestId("alert-row");
  await expect(rows).toHaveCount(3);
  const loud = rows.nth(0);
  await expect(loud).toContainText("100%");
  await expect(loud).toContainText("Platform team");
  await expect(loud).toContainText("team platform");
  await expect(loud).toContainText("$10.42 of $10.00 (104.2%)");
  const deliveries = loud.getByTestId("alert-delivery");
  await expect(deliveries).toHaveCount(4);
  await expect(deliveries.filter({ hasText: finance }).getByTestId("delivery-state")).toHaveText("sent");
  await expect(deliveries.filter({ hasText: lead }).getByTestId("delivery-state")).toHaveText("sent");
  const refused = deliveries.filter({ hasText: typo });
  await expect(refused.getByTestId("delivery-state")).toHaveText("failed");
  await expect(refused.getByTestId("delivery-error")).toContainText("Invalid `to` field");
  const webhook = deliveries.filter({ hasText: "/hooks/platform" });
  await expect(webhook.getByTestId("delivery-state")).toHaveText("failed");
  await expect(webhook.getByTestId("delivery-error")).toHaveText("Not delivered: HTTP 410: Gone: this endpoint was removed");

  // 80% was passed in the same jump: shown, muted, no message of its own.
  await expect(rows.nth(1)).toHaveAttribute("data-notified", "false");
  await expect(rows.nth(1).getByTestId("alert-muted")).toHaveText(/Passed with 100%/);
  await expect(rows.nth(2)).toContainText("50%");
  await expect(rows.nth(2).getByTestId("delivery-state")).toHaveText("sent");
  await shot(info, "01-alerts-with-failures");
});

test("a failed webhook and a failed email are resent once each", async ({}, info) => {
  gone.delete("/hooks/platform");
  const before = receiver.received.filter((r) => r.path === "/hooks/platform");
  expect(before).toHaveLength(1);
  const loud = page.getByTestId("alert-row").nth(0);
  const webhook = loud.getByTestId("alert-delivery").filter({ hasText: "/hooks/platform" });
  await webhook.getByTestId("delivery-resend").click();
  // Re-queued: the page refreshes after the action, the delivery is no longer failed (no button).
  await expect(webhook.getByTestId("delivery-resend")).toHaveCount(0);
  // The server sends it right after the action commits; the page shows it once reloaded.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("alert-row").nth(0).getByTestId("alert-delivery").filter({ hasText: "/hooks/platform" }).getByTestId("delivery-state")).toHaveText("sent", { timeout: 200 });
  }).toPass({ timeout: 10_000 });
  const after = receiver.received.filter((r) => r.path === "/hooks/platform");
  expect(after).toHaveLength(2);
  // The same delivery, again: receivers drop repeats by this id.
  expect(after[1].headers["burnrate-delivery"]).toBe(before[0].headers["burnrate-delivery"]);
  expect(after[1].body).toBe(before[0].body);
  await expect(page.getByTestId("alert-row").nth(0).getByTestId("alert-delivery").filter({ hasText: "/hooks/platform" })).toContainText("HTTP 200");

  // The refused email, resent: this e2e server has no Resend key, so the dev mailbox captures it
  // (with Resend, a still-wrong address would fail again and say so).
  const email = page.getByTestId("alert-row").nth(0).getByTestId("alert-delivery").filter({ hasText: typo });
  await email.getByTestId("delivery-resend").click();
  await expect(email.getByTestId("delivery-resend")).toHaveCount(0);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("alert-row").nth(0).getByTestId("alert-delivery").filter({ hasText: typo }).getByTestId("delivery-state")).toHaveText("sent", { timeout: 200 });
  }).toPass({ timeout: 10_000 });
  await shot(info, "02-alerts-after-resend");

  await page.goto(`/dev/mailbox/latest?to=${encodeURIComponent(typo)}`);
  await expect(page.getByTestId("mailbox-email-subject")).toHaveText("[Burnrate] Platform team budget at 104.2% — $10.42 of $10.00 (monthly)");
  // The plain-text part, as a mail client without HTML shows it: the numbers, scope, the period in the org's zone.
  for (const line of ["Spent: $10.42 of $10.00 (104.2%)", "Covers: team platform, monthly", "Period: Nov 1 – 30, 2026, ends Dec 1, 2026, 00:00 (Europe/Berlin)", "Also passed: 80%"]) {
    await expect(page.locator("body")).toContainText(line);
  }
  await shot(info, "03-alert-email");

  await page.goto(`/${slug}/audit`);
  await expect(page.getByTestId("audit-row").filter({ hasText: "resent a failed alert webhook" })).toHaveCount(1);
  await expect(page.getByTestId("audit-row").filter({ hasText: `resent a failed alert email to ${typo}` })).toHaveCount(1);
});

test("settings: set the org's webhook, reveal the secret, send a test the receiver verifies", async ({}, info) => {
  await page.goto(`/${slug}/settings`);
  await expect(page.getByRole("heading", { name: "Settings", exact: true })).toBeVisible();
  await expect(page.getByTestId("webhook-test")).toBeDisabled();
  await page.getByTestId("webhook-url").fill("http://example.com/hooks");
  await page.getByTestId("webhook-save").click();
  await expect(page.getByText("must start with https:// (http:// is allowed for localhost only)")).toBeVisible();

  await page.getByTestId("webhook-url").fill(`${receiver.url}/hooks/org-default`);
  await page.getByTestId("webhook-save").click();
  await expect(page.getByTestId("webhook-saved")).toHaveText("Saved.");

  await page.getByTestId("webhook-secret-reveal").click();
  secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

  await page.getByTestId("webhook-test").click();
  const result = page.getByTestId("webhook-test-result");
  await expect(result).toHaveAttribute("data-ok", "true");
  await expect(result).toContainText(/HTTP 200 in \d+ ms — delivered/);
  const test = receiver.received.at(-1)!;
  expect(test.path).toBe("/hooks/org-default");
  expect(JSON.parse(test.body)).toMatchObject({ id: expect.stringMatching(/^test_/), org: { slug, name: "Acme Robotics" } });
  await shot(info, "04-settings-test-delivered");
});

test("rotating the secret: the receiver still holding the old one refuses the next test, and the rotation is audited", async ({}, info) => {
  await page.getByTestId("webhook-secret-rotate").click();
  await expect(page.getByTestId("webhook-secret-rotated")).toBeVisible();
  const rotated = (await page.getByTestId("webhook-secret").textContent()) ?? "";
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);

  await page.getByTestId("webhook-test").click();
  const result = page.getByTestId("webhook-test-result");
  await expect(result).toHaveAttribute("data-ok", "false");
  await expect(result).toContainText("HTTP 401");
  await expect(result).toContainText("Answered: invalid signature");
  await shot(info, "05-settings-after-rotation");

  await page.goto(`/${slug}/audit`);
  await expect(page.getByTestId("audit-row").filter({ hasText: "rotated the webhook signing secret" })).toHaveCount(1);
  await expect(page.getByTestId("audit-row").filter({ hasText: `set the alert webhook to ${receiver.url}/hooks/org-default` })).toHaveCount(1);
  await shot(info, "06-audit");
});

test("a viewer sees where alerts went and where they go, but no secret, no resend, no change", async ({ browser }, info) => {
  const other = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(other, viewer);
  await other.goto(`/${slug}/settings`);
  await expect(other.getByTestId("webhook-url-readonly")).toContainText(`Alerts are POSTed to ${receiver.url}/hooks/org-default unless a budget names its own webhook.`);
  await expect(other.getByText("Only owners and admins can see the secret.")).toBeVisible();
  for (const id of ["webhook-url", "webhook-save", "webhook-test", "webhook-secret-reveal", "webhook-secret-rotate"]) await expect(other.getByTestId(id)).toHaveCount(0);
  await other.screenshot({ path: info.outputPath("07-settings-as-viewer.png"), fullPage: true });
  // A new alert whose webhook fails: the viewer sees it failed, with no way to resend it.
  gone.add("/hooks/viewer-sees");
  await seedAlert(slug, { budgetName: "Research", threshold: 80, spentUsd: "41", limitUsd: "50", emails: [], webhookUrl: `${receiver.url}/hooks/viewer-sees` });
  await other.goto(`/${slug}/alerts`);
  await expect(other.getByTestId("alert-row")).toHaveCount(4);
  await expect(other.getByTestId("alert-row").nth(0).getByTestId("delivery-state")).toHaveText("failed");
  await expect(other.getByTestId("delivery-resend")).toHaveCount(0);
  await page.goto(`/${slug}/alerts`);
  await expect(page.getByTestId("alert-row").nth(0).getByTestId("delivery-resend")).toHaveCount(1);
});

test("on a phone the alerts and settings pages fit the screen", async ({ browser }, info) => {
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: "Asia/Tokyo" })).newPage();
  const errors: string[] = [];
  await signIn(phone, lead);
  phone.on("pageerror", (e) => errors.push(e.message));
  phone.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  for (const path of ["alerts", "settings"]) {
    await phone.goto(`/${slug}/${path}`);
    await phone.waitForLoadState("networkidle");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: info.outputPath(`08-390-${path}.png`), fullPage: true });
  }
  expect(errors).toEqual([]);
});
