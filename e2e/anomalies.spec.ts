// Runaway detection seen by a lead, end to end in Chromium: an agent posts the same failing call
// three times through the real API; the third response says "blocked"; the owner's anomaly email
// is in the mailbox; the overview leads with it; the anomalies page shows the loop (kind, sentence,
// blocked, cost, mini timeline); the execution page has the blocked banner and marks where the loop
// started; Resume lets it run again and resolves the anomaly. Acknowledge on a second loop; the
// breaker turned off in settings lets the next loop run on. Screenshots at 1280 and 390 px.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { admin } from "./support/admin";
import { signIn } from "./support/sign-in";

const run = randomBytes(4).toString("hex");
const slug = `anomalies-${run}`;
const email = `owner-${run}@example.test`;
const LOOP = `migration-bot-${run}`;
const SECOND = `test-fixer-${run}`;
let secret = "";

test.describe.configure({ mode: "serial", timeout: 60_000 });
const STATE = `e2e/artifacts/anomalies-state-${run}.json`;
mkdirSync("e2e/artifacts", { recursive: true });
if (!existsSync(STATE)) writeFileSync(STATE, JSON.stringify({ cookies: [], origins: [] }));
test.use({ storageState: STATE, viewport: { width: 1280, height: 900 }, timezoneId: "UTC" });

test.beforeAll(async ({ browser }) => {
  // Three CLI runs and a sign-in: more than the default 30 s on a busy machine.
  test.setTimeout(120_000);
  admin("org", "create", slug, "--timezone", "UTC");
  admin("member", "add", "--org", slug, email, "--role", "owner");
  secret = admin("key", "create", "--org", slug, "--name", "agents").pop()!;
  const context = await browser.newContext();
  await signIn(await context.newPage(), email);
  await context.storageState({ path: STATE });
  await context.close();
});

// Two ordinary calls, then the same failing call (same model, same 48k context, rate-limited)
// every 8 s: the demo's retry loop.
function calls(execution: string, base: number) {
  const ordinary = [0, 1].map((i) => ({
    id: `${execution}-ok-${i}`,
    timestamp: new Date(base + i * 5000).toISOString(),
    execution_id: execution,
    agent: execution.startsWith("migration") ? "migration-bot" : "test-fixer",
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    usage: { input_tokens: 40_000 + i * 900, output_tokens: 400 + i * 120 },
  }));
  const failing = [1, 2, 3].map((i) => ({
    id: `${execution}-retry-${i}`,
    timestamp: new Date(base + 20_000 + i * 8000).toISOString(),
    execution_id: execution,
    agent: ordinary[0].agent,
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    usage: { input_tokens: 48_000, output_tokens: 0 },
    status: "error",
    error_type: "rate_limit",
    attempt: i,
  }));
  return [...ordinary, ...failing];
}

// Posts the calls one request at a time, as an agent would; returns each response's execution state.
async function postOneByOne(request: APIRequestContext, events: Record<string, unknown>[]) {
  const answers: { state: string; reason: string | null }[] = [];
  for (const event of events) {
    const res = await request.post("/api/v1/events", { headers: { authorization: `Bearer ${secret}` }, data: event });
    expect(res.status(), await res.text()).toBe(200);
    answers.push((await res.json()).execution);
  }
  return answers;
}

async function noOverflow(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what} is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0);
}

async function shoot(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

test("a looping agent is blocked in the response that completes the loop, and its owner is emailed", async ({ request, page }) => {
  const answers = await postOneByOne(request, calls(LOOP, Date.now() - 3 * 60_000));
  expect(answers.map((a) => a.state)).toEqual(["ok", "ok", "ok", "ok", "blocked"]);
  expect(answers[4].reason).toMatch(/^Retry loop: 3 identical calls to claude-sonnet-4-5 failing with rate_limit in 16 s, \$\d+\.\d\d$/);

  // The anomaly email arrives through the outbox a moment after.
  await expect(async () => {
    await page.goto(`/dev/mailbox/latest?to=${encodeURIComponent(email)}`);
    await expect(page.getByTestId("mailbox-email-subject")).toContainText(`Blocked — Retry loop: run ${LOOP} (migration-bot): 3 identical calls`, { timeout: 300 });
  }).toPass({ timeout: 15_000, intervals: [200, 500, 1000] });
  await shoot(page, "email");
});

test("the overview leads with the open anomaly; the anomalies page shows it with its evidence", async ({ page }) => {
  await page.goto(`/${slug}/overview`);
  const panel = page.getByTestId("open-anomalies");
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("heading")).toContainText("1 open anomaly · 1 execution blocked");
  await expect(panel.getByTestId("anomaly-execution")).toHaveText(LOOP);
  await shoot(page, "1280-overview");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("open-anomalies")).toBeVisible();
  await noOverflow(page, "the overview");
  await shoot(page, "390-overview");
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Anomalies" }).click();
  await expect(page.getByRole("heading", { name: "Anomalies", level: 1 })).toBeVisible();
  const row = page.getByTestId("anomaly-row").filter({ hasText: LOOP });
  await expect(row.getByTestId("anomaly-kind")).toHaveText("Retry loop");
  await expect(row.getByTestId("anomaly-blocked")).toBeVisible();
  await expect(row.getByTestId("anomaly-status")).toHaveText("open");
  await expect(row.getByTestId("anomaly-summary")).toContainText("3 identical calls to claude-sonnet-4-5 failing with rate_limit in 16 s");
  await expect(row.getByTestId("anomaly-sparkline").locator(".recharts-bar-rectangle")).toHaveCount(5);
  await expect(row.getByRole("button", { name: "Resume execution" })).toBeVisible();
  await shoot(page, "1280-anomalies");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(row.getByTestId("anomaly-sparkline")).toBeVisible();
  await noOverflow(page, "the anomalies page");
  await shoot(page, "390-anomalies");
  // Dark mode follows the system.
  await page.emulateMedia({ colorScheme: "dark" });
  await shoot(page, "390-anomalies-dark");
  await page.emulateMedia({ colorScheme: "light" });
});

