// The dashboard's view from the URL: defaults, a bad value falls back instead of failing the page,
// the query string round-trips (a shared link is the same view), and range presets are the org's
// days — "today" in Tokyo starts at 15:00 UTC, "this month" at the 1st, local midnight.
import { describe, expect, test } from "vitest";
import { parseDashboardView, resolveRange, viewQuery } from "./filters";

describe("parseDashboardView / viewQuery", () => {
  test("defaults: this month, stacked by agent, no filters; the default view is the bare URL", () => {
    const v = parseDashboardView({});
    expect(v).toEqual({ range: "month", from: undefined, to: undefined, stack: "agent", filters: {} });
    expect(viewQuery(v)).toBe("");
  });

  test("a shared view round-trips through its query string", () => {
    const v = parseDashboardView(new URLSearchParams("range=custom&from=2026-11-01&to=2026-11-07&team=platform&model=claude-opus-4&stack=model"));
    expect(v).toEqual({ range: "custom", from: "2026-11-01", to: "2026-11-07", stack: "model", filters: { team: "platform", model: "claude-opus-4" } });
    expect(parseDashboardView(new URLSearchParams(viewQuery(v).slice(1)))).toEqual(v);
    // Removing a filter keeps the rest of the view.
    expect(viewQuery(v, { filters: { model: "claude-opus-4" } })).toBe("?range=custom&from=2026-11-01&to=2026-11-07&model=claude-opus-4&stack=model");
  });

  test("bad or partial values fall back rather than fail; swapped dates are put in order", () => {
    expect(parseDashboardView({ range: "year", stack: "task", team: "" })).toMatchObject({ range: "month", stack: "agent", filters: {} });
    expect(parseDashboardView({ range: "custom", from: "2026-11-01" }).range).toBe("month");
    expect(parseDashboardView({ range: "custom", from: "2026-11-31", to: "2026-12-01" }).range).toBe("month");
    expect(parseDashboardView({ range: "custom", from: "2026-11-09", to: "2026-11-02" })).toMatchObject({ from: "2026-11-02", to: "2026-11-09" });
    expect(parseDashboardView({ range: "7d", from: "2026-11-01", to: "2026-11-02" })).toMatchObject({ range: "7d", from: undefined, to: undefined });
    // Not a filter the rollups can answer: ignored.
    expect(parseDashboardView({ task: "x", execution: "y" }).filters).toEqual({});
  });
});

describe("resolveRange in the org's zone", () => {
  const now = new Date("2026-11-28T10:00:00Z"); // 19:00 in Tokyo on the 28th

  test("presets end now and start at local midnight", async () => {
    const r = (range: string) => resolveRange(parseDashboardView({ range }), "Asia/Tokyo", now);
    expect(await r("today")).toMatchObject({ from: new Date("2026-11-27T15:00:00Z"), to: now, granularity: "hour", fromDate: "2026-11-28", toDate: "2026-11-28" });
    expect(await r("7d")).toMatchObject({ from: new Date("2026-11-21T15:00:00Z"), granularity: "hour", fromDate: "2026-11-22" });
    expect(await r("month")).toMatchObject({ from: new Date("2026-10-31T15:00:00Z"), granularity: "day", fromDate: "2026-11-01" });
    expect(await r("30d")).toMatchObject({ from: new Date("2026-10-29T15:00:00Z"), granularity: "day" });
    expect(await r("90d")).toMatchObject({ from: new Date("2026-08-30T15:00:00Z"), granularity: "day" });
  });

  test("a custom range is whole local days, cut at now; a week of days is hourly, more is daily", async () => {
    const week = await resolveRange(parseDashboardView({ range: "custom", from: "2026-10-22", to: "2026-10-28" }), "Europe/Berlin", now);
    // Berlin leaves summer time on the 25th: the week is 7 × 24 + 1 hours.
    expect(week).toMatchObject({ from: new Date("2026-10-21T22:00:00Z"), to: new Date("2026-10-28T23:00:00Z"), granularity: "hour", toDate: "2026-10-28" });
    const longer = await resolveRange(parseDashboardView({ range: "custom", from: "2026-10-22", to: "2026-10-29" }), "Europe/Berlin", now);
    expect(longer.granularity).toBe("day");
    const toToday = await resolveRange(parseDashboardView({ range: "custom", from: "2026-11-27", to: "2026-12-05" }), "Europe/Berlin", now);
    expect(toToday.to).toEqual(now);
  });
});
