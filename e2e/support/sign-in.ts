import { expect, type Page } from "@playwright/test";

// Signs in as a person would: request a magic link, open it from the (captured) mailbox.
export async function requestMagicLink(page: Page, email: string): Promise<void> {
  await page.getByLabel("Work email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
}

export async function openLatestLink(page: Page, email: string): Promise<void> {
  await page.goto(`/dev/mailbox/latest?to=${encodeURIComponent(email)}`);
  await page.getByTestId("mailbox-link").first().click();
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/sign-in");
  await requestMagicLink(page, email);
  await openLatestLink(page, email);
}
