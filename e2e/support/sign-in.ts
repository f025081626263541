import { randomInt } from "node:crypto";
import { expect, type Page } from "@playwright/test";

// The server trusts one proxy hop (TRUSTED_PROXIES=1) and allows 20 magic links per client address
// in 15 minutes. Every test's person signs in from their own address, as real people do; otherwise
// the whole suite shares 127.0.0.1 and the 21st sign-in of a run is refused.
async function fromOwnAddress(page: Page): Promise<void> {
  const address = `10.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(254)}`;
  await page.setExtraHTTPHeaders({ "x-forwarded-for": address });
}

// Signs in as a person would: request a magic link, open it from the (captured) mailbox.
// Returns when the request was made, to tell this link from earlier ones.
export async function requestMagicLink(page: Page, email: string): Promise<number> {
  await fromOwnAddress(page);
  const requestedAt = Date.now();
  await page.getByLabel("Work email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  return requestedAt;
}

// Opens the link in the newest email to `email` with this subject (and, given `after`, captured
// since then). Email leaves through the outbox a moment after the request that queued it, so look
// again until it has arrived.
export async function openLatestLink(
  page: Page,
  email: string,
  options: { subject?: string | RegExp; after?: number } = {},
): Promise<void> {
  const { subject = "Sign in to Burnrate", after = 0 } = options;
  await expect(async () => {
    await page.goto(`/dev/mailbox/latest?to=${encodeURIComponent(email)}`);
    await expect(page.getByTestId("mailbox-email-subject")).toHaveText(subject, { timeout: 200 });
    const captured = await page.locator("time[datetime]").first().getAttribute("datetime");
    expect(new Date(captured ?? 0).getTime()).toBeGreaterThanOrEqual(after);
  }).toPass({ timeout: 10_000, intervals: [100, 200, 500] });
  await page.getByTestId("mailbox-link").first().click();
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/sign-in");
  const requestedAt = await requestMagicLink(page, email);
  await openLatestLink(page, email, { after: requestedAt });
}
