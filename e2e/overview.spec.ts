import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Browser, type Page, type TestInfo } from "@playwright/test";
import { admin } from "./support/admin";
import { e2eEnv } from "./support/env";
import { signIn } from "./support/sign-in";
import { watchConsole } from "./support/console";

// The overview on the spec's own demo-seeded org (a month of agent traffic, one runaway execution
// ~3× the next): what burns money is on the first screen, the runaway tops the executions and is
// marked, the page's sums equal GET /api/v1/spend for the same range and filters, a shared URL
// reproduces the view, the page refreshes itself without a reload, and a new org is told how to
// send its first event. Screenshots in light and dark at 1440 and 390 px.
test.describe.configure({ mode: "serial", timeout: 90_000 });

const run = randomBytes(4).toString("hex");
const demoSlug = "overview-demo";
const emptySlug = `overview-empty-${run}`;
const email = `overview-lead-${run}@example.test`;
let demoKey = "";
let top: { executionId: string; cost: string }[] = [];
let page: Page;

async function shot(p: Page, info: TestInfo, name: string) {
  await p.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}


async function spend(request: APIRequestContext, params: Record<string, string>) {
  const res = await request.get(`/api/v1/spend?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${demoKey}` } });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

// The range the page rendered: the API is asked for exactly these instants.
async function renderedRange(p: Page) {
  const total = p.getByTestId("range-total");
  return { from: (await total.getAttribute("data-from"))!, to: (await total.getAttribute("data-to"))!, usd: (await total.getAttribute("data-usd"))! };
}

async function rankedRows(p: Page, dimension: string) {
  await p.getByTestId(`ranked-tab-${dimension}`).click();
  const table = p.locator(`[data-testid="ranked-table"][data-dimension="${dimension}"]`);
  await expect(table).toBeVisible();
  return table.getByTestId("ranked-row").evaluateAll((rows) =>
    rows.map((r) => ({ key: r.getAttribute("data-key") || null, cost: r.querySelector("[data-usd]")!.getAttribute("data-usd") })),
  );
}

// A fresh browser context (no client state shared with another) with the lead's session: signed in
// once with a magic link, its cookie reused — sign-in emails per address are rate limited.
let session: Awaited<ReturnType<import("@playwright/test").BrowserContext["storageState"]>> | undefined;
async function signedInPage(browser: Browser, options: { width: number; dark?: boolean } = { width: 1440 }) {
  const context = await browser.newContext({ viewport: { width: options.width, height: 900 }, colorScheme: options.dark ? "dark" : "light", storageState: session });
  const p = await context.newPage();
  if (!session) {
    await signIn(p, email);
    session = await context.storageState();
  }
  return p;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const out = execFileSync("node", ["--import", "tsx", "e2e/support/seed-overview.ts", demoSlug, emptySlug, email], {
    env: { ...process.env, ...e2eEnv() },
    encoding: "utf8",
  });
  ({ demoKey, top } = JSON.parse(out.trim().split("\n").at(-1)!));
  page = await signedInPage(browser);
});

