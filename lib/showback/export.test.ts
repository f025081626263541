// GET /[org]/cost-centers/export as the route handler answers it for a signed-in person (the handler
// only adds the session's user): who may download, what a bad month gets, and that the file's
// totals equal the page's loader and GET /api/v1/spend to the digit, with nothing of another org.
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addMember, createCostCenter, createTeam, createTestKey, createTestOrg, createUser } from "../testing/fixtures";
import { expectErrorShape } from "../testing/events-api";
import { api, startMachineServer } from "../testing/machine-server";
import { ingestAt, parseCsv } from "../testing/showback";
import { SHOWBACK_CSV_COLUMNS } from "./csv";
import { showbackExportResponse } from "./export";
import { parseMonth } from "./month";
import { monthlyShowback } from "./monthly";

let server: Awaited<ReturnType<typeof startMachineServer>>;
let a: Awaited<ReturnType<typeof createTestOrg>>;
let b: Awaited<ReturnType<typeof createTestOrg>>;
const users: Record<string, string> = {};

beforeAll(async () => {
  server = await startMachineServer();
  a = await createTestOrg({ timezone: "America/New_York" });
  b = await createTestOrg({ timezone: "America/New_York" });
  for (const role of ["OWNER", "ADMIN", "MEMBER", "VIEWER"] as const) {
    users[role] = (await createUser()).id;
    await addMember(a.org.id, users[role], role);
  }
  users.outsider = (await createUser()).id;
  users.memberOfB = (await createUser()).id;
  await addMember(b.org.id, users.memberOfB, "OWNER");

  const fin = await createCostCenter(a.org.id, "FIN-7");
  const team = await createTeam(a.org.id, "ledger", fin.id);
  const key = await createTestKey({ orgId: a.org.id, name: "ledger bot", scopes: ["ingest"], teamId: team.id });
  await ingestAt(key.secret, [
    { id: "1", cost_usd: "12.345678901234", timestamp: "2026-11-02T15:00:00Z" },
    { id: "2", cost_usd: "0.000000000007", timestamp: "2026-11-30T23:59:59Z" },
    { id: "3", cost_usd: "5", timestamp: "2026-10-09T15:00:00Z" },
  ]);
  await ingestAt(a.secret, [{ id: "4", cost_usd: "0.1", timestamp: "2026-11-20T15:00:00Z" }]);
  // Org B: the same cost center code, far more money — none of it may reach A's file.
  const finB = await createCostCenter(b.org.id, "FIN-7");
  const teamB = await createTeam(b.org.id, "ledger", finB.id);
  const keyB = await createTestKey({ orgId: b.org.id, name: "b bot", scopes: ["ingest"], teamId: teamB.id });
  await ingestAt(keyB.secret, [
    { id: "1", cost_usd: "9999", timestamp: "2026-11-02T15:00:00Z" },
    { id: "b2", cost_usd: "777", timestamp: "2026-11-03T15:00:00Z" },
  ]);
});
afterAll(() => server.close());

const download = (userId: string | null, orgSlug: string, month: string | null) =>
  showbackExportResponse({ userId, orgSlug, month, path: `/${orgSlug}/cost-centers/export${month === null ? "" : `?month=${month}`}`, now: new Date("2026-11-28T12:00:00Z") });

async function csvRecords(res: Response) {
  const bytes = Buffer.from(await res.arrayBuffer());
  // The UTF-8 byte-order mark, for spreadsheet programs (Response.text() would strip it).
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(bytes.subarray(3).toString("utf8"));
  expect(header).toEqual([...SHOWBACK_CSV_COLUMNS]);
  return rows.map((r) => Object.fromEntries(header.map((c, i) => [c, r[i]])));
}