test("acknowledging a second loop moves it after the open ones; it stays blocked", async ({ request, page }) => {
  await postOneByOne(request, calls(SECOND, Date.now() - 2 * 60_000));
  await page.goto(`/${slug}/anomalies`);
  const row = page.getByTestId("anomaly-row").filter({ hasText: SECOND });
  await row.getByRole("button", { name: "Acknowledge" }).click();
  await expect(row.getByTestId("anomaly-status")).toHaveText("acknowledged");
  await expect(row).toContainText(`Acknowledged`);
  await expect(row).toContainText(`by ${email}`);
  // Open first, then acknowledged.
  await expect(page.getByTestId("anomaly-row").first()).toContainText(LOOP);
  await expect(page.getByTestId("anomaly-row").last()).toContainText(SECOND);
  await page.getByRole("navigation", { name: "Anomaly status" }).getByRole("link", { name: /Acknowledged/ }).click();
  await expect(page).toHaveURL(/status=acknowledged/);
  await expect(page.getByTestId("anomaly-row")).toHaveCount(1);
});

test("the execution page: blocked banner, the loop's start marked on the timeline; Resume runs it again and resolves the anomaly", async ({ page }) => {
  await page.goto(`/${slug}/anomalies`);
  await page.getByTestId("anomaly-row").filter({ hasText: LOOP }).getByTestId("anomaly-execution").click();
  await expect(page.getByTestId("execution-id")).toHaveText(LOOP);
  const banner = page.getByTestId("blocked-banner");
  await expect(banner).toContainText("Retry loop: 3 identical calls to claude-sonnet-4-5 failing with rate_limit");
  await expect(banner).toContainText("The loop starts at call #3");
  await expect(page.getByTestId("timeline-marker-note")).toHaveText(" · retry loop starts at call #3");
  await expect(page.locator(".timeline-loop-marker")).toHaveCount(1);
  await expect(page.getByTestId("timeline-chart").getByText("▼ Loop starts")).toBeVisible();
  await shoot(page, "1280-execution-blocked");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("blocked-banner")).toBeVisible();
  await noOverflow(page, "the blocked execution page");
  await shoot(page, "390-execution-blocked");
  await page.emulateMedia({ colorScheme: "dark" });
  await shoot(page, "390-execution-blocked-dark");
  await page.emulateMedia({ colorScheme: "light" });

  await page.getByTestId("blocked-banner").getByRole("button", { name: "Resume execution" }).click();
  await expect(page.getByTestId("blocked-banner")).toHaveCount(0);
  await expect(page.locator("header").getByText("running", { exact: true })).toBeVisible();
  await shoot(page, "390-execution-resumed");

  await page.goto(`/${slug}/anomalies?status=resolved`);
  const row = page.getByTestId("anomaly-row").filter({ hasText: LOOP });
  await expect(row.getByTestId("anomaly-status")).toHaveText("resolved");
  await expect(row).toContainText(`by ${email}`);
  await expect(row.getByTestId("anomaly-blocked")).toHaveCount(0);
});

test("settings: the breaker's default explained; turned off, the next loop is recorded but runs on", async ({ request, page }) => {
  await page.goto(`/${slug}/settings`);
  const form = page.getByTestId("anomaly-settings");
  await expect(form.getByTestId("settings-retry-loop")).toContainText("default: 3 identical calls within 10 minutes");
  await expect(form.getByTestId("settings-retry-loop")).toContainText("default: stops the execution");
  await shoot(page, "1280-settings");
  const breaker = form.getByLabel("Circuit breaker: stop the execution").first();
  await expect(breaker).toBeChecked();
  await breaker.uncheck();
  await form.getByLabel("Identical calls").fill("1");
  await form.getByTestId("anomaly-settings-save").click();
  await expect(form.getByText("Too small: expected number to be >=2")).toBeVisible();
  await form.getByLabel("Identical calls").fill("3");
  await form.getByTestId("anomaly-settings-save").click();
  await expect(page.getByTestId("anomaly-settings-saved")).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("anomaly-settings").getByLabel("Circuit breaker: stop the execution").first()).not.toBeChecked();
  await noOverflow(page, "the settings page");
  await shoot(page, "390-settings");

  const answers = await postOneByOne(request, calls(`after-${run}`, Date.now() - 60_000));
  expect(answers.map((a) => a.state)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
  await page.goto(`/${slug}/anomalies`);
  const row = page.getByTestId("anomaly-row").filter({ hasText: `after-${run}` });
  await expect(row.getByTestId("anomaly-kind")).toHaveText("Retry loop");
  await expect(row.getByTestId("anomaly-blocked")).toHaveCount(0);
});
