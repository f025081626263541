// Monthly showback against hand-computed sums: months of the org's zone (New York across the end of
// daylight time, Kolkata's +05:30), the Unassigned row, change vs the previous month (new, down,
// archived), teams and keys per cost center, and equality with GET /api/v1/spend to the digit.
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "../db";
import { spendReport } from "../reports/spend";
import { createCostCenter, createTeam, createTestKey, createTestOrg } from "../testing/fixtures";
import { api, startMachineServer } from "../testing/machine-server";
import { ingestAt } from "../testing/showback";
import { monthlyShowback, type TShowback, type TShowbackRow } from "./monthly";
import { parseMonth } from "./month";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

const sum = (values: string[]) => values.reduce((acc, v) => acc.plus(v), new Decimal(0));
const row = (s: TShowback, code: string | null) => {
  const found = s.rows.find((r) => r.code === code);
  expect(found, `no row ${code}`).toBeDefined();
  return found as TShowbackRow;
};

describe("an org in America/New_York, November 2026 (daylight time ends on the 1st)", () => {
  let orgId: string;
  let slug: string;
  let readSecret: string;
  let prefixes: Record<string, string>;
  let showback: TShowback;

  beforeAll(async () => {
    const t = await createTestOrg({ timezone: "America/New_York" });
    orgId = t.org.id;
    slug = t.org.slug;
    readSecret = t.secret;
    const eng = await createCostCenter(orgId, "ENG");
    const ops = await createCostCenter(orgId, "OPS");
    await createCostCenter(orgId, "NEW");
    await createCostCenter(orgId, "IDLE");
    const arch = await createCostCenter(orgId, "ARCH");
    const gone = await createCostCenter(orgId, "GONE");
    const alpha = await createTeam(orgId, "alpha", eng.id);
    await createTeam(orgId, "beta", ops.id);
    await createTeam(orgId, "gamma", null);
    await createTeam(orgId, "delta", ops.id); // owns OPS, spends nothing
    const kA = await createTestKey({ orgId, name: "alpha agents", scopes: ["ingest"], teamId: alpha.id });
    const kB = await createTestKey({ orgId, name: "beta agents", scopes: ["ingest"] });
    const kOrg = await createTestKey({ orgId, name: "shared", scopes: ["ingest"] });
    prefixes = { kA: kA.prefix, kB: kB.prefix, kOrg: kOrg.prefix };
    // November in New York: [2026-11-01T04:00Z, 2026-12-01T05:00Z); October from 2026-10-01T04:00Z.
    await ingestAt(kA.secret, [
      { id: "a-nov-first", team: "alpha", cost_usd: "1.25", timestamp: "2026-11-01T04:00:00.000Z" },
      { id: "a-oct-last", team: "alpha", cost_usd: "100", timestamp: "2026-11-01T03:59:59.999Z" },
      { id: "a-oct", team: "alpha", cost_usd: "0.5", timestamp: "2026-10-15T12:00:00Z" },
      // alpha's call charged to OPS by the event itself.
      { id: "a-ops", team: "alpha", cost_center: "OPS", cost_usd: "0.25", timestamp: "2026-11-10T12:00:00Z" },
    ]);
    await ingestAt(kB.secret, [
      { id: "b-nov", team: "beta", cost_usd: "2.5", timestamp: "2026-11-30T12:00:00Z" },
      // 23:59:59.999 on Nov 30 in New York (EST): still November.
      { id: "b-nov-last", team: "beta", cost_usd: "0.000000000001", timestamp: "2026-12-01T04:59:59.999Z" },
      { id: "b-dec", team: "beta", cost_usd: "1000", timestamp: "2026-12-01T05:00:00.000Z" },
      // The repeated 01:30 of Nov 1 (EDT, then EST): both November.
      { id: "b-0130-edt", team: "beta", cost_usd: "0", timestamp: "2026-11-01T05:30:00Z" },
      { id: "b-oct-first", team: "beta", cost_usd: "2", timestamp: "2026-10-01T04:00:00Z" },
      { id: "b-sep-last", team: "beta", cost_usd: "50", timestamp: "2026-10-01T03:59:59.999Z" },
    ]);
    await ingestAt(kOrg.secret, [
      { id: "g-nov", team: "gamma", cost_usd: "0.75", timestamp: "2026-11-15T12:00:00Z" },
      { id: "n-nov", cost_center: "NEW", cost_usd: "3", timestamp: "2026-11-01T06:30:00Z" },
      { id: "arch-oct", cost_center: "ARCH", cost_usd: "1", timestamp: "2026-10-20T12:00:00Z" },
    ]);
    await prisma().costCenter.updateMany({ where: { id: { in: [arch.id, gone.id] } }, data: { archivedAt: new Date() } });
    showback = await monthlyShowback({ id: orgId, timezone: "America/New_York" }, parseMonth("2026-11")!);
  });

  test("the month is New York's: from Nov 1 00:00 EDT to Dec 1 00:00 EST", () => {
    expect(showback.month).toBe("2026-11");
    expect(showback.previousMonth).toBe("2026-10");
    expect(showback.from).toBe("2026-11-01T04:00:00.000Z");
    expect(showback.to).toBe("2026-12-01T05:00:00.000Z");
  });

  test("each cost center's spend, previous month and change, worked by hand", () => {
    expect(row(showback, "ENG")).toMatchObject({ spendUsd: "1.25", previousUsd: "100.50", change: { usd: "-99.25", percent: "-98.8", kind: "down" }, sharePercent: "16.13" });
    expect(row(showback, "OPS")).toMatchObject({ spendUsd: "2.750000000001", previousUsd: "2.00", change: { usd: "0.750000000001", percent: "37.5", kind: "up" }, sharePercent: "35.48" });
    expect(row(showback, "NEW")).toMatchObject({ spendUsd: "3.00", previousUsd: "0.00", change: { usd: "3.00", percent: null, kind: "new" }, sharePercent: "38.71" });
    expect(row(showback, "IDLE")).toMatchObject({ spendUsd: "0.00", previousUsd: "0.00", change: { kind: "none" }, sharePercent: "0.00" });
    // Archived, but it spent last month: still shown, marked.
    expect(row(showback, "ARCH")).toMatchObject({ archived: true, spendUsd: "0.00", previousUsd: "1.00", change: { usd: "-1.00", percent: "-100.0", kind: "down" } });
    expect(showback.rows.find((r) => r.code === "GONE")).toBeUndefined();
  });

  test("spend with no cost center is the Unassigned row, last", () => {
    const last = showback.rows[showback.rows.length - 1];
    expect(last).toMatchObject({ costCenterId: null, code: null, name: "Unassigned", spendUsd: "0.75", previousUsd: "0.00", sharePercent: "9.68", change: { kind: "new" } });
    expect(last.teams.map((t) => [t.slug, t.spendUsd])).toEqual([["gamma", "0.75"]]);
  });

  test("rows are biggest first and add up to the org's total, to the last digit", () => {
    expect(showback.rows.map((r) => r.code)).toEqual(["NEW", "OPS", "ENG", "ARCH", "IDLE", null]);
    expect(showback.total).toMatchObject({ spendUsd: "7.750000000001", previousUsd: "103.50", change: { usd: "-95.749999999999", percent: "-92.5", kind: "down" }, sharePercent: "100.00" });
    expect(sum(showback.rows.map((r) => r.spendUsd)).toFixed()).toBe("7.750000000001");
    expect(sum(showback.rows.map((r) => r.previousUsd)).toFixed()).toBe("103.5");
  });

  test("a cost center's teams (including an owned team that spent nothing) and keys add up to it", () => {
    const ops = row(showback, "OPS");
    expect(ops.teams.map((t) => [t.slug, t.spendUsd, t.previousUsd])).toEqual([
      ["beta", "2.500000000001", "2.00"],
      ["alpha", "0.25", "0.00"],
      ["delta", "0.00", "0.00"],
    ]);
    expect(ops.keys.map((k) => [k.prefix, k.name, k.spendUsd])).toEqual([
      [prefixes.kB, "beta agents", "2.500000000001"],
      [prefixes.kA, "alpha agents", "0.25"],
    ]);
    const eng = row(showback, "ENG");
    expect(eng.teams.map((t) => [t.slug, t.spendUsd, t.previousUsd, t.change.kind])).toEqual([["alpha", "1.25", "100.50", "down"]]);
    expect(row(showback, "NEW").teams.map((t) => [t.slug, t.name, t.spendUsd])).toEqual([[null, "No team", "3.00"]]);
    for (const r of showback.rows) {
      expect(sum(r.teams.map((t) => t.spendUsd)).toFixed(), r.name).toBe(new Decimal(r.spendUsd).toFixed());
      expect(sum(r.keys.map((k) => k.spendUsd)).toFixed(), r.name).toBe(new Decimal(r.spendUsd).toFixed());
    }
  });

  test("the total and every cost center equal GET /api/v1/spend?group_by=cost_center for the month", async () => {
    const res = await api(server.url, `/api/v1/spend?group_by=cost_center&from=${showback.from}&to=${showback.to}`, { secret: readSecret });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.total_usd).toBe(showback.total.spendUsd);
    const byCode = Object.fromEntries(res.body.groups.map((g: { key: string | null; cost_usd: string }) => [g.key ?? "∅", g.cost_usd]));
    const mine = Object.fromEntries(showback.rows.filter((r) => !new Decimal(r.spendUsd).isZero()).map((r) => [r.code ?? "∅", r.spendUsd]));
    expect(byCode).toEqual(mine);
    const prev = await spendReport({ orgId, timezone: "America/New_York", from: new Date("2026-10-01T04:00:00Z"), to: new Date(showback.from) });
    expect(prev.total_usd).toBe(showback.total.previousUsd);
    expect(slug).toMatch(/^t-/);
  });
});

