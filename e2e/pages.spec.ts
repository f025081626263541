import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { admin } from "./support/admin";
import { signIn } from "./support/sign-in";
import { watchConsole } from "./support/console";

// Every org page as a lead on a phone in Tokyo sees it: no hydration error (dates in the org's zone,
// never the browser's), nothing wider than the screen, a favicon, and a way back from a wrong URL.
const run = randomBytes(4).toString("hex");
const slug = `pages-${run}`;
const email = `lead-${run}@example.test`;
// Discovered, not listed: every page.tsx under the org segment without a dynamic segment of its own
// (route groups like "(list)" are not part of the URL). Pages with an id have their own specs.
const ORG_DIR = path.join("app", "(dashboard)", "[org]");
const PAGES = (readdirSync(ORG_DIR, { recursive: true }) as string[])
  .filter((file) => path.basename(file) === "page.tsx")
  .map((file) => path.dirname(file).split(path.sep).filter((part) => !/^\(.*\)$/.test(part)))
  .filter((parts) => parts.length > 0 && !parts.some((part) => part.startsWith("[")))
  .map((parts) => parts.join("/"))
  .sort();
test("the page list is discovered from app/", () => {
  expect(PAGES).toEqual(expect.arrayContaining(["overview", "executions", "budgets", "cost-centers", "models", "settings"]));
});

test.use({ viewport: { width: 390, height: 844 }, timezoneId: "Asia/Tokyo" });

test.beforeAll(() => {
  admin("org", "create", slug, "--timezone", "UTC");
  admin("team", "create", "--org", slug, "platform");
  admin("key", "create", "--org", slug, "--name", "a key with a rather long name for a phone", "--team", "platform");
  admin("member", "add", "--org", slug, email, "--role", "owner");
});


test("every org page at 390 px in Asia/Tokyo: no console error, no horizontal overflow", async ({ page }, info) => {
  // One test walks every page: its time grows with their number (13 today).
  test.setTimeout(30_000 + PAGES.length * 8_000);
  await signIn(page, email);
  // Only the org pages' own errors (not the dev mailbox's sandboxed email preview on the way in).
  const errors = watchConsole(page);
  for (const path of PAGES) {
    await page.goto(`/${slug}/${path}`);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.waitForLoadState("networkidle");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: info.outputPath(`390-${path}.png`), fullPage: true });
  }
  expect(errors).toEqual([]);
});

test("the keys page shows dates in the org's zone (UTC here), not the browser's (Tokyo)", async ({ page }) => {
  await signIn(page, email);
  const errors = watchConsole(page);
  await page.goto(`/${slug}/keys`);
  const utcDay = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const row = page.getByRole("row").filter({ hasText: "a key with a rather long name" });
  // Created a moment ago: the row shows this minute (or the one before) as UTC reads it.
  const now = Date.now();
  const candidates = [now, now - 60_000].map((t) => utcDay.format(new Date(t)));
  await expect(row).toContainText(new RegExp(candidates.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")));
  expect(errors).toEqual([]);
});

test("a favicon, and a wrong URL says so with a way back", async ({ page }, info) => {
  const icon = await page.request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/image\//);

  const res = await page.goto("/this/is/not/a/page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.screenshot({ path: info.outputPath("404.png"), fullPage: true });
  await page.getByRole("link", { name: "Back to Burnrate" }).click();
  await expect(page).toHaveURL(/\/($|sign-in)/);
});

test("onboarding checks the address in the browser (its pattern compiles), before any request", async ({ page }) => {
  await signIn(page, `newcomer-${run}@example.test`);
  const errors = watchConsole(page);
  await expect(page).toHaveURL(/\/onboarding$/);
  const address = page.getByLabel("Address");
  await address.fill("Not A Slug");
  expect(await address.evaluate((el: HTMLInputElement) => el.validity.patternMismatch)).toBe(true);
  await address.fill("acme-inc");
  expect(await address.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(true);
  expect(errors.filter((e) => /pattern/i.test(e))).toEqual([]);
  expect(errors).toEqual([]);
});

test.describe("on a desktop", () => {
  test.use({ viewport: { width: 1280, height: 800 }, timezoneId: "UTC" });

  test("every navigation link is fully visible, none clipped by the header", async ({ page }) => {
    await signIn(page, email);
    for (const width of [1280, 1100, 1440]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`/${slug}/overview`);
      const nav = await page.getByRole("navigation", { name: "Main" }).boundingBox();
      for (const link of await page.getByRole("navigation", { name: "Main" }).getByRole("link").all()) {
        const box = await link.boundingBox();
        expect(box && nav && box.x >= nav.x - 1 && box.x + box.width <= nav.x + nav.width + 1, `${await link.textContent()} at ${width}px`).toBe(true);
      }
    }
  });
});