describe("who may download", () => {
  test.each(["OWNER", "ADMIN", "MEMBER", "VIEWER"])("a %s gets the CSV as an attachment", async (role) => {
    const res = await download(users[role], a.org.slug, "2026-11");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${a.org.slug}-showback-2026-11.csv"`);
    expect(res.headers.get("cache-control")).toContain("no-store");
    const records = await csvRecords(res);
    expect(records.find((r) => r.row_type === "total")?.spend_usd).toBe("12.445678901241");
  });

  test("a person who is not a member, or a member of another org, gets the same 404 as for no org at all", async () => {
    for (const [userId, slug] of [
      [users.outsider, a.org.slug],
      [users.memberOfB, a.org.slug],
      [users.VIEWER, b.org.slug],
      [users.VIEWER, "no-such-org"],
    ]) {
      const res = await download(userId, slug, "2026-11");
      expect(res.status, `${userId} → ${slug}`).toBe(404);
      const body = await res.json();
      expectErrorShape(body);
      expect(body.error.code).toBe("not_found");
    }
  });

  test("signed out: sent to sign in, and back to the download afterwards", async () => {
    const res = await download(null, a.org.slug, "2026-11");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/sign-in?callbackUrl=${encodeURIComponent(`/${a.org.slug}/cost-centers/export?month=2026-11`)}`);
  });
});

describe("the month parameter", () => {
  test.each(["2026-13", "2026-00", "2026-1", "26-11", "2026-11-01", "november", "1999-12", "2026-11 ", "%00"])("%j is a 400 in the API's error shape, not a 500", async (month) => {
    const res = await download(users.VIEWER, a.org.slug, month);
    expect(res.status).toBe(400);
    const body = await res.json();
    expectErrorShape(body);
    expect(body.error).toMatchObject({ code: "bad_request", details: [{ path: "month", message: "must be a calendar month as YYYY-MM, e.g. 2026-11" }] });
  });

  test("absent or empty: this month in the org's zone", async () => {
    // 2026-12-01T03:00Z is still November 30 in New York.
    for (const month of [null, ""]) {
      const res = await showbackExportResponse({ userId: users.VIEWER, orgSlug: a.org.slug, month, path: "/", now: new Date("2026-12-01T03:00:00Z") });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toContain("-showback-2026-11.csv");
    }
  });
});

describe("the CSV's totals", () => {
  test("equal the page's loader and GET /api/v1/spend for the month, to the digit; org B's spend is nowhere", async () => {
    const records = await csvRecords(await download(users.VIEWER, a.org.slug, "2026-11"));
    const page = await monthlyShowback(a.org, parseMonth("2026-11")!);
    const res = await api(server.url, `/api/v1/spend?group_by=cost_center&from=${page.from}&to=${page.to}`, { secret: a.secret });
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const total = records.find((r) => r.row_type === "total")!;
    // 12.345678901234 + 0.000000000007 + 0.1 (the org key's call, no cost center)
    expect(total.spend_usd).toBe("12.445678901241");
    expect(page.total.spendUsd).toBe(total.spend_usd);
    expect(res.body.total_usd).toBe(total.spend_usd);
    expect(total.previous_month_usd).toBe("5.00");

    const ccRows = records.filter((r) => r.row_type === "cost_center" || r.row_type === "unassigned");
    expect(ccRows.map((r) => [r.cost_center_code, r.spend_usd])).toEqual([
      ["FIN-7", "12.345678901241"],
      ["", "0.10"],
    ]);
    expect(Object.fromEntries(res.body.groups.map((g: { key: string | null; cost_usd: string }) => [g.key ?? "", g.cost_usd]))).toEqual(Object.fromEntries(ccRows.map((r) => [r.cost_center_code, r.spend_usd])));
    expect(ccRows.reduce((acc, r) => acc.plus(r.spend_usd), new Decimal(0)).toFixed()).toBe("12.445678901241");

    const details = records.filter((r) => r.row_type === "team" || r.row_type === "key");
    expect(details.map((r) => [r.row_type, r.cost_center_code, r.team_name || r.key_name, r.spend_usd])).toEqual([
      ["team", "FIN-7", "ledger", "12.345678901241"],
      ["key", "FIN-7", "ledger bot", "12.345678901241"],
      ["team", "", "No team", "0.10"],
      ["key", "", "test key", "0.10"],
    ]);
    const file = records.map((r) => Object.values(r).join(",")).join("\n");
    expect(file).not.toContain("9999");
    expect(file).not.toContain("777");
    expect(file).not.toContain("b bot");
  });
});
