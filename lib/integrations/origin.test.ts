import { expect, test } from "vitest";
import { instanceOrigin } from "./origin";

const h = (headers: Record<string, string>) => ({ get: (name: string) => headers[name] ?? null });

test("the configured public URL wins, without a trailing slash", () => {
  expect(instanceOrigin("https://burnrate.acme.com/", h({ host: "10.0.0.5:3000" }))).toBe("https://burnrate.acme.com");
  expect(instanceOrigin("https://acme.com/burnrate/", h({}))).toBe("https://acme.com/burnrate");
});

test("else the request's origin: forwarded host and protocol first, http for localhost, https elsewhere", () => {
  expect(instanceOrigin(undefined, h({ host: "localhost:3000" }))).toBe("http://localhost:3000");
  expect(instanceOrigin(undefined, h({ host: "burnrate.internal" }))).toBe("https://burnrate.internal");
  expect(instanceOrigin(undefined, h({ host: "10.0.0.5:3000", "x-forwarded-host": "burnrate.acme.com, proxy", "x-forwarded-proto": "https" }))).toBe("https://burnrate.acme.com");
  expect(instanceOrigin(undefined, h({ host: "box:3000", "x-forwarded-proto": "http" }))).toBe("http://box:3000");
});

test("a host header that is not a plain host never reaches a snippet", () => {
  expect(instanceOrigin(undefined, h({ host: "evil.com/$(id)" }), 3300)).toBe("http://localhost:3300");
  expect(instanceOrigin(undefined, h({ host: "a b" }))).toBe("http://localhost:3000");
  expect(instanceOrigin(undefined, h({}))).toBe("http://localhost:3000");
  expect(instanceOrigin("javascript:alert(1)", h({ host: "ok.test" }))).toBe("https://ok.test");
});
