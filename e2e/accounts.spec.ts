import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { admin } from "./support/admin";
import { openLatestLink, requestMagicLink, signIn } from "./support/sign-in";

// One story, in order: a new person signs in, sets up an org, issues a key, sends usage with it,
// sees the spend, revokes the key; then invites a viewer who can look but not issue keys.
test.describe.configure({ mode: "serial" });

const run = randomBytes(4).toString("hex");
const owner = `owner-${run}@example.test`;
const viewer = `viewer-${run}@example.test`;
const orgName = `Acme ${run}`;
const slug = `acme-${run}`;

let ownerPage: Page;
let secret = "";
let issueKeyRequest: { url: string; headers: Record<string, string>; body: string } | null = null;

async function shot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

async function postEvent(request: APIRequestContext, key: string, id: string) {
  // gpt-4o: 1,000 input × $2.50/M + 500 output × $10/M = $0.0075
  return request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}` },
    data: { id, provider: "openai", model: "gpt-4o", usage: { prompt_tokens: 1000, completion_tokens: 500 }, execution_id: `run-${run}`, agent: "pr-reviewer", team: "platform" },
  });
}

test.beforeAll(async ({ browser }) => {
  ownerPage = await (await browser.newContext()).newPage();
});

test("a new person signs in with a magic link from the mailbox and creates an org", async ({}, info) => {
  await signIn(ownerPage, owner);
  await expect(ownerPage).toHaveURL(/\/onboarding$/);
  await shot(ownerPage, info, "01-onboarding");
  await ownerPage.getByLabel("Organization name").fill(orgName);
  await ownerPage.getByLabel("Address").fill(slug);
  await ownerPage.getByRole("button", { name: "Create organization" }).click();
  await expect(ownerPage).toHaveURL(new RegExp(`/${slug}/overview$`));
  await expect(ownerPage.getByRole("heading", { name: orgName })).toBeVisible();
  await expect(ownerPage.getByTestId("my-role")).toHaveText("owner");
  await shot(ownerPage, info, "02-empty-overview");
});

test("creates a cost center and a team in it", async ({}, info) => {
  await ownerPage.goto(`/${slug}/cost-centers`);
  await ownerPage.getByTestId("cost-center-code").fill("ENG-100");
  await ownerPage.getByTestId("cost-center-name").fill("Engineering");
  await ownerPage.getByTestId("cost-center-submit").click();
  await expect(ownerPage.locator('[data-testid="cost-center-row"][data-code="ENG-100"]')).toBeVisible();
  await shot(ownerPage, info, "03-cost-center");

  await ownerPage.goto(`/${slug}/teams`);
  await ownerPage.getByTestId("team-slug").fill("platform");
  await ownerPage.getByTestId("team-name").fill("Platform");
  await ownerPage.getByTestId("team-cost-center").selectOption({ label: "ENG-100 — Engineering" });
  await ownerPage.getByTestId("team-submit").click();
  const row = ownerPage.locator('[data-testid="team-row"][data-slug="platform"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText("ENG-100");
  await shot(ownerPage, info, "04-team");
});

test("issues a key whose secret is shown once, with a copy button", async ({}, info) => {
  await ownerPage.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await ownerPage.goto(`/${slug}/keys`);
  ownerPage.on("request", (req) => {
    if (req.method() === "POST" && req.headers()["next-action"] && !issueKeyRequest) {
      issueKeyRequest = { url: req.url(), headers: req.headers(), body: req.postData() ?? "" };
    }
  });
  await ownerPage.getByRole("textbox", { name: "Name", exact: true }).fill("ci-agents");
  await ownerPage.getByRole("combobox", { name: "Team", exact: true }).selectOption({ label: "Platform (platform)" });
  await ownerPage.getByRole("button", { name: "Issue key" }).click();
  const secretBox = ownerPage.getByTestId("new-key-secret");
  await expect(secretBox).toHaveText(/^br_[0-9A-Za-z]{50,}$/);
  secret = (await secretBox.textContent())!;
  await ownerPage.getByRole("button", { name: "Copy" }).click();
  await expect(ownerPage.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await ownerPage.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await shot(ownerPage, info, "05-key-secret-once");

  await ownerPage.getByRole("button", { name: "I have stored it safely" }).click();
  await ownerPage.reload();
  await expect(ownerPage.getByTestId("new-key-secret")).toHaveCount(0);
  await expect(ownerPage.locator("body")).not.toContainText(secret);
  await expect(ownerPage.getByTestId("key-row")).toContainText(secret.slice(0, 11));
  await shot(ownerPage, info, "06-key-list");
});

test("an event sent with the key shows on the overview, to the cent", async ({ request }, info) => {
  const res = await postEvent(request, secret, `${run}-e1`);
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: 1, execution: { cost_usd: "0.0075" } });
  await ownerPage.goto(`/${slug}/overview`);
  // One display rule: cents (half-even), the exact amount beside it.
  await expect(ownerPage.getByTestId("spend-today")).toHaveText("$0.01");
  await expect(ownerPage.getByTestId("spend-month")).toHaveText("$0.01");
  await expect(ownerPage.getByText("exact $0.0075").first()).toBeVisible();
  await expect(ownerPage.getByRole("table").first()).toContainText("platform");
  await expect(ownerPage.getByRole("table").last()).toContainText(`run-${run}`);
  await shot(ownerPage, info, "07-overview-with-spend");
});

test("revoking the key stops the very next event", async ({ request }, info) => {
  await ownerPage.goto(`/${slug}/keys`);
  ownerPage.once("dialog", (dialog) => dialog.accept());
  await ownerPage.getByRole("button", { name: "Revoke" }).click();
  await expect(ownerPage.getByTestId("key-row")).toContainText("revoked");
  await shot(ownerPage, info, "08-key-revoked");
  // Auth caches a key for at most 1 s on each replica.
  await expect
    .poll(async () => (await postEvent(request, secret, `${run}-e2`)).status(), { timeout: 1500, intervals: [100] })
    .toBe(401);
  const res = await postEvent(request, secret, `${run}-e3`);
  expect(await res.json()).toMatchObject({ error: { code: "unauthorized", message: "This API key has been revoked" } });
});

test("a viewer is invited by email, joins, and cannot issue keys", async ({ browser }, info) => {
  await ownerPage.goto(`/${slug}/members`);
  await ownerPage.getByTestId("invite-email").fill(viewer);
  await ownerPage.getByTestId("invite-role").selectOption("VIEWER");
  await ownerPage.getByTestId("invite-submit").click();
  await expect(ownerPage.locator("body")).toContainText(viewer);
  // Committed with its email queued; the outbox sender delivers it a moment later.
  await expect(ownerPage.getByTestId("invite-sent")).toContainText("queued");
  const delivery = ownerPage.locator(`[data-testid="invitation-row"][data-email="${viewer}"] [data-testid="invitation-email"]`);
  await expect(async () => {
    await ownerPage.reload();
    await expect(delivery).toHaveAttribute("data-state", "sent", { timeout: 200 });
  }).toPass({ timeout: 10_000 });
  await shot(ownerPage, info, "09-invited");

  const viewerPage = await (await browser.newContext()).newPage();
  // The invitation link, opened signed out, asks to sign in first and comes back.
  await openLatestLink(viewerPage, viewer, { subject: /invited you to/ });
  await expect(viewerPage).toHaveURL(/\/sign-in\?callbackUrl=/);
  const requestedAt = await requestMagicLink(viewerPage, viewer);
  await openLatestLink(viewerPage, viewer, { after: requestedAt });
  await expect(viewerPage.getByRole("heading", { name: `Join ${orgName}` })).toBeVisible();
  await shot(viewerPage, info, "10-invitation");
  await viewerPage.getByRole("button", { name: "Accept invitation" }).click();
  await expect(viewerPage).toHaveURL(new RegExp(`/${slug}/overview$`));
  await expect(viewerPage.getByTestId("my-role")).toHaveText("viewer");

  await viewerPage.goto(`/${slug}/keys`);
  await expect(viewerPage.getByRole("heading", { name: "Virtual keys" })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Issue key" })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  await shot(viewerPage, info, "11-viewer-keys");

  // The server action itself refuses: replay the owner's "issue key" call with the viewer's session.
  expect(issueKeyRequest).not.toBeNull();
  const keysBefore = await viewerPage.getByTestId("key-row").count();
  const { url, headers, body } = issueKeyRequest!;
  const replay = await viewerPage.request.post(url, {
    headers: { "next-action": headers["next-action"], "content-type": headers["content-type"], accept: headers["accept"] ?? "text/x-component", origin: new URL(url).origin },
    data: body,
  });
  expect(replay.status()).toBe(200);
  const text = await replay.text();
  expect(text).toContain('"code":"forbidden"');
  expect(text).not.toContain("br_");
  await viewerPage.reload();
  await expect(viewerPage.getByTestId("key-row")).toHaveCount(keysBefore);
});

test("a member of one org gets a 404 for another org's pages", async ({}, info) => {
  const other = `other-${run}`;
  admin("org", "create", other);
  for (const path of ["overview", "budgets", "keys", "teams", "cost-centers", "members", "audit"]) {
    const res = await ownerPage.goto(`/${other}/${path}`);
    expect(res?.status(), path).toBe(404);
  }
  await shot(ownerPage, info, "12-other-org-404");
});

test("the audit log shows who issued and revoked the key and who was invited", async ({}, info) => {
  await ownerPage.goto(`/${slug}/audit`);
  const body = ownerPage.locator("main");
  await expect(body).toContainText(owner);
  await expect(body).toContainText(/issued key/i);
  await expect(body).toContainText(/revoked key/i);
  await expect(body).toContainText(viewer);
  await shot(ownerPage, info, "13-audit-log");
});

test("archiving the team keeps its spend; removing the viewer takes their access at once", async ({ browser }, info) => {
  await ownerPage.goto(`/${slug}/teams`);
  ownerPage.once("dialog", (dialog) => dialog.accept());
  const row = ownerPage.locator('[data-testid="team-row"][data-slug="platform"]');
  await row.getByRole("button", { name: "Archive" }).click();
  await expect(row).toContainText("archived");
  await expect(row).toContainText("$0.01");
  await expect(row.getByTitle("exact $0.0075")).toBeVisible();
  await shot(ownerPage, info, "14-team-archived");

  await ownerPage.goto(`/${slug}/members`);
  ownerPage.once("dialog", (dialog) => dialog.accept());
  await ownerPage.locator(`[data-testid="member-row"][data-email="${viewer}"]`).getByTestId("member-remove").click();
  await expect(ownerPage.locator(`[data-testid="member-row"][data-email="${viewer}"]`)).toHaveCount(0);
  await shot(ownerPage, info, "15-viewer-removed");

  // The viewer's browser still holds a session, but the org is gone for them.
  const viewerPage = await (await browser.newContext()).newPage();
  await signIn(viewerPage, viewer);
  const res = await viewerPage.goto(`/${slug}/overview`);
  expect(res?.status()).toBe(404);
});

test("signing out ends the session: org pages send you to sign-in", async ({}, info) => {
  await ownerPage.goto(`/${slug}/overview`);
  await ownerPage.getByRole("button", { name: "Sign out" }).click();
  await expect(ownerPage).toHaveURL(/\/sign-in/);
  await ownerPage.goto(`/${slug}/keys`);
  await expect(ownerPage).toHaveURL(new RegExp(`/sign-in\\?callbackUrl=%2F${slug}%2Fkeys`));
  await expect(ownerPage.getByRole("heading", { name: /Sign in to Burnrate/ })).toBeVisible();
  await shot(ownerPage, info, "16-signed-out");
});
