import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Locator, type Page, type TestInfo } from "@playwright/test";
import { admin } from "./support/admin";
import { signIn } from "./support/sign-in";
import { watchConsole } from "./support/console";

// One story, in order: an admin makes a $10 monthly budget for a team on the budgets page; an
// agent's events take it to 55 %, 85 % and 120 %, and the page follows (ok → warning → exceeded,
// red); each threshold sends its email to the owners and admins, once; the email's link opens the
// budget on the page; a viewer sees it all and can change nothing, not even by replaying the
// admin's server action; the admin raises the limit and archives the budget.
test.describe.configure({ mode: "serial", timeout: 60_000 });

const run = randomBytes(4).toString("hex");
const slug = `budgets-${run}`;
const owner = `owner-${run}@example.test`;
const lead = `admin-${run}@example.test`;
const viewer = `viewer-${run}@example.test`;

let secret = "";
let adminPage: Page;
let createRequest: { url: string; headers: Record<string, string>; body: string } | null = null;

async function shot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}


// What the team's agent spends: reported costs (tool calls), and once a model nothing prices.
async function spend(request: APIRequestContext, id: string, usd: string, extra: object[] = []) {
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${secret}` },
    data: { events: [{ id: `${run}-${id}`, kind: "tool", cost_usd: usd, agent: "pr-bot" }, ...extra] },
  });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

const card = (page: Page, name = "Platform"): Locator => page.getByTestId("budget-card").filter({ has: page.getByTestId("budget-name").getByText(name, { exact: true }) });

// The page after a reload, once the alert for `threshold` is on it (recorded just after the events'
// write commits): each crossing is its own alert, sent on its own.
async function reloadUntilAlert(page: Page, threshold: number) {
  await expect(async () => {
    await page.reload();
    await expect(card(page).locator(`[data-testid="budget-alert"][data-threshold="${threshold}"]`)).toHaveCount(1, { timeout: 200 });
  }).toPass({ timeout: 10_000, intervals: [100, 250, 500] });
}

test.beforeAll(() => {
  admin("org", "create", slug, "--timezone", "UTC", "--name", `Budgets ${run}`);
  admin("team", "create", "--org", slug, "platform", "--name", "Platform engineering");
  secret = admin("key", "create", "--org", slug, "--name", "platform agents", "--team", "platform").at(-1)!;
  admin("member", "add", "--org", slug, owner, "--role", "owner");
  admin("member", "add", "--org", slug, lead, "--role", "admin");
  admin("member", "add", "--org", slug, viewer, "--role", "viewer");
});

test("an admin creates a $10 monthly budget for the team on the budgets page", async ({ browser }, info) => {
  adminPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(adminPage, lead);
  const errors = watchConsole(adminPage);
  await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Budgets" }).click();
  await expect(adminPage).toHaveURL(new RegExp(`/${slug}/budgets$`));
  await expect(adminPage.getByRole("heading", { name: "Budgets", level: 1 })).toBeVisible();
  await expect(adminPage.getByText("No budgets yet.")).toBeVisible();
  await shot(adminPage, info, "01-no-budgets");

  adminPage.on("request", (req) => {
    if (req.method() === "POST" && req.headers()["next-action"] && !createRequest) createRequest = { url: req.url(), headers: req.headers(), body: req.postData() ?? "" };
  });
  // With no budget yet the form is open; a team is what it offers first.
  const form = adminPage.getByTestId("budget-create-form");
  await expect(form.getByRole("combobox", { name: "Covers" })).toHaveValue("TEAM");
  await form.getByRole("combobox", { name: "Team", exact: true }).selectOption({ label: "Platform engineering (platform)" });
  await form.getByRole("textbox", { name: "Amount (USD)" }).fill("10");
  await expect(form.getByRole("combobox", { name: "Period", exact: true })).toHaveValue("MONTH");
  await form.getByRole("textbox", { name: "Name", exact: true }).fill("Platform");
  await form.getByRole("button", { name: "Create budget" }).click();

  const platform = card(adminPage);
  await expect(platform).toBeVisible();
  await expect(adminPage.getByRole("status")).toContainText("Budget created");
  await expect(platform.getByText("Team platform")).toBeVisible();
  await expect(platform.getByTestId("budget-spent")).toHaveText("$0.00");
  await expect(platform.getByTestId("budget-percent")).toHaveText("0%");
  await expect(platform.getByTestId("budget-state")).toHaveText("OK");
  await expect(platform.getByTestId("budget-bar")).toHaveAttribute("data-state", "ok");
  await expect(platform.getByTestId("budget-recipients")).toContainText("Owners and admins");
  await expect(platform.getByTestId("budget-recipients")).toContainText(lead);
  await expect(platform.getByTestId("budget-recipients")).toContainText(owner);
  await expect(platform.getByTestId("budget-unpriced")).toHaveCount(0);
  expect(createRequest).not.toBeNull();
  await shot(adminPage, info, "02-budget-created");
  expect(errors).toEqual([]);
});

test("events take it to 55 %, 85 % and 120 %: the bar, state and percent follow, green to amber to red", async ({ request }, info) => {
  const platform = card(adminPage);
  const bar = platform.getByTestId("budget-bar");

  // $5.50, and one call to a model nothing prices: counted, at $0, and said so.
  const first = await spend(request, "a", "5.50", [{ id: `${run}-u`, model: "my-finetune-v3", usage: { input_tokens: 1000, output_tokens: 100 } }]);
  expect(first.warnings).toEqual([expect.objectContaining({ code: "unpriced_model" })]);
  expect(first.budgets).toEqual([expect.objectContaining({ name: "Platform", spent_usd: "5.50", state: "warning" })]);
  await reloadUntilAlert(adminPage, 50);
  await expect(platform.getByTestId("budget-spent")).toHaveText("$5.50");
  await expect(platform.getByTestId("budget-percent")).toHaveText("55%");
  await expect(platform.getByTestId("budget-state")).toHaveText("Warning");
  await expect(bar).toHaveAttribute("data-state", "warning");
  await expect(bar).toHaveAttribute("aria-valuenow", "55");
  await expect(bar.locator(".bg-amber-500")).toHaveCount(1);
  await expect(platform.getByTestId("budget-unpriced")).toContainText("1 unpriced call counted at $0");
  await expect(platform.getByTestId("budget-burn")).toContainText("a day");
  await shot(adminPage, info, "03-at-55-percent");

  await spend(request, "b", "3.00");
  await reloadUntilAlert(adminPage, 80);
  await expect(platform.getByTestId("budget-spent")).toHaveText("$8.50");
  await expect(platform.getByTestId("budget-percent")).toHaveText("85%");
  await expect(platform.getByTestId("budget-state")).toHaveText("Warning");
  await expect(bar).toHaveAttribute("data-state", "warning");
  await shot(adminPage, info, "04-at-85-percent");

  await spend(request, "c", "3.50");
  await reloadUntilAlert(adminPage, 100);
  await expect(platform.getByTestId("budget-spent")).toHaveText("$12.00");
  await expect(platform.getByTestId("budget-percent")).toHaveText("120%");
  await expect(platform.getByTestId("budget-state")).toHaveText("Exceeded");
  await expect(bar).toHaveAttribute("data-state", "exceeded");
  // Red, and full: 120 % fills the bar.
  await expect(bar.locator(".bg-rose-600")).toHaveCount(1);
  expect(await bar.locator(".bg-rose-600").evaluate((el) => getComputedStyle(el).width)).toBe(await bar.evaluate((el) => getComputedStyle(el).width));
  await expect(adminPage.getByTestId("budgets-summary")).toContainText("1 exceeded");
  // Every threshold alerted once, each on its own, newest first.
  await expect(platform.getByTestId("budget-alert")).toHaveText([/100% reached — \$12\.00 of \$10\.00.*sent/, /80% reached — \$8\.50 of \$10\.00.*sent/, /50% reached — \$5\.50 of \$10\.00.*sent/]);
  await shot(adminPage, info, "05-at-120-percent");

  await adminPage.setViewportSize({ width: 390, height: 844 });
  await adminPage.reload();
  const overflow = await adminPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `the page is ${overflow}px wider than a phone`).toBeLessThanOrEqual(0);
  await shot(adminPage, info, "06-at-120-percent-390px");
  await adminPage.setViewportSize({ width: 1280, height: 900 });
});

test("three alert emails reach the owners and admins, with the numbers; the link opens the budget", async ({ browser }, info) => {
  const page = await (await browser.newContext()).newPage();
  const expected = [
    [/^\[Burnrate\] Platform budget at 120% — \$12\.00 of \$10\.00 \(monthly\)$/, "100%", "$12.00 of $10.00"],
    [/^\[Burnrate\] Platform budget at 85% — \$8\.50 of \$10\.00 \(monthly\)$/, "80%", "$8.50 of $10.00"],
    [/^\[Burnrate\] Platform budget at 55% — \$5\.50 of \$10\.00 \(monthly\)$/, "50%", "$5.50 of $10.00"],
  ] as const;
  for (const to of [lead, owner]) {
    const alerts = page.getByTestId("mailbox-subject").filter({ hasText: "[Burnrate] Platform budget" });
    await expect(async () => {
      await page.goto(`/dev/mailbox?to=${encodeURIComponent(to)}`);
      await expect(alerts).toHaveCount(3, { timeout: 200 });
    }).toPass({ timeout: 15_000, intervals: [200, 500, 1000] });
    await expect(alerts).toHaveText(expected.map(([subject]) => subject));
  }
  await shot(page, info, "07-mailbox");
  // The viewer is no default recipient.
  await page.goto(`/dev/mailbox?to=${encodeURIComponent(viewer)}`);
  await expect(page.getByTestId("mailbox-subject").filter({ hasText: "[Burnrate]" })).toHaveCount(0);

  await page.goto(`/dev/mailbox?to=${encodeURIComponent(lead)}`);
  for (const [i, [subject, threshold, numbers]] of expected.entries()) {
    await page.goto(`/dev/mailbox?to=${encodeURIComponent(lead)}`);
    await page.getByTestId("mailbox-subject").filter({ hasText: "[Burnrate] Platform budget" }).nth(i).click();
    await expect(page.getByTestId("mailbox-email-subject")).toHaveText(subject);
    const text = page.getByTestId("mailbox-text");
    await expect(text).toContainText(`has passed its ${threshold} alert threshold`);
    await expect(text).toContainText(`Spent: ${numbers}`);
    await expect(text).toContainText("Covers: team platform, monthly");
    if (i === 0) await shot(page, info, "08-alert-email-100");
  }
  // The alerts page lists the three, newest first, each delivered to both people.
  await adminPage.goto(`/${slug}/alerts`);
  const rows = adminPage.getByTestId("alert-row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("Passed 100%: $12.00 of $10.00 (120%)");
  await expect(rows.nth(1)).toContainText("Passed 80%: $8.50 of $10.00 (85%)");
  await expect(rows.nth(2)).toContainText("Passed 50%: $5.50 of $10.00 (55%)");
  for (const i of [0, 1, 2]) await expect(rows.nth(i).getByTestId("alert-delivery")).toHaveCount(2);
  await shot(adminPage, info, "09-alerts-page");

  // The email's link: the budgets page with this budget picked out (signed in as the admin).
  const link = await page.getByTestId("mailbox-link").filter({ hasText: `/${slug}/budgets?budget=` }).first().getAttribute("href");
  expect(link).toBeTruthy();
  await adminPage.goto(link!);
  await expect(card(adminPage)).toHaveAttribute("data-highlighted", "true");
  await expect(card(adminPage)).toBeInViewport();
  await shot(adminPage, info, "10-opened-from-the-email");

  // Its other link: the spend behind it — the dashboard filtered to the team over this month.
  const spendLink = await page.getByTestId("mailbox-link").filter({ hasText: `/${slug}/overview?` }).first().getAttribute("href");
  expect(spendLink).toMatch(/range=custom&from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}&team=platform$/);
  await adminPage.goto(spendLink!);
  await expect(adminPage.getByTestId("filter-chip")).toHaveAttribute("data-dimension", "team");
  await expect(adminPage.getByTestId("filter-chip")).toContainText("platform");
  await expect(adminPage.getByTestId("range-total")).toHaveAttribute("data-usd", /^12(\.0*)?$/);
  await shot(adminPage, info, "10b-spend-from-the-email");

  // The card's own link: that budget's alerts, and only its.
  await adminPage.goto(`/${slug}/budgets`);
  await card(adminPage).getByRole("link", { name: "All its alerts and their deliveries →" }).click();
  await expect(adminPage.getByTestId("alerts-budget")).toHaveText("Platform");
  await expect(adminPage.getByTestId("alert-row")).toHaveCount(3);
  await shot(adminPage, info, "10c-the-budget-s-alerts");
  // A budget id this org does not have lists nothing, and says so.
  await adminPage.goto(`/${slug}/alerts?budget=not-a-budget`);
  await expect(adminPage.getByTestId("alerts-budget-unknown")).toBeVisible();
  await expect(adminPage.getByTestId("alert-row")).toHaveCount(0);
});

test("a viewer sees the budget but no create, edit or archive control, and the server action refuses", async ({ browser }, info) => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, viewer);
  const errors = watchConsole(page);
  await page.goto(`/${slug}/budgets`);
  await expect(page.getByTestId("my-role")).toHaveText("viewer");
  const platform = card(page);
  await expect(platform.getByTestId("budget-percent")).toHaveText("120%");
  await expect(platform.getByTestId("budget-state")).toHaveText("Exceeded");
  await expect(platform.getByTestId("budget-unpriced")).toBeVisible();
  await expect(platform.getByTestId("budget-alert")).toHaveCount(3);
  for (const name of ["New budget", "Create budget", "Edit", "Archive", "Save changes"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(page.getByTestId("budget-create-form")).toHaveCount(0);
  await shot(page, info, "10-viewer");

  // Replay the admin's "create budget" call with the viewer's session: refused, nothing made.
  const { url, headers, body } = createRequest!;
  const replay = await page.request.post(url, {
    headers: { "next-action": headers["next-action"], "content-type": headers["content-type"], accept: headers["accept"] ?? "text/x-component", origin: new URL(url).origin },
    data: body,
  });
  expect(replay.status()).toBe(200);
  expect(await replay.text()).toContain('"code":"forbidden"');
  await page.reload();
  await expect(page.getByTestId("budget-card")).toHaveCount(1);
  const listed = admin("budget", "list", "--org", slug);
  expect(listed.filter((l) => l.includes("team:platform"))).toHaveLength(1);
  expect(listed.join("\n")).toMatch(/Platform\s+team:platform\s+month\s+\$12\.00 \/ \$10\.00\s+120\.0\s+exceeded\s+alert/);
  expect(errors).toEqual([]);
});

test("the admin raises the limit (thresholds still passed send nothing again), then archives the budget", async ({}, info) => {
  const platform = card(adminPage);
  await adminPage.goto(`/${slug}/budgets`);
  await platform.getByTestId("budget-edit").click();
  const form = platform.getByTestId("budget-edit-form");
  await expect(form.getByRole("combobox", { name: "Team", exact: true })).toHaveValue(/.+/);
  await form.getByRole("textbox", { name: "Amount (USD)" }).fill("20");
  await form.getByRole("combobox", { name: "At 100%" }).selectOption("BLOCK");
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(form).toHaveCount(0);
  await expect(platform.getByTestId("budget-percent")).toHaveText("60%");
  await expect(platform.getByTestId("budget-state")).toHaveText("Warning");
  await expect(platform.getByTestId("budget-block")).toHaveText("Blocks at 100%");
  // 50 % is still passed at $12 of $20: recorded in the new epoch, not sent again.
  await expect(platform.getByTestId("budget-alert").first()).toContainText("50% reached — $12.00 of $20.00");
  await expect(platform.getByTestId("budget-alert").first()).toContainText("recorded, not sent");
  await shot(adminPage, info, "11-raised-and-blocking");

  adminPage.once("dialog", (dialog) => dialog.accept());
  await platform.getByTestId("budget-archive").click();
  await expect(adminPage.getByTestId("budget-card")).toHaveCount(0);
  await expect(adminPage.getByTestId("archived-budget")).toContainText("Platform");
  await shot(adminPage, info, "12-archived");
});
