// Spend over time (the overview's chart) against hand-computed totals: every bucket present, empty
// ones at $0; a day is the org's day — 23 hourly buckets on Berlin's spring DST day, 25 in autumn
// with the repeated hour kept apart, Kolkata's hours starting at :30 UTC; stacking keeps the top
// series and sums the rest as "other"; another org's calls never show.
import { describe, expect, test } from "vitest";
import { createTeam, createTestOrg } from "../testing/fixtures";
import { costAt, ingestAt } from "../testing/usage";
import { parseDashboardView, resolveRange } from "./filters";
import { OTHER_SERIES, spendSeries } from "./spend-series";
import { spendReport } from "./spend";

const at = (iso: string) => new Date(iso);

describe("Europe/Berlin, spring DST day (2026-03-29: 02:00 → 03:00)", () => {
  test("the day is 23 hourly buckets from 23:00Z to 22:00Z, each call in its local hour, the rest $0", async () => {
    const t = await createTestOrg({ timezone: "Europe/Berlin" });
    const other = await createTestOrg({ timezone: "Europe/Berlin" });
    const events = [
      costAt("before", "2026-03-28T22:59:59.999Z", "100"), // 23:59 on the 28th, local
      costAt("a", "2026-03-28T23:30:00Z", "1.00", { agent: "x" }), // 00:30 CET
      costAt("b", "2026-03-29T01:15:00Z", "2.00", { agent: "x" }), // 03:15 CEST, the first hour after the gap
      costAt("c", "2026-03-29T21:59:00Z", "0.25", { agent: "y" }), // 23:59 CEST
      costAt("after", "2026-03-29T22:00:00Z", "100"), // 00:00 on the 30th
    ];
    await ingestAt(t, events, at("2026-04-01T00:00:00Z"));
    await ingestAt(other, [costAt("o", "2026-03-29T01:20:00Z", "50", { agent: "x" })], at("2026-04-01T00:00:00Z"));

    const range = await resolveRange(parseDashboardView({ range: "custom", from: "2026-03-29", to: "2026-03-29" }), "Europe/Berlin", at("2026-04-01T00:00:00Z"));
    expect(range.from.toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(range.granularity).toBe("hour");

    const s = await spendSeries({ orgId: t.org.id, timezone: "Europe/Berlin", from: range.from, to: range.to, granularity: "hour", stackBy: "agent" });
    expect(s.buckets).toHaveLength(23);
    expect(s.buckets[0].start).toBe("2026-03-28T23:00:00.000Z");
    expect(s.buckets[1].start).toBe("2026-03-29T00:00:00.000Z"); // 01:00 CET
    expect(s.buckets[2].start).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(s.buckets.at(-1)!.start).toBe("2026-03-29T21:00:00.000Z");
    const totals = s.buckets.map((b) => b.total);
    expect(totals[0]).toBe("1.00");
    expect(totals[2]).toBe("2.00");
    expect(totals[22]).toBe("0.25");
    expect(totals.filter((v) => v === "0.00")).toHaveLength(20);
    expect(s.series.map((x) => [x.label, x.totalUsd])).toEqual([["x", "3.00"], ["y", "0.25"]]);
    expect(s.buckets[2].values).toEqual({ x: "2.000000000000", y: "0" });

    // The same day as one daily bucket, and as the spend API sums it.
    const daily = await spendSeries({ orgId: t.org.id, timezone: "Europe/Berlin", from: range.from, to: range.to, granularity: "day", stackBy: "agent" });
    expect(daily.buckets.map((b) => [b.start, b.total])).toEqual([["2026-03-28T23:00:00.000Z", "3.25"]]);
    const report = await spendReport({ orgId: t.org.id, timezone: "Europe/Berlin", from: range.from, to: range.to });
    expect(report.total_usd).toBe("3.25");
  });
});

describe("Europe/Berlin, autumn DST day (2026-10-25: 03:00 → 02:00)", () => {
  test("25 hourly buckets; the two passes of 02:00 are two buckets; daily buckets split at local midnight", async () => {
    const t = await createTestOrg({ timezone: "Europe/Berlin" });
    await ingestAt(
      t,
      [
        costAt("first-pass", "2026-10-25T00:30:00Z", "1.10"), // 02:30 CEST
        costAt("second-pass", "2026-10-25T01:30:00Z", "2.20"), // 02:30 CET
        costAt("late", "2026-10-25T22:59:00Z", "0.01"), // 23:59 CET, still the 25th
        costAt("next-day", "2026-10-25T23:00:00Z", "5.00"), // 00:00 on the 26th
      ],
      at("2026-10-28T00:00:00Z"),
    );
    const range = await resolveRange(parseDashboardView({ range: "custom", from: "2026-10-25", to: "2026-10-25" }), "Europe/Berlin", at("2026-10-28T00:00:00Z"));
    expect([range.from.toISOString(), range.to.toISOString()]).toEqual(["2026-10-24T22:00:00.000Z", "2026-10-25T23:00:00.000Z"]);
    const s = await spendSeries({ orgId: t.org.id, timezone: "Europe/Berlin", from: range.from, to: range.to, granularity: "hour", stackBy: "team" });
    expect(s.buckets).toHaveLength(25);
    const byStart = Object.fromEntries(s.buckets.map((b) => [b.start, b.total]));
    expect(byStart["2026-10-25T00:00:00.000Z"]).toBe("1.10");
    expect(byStart["2026-10-25T01:00:00.000Z"]).toBe("2.20");
    expect(byStart["2026-10-25T22:00:00.000Z"]).toBe("0.01");
    // Calls naming no team are one series, labelled null ("no team" on the page).
    expect(s.series).toEqual([{ key: "", label: null, totalUsd: "3.31" }]);

    const days = await spendSeries({
      orgId: t.org.id,
      timezone: "Europe/Berlin",
      from: at("2026-10-23T22:00:00Z"),
      to: at("2026-10-26T23:00:00Z"),
      granularity: "day",
      stackBy: "agent",
    });
    expect(days.buckets.map((b) => [b.start, b.total])).toEqual([
      ["2026-10-23T22:00:00.000Z", "0.00"], // the 24th, empty
      ["2026-10-24T22:00:00.000Z", "3.31"], // the 25th: 25 hours
      ["2026-10-25T23:00:00.000Z", "5.00"], // the 26th, CET
    ]);
  });
});

describe("Asia/Kolkata (+05:30)", () => {
  test("a day runs 18:30Z to 18:30Z and hourly buckets start at :30 UTC", async () => {
    const t = await createTestOrg({ timezone: "Asia/Kolkata" });
    await ingestAt(
      t,
      [
        costAt("late-9th", "2026-06-09T18:29:59Z", "7.00"), // 23:59:59 IST on the 9th
        costAt("early-10th", "2026-06-09T18:30:00Z", "0.50"), // 00:00 IST on the 10th
        costAt("mid-10th", "2026-06-10T06:45:00Z", "1.25"), // 12:15 IST
      ],
      at("2026-06-12T00:00:00Z"),
    );
    const range = await resolveRange(parseDashboardView({ range: "custom", from: "2026-06-10", to: "2026-06-10" }), "Asia/Kolkata", at("2026-06-12T00:00:00Z"));
    expect([range.from.toISOString(), range.to.toISOString()]).toEqual(["2026-06-09T18:30:00.000Z", "2026-06-10T18:30:00.000Z"]);
    const s = await spendSeries({ orgId: t.org.id, timezone: "Asia/Kolkata", from: range.from, to: range.to, granularity: "hour", stackBy: "agent" });
    expect(s.buckets).toHaveLength(24);
    expect(s.buckets[0]).toMatchObject({ start: "2026-06-09T18:30:00.000Z", total: "0.50" });
    expect(s.buckets.find((b) => b.start === "2026-06-10T06:30:00.000Z")?.total).toBe("1.25");
    expect(s.buckets.reduce((n, b) => n + (b.total === "0.00" ? 1 : 0), 0)).toBe(22);

    const days = await spendSeries({ orgId: t.org.id, timezone: "Asia/Kolkata", from: at("2026-06-08T18:30:00Z"), to: at("2026-06-10T18:30:00Z"), granularity: "day", stackBy: "agent" });
    expect(days.buckets.map((b) => b.total)).toEqual(["7.00", "1.75"]);
  });
});

describe("stacking", () => {
  test("the top N series by spend are kept, the rest summed as other; filters narrow every bucket", async () => {
    const t = await createTestOrg({ timezone: "UTC" });
    const alpha = await createTeam(t.org.id, "alpha");
    await createTeam(t.org.id, "beta");
    const day = "2026-06-10";
    const events = [
      costAt("a1", `${day}T01:10:00Z`, "5", { agent: "big", team: "alpha" }),
      costAt("a2", `${day}T02:10:00Z`, "4", { agent: "mid", team: "alpha" }),
      costAt("a3", `${day}T02:20:00Z`, "1", { agent: "small1", team: "beta" }),
      costAt("a4", `${day}T03:20:00Z`, "0.5", { agent: "small2", team: "beta" }),
    ];
    await ingestAt(t, events, at("2026-06-11T00:00:00Z"));
    const args = { orgId: t.org.id, timezone: "UTC", from: at(`${day}T00:00:00Z`), to: at(`${day}T05:00:00Z`), granularity: "hour" as const };
    const s = await spendSeries({ ...args, stackBy: "agent", top: 2 });
    expect(s.series.map((x) => [x.key, x.totalUsd])).toEqual([["big", "5.00"], ["mid", "4.00"], [OTHER_SERIES, "1.50"]]);
    expect(s.buckets.map((b) => b.values[OTHER_SERIES])).toEqual(["0", "0", "1.000000000000", "0.500000000000", "0"]);
    expect(s.buckets.map((b) => b.total)).toEqual(["0.00", "5.00", "5.00", "0.50", "0.00"]);

    const byTeam = await spendSeries({ ...args, stackBy: "team" });
    expect(byTeam.series.map((x) => [x.key, x.label, x.totalUsd])).toEqual([[alpha.id, "alpha", "9.00"], [expect.any(String), "beta", "1.50"]]);

    const filtered = await spendSeries({ ...args, stackBy: "agent", filters: { team: "beta" } });
    expect(filtered.series.map((x) => x.key)).toEqual(["small1", "small2"]);
    expect(filtered.buckets.map((b) => b.total)).toEqual(["0.00", "0.00", "1.00", "0.50", "0.00"]);
  });
});
