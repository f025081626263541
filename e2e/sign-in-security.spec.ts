import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { signIn } from "./support/sign-in";

// Sign-in attacks found from outside: Auth.js's own endpoint must not bypass the magic-link limit,
// and a signed-in visitor must never be bounced to another host.
const run = randomBytes(4).toString("hex");
// The e2e server trusts one proxy hop (TRUSTED_PROXIES=1): each test names its own client address.
const fromIp = (n: number) => ({ "x-forwarded-for": `198.51.${100 + (parseInt(run, 16) % 100)}.${n}` });

async function mailCount(request: APIRequestContext, to: string): Promise<number> {
  const page = await request.get(`/dev/mailbox?to=${encodeURIComponent(to)}`);
  const html = await page.text();
  return (html.match(/data-testid="mailbox-item"/g) ?? []).length;
}

// Auth.js's own form post, as a script would send it: CSRF token from /api/auth/csrf, then POST.
async function authJsSignIn(request: APIRequestContext, email: string, headers: Record<string, string>) {
  const { csrfToken } = await (await request.get("/api/auth/csrf", { headers })).json();
  return request.post("/api/auth/signin/email", { form: { email, csrfToken, callbackUrl: "/" }, headers, maxRedirects: 0 });
}

test("Auth.js's own sign-in endpoint obeys the magic-link limit: 5 per address", async ({ playwright, baseURL }) => {
  const request = await playwright.request.newContext({ baseURL });
  const address = `limited-${run}@example.test`;
  const locations: string[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await authJsSignIn(request, address, fromIp(1 + i));
    expect(res.status(), await res.text()).toBeLessThan(400);
    locations.push(res.headers().location ?? "");
  }
  expect(locations.slice(0, 5).every((l) => l.includes("/sign-in/check-email") || l.includes("verify-request")), locations.join("\n")).toBe(true);
  expect(locations.slice(5).every((l) => l.includes("error=RateLimited")), locations.join("\n")).toBe(true);
  await expect.poll(() => mailCount(request, address)).toBe(5);
  // Give a late (wrongly sent) sixth email a moment to show up: it must not.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await mailCount(request, address)).toBe(5);
});

test("…and 20 per client address, whatever the addresses", async ({ playwright, baseURL }) => {
  const request = await playwright.request.newContext({ baseURL });
  const ip = fromIp(200);
  let refused = 0;
  for (let i = 0; i < 25; i++) {
    const res = await authJsSignIn(request, `spray-${run}-${i}@example.test`, ip);
    if ((res.headers().location ?? "").includes("error=RateLimited")) refused++;
  }
  expect(refused).toBe(5);
});

test("the sign-in page says when the limit refused, and how long to wait", async ({ page }) => {
  await page.goto("/sign-in?error=RateLimited&retry=12");
  await expect(page.getByText(/^Too many sign-in emails/)).toHaveText(/Too many sign-in emails .* Try again in 12 minutes\./);
});

test("a signed-in visitor is only ever sent to a path on this site", async ({ page }) => {
  await signIn(page, `redirect-${run}@example.test`);
  await expect(page).toHaveURL(/\/onboarding$/);
  for (const evil of ["//evil.com", "/\\evil.com", "/a/../..//evil.com", "https://evil.com/", "/%2F%2Fevil.com"]) {
    const res = await page.request.get(`/sign-in?callbackUrl=${encodeURIComponent(evil)}`, { maxRedirects: 0 });
    const location = res.headers().location ?? "";
    expect(res.status(), evil).toBeGreaterThanOrEqual(300);
    expect(new URL(location, "http://localhost").host, `${evil} → ${location}`).toBe("localhost");
    expect(location.startsWith("//") || location.startsWith("/\\"), `${evil} → ${location}`).toBe(false);
  }
  const ok = await page.request.get(`/sign-in?callbackUrl=${encodeURIComponent("/onboarding?x=1")}`, { maxRedirects: 0 });
  expect(ok.headers().location).toMatch(/\/onboarding\?x=1$/);
});
