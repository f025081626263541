import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { admin } from "./support/admin";

test("events sent with a key show up on the org's overview, to the cent", async ({ page, request }, testInfo) => {
  const slug = `e2e-${randomBytes(4).toString("hex")}`;
  admin("org", "create", slug, "--name", "E2E Co");
  admin("team", "create", "--org", slug, "platform");
  const secret = admin("key", "create", "--org", slug, "--name", "agent", "--team", "platform", "--scope", "ingest,read").at(-1)!;
  expect(secret).toMatch(/^br_[0-9A-Za-z]{40,}$/);

  // gpt-4o: 1,000 input × $2.50/M + 500 output × $10/M = $0.0075 per call; a reported $1.25 call on top.
  const events = Array.from({ length: 4 }, (_, i) => ({
    id: `${slug}-call-${i}`,
    provider: "openai",
    model: "gpt-4o",
    usage: { prompt_tokens: 1000, completion_tokens: 500 },
    execution_id: `${slug}-run-1`,
    agent: "pr-reviewer",
    task: "review PR #42",
  }));
  events.push({ ...events[0], id: `${slug}-reported`, model: "claude-sonnet-4-20250514", provider: "anthropic", cost_usd: 1.25 } as never);
  const res = await request.post("/api/v1/events", { headers: { authorization: `Bearer ${secret}` }, data: { events } });
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: 5, duplicates: 0, execution: { id: `${slug}-run-1`, cost_usd: "1.28" } });

  await page.goto(`/${slug}/overview`);
  await expect(page.getByRole("heading", { name: "E2E Co" })).toBeVisible();
  await expect(page.getByTestId("spend-month")).toHaveText("$1.28");
  await expect(page.getByTestId("spend-today")).toHaveText("$1.28");
  const executions = page.getByRole("table").last();
  await expect(executions).toContainText(`${slug}-run-1`);
  await expect(executions).toContainText("pr-reviewer");
  await expect(page.getByText("platform").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("overview.png"), fullPage: true });
});

test("an unknown org is a 404", async ({ page }) => {
  const res = await page.goto("/no-such-org-here/overview");
  expect(res?.status()).toBe(404);
});
