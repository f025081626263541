// The integrations page as a lead uses it, in Chromium against the built app: the owner of a
// demo-seeded org opens it from the nav, finds Claude Code's setup filled in with this server's
// OTLP endpoint, creates an ingest key on the page and sees its secret in every snippet (once: a
// reload shows only which key to paste), picks a team and the snippets attribute to it, copies a
// snippet, sends an event with the new key and the page says data arrived. A viewer gets the
// snippets but no key button. Screenshots in light and dark at 1440 and 390 px.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from "@playwright/test";
import { admin } from "./support/admin";
import { e2eEnv } from "./support/env";
import { signIn } from "./support/sign-in";
import { watchConsole } from "./support/console";

test.describe.configure({ mode: "serial", timeout: 90_000 });

const run = randomBytes(4).toString("hex");
const slug = "integrations-demo";
const email = `integrations-owner-${run}@example.test`;
const viewerEmail = `integrations-viewer-${run}@example.test`;
let session: Awaited<ReturnType<BrowserContext["storageState"]>> | undefined;
// The key created on the page in the first test, for the export in the second.
let freshSecret = "";

async function ownerPage(browser: Browser, options: { width?: number; dark?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1440, height: 900 }, colorScheme: options.dark ? "dark" : "light", storageState: session, timezoneId: "UTC" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  if (!session) {
    await signIn(page, email);
    session = await context.storageState();
  }
  return page;
}


