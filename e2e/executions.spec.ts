// The executions list and an execution's detail, on a demo-seeded org (prisma/seed: a month of
// agent traffic with a ~$40 runaway — migration-bot on opus with an ever-growing context — and a
// retry loop — test-fixer sending the same failing call eight times): the runaway leads the list by
// cost, paging works from the keyboard, the retry loop is marked on its chart and in its call table,
// another org's execution is a 404; screenshots at 1440 and 390 px, light and dark.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { displayUsd, exactUsd } from "../lib/money";
import { admin } from "./support/admin";
import { e2eEnv } from "./support/env";
import { signIn } from "./support/sign-in";

const run = randomBytes(4).toString("hex");
// One seeded org, reused by later runs (seeding a month of traffic takes a while); its data is
// dated relative to the first run, so the spec looks at "all time".
const slug = "exec-e2e-demo";
const email = `lead-${run}@example.test`;
const otherSlug = `exec-other-${run}`;
const OTHER_EXECUTION = `other-org-secret-run-${run}`;

type TSeeded = { slug: string; runawayExecutionId: string; runawayCostUsd: string; retryLoopExecutionId: string };
let seeded: TSeeded;

test.describe.configure({ mode: "serial", timeout: 60_000 });
// Signed in once (magic links are rate-limited per address); every test reuses the session.
// The file exists (empty) before any context is made — the hook's own request and browser contexts
// read it too — and holds the session once beforeAll has signed in.
const STATE = `e2e/artifacts/executions-state-${run}.json`;
mkdirSync("e2e/artifacts", { recursive: true });
if (!existsSync(STATE)) writeFileSync(STATE, JSON.stringify({ cookies: [], origins: [] }));
test.use({ storageState: STATE });