describe("an org in Asia/Kolkata (+05:30): the month starts at 18:30 UTC the day before", () => {
  test("calls a millisecond either side of the boundaries fall in the right month", async () => {
    const t = await createTestOrg({ timezone: "Asia/Kolkata" });
    const cc = await createCostCenter(t.org.id, "CC-IN");
    const team = await createTeam(t.org.id, "mumbai", cc.id);
    const k = await createTestKey({ orgId: t.org.id, name: "in", scopes: ["ingest"], teamId: team.id });
    await ingestAt(k.secret, [
      { id: "oct", cost_usd: "1", timestamp: "2026-10-31T18:29:59.999Z" },
      { id: "nov-first", cost_usd: "2", timestamp: "2026-10-31T18:30:00.000Z" },
      { id: "nov-last", cost_usd: "4", timestamp: "2026-11-30T18:29:59.999Z" },
      { id: "dec", cost_usd: "8", timestamp: "2026-11-30T18:30:00.000Z" },
    ]);
    const nov = await monthlyShowback({ id: t.org.id, timezone: "Asia/Kolkata" }, parseMonth("2026-11")!);
    expect([nov.from, nov.to]).toEqual(["2026-10-31T18:30:00.000Z", "2026-11-30T18:30:00.000Z"]);
    expect(nov.rows.map((r) => [r.code, r.spendUsd, r.previousUsd, r.change.percent])).toEqual([
      ["CC-IN", "6.00", "1.00", "500.0"],
      [null, "0.00", "0.00", null],
    ]);
    const dec = await monthlyShowback({ id: t.org.id, timezone: "Asia/Kolkata" }, parseMonth("2026-12")!);
    expect(dec.total).toMatchObject({ spendUsd: "8.00", previousUsd: "6.00" });
    // The same org read as if it were in UTC would split the month elsewhere: the zone matters.
    const utc = await monthlyShowback({ id: t.org.id, timezone: "UTC" }, "2026-11");
    expect(utc.from).toBe("2026-11-01T00:00:00.000Z");
  });
});

