// The showback CSV as a spreadsheet reads it: RFC 4180 quoting, names that look like formulas
// neutralised, ill-formed Unicode replaced, exact decimal strings, and the layout's sums.
import Decimal from "decimal.js";
import { describe, expect, test } from "vitest";
import { parseCsv } from "../testing/showback";
import { csvField, SHOWBACK_CSV_COLUMNS, showbackCsv, showbackCsvFilename, textCell } from "./csv";
import type { TShowback, TShowbackLine } from "./monthly";

const l = (spendUsd: string, previousUsd: string, change: TShowbackLine["change"], sharePercent: string | null): TShowbackLine => ({ spendUsd, previousUsd, change, sharePercent });

// A hand-made month: names a person could type, amounts down to the 12th decimal.
const SHOWBACK: TShowback = {
  month: "2026-11",
  previousMonth: "2026-10",
  timezone: "Europe/Berlin",
  from: "2026-10-31T23:00:00.000Z",
  to: "2026-11-30T23:00:00.000Z",
  total: l("10.000000000001", "4.00", { usd: "6.000000000001", percent: "150.0", kind: "up" }, "100.00"),
  rows: [
    {
      ...l("7.50", "4.00", { usd: "3.50", percent: "87.5", kind: "up" }, "75.00"),
      costCenterId: "cc1",
      code: "R&D-1",
      name: 'Research, "Applied"\nand more',
      ownerEmail: null,
      archived: false,
      teams: [
        { ...l("7.50", "4.00", { usd: "3.50", percent: "87.5", kind: "up" }, "75.00"), teamId: "t1", slug: "ml", name: "=HYPERLINK(\"http://evil.test\",\"click\")", archived: false },
        { ...l("0.00", "0.00", { usd: "0.00", percent: null, kind: "none" }, "0.00"), teamId: "t2", slug: "idle", name: "+1 idle", archived: false },
      ],
      keys: [{ ...l("7.50", "4.00", { usd: "3.50", percent: "87.5", kind: "up" }, "75.00"), keyId: "k1", prefix: "br_Ab12", name: "@SUM(A1:A9)", revoked: false }],
    },
    {
      ...l("2.500000000001", "0.00", { usd: "2.500000000001", percent: null, kind: "new" }, "25.00"),
      costCenterId: "cc2",
      code: "OPS",
      name: "-2+3 ops\u0009tab \uD800 lone high, \uDFFF lone low, 😀 pair",
      ownerEmail: null,
      archived: false,
      teams: [],
      keys: [],
    },
    { ...l("0.00", "0.00", { usd: "0.00", percent: null, kind: "none" }, "0.00"), costCenterId: null, code: null, name: "Unassigned", ownerEmail: null, archived: false, teams: [], keys: [] },
  ],
};

describe("showbackCsv", () => {
  const text = showbackCsv(SHOWBACK);
  const rows = parseCsv(text.replace(/^\uFEFF/, ""));
  const records = rows.slice(1).map((r) => Object.fromEntries(SHOWBACK_CSV_COLUMNS.map((c, i) => [c, r[i]])));

  test("UTF-8 BOM, the header, CRLF line ends, the same number of fields on every line", () => {
    expect(text.startsWith("\uFEFFmonth,row_type,cost_center_code,cost_center_name,team,team_name,key_prefix,key_name,spend_usd,share_percent,previous_month_usd,change_usd,change_percent\r\n")).toBe(true);
    expect(rows[0]).toEqual([...SHOWBACK_CSV_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(SHOWBACK_CSV_COLUMNS.length);
    expect(records.map((r) => r.row_type)).toEqual(["cost_center", "team", "team", "key", "cost_center", "unassigned", "total"]);
  });

  test("commas, quotes and line breaks in a name survive a round trip", () => {
    expect(records[0].cost_center_name).toBe('Research, "Applied"\nand more');
    expect(text).toContain('"Research, ""Applied""\nand more"');
    expect(records[0].cost_center_code).toBe("R&D-1");
  });

  test("names starting with = + - @ or a tab are prefixed with a quote; numbers are not", () => {
    expect(records[1].team_name).toBe("'=HYPERLINK(\"http://evil.test\",\"click\")");
    expect(records[2].team_name).toBe("'+1 idle");
    expect(records[3].key_name).toBe("'@SUM(A1:A9)");
    expect(records[4].cost_center_name.startsWith("'-2+3 ops\ttab")).toBe(true);
    expect(textCell("\tx")).toBe("'\tx");
    expect(textCell("\rx")).toBe("'\rx");
    expect(textCell("a=b")).toBe("a=b");
    // A negative change stays a number a spreadsheet can sum.
    expect(records[6].change_usd).toBe("6.000000000001");
    const down = showbackCsv({ ...SHOWBACK, total: { ...SHOWBACK.total, change: { usd: "-1.25", percent: "-12.5", kind: "down" } } });
    expect(down).toContain(",-1.25,-12.5\r\n");
  });

  test("ill-formed Unicode (lone surrogates) becomes U+FFFD; a real pair is kept", () => {
    expect(records[4].cost_center_name).toBe("'-2+3 ops\ttab \uFFFD lone high, \uFFFD lone low, 😀 pair");
    expect(Buffer.from(text, "utf8").toString("utf8")).toBe(text.replace(/\uD800(?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])\uDFFF/g, "\uFFFD"));
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  test("exact decimal strings; cost center rows add up to the total row; 'new' when last month was 0", () => {
    expect(records[4]).toMatchObject({ spend_usd: "2.500000000001", previous_month_usd: "0.00", change_usd: "2.500000000001", change_percent: "new" });
    expect(records[5]).toMatchObject({ cost_center_code: "", cost_center_name: "Unassigned", spend_usd: "0.00", change_percent: "" });
    const ccSum = records.filter((r) => r.row_type === "cost_center" || r.row_type === "unassigned").reduce((acc, r) => acc.plus(r.spend_usd), new Decimal(0));
    const total = records.find((r) => r.row_type === "total")!;
    expect(ccSum.toFixed()).toBe(new Decimal(total.spend_usd).toFixed());
    expect(total).toMatchObject({ month: "2026-11", cost_center_name: "Total", spend_usd: "10.000000000001", share_percent: "100.00", previous_month_usd: "4.00", change_percent: "150.0" });
    // Detail rows carry their cost center, so a pivot by cost center works on them too.
    expect(records[3]).toMatchObject({ row_type: "key", cost_center_code: "R&D-1", key_prefix: "br_Ab12", spend_usd: "7.50" });
  });

  test("csvField quotes only what needs it", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line\r\nbreak")).toBe('"line\r\nbreak"');
  });

  test("the file name is the org's slug and the month", () => {
    expect(showbackCsvFilename("acme-co", "2026-11")).toBe("acme-co-showback-2026-11.csv");
    expect(showbackCsvFilename('x"; y', "2026-11")).toBe("xy-showback-2026-11.csv");
  });
});
