// An agent that is refused asks for more, end to end in Chromium: its loop is blocked; it posts
// POST /api/v1/approvals; the owner's email has the Approve link; opening it signed out leads to
// sign-in and back to the decision page; opening it decides nothing, the confirm button does; the
// agent's poll says approved and its next call runs; the link is single-use. Screenshots at 1280
// and 390 px.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { admin } from "./support/admin";
import { openLatestLink, requestMagicLink, signIn } from "./support/sign-in";

const run = randomBytes(4).toString("hex");
const slug = `approvals-${run}`;
const email = `owner-${run}@example.test`;
const EXECUTION = `migration-bot-${run}`;
let secret = "";

test.describe.configure({ timeout: 120_000 });
test.use({ viewport: { width: 1280, height: 900 }, timezoneId: "UTC" });

test.beforeAll(() => {
  test.setTimeout(120_000);
  admin("org", "create", slug, "--timezone", "UTC");
  admin("member", "add", "--org", slug, email, "--role", "owner");
  secret = admin("key", "create", "--org", slug, "--name", "agents").pop()!;
});

const failing = (i: number, base: number, execution = EXECUTION) => ({
  id: `${execution}-${i}`,
  timestamp: new Date(base + i * 8000).toISOString(),
  execution_id: execution,
  agent: "migration-bot",
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  usage: { input_tokens: 48_000, output_tokens: 0 },
  status: "error",
  error_type: "rate_limit",
  attempt: i,
});

test("a blocked agent asks for $5 more; the owner approves from the email after signing in; the agent runs again", async ({ page, request }) => {
  const auth = { authorization: `Bearer ${secret}` };
  const base = Date.now() - 60_000;
  let state = "";
  for (const i of [1, 2, 3]) state = (await (await request.post("/api/v1/events", { headers: auth, data: failing(i, base) })).json()).execution.state;
  expect(state).toBe("blocked");

  const asked = await request.post("/api/v1/approvals", { headers: auth, data: { execution_id: EXECUTION, amount_usd: "5", reason: "two more tenants to migrate" } });
  expect(asked.status(), await asked.text()).toBe(201);
  const approval = await asked.json();
  expect(approval).toMatchObject({ status: "pending" });

  // The owner's email, opened signed out: its first link is Approve.
  await openLatestLink(page, email, { subject: /^Approve \$5\.00 more for/ });
  await expect(page).toHaveURL(/\/sign-in/);
  const requestedAt = await requestMagicLink(page, email);
  await openLatestLink(page, email, { after: requestedAt });
  await expect(page).toHaveURL(new RegExp(`/${slug}/approvals/`));
  await expect(page.getByRole("heading", { name: "An agent asks for $5.00 more" })).toBeVisible();
  await expect(page.getByTestId("approval-facts")).toContainText("two more tenants to migrate");
  // Opening the link decided nothing.
  expect((await (await request.get(`/api/v1/approvals/${approval.id}`, { headers: auth })).json()).status).toBe("pending");
  await page.screenshot({ path: test.info().outputPath("1280-approval.png"), fullPage: true });

  await page.getByRole("button", { name: "Approve $5.00 more" }).click();
  // The page now says what happened: approved, by whom, the new limit ($0.43 spent + $5).
  await expect(page.getByTestId("approval-state")).toContainText(`This ask was approved by ${email}`);
  await expect(page.getByTestId("approval-state")).toContainText("Its limit is now $5.43.");
  await page.screenshot({ path: test.info().outputPath("1280-approved.png"), fullPage: true });

  const polled = await (await request.get(`/api/v1/approvals/${approval.id}`, { headers: auth })).json();
  expect(polled).toMatchObject({ status: "approved" });
  const check = await (await request.get(`/api/v1/budget?execution_id=${EXECUTION}`, { headers: auth })).json();
  expect(check).toMatchObject({ allowed: true });

  // Single use: the same link again says it was decided, with no button.
  await page.reload();
  await expect(page.getByTestId("approval-state")).toContainText("This ask was approved");
  await expect(page.getByRole("button", { name: /Approve/ })).toHaveCount(0);
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: test.info().outputPath("390-decided.png"), fullPage: true });
});

test("an owner resumes a blocked execution from its page with a new limit of $3; the budget check then holds it to $3", async ({ page, request }) => {
  const auth = { authorization: `Bearer ${secret}` };
  const execution = `limited-${run}`;
  const base = Date.now() - 60_000;
  for (const i of [1, 2, 3]) await request.post("/api/v1/events", { headers: auth, data: failing(i, base, execution) });
  await signIn(page, email);
  await page.goto(`/${slug}/executions/${execution}`);
  await page.getByTestId("execution-resume-limit").fill("3");
  await page.getByTestId("execution-resume").click();
  // The page refreshes to the resumed execution: the banner (and the button's own "Resumed, with a
  // limit of $3." with it) goes, and the page says it was resumed.
  await expect(page.getByTestId("resumed-note")).toContainText("Resumed at");
  await expect(page.getByTestId("blocked-banner")).toHaveCount(0);
  const check = await (await request.get(`/api/v1/budget?execution_id=${execution}`, { headers: auth })).json();
  expect(check.allowed).toBe(true);
  expect(check.budgets).toEqual([expect.objectContaining({ scope: "execution", limit_usd: "3.00", enforcement: "block" })]);
});