test.beforeAll(async ({ browser, request }) => {
  test.setTimeout(300_000);
  const out = execFileSync(process.execPath, ["--import", "tsx", "e2e/support/seed-demo.ts", slug, "8000"], {
    env: { ...process.env, ...e2eEnv() },
    encoding: "utf8",
  });
  seeded = JSON.parse(out.trim().split("\n").pop()!);
  expect(seeded.runawayExecutionId).toMatch(/-runaway$/);
  admin("member", "add", "--org", slug, email, "--role", "member");
  const context = await browser.newContext();
  await signIn(await context.newPage(), email);
  await context.storageState({ path: STATE });
  await context.close();

  // Another org with an execution of its own, which the lead is not a member of.
  admin("org", "create", otherSlug, "--timezone", "UTC");
  const secret = admin("key", "create", "--org", otherSlug, "--name", "other").pop()!;
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${secret}` },
    data: { events: [{ id: `o-${run}`, execution_id: OTHER_EXECUTION, kind: "tool", tool: "secret", cost_usd: "123.45" }] },
  });
  expect(res.status()).toBe(200);
});

const listUrl = (query = "") => `/${slug}/executions?range=all${query}`;
const rows = (page: Page) => page.getByTestId("executions-table").locator("tbody tr");

async function noOverflow(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what} is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0);
}

test("the list sorted by cost shows the runaway first; sorting by retries puts the retry loop first", async ({ page }) => {
  await page.goto(listUrl());
  await expect(page.getByRole("heading", { name: "Executions", level: 1 })).toBeVisible();
  const first = rows(page).first();
  await expect(first).toContainText(seeded.runawayExecutionId);
  await expect(first).toContainText(displayUsd(seeded.runawayCostUsd));
  // The exact amount is on hover.
  await expect(first.locator("td:nth-child(4)").getByTitle(`exact ${exactUsd(seeded.runawayCostUsd)}`)).toBeVisible();
  await expect(page.getByRole("columnheader", { name: /Cost/ })).toHaveAttribute("aria-sort", "descending");

  await page.getByRole("link", { name: "Retries", exact: true }).click();
  await expect(page).toHaveURL(/sort=retries/);
  await expect(rows(page).first()).toContainText(seeded.retryLoopExecutionId);
  await expect(page.getByRole("columnheader", { name: /Retries/ }).first()).toHaveAttribute("aria-sort", "descending");

  // A filter from a value in the list: only the runaway's agent.
  await page.goto(listUrl());
  await rows(page).first().getByRole("link", { name: "migration-bot", exact: true }).click();
  await expect(page).toHaveURL(/agent=migration-bot/);
  await expect(page.getByRole("list", { name: "Filters in force" })).toContainText("migration-bot");
  const agents = await rows(page).locator("td:nth-child(2) div:first-child").allInnerTexts();
  expect(new Set(agents)).toEqual(new Set(["migration-bot"]));
});

test("next and previous page by keyboard: no row repeated, the same first page back", async ({ page }) => {
  await page.goto(listUrl());
  const firstPage = await rows(page).locator("td:first-child a").allInnerTexts();
  expect(firstPage).toHaveLength(50);

  await page.getByRole("link", { name: "Next page →" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/cursor=/);
  const secondPage = await rows(page).locator("td:first-child a").allInnerTexts();
  expect(secondPage.length).toBeGreaterThan(0);
  expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);

  await page.getByRole("link", { name: "← Previous page" }).focus();
  await page.keyboard.press("Enter");
  await expect(rows(page).first()).toContainText(firstPage[0]);
  expect(await rows(page).locator("td:first-child a").allInnerTexts()).toEqual(firstPage);

  // A forged cursor is said out loud and the first page shown — never an error page.
  const res = await page.goto(listUrl("&cursor=bm90LWEtY3Vyc29y"));
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("alert").filter({ hasText: "That page link is not valid" })).toBeVisible();
  await expect(rows(page).first()).toContainText(seeded.runawayExecutionId);
});

test("the runaway's detail: context growth on the chart, its totals; the retry loop's detail marks every retry", async ({ page }) => {
  await page.goto(listUrl());
  await rows(page).first().getByRole("link", { name: seeded.runawayExecutionId }).click();
  await expect(page.getByTestId("execution-id")).toHaveText(seeded.runawayExecutionId);
  await expect(page.getByTestId("execution-cost")).toHaveText(displayUsd(seeded.runawayCostUsd));
  const chart = page.getByTestId("timeline-chart");
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(chart.locator(".recharts-line-curve")).toHaveCount(1);
  // Context growth: the call table's first and last LLM calls — the last read far more.
  const table = page.getByTestId("call-table");
  await expect(table.locator("tbody tr").first()).toContainText("claude-opus");

  await page.goto(`/${slug}/executions/${encodeURIComponent(seeded.retryLoopExecutionId)}`);
  await expect(page.getByTestId("execution-retries")).toHaveText("7");
  // The chart says it in words, marks the first failure red and each of the seven retries amber.
  await expect(page.getByTestId("timeline-summary")).toContainText("7 retries");
  await expect(page.getByTestId("timeline-summary")).toContainText("8 errors");
  await expect(page.getByTestId("timeline-chart").locator("path.timeline-marker-retry")).toHaveCount(7);
  await expect(page.getByTestId("timeline-chart").locator("path.timeline-marker-error")).toHaveCount(1);
  // The call table lists attempts 2–8 of the failing call, marked.
  const retried = page.getByTestId("call-table").locator("tbody tr:not([data-attempt='1'])");
  await expect(retried).toHaveCount(7);
  expect(await retried.locator("td:nth-child(5)").allInnerTexts()).toEqual(["2 ↻", "3 ↻", "4 ↻", "5 ↻", "6 ↻", "7 ↻", "8 ↻"]);
  await expect(page.getByTestId("call-table").locator("tbody tr[data-status='error']")).toHaveCount(8);
});

test("another org's execution, or an unknown id, is the not-found page", async ({ page }) => {
  for (const url of [`/${slug}/executions/${OTHER_EXECUTION}`, `/${otherSlug}/executions/${OTHER_EXECUTION}`, `/${slug}/executions/no-such-execution`, `/${otherSlug}/executions`]) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByText("123.45")).toHaveCount(0);
  }
  // Nor does it show up in the lead's own list.
  await page.goto(listUrl());
  await expect(page.getByText(OTHER_EXECUTION)).toHaveCount(0);
});

test("a new org's list says how executions appear, at 390 px without overflow", async ({ page }, info) => {
  const empty = `exec-empty-${run}`;
  admin("org", "create", empty, "--timezone", "Asia/Kolkata");
  admin("member", "add", "--org", empty, email, "--role", "viewer");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/${empty}/executions`);
  await expect(page.getByText("No executions match in the last 30 days.")).toBeVisible();
  await expect(page.getByText("execution_id", { exact: true })).toBeVisible();
  await noOverflow(page, "the empty list");
  await page.screenshot({ path: info.outputPath("executions-empty-390.png"), fullPage: true });
});

for (const [width, height] of [[1440, 900], [390, 844]] as const) {
  for (const scheme of ["light", "dark"] as const) {
    test(`screenshots at ${width} px, ${scheme}: the list and the runaway's and the retry loop's detail, no horizontal overflow`, async ({ page }, info) => {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
          await page.goto(listUrl());
      await expect(rows(page).first()).toBeVisible();
      await noOverflow(page, "the list");
      await page.screenshot({ path: info.outputPath(`executions-list-${width}-${scheme}.png`), fullPage: width > 400 });

      for (const [name, id] of [["runaway", seeded.runawayExecutionId], ["retry-loop", seeded.retryLoopExecutionId]]) {
        await page.goto(`/${slug}/executions/${encodeURIComponent(id)}`);
        await expect(page.getByTestId("timeline-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
        await noOverflow(page, `the ${name} detail`);
        // Hover a late call so the tooltip with exact numbers is in the picture.
        const bars = page.getByTestId("timeline-chart").locator(".recharts-bar-rectangle");
        await bars.nth(Math.max(0, (await bars.count()) - 3)).hover();
        await page.screenshot({ path: info.outputPath(`execution-${name}-${width}-${scheme}.png`), fullPage: true });
      }
      expect(errors).toEqual([]);
    });
  }
}