async function shot(p: Page, info: TestInfo, name: string) {
  await p.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

test.beforeAll(async () => {
  // The demo seeder (teams, cost centers, agent keys, a month of traffic) on the spec's own org,
  // reused by later runs; the spec's owner is made its owner.
  test.setTimeout(240_000);
  execFileSync("node", ["--import", "tsx", "e2e/support/seed-overview.ts", slug, `integrations-empty-${run}`, email], { env: { ...process.env, ...e2eEnv() }, encoding: "utf8" });
});

test("Claude Code's setup has this server's endpoint; a key created here fills every snippet, once; a team choice attributes them; copy works", async ({ browser, baseURL }) => {
  const page = await ownerPage(browser);
  const errors = watchConsole(page);
  await page.goto(`/${slug}/overview`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
  await expect(page.getByRole("heading", { name: "Integrations", level: 1 })).toBeVisible();
  await expect(page.getByTestId("instance-origin")).toHaveText(baseURL!);

  const claude = page.getByTestId("snippet-claude-code-shell");
  await expect(claude).toContainText(`export OTEL_EXPORTER_OTLP_ENDPOINT=${baseURL}/api/v1/otlp`);
  await expect(claude).toContainText("OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer <paste the key br_");
  await expect(page.getByTestId("snippet-codex-toml")).toContainText(`endpoint = "${baseURL}/api/v1/otlp/v1/logs"`);
  await expect(page.getByTestId("snippet-genai-shell")).toContainText(`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${baseURL}/api/v1/otlp/v1/traces`);
  await expect(page.getByTestId("snippet-events-typescript")).toContainText(`fetch("${baseURL}/api/v1/events"`);
  await expect(page.getByTestId("last-received-claude_code")).toContainText("Last data received:");

  // The picker fills the chosen existing key's placeholder in.
  const picker = page.getByTestId("key-picker");
  const options = await picker.locator("option").evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? "" })));
  expect(options.length).toBeGreaterThan(1);
  await picker.selectOption(options[1].value);
  const prefix = /\((br_[A-Za-z0-9]+)…\)/.exec(options[1].text)![1];
  await expect(claude).toContainText(`Bearer <paste the key ${prefix}…>`);

  // Create a key here: its secret is shown once and filled into every snippet.
  await page.getByTestId("new-key-name").fill(`claude-code ${run}`);
  await page.getByTestId("create-ingest-key").click();
  const secret = (await page.getByTestId("fresh-key-secret").textContent())!.trim();
  expect(secret).toMatch(/^br_[A-Za-z0-9]{40,}$/);
  freshSecret = secret;
  await expect(claude).toContainText(`OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer ${secret}'`);
  await expect(page.getByTestId("snippet-claude-code-managed")).toContainText(`"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${secret}"`);
  await expect(page.getByTestId("snippet-codex-toml")).toContainText(`"Authorization" = "Bearer ${secret}"`);
  await expect(page.getByTestId("snippet-gemini-shell")).toContainText(secret);
  await expect(page.getByTestId("snippet-genai-shell")).toContainText(`Bearer%20${secret}`);
  await expect(page.getByTestId("snippet-events-python")).toContainText(`BURNRATE_KEY = "${secret}"`);

  // A team and cost center: the snippets attribute to them (the choice is in the URL, the new
  // secret stays filled in).
  await page.getByTestId("team-picker").selectOption("platform");
  await expect(page).toHaveURL(/[?&]team=platform/);
  await expect(claude).toContainText("OTEL_RESOURCE_ATTRIBUTES='team=platform'");
  await page.getByTestId("cost-center-picker").selectOption("ENG-100");
  await expect(claude).toContainText("OTEL_RESOURCE_ATTRIBUTES='team=platform,cost_center=ENG-100'");
  await page.getByTestId("repository-input").fill("acme/api");
  await page.getByTestId("repository-input").press("Enter");
  await expect(claude).toContainText("OTEL_RESOURCE_ATTRIBUTES='team=platform,cost_center=ENG-100,repository=acme/api'");
  await expect(page.getByTestId("snippet-events-typescript")).toContainText('team: "platform",');
  await expect(claude).toContainText(secret);

  // Copy puts exactly the snippet on the clipboard.
  await page.getByTestId("copy-claude-code-shell").click();
  await expect(page.getByTestId("copy-claude-code-shell")).toHaveText("Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await claude.textContent());
  expect(copied).toContain(`Bearer ${secret}`);

  // The key works for ingest; the page then says the events API received data.
  const res = await page.request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${secret}` },
    data: { id: `integrations-${run}`, provider: "openai", model: "gpt-4o-mini", usage: { prompt_tokens: 120, completion_tokens: 30 }, agent: "integrations-e2e" },
  });
  expect(res.status(), await res.text()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("last-received-events_api")).toHaveText(/Last data received: (just now|1 min ago)/);
  await expect(page.getByTestId("overview-events_api")).toHaveAttribute("data-state", "live");
  // Shown once: after a reload the snippets say which key to paste, never its secret.
  await expect(page.getByTestId("fresh-key")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  const newest = (await picker.locator("option").first().textContent())!;
  expect(newest).toContain(`claude-code ${run}`);
  const newPrefix = /\((br_[A-Za-z0-9]+)…\)/.exec(newest)![1];
  expect(secret.startsWith(newPrefix)).toBe(true);
  await expect(claude).toContainText(`Bearer <paste the key ${newPrefix}…>`);
  expect(errors).toEqual([]);
});

// A Claude Code log export as its OTLP exporter sends it (OTLP/JSON; numbers as strings): three API
// calls in one repository, a tool result, a prompt.
function claudeCodeExport(repository: string, session: string) {
  const at = (msAgo: number) => String(BigInt(Date.now() - msAgo) * 1_000_000n);
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const call = (n: number, cost: string, input: string) => ({
    timeUnixNano: at(60_000 - n * 1000),
    body: { stringValue: "claude_code.api_request" },
    attributes: [
      str("session.id", session),
      str("prompt.id", `${session}-p1`),
      str("user.email", "dev@example.com"),
      str("event.name", "api_request"),
      { key: "event.sequence", value: { intValue: n } },
      str("model", "claude-sonnet-4-5"),
      str("input_tokens", input),
      str("output_tokens", "900"),
      str("cache_read_tokens", "12000"),
      str("cache_creation_tokens", "0"),
      str("cost_usd", cost),
      str("duration_ms", "5400"),
      str("request_id", `req_${session}_${n}`),
    ],
  });
  return {
    resourceLogs: [
      {
        resource: { attributes: [str("service.name", "claude-code"), str("team", "platform"), str("repository", repository)] },
        scopeLogs: [
          {
            scope: { name: "com.anthropic.claude_code.events" },
            logRecords: [
              { timeUnixNano: at(65_000), body: { stringValue: "claude_code.user_prompt" }, attributes: [str("session.id", session), str("event.name", "user_prompt")] },
              call(1, "41.250000", "2000"),
              call(2, "38.125000", "1800"),
              { timeUnixNano: at(55_000), body: { stringValue: "claude_code.tool_result" }, attributes: [str("session.id", session), str("tool_name", "Bash"), str("tool_use_id", `toolu_${session}`), str("success", "true")] },
              call(3, "45.000000", "2400"),
            ],
          },
        ],
      },
    ],
  };
}

test("a Claude Code export sent with the key made on the page shows on the overview under its repository, and the page says Claude Code's logs arrived", async ({ browser }) => {
  expect(freshSecret).not.toBe("");
  const page = await ownerPage(browser);
  const repository = `acme/otel-${run}`;
  const res = await page.request.post("/api/v1/otlp/v1/logs", {
    headers: { authorization: `Bearer ${freshSecret}`, "content-type": "application/json" },
    data: claudeCodeExport(repository, `session-${run}`),
  });
  expect(res.status(), await res.text()).toBe(200);
  expect(await res.json()).toEqual({});

  await page.goto(`/${slug}/overview?range=today`);
  await page.getByTestId("ranked-tab-repository").click();
  const row = page.locator(`[data-testid="ranked-row"][data-key="${repository}"]`);
  await expect(row).toBeVisible();
  // $41.25 + $38.125 + $45: the three calls at the cost Claude Code reported.
  await expect(row.getByTestId("ranked-cost")).toHaveAttribute("data-usd", /^124\.375/);

  await page.goto(`/${slug}/integrations`);
  await expect(page.getByTestId("last-received-claude_code")).toContainText(/just now|1 min ago/);
  await expect(page.getByTestId("overview-claude_code")).toHaveAttribute("data-state", "live");
});

test("a viewer sees the snippets but is not offered a key", async ({ browser }) => {
  admin("member", "add", "--org", slug, viewerEmail, "--role", "viewer");
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signIn(page, viewerEmail);
  await page.goto(`/${slug}/integrations`);
  await expect(page.getByTestId("snippet-claude-code-shell")).toContainText("/api/v1/otlp");
  await expect(page.getByTestId("create-ingest-key")).toHaveCount(0);
  await expect(page.getByText("Owners and admins can create a key here")).toBeVisible();
  await context.close();
});

test("screenshots: light and dark, 1440 and 390 px wide; nothing overflows the page", async ({ browser }, info) => {
  for (const width of [1440, 390]) {
    for (const dark of [false, true]) {
      const page = await ownerPage(browser, { width, dark });
      const errors = watchConsole(page);
      await page.goto(`/${slug}/integrations?team=platform&cc=ENG-100`);
      await expect(page.getByTestId("snippet-claude-code-shell")).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.closest("pre, nav[aria-label='Main']"))
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)}`),
      );
      expect(overflow, `overflow at ${width}px: ${wide.join(" | ")}`).toBeLessThanOrEqual(0);
      await shot(page, info, `integrations-${width}-${dark ? "dark" : "light"}`);
      // The first screen alone: what a lead sees before scrolling.
      await page.screenshot({ path: info.outputPath(`integrations-${width}-${dark ? "dark" : "light"}-first-screen.png`) });
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }
});
