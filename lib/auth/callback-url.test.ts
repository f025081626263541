import { expect, test } from "vitest";
import { safeCallbackPath, safeRedirectUrl } from "./callback-url";

test("only same-site paths survive; every way of naming another host falls back to /", () => {
  expect(safeCallbackPath("/acme/overview?range=7d#top")).toBe("/acme/overview?range=7d#top");
  expect(safeCallbackPath("/")).toBe("/");
  for (const evil of ["//evil.com", "/\\evil.com", "//evil.com/acme", "https://evil.com", "/\t/evil.com", "/\n/evil.com", "\\\\evil.com", "evil.com", "javascript:alert(1)", "", undefined, null]) {
    expect(safeCallbackPath(evil), JSON.stringify(evil)).toBe("/");
  }
  // Dot segments are resolved, and may not resolve to another host either.
  expect(safeCallbackPath("/a/../keys")).toBe("/keys");
  expect(safeCallbackPath("/a/../..//evil.com")).toBe("/");
});

test("Auth.js redirects stay on our origin", () => {
  const base = "https://burnrate.example.com";
  expect(safeRedirectUrl("/acme/overview", base)).toBe(`${base}/acme/overview`);
  expect(safeRedirectUrl(`${base}/acme/keys`, base)).toBe(`${base}/acme/keys`);
  expect(safeRedirectUrl("https://evil.com/x", base)).toBe(base);
  expect(safeRedirectUrl("//evil.com", base)).toBe(`${base}/`);
  expect(safeRedirectUrl("https://burnrate.example.com.evil.com/", base)).toBe(base);
});
