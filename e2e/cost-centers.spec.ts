import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import Decimal from "decimal.js";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { admin } from "./support/admin";
import { signIn } from "./support/sign-in";

// Finance's month: an org with two cost centers, their teams and keys, and spend this month and
// last; a VIEWER signs in, reads the showback, opens a cost center to its teams and keys with the
// keyboard, downloads the CSV — whose totals equal the page and GET /api/v1/spend — and moves
// between months by URL. Screenshots at 1440 and 390 px, light and dark.
test.describe.configure({ mode: "serial", timeout: 60_000 });

const run = randomBytes(4).toString("hex");
const slug = `showback-${run}`;
const viewer = `finance-${run}@example.test`;
const outsider = `outsider-${run}@example.test`;
const owner = `owner-${run}@example.test`;

let readKey = "";
let page: Page;
let monthStart = "";
let thisMonth = "";
let lastMonth = "";

const dec = (s: string) => new Decimal(s).toFixed();

async function shot(info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

// RFC 4180 as a spreadsheet reads it (quoted fields, doubled quotes, CRLF rows).
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ",") {
      row.push(field);
      field = "";
    } else if (!quoted && c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

test.beforeAll(async ({ browser, playwright, baseURL }) => {
  // Ten admin CLI runs (a Node start each) on a busy two-core machine.
  test.setTimeout(180_000);
  admin("org", "create", slug, "--name", "Showback Co", "--timezone", "America/New_York");
  admin("cost-center", "create", "--org", slug, "ENG-100", "--name", "Engineering");
  admin("cost-center", "create", "--org", slug, "FIN-200", "--name", "Data & Analytics, EMEA");
  admin("team", "create", "--org", slug, "platform", "--name", "Platform", "--cost-center", "ENG-100");
  admin("team", "create", "--org", slug, "data", "--name", "Data science", "--cost-center", "FIN-200");
  admin("member", "add", "--org", slug, viewer, "--role", "viewer");
  admin("member", "add", "--org", slug, owner, "--role", "owner");
  const platformKey = admin("key", "create", "--org", slug, "--name", "platform agents", "--team", "platform").at(-1)!;
  const dataKey = admin("key", "create", "--org", slug, "--name", "data notebooks", "--team", "data").at(-1)!;
  const sharedKey = admin("key", "create", "--org", slug, "--name", "shared sandbox").at(-1)!;
  readKey = admin("key", "create", "--org", slug, "--name", "finance export check", "--scope", "read").at(-1)!;

  const api = await playwright.request.newContext({ baseURL });
  // This month starts where the spend API's default range starts (the org's zone).
  const probe = await api.get("/api/v1/spend", { headers: { authorization: `Bearer ${readKey}` } });
  expect(probe.status()).toBe(200);
  monthStart = (await probe.json()).from;
  const start = new Date(monthStart).getTime();
  const now = Date.now();
  // Inside this month, before now; and a few hours / two days before it began (last month).
  const inMonth = (f: number) => new Date(start + (now - start) * f).toISOString();
  const before = (ms: number) => new Date(start - ms).toISOString();
  const post = async (secret: string, events: object[]) => {
    const res = await api.post("/api/v1/events", { headers: { authorization: `Bearer ${secret}` }, data: { events } });
    expect(res.status(), await res.text()).toBe(200);
  };
  const call = (id: string, cost: string, timestamp: string, extra: object = {}) => ({ id: `${run}-${id}`, model: "gpt-4o", provider: "openai", cost_usd: cost, timestamp, agent: "pr-bot", ...extra });
  await post(platformKey, [
    call("p1", "12.345678", inMonth(0.2)),
    call("p2", "7.5", inMonth(0.6)),
    // The platform team's call charged to FIN-200 by the call itself.
    call("p3", "1.00", inMonth(0.7), { cost_center: "FIN-200" }),
    call("p-last", "25", before(3 * 3600_000)),
  ]);
  await post(dataKey, [call("d1", "4.20", inMonth(0.5)), call("d2", "0.000001", inMonth(0.9))]);
  await post(sharedKey, [call("s1", "0.75", inMonth(0.4)), call("s-last", "0.5", before(2 * 86_400_000))]);
  await api.dispose();

  const ny = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit" });
  thisMonth = ny.format(new Date(start + 3_600_000)).slice(0, 7);
  lastMonth = ny.format(new Date(start - 3_600_000)).slice(0, 7);
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
});

test("a viewer sees the month's showback: cost centers, shares, change, Unassigned, a total equal to the API", async ({}, info) => {
  await signIn(page, viewer);
  await page.goto(`/${slug}/cost-centers`);
  await expect(page.getByRole("heading", { name: "Cost centers", exact: true })).toBeVisible();

  const rows = page.getByTestId("showback-row");
  await expect(rows).toHaveCount(3);
  // Biggest first: ENG-100 (12.345678 + 7.5), FIN-200 (4.20 + 0.000001 + 1.00), then Unassigned.
  await expect(rows.nth(0)).toHaveAttribute("data-code", "ENG-100");
  await expect(rows.nth(0)).toHaveAttribute("data-spend", "19.845678");
  await expect(rows.nth(0)).toContainText("$19.85");
  await expect(rows.nth(1)).toHaveAttribute("data-spend", "5.200001");
  await expect(rows.nth(1)).toContainText("Data & Analytics, EMEA");
  await expect(rows.nth(1)).toContainText("new");
  await expect(rows.nth(2)).toContainText("Unassigned");
  await expect(rows.nth(2)).toHaveAttribute("data-spend", "0.75");

  const total = page.getByTestId("showback-total");
  await expect(total).toHaveAttribute("data-spend", "25.795679");
  await expect(total).toContainText("$25.80");
  await expect(page.getByTestId("showback-month-total")).toContainText("$25.80");
  // No management for a viewer.
  await expect(page.getByRole("heading", { name: "Manage cost centers" })).toHaveCount(0);
  await expect(page.getByTestId("cost-center-code")).toHaveCount(0);

  // The page's month and the spend API for the same range agree to the digit, per cost center too.
  const from = (await page.getByTestId("showback-month-total").getAttribute("data-from"))!;
  const to = (await page.getByTestId("showback-month-total").getAttribute("data-to"))!;
  expect(from).toBe(new Date(monthStart).toISOString());
  const res = await page.request.get(`/api/v1/spend?group_by=cost_center&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers: { authorization: `Bearer ${readKey}` } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(dec(body.total_usd)).toBe("25.795679");
  expect(Object.fromEntries(body.groups.map((g: { key: string | null; cost_usd: string }) => [g.key ?? "", dec(g.cost_usd)]))).toEqual({ "ENG-100": "19.845678", "FIN-200": "5.200001", "": "0.75" });

  await expect(page.getByTestId("showback-chart").locator(".recharts-bar-rectangle")).toHaveCount(3);
  await shot(info, "1440-light");
});

test("a cost center opens to its teams and keys from the keyboard", async ({}, info) => {
  const fin = page.locator('[data-testid="showback-row"][data-code="FIN-200"]');
  const expand = fin.getByTestId("showback-expand");
  await expect(expand).toHaveAttribute("aria-expanded", "false");
  await expand.focus();
  await page.keyboard.press("Enter");
  await expect(expand).toHaveAttribute("aria-expanded", "true");
  const teams = page.getByTestId("showback-team");
  await expect(teams).toHaveCount(2);
  await expect(teams.nth(0)).toContainText("Data science");
  await expect(teams.nth(0)).toHaveAttribute("data-spend", "4.200001");
  await expect(teams.nth(1)).toContainText("Platform");
  await expect(teams.nth(1)).toHaveAttribute("data-spend", "1.00");
  const keys = page.getByTestId("showback-key");
  await expect(keys).toHaveCount(2);
  await expect(keys.nth(0)).toContainText("data notebooks");
  await expect(keys.nth(1)).toContainText("platform agents");
  await page.keyboard.press("Space");
  await expect(expand).toHaveAttribute("aria-expanded", "false");
  await page.getByTestId("showback-toggle-all").click();
  // ENG-100: platform; FIN-200: data, platform; Unassigned: calls naming no team.
  await expect(page.getByTestId("showback-team")).toHaveCount(4);
  await shot(info, "1440-light-expanded");
});

test("the CSV download: named for the org and month, exact, its totals equal the page", async () => {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("showback-csv").click()]);
  expect(download.suggestedFilename()).toBe(`${slug}-showback-${thisMonth}.csv`);
  const bytes = await readFile((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const records = parseCsv(bytes.subarray(3).toString("utf8"));
  const total = records.find((r) => r.row_type === "total")!;
  expect(total.spend_usd).toBe(await page.getByTestId("showback-total").getAttribute("data-spend"));
  expect(total.previous_month_usd).toBe("25.50");
  const cc = records.filter((r) => r.row_type === "cost_center" || r.row_type === "unassigned");
  expect(cc.map((r) => [r.cost_center_code, r.cost_center_name, r.spend_usd, r.change_percent])).toEqual([
    ["ENG-100", "Engineering", "19.845678", "-20.6"],
    ["FIN-200", "Data & Analytics, EMEA", "5.200001", "new"],
    ["", "Unassigned", "0.75", "50.0"],
  ]);
  expect(cc.reduce((acc, r) => acc.plus(r.spend_usd), new Decimal(0)).toFixed()).toBe(dec(total.spend_usd));
  for (const r of records) expect(r.month).toBe(thisMonth);
  // Another month's CSV by URL, and a bad month is the client's mistake.
  const bad = await page.request.get(`/${slug}/cost-centers/export?month=2026-13`);
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe("bad_request");
});

test("months move by URL: last month, back with the next link, a bad month explained", async ({}, info) => {
  await page.goto(`/${slug}/cost-centers?month=${lastMonth}`);
  await expect(page.getByTestId("showback-total")).toHaveAttribute("data-spend", "25.50");
  await expect(page.locator('[data-testid="showback-row"][data-code="FIN-200"]')).toHaveAttribute("data-spend", "0.00");
  await shot(info, "1440-light-last-month");
  await page.getByTestId("month-next").click();
  await expect(page).toHaveURL(new RegExp(`month=${thisMonth}$`));
  await expect(page.getByTestId("showback-total")).toHaveAttribute("data-spend", "25.795679");
  await expect(page.getByTestId("month-next")).toHaveCount(0);
  await page.goto(`/${slug}/cost-centers?month=13-2026`);
  await expect(page.getByTestId("month-error")).toContainText("“13-2026” is not a month");
  await expect(page.getByTestId("showback-total")).toHaveAttribute("data-spend", "25.795679");
});

test("light and dark, 1440 and 390 px: no horizontal overflow at 390", async ({}, info) => {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1000 });
      await page.goto(`/${slug}/cost-centers?month=${thisMonth}`);
      await page.locator('[data-testid="showback-row"][data-code="ENG-100"]').getByTestId("showback-expand").click();
      await expect(page.getByTestId("showback-team").first()).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${width}px ${scheme} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      await shot(info, `${width}-${scheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1440, height: 1000 });
});

test("a person who is not a member gets a 404 for the page and the CSV", async ({ browser }) => {
  admin("org", "create", `other-${run}`, "--name", "Other");
  admin("member", "add", "--org", `other-${run}`, outsider, "--role", "owner");
  const other = await (await browser.newContext()).newPage();
  await signIn(other, outsider);
  const res = await other.goto(`/${slug}/cost-centers`);
  expect(res?.status()).toBe(404);
  const csv = await other.request.get(`/${slug}/cost-centers/export?month=${thisMonth}`);
  expect(csv.status()).toBe(404);
  expect(await csv.text()).not.toContain("ENG-100");
  await other.context().close();
});

test("an owner sees the same showback and, below it, the cost centers to manage (light and dark)", async ({ browser }, info) => {
  const ownerPage = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  await signIn(ownerPage, owner);
  await ownerPage.goto(`/${slug}/cost-centers`);
  await expect(ownerPage.getByTestId("showback-total")).toHaveAttribute("data-spend", "25.795679");
  await expect(ownerPage.getByRole("heading", { name: "Manage cost centers" })).toBeVisible();
  await expect(ownerPage.locator('[data-testid="cost-center-row"][data-code="FIN-200"]')).toContainText("Data & Analytics, EMEA");
  for (const scheme of ["light", "dark"] as const) {
    await ownerPage.emulateMedia({ colorScheme: scheme });
    await ownerPage.screenshot({ path: info.outputPath(`owner-1440-${scheme}.png`), fullPage: true });
  }
  await ownerPage.context().close();
});