test("the runaway execution tops the list, ~3× the next, marked as an outlier, linking to its detail", async ({}, info) => {
  const errors = watchConsole(page);
  await page.goto(`/${demoSlug}/overview?range=7d`);
  await expect(page.getByRole("heading", { name: "Overview Demo Co", level: 1 })).toBeVisible();
  const rows = page.getByTestId("top-execution");
  await expect(rows).toHaveCount(10);
  const first = rows.first();
  await expect(first).toHaveAttribute("data-execution-id", /-runaway$/);
  expect(await first.getAttribute("data-execution-id")).toBe(top[0].executionId);
  await expect(first).toHaveAttribute("data-outlier", "true");
  await expect(first.getByTestId("outlier-mark")).toBeVisible();
  const costs = await rows.getByTestId("execution-cost").evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-usd"))));
  expect(costs[0]).toBeGreaterThan(2.5 * costs[1]);
  // The demo's long tail has other runs past 5× their agent's median; of its ordinary runs none is as
  // far out as the runaway (the staged eval fan-out burst is, against an agent whose runs cost cents).
  const marked = await rows.evaluateAll((trs) =>
    trs
      .filter((r) => r.getAttribute("data-outlier") === "true")
      .map((r) => ({ id: r.getAttribute("data-execution-id") ?? "", times: Number(/([\d.]+)× median/.exec(r.querySelector("[data-testid=outlier-mark]")?.textContent ?? "")?.[1]) })),
  );
  const runawayTimes = marked[0].times;
  for (const m of marked.filter((x) => !/-(fanout|opus)$/.test(x.id))) expect(m.times, m.id).toBeLessThanOrEqual(runawayTimes);
  await expect(first.getByRole("link")).toHaveAttribute("href", `/${demoSlug}/executions/${encodeURIComponent(top[0].executionId)}`);
  // The first screen: the four numbers and the chart.
  for (const id of ["spend-today", "spend-month", "burn-hour", "projected", "spend-chart"]) await expect(page.getByTestId(id)).toBeVisible();
  await expect(page.getByTestId("spend-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await shot(page, info, "overview-7d");
  expect(errors).toEqual([]);
});

test("the page's total and breakdowns equal GET /api/v1/spend for the same range and filters", async ({ request }) => {
  for (const query of ["range=30d", "range=7d&team=platform", "range=month&agent=migration-bot&stack=model"]) {
    await page.goto(`/${demoSlug}/overview?${query}`);
    const range = await renderedRange(page);
    const filters = Object.fromEntries([...new URLSearchParams(query)].filter(([k]) => !["range", "stack"].includes(k)));
    const whole = await spend(request, { from: range.from, to: range.to, ...filters });
    expect(range.usd, query).toBe(whole.total_usd);
    for (const dimension of ["team", "agent", "model"]) {
      const api = await spend(request, { from: range.from, to: range.to, ...filters, group_by: dimension, limit: "10" });
      expect(await rankedRows(page, dimension), `${query} by ${dimension}`).toEqual(api.groups.map((g: { key: string | null; cost_usd: string }) => ({ key: g.key, cost: g.cost_usd })));
    }
  }
});

test("a row filters the view; the chip removes the filter; the view is in the URL", async ({}, info) => {
  await page.goto(`/${demoSlug}/overview?range=7d`);
  await page.getByTestId("ranked-tab-team").click();
  await page.locator('[data-testid="ranked-row"][data-key="platform"]').getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/${demoSlug}/overview\\?range=7d&team=platform$`));
  await expect(page.getByTestId("filter-chip")).toHaveText(/Team:\s*platform/);
  await page.getByTestId("stack-model").click();
  await expect(page).toHaveURL(/stack=model/);
  await shot(page, info, "overview-filtered-team");
  await page.getByRole("link", { name: "Remove filter Team platform" }).click();
  await expect(page).toHaveURL(new RegExp(`/${demoSlug}/overview\\?range=7d&stack=model$`));
  await expect(page.getByTestId("filter-chip")).toHaveCount(0);
});

test("a shared URL reproduces the view in another browser", async ({ browser }) => {
  const url = `/${demoSlug}/overview?range=custom&from=${await isoDaysAgo(6)}&to=${await isoDaysAgo(1)}&agent=migration-bot&stack=model`;
  await page.goto(url);
  const mine = await renderedRange(page);
  const myRows = await rankedRows(page, "model");
  const other = await signedInPage(browser);
  await other.goto(url);
  expect(await renderedRange(other)).toEqual(mine);
  expect(await rankedRows(other, "model")).toEqual(myRows);
  await expect(other.getByTestId("filter-chip")).toHaveText(/Agent:\s*migration-bot/);
  await expect(other.getByTestId("stack-model")).toHaveAttribute("aria-current", "page");
  await expect(other.getByLabel("From")).toHaveValue(await isoDaysAgo(6));
  await other.context().close();
});

test("it refreshes itself every 10 s without a reload", async () => {
  test.setTimeout(60_000);
  await page.goto(`/${demoSlug}/overview`);
  await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
  const before = await page.locator('[data-testid="refreshed-at"] time').getAttribute("datetime");
  const chartBox = await page.getByTestId("chart-card").boundingBox();
  await expect.poll(() => page.locator('[data-testid="refreshed-at"] time').getAttribute("datetime"), { timeout: 25_000, intervals: [1000] }).not.toBe(before);
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
  // Nothing moved.
  expect(await page.getByTestId("chart-card").boundingBox()).toEqual(chartBox);
});

test("screenshots: light and dark, 1440 and 390 px wide; nothing overflows the phone's width", async ({ browser }, info) => {
  test.setTimeout(180_000);
  for (const dark of [false, true]) {
    for (const width of [1440, 390]) {
      const p = await signedInPage(browser, { width, dark });
      const errors = watchConsole(p);
      await p.emulateMedia({ colorScheme: dark ? "dark" : "light" });
      await p.goto(`/${demoSlug}/overview`);
      // The chart draws only after hydration and a measure of its container: under a loaded CI
      // machine that takes longer than the default 5 s, so both waits get the same allowance.
      await expect(p.getByTestId("spend-chart").locator("svg.recharts-surface").first()).toBeAttached({ timeout: 15_000 });
      await expect(p.getByTestId("spend-chart").locator(".recharts-bar-rectangle").first()).toBeAttached({ timeout: 15_000 });
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      // What sticks out, to fix it rather than guess.
      const culprits = await p.evaluate(() =>
        [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .slice(0, 5)
          .map((el) => `${el.tagName}.${el.className}`.slice(0, 120)),
      );
      expect(overflow, `${width}px ${dark ? "dark" : "light"}: ${culprits.join(" | ")}`).toBeLessThanOrEqual(0);
      await shot(p, info, `overview-${dark ? "dark" : "light"}-${width}`);
      // The parts at full size too (a 390 px full page is too long to read in one image).
      if (width === 390) {
        for (const part of ["chart-card", "ranked-card", "top-executions-card"]) {
          await p.getByTestId(part).screenshot({ path: info.outputPath(`overview-${dark ? "dark" : "light"}-390-${part}.png`) });
        }
      }
      expect(errors).toEqual([]);
      await p.context().close();
    }
  }
});

test("a new org's overview shows how to send the first event, and the curl it shows works", async ({ request }, info) => {
  await page.goto(`/${emptySlug}/overview`);
  const guide = page.getByTestId("first-event-guide");
  await expect(guide).toBeVisible();
  await expect(page.getByText("No spend yet")).toHaveCount(0);
  await expect(page.getByTestId("first-event-curl")).toContainText(`${e2eEnv().APP_URL}/api/v1/events`);
  await expect(page.getByTestId("first-event-curl")).toContainText('"model": "gpt-4o-mini"');
  // The SDK base-URL swap names this server's gateway for both SDKs.
  await expect(page.getByTestId("first-event-gateway")).toContainText(`baseURL: "${e2eEnv().APP_URL}/api/v1/gateway/openai/v1"`);
  await expect(page.getByTestId("first-event-gateway")).toContainText(`baseURL: "${e2eEnv().APP_URL}/api/v1/gateway/anthropic"`);
  await page.getByTestId("issue-key-link").click();
  await expect(page).toHaveURL(new RegExp(`/${emptySlug}/keys$`));
  await page.goto(`/${emptySlug}/overview`);
  await expect(page.getByTestId("first-event-gateway")).toBeVisible();
  await shot(page, info, "overview-empty-org");

  // The curl as shown works: its body, sent with a new key, is the org's first event.
  const secret = admin("key", "create", "--org", emptySlug, "--name", "first agent").at(-1)!;
  const body = (await page.getByTestId("first-event-curl").textContent())!.match(/-d '([\s\S]*)'/)![1];
  const res = await request.post("/api/v1/events", { headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, data: body });
  expect(res.status(), await res.text()).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: 1 });
  await page.goto(`/${emptySlug}/overview`);
  await expect(page.getByTestId("first-event-guide")).toHaveCount(0);
  await expect(page.getByTestId("top-execution")).toHaveCount(1);
});

// A local date some days back in the org's zone (America/New_York), YYYY-MM-DD.
async function isoDaysAgo(days: number): Promise<string> {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date(Date.now() - days * 86_400_000));
}