describe("an org with no spend and no cost centers", () => {
  test("one Unassigned row at zero, no share, nothing new", async () => {
    const t = await createTestOrg({ timezone: "Europe/Berlin" });
    const s = await monthlyShowback({ id: t.org.id, timezone: "Europe/Berlin" }, parseMonth("2026-03")!);
    // March 2026 in Berlin: Mar 1 00:00 CET to Apr 1 00:00 CEST (summer time from Mar 29).
    expect([s.from, s.to]).toEqual(["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"]);
    expect(s.rows).toHaveLength(1);
    expect(s.rows[0]).toMatchObject({ name: "Unassigned", spendUsd: "0.00", sharePercent: null, change: { kind: "none" }, teams: [], keys: [] });
    expect(s.total).toMatchObject({ spendUsd: "0.00", sharePercent: null });
  });
});

describe("tenant isolation", () => {
  test("org B's spend, cost centers, teams and keys never appear in org A's showback", async () => {
    const a = await createTestOrg({ timezone: "UTC" });
    const b = await createTestOrg({ timezone: "UTC" });
    const ccA = await createCostCenter(a.org.id, "SHARED-CODE");
    const ccB = await createCostCenter(b.org.id, "SHARED-CODE");
    await createTeam(b.org.id, "b-team", ccB.id);
    const kA = await createTestKey({ orgId: a.org.id, name: "a", scopes: ["ingest"], teamId: (await createTeam(a.org.id, "a-team", ccA.id)).id });
    const kB = await createTestKey({ orgId: b.org.id, name: "b", scopes: ["ingest"] });
    await ingestAt(kA.secret, [{ id: "same-id", cost_usd: "1.5", timestamp: "2026-11-05T10:00:00Z" }]);
    await ingestAt(kB.secret, [
      { id: "same-id", team: "b-team", cost_usd: "700", timestamp: "2026-11-05T10:00:00Z" },
      { id: "b2", cost_usd: "55", timestamp: "2026-10-05T10:00:00Z" },
    ]);
    const s = await monthlyShowback({ id: a.org.id, timezone: "UTC" }, parseMonth("2026-11")!);
    expect(s.total).toMatchObject({ spendUsd: "1.50", previousUsd: "0.00" });
    expect(s.rows.map((r) => r.costCenterId)).toEqual([ccA.id, null]);
    const teams = s.rows.flatMap((r) => r.teams.map((t) => t.slug));
    expect(teams).toEqual(["a-team"]);
    expect(s.rows.flatMap((r) => r.keys.map((k) => k.keyId))).toEqual([kA.id]);
  });
});
