import type { TChange, TShowback, TShowbackLine } from "./monthly";

// The showback CSV (docs/operations.md "Showback CSV"): one file per month, RFC 4180 (CRLF, fields
// with a comma, quote or line break quoted, quotes doubled), UTF-8 with a byte-order mark so
// spreadsheet programs read names as UTF-8. A `row_type` column says what each row is, so finance
// can filter or pivot: `cost_center` rows (and the `unassigned` one) add up to the `total` row; the
// `team` rows of a cost center add up to it, and so do its `key` rows.
export const SHOWBACK_CSV_COLUMNS = [
  "month",
  "row_type",
  "cost_center_code",
  "cost_center_name",
  "team",
  "team_name",
  "key_prefix",
  "key_name",
  "spend_usd",
  "share_percent",
  "previous_month_usd",
  "change_usd",
  "change_percent",
] as const;

export type TShowbackCsvRowType = "cost_center" | "unassigned" | "team" | "key" | "total";

// Lone surrogates (ill-formed UTF-16) cannot be encoded as UTF-8: each becomes U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// A name a person typed may start like a formula (=HYPERLINK(…), +1, -2, @SUM, or a tab / CR that
// some programs strip before reading one): prefixed with a single quote, as OWASP's CSV-injection
// advice says, a spreadsheet shows it as text and never evaluates it. Only text cells get this —
// the numbers are ours, and a negative change ("-12.50") must stay a number.
const FORMULA_START = /^[=+\-@\t\r]/;

export function textCell(value: string | null | undefined): string {
  const text = (value ?? "").replace(LONE_SURROGATE, "\uFFFD");
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// RFC 4180 §2.6–2.7: quote a field holding a comma, a quote or a line break; double its quotes.
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(",");
}

function changePercent(change: TChange): string {
  if (change.kind === "new") return "new";
  return change.percent ?? "";
}

function numbers(l: TShowbackLine): string[] {
  return [l.spendUsd, l.sharePercent ?? "", l.previousUsd, l.change.usd, changePercent(l.change)];
}

export function showbackCsv(showback: TShowback): string {
  const lines: string[][] = [];
  const row = (type: TShowbackCsvRowType, text: { code?: string | null; name?: string | null; team?: string | null; teamName?: string | null; keyPrefix?: string | null; keyName?: string | null }, l: TShowbackLine) =>
    lines.push([
      showback.month,
      type,
      textCell(text.code),
      textCell(text.name),
      textCell(text.team),
      textCell(text.teamName),
      textCell(text.keyPrefix),
      textCell(text.keyName),
      ...numbers(l),
    ]);
  for (const cc of showback.rows) {
    const owner = { code: cc.code, name: cc.name };
    row(cc.costCenterId ? "cost_center" : "unassigned", owner, cc);
    for (const t of cc.teams) row("team", { ...owner, team: t.slug ?? "", teamName: t.name }, t);
    for (const k of cc.keys) row("key", { ...owner, keyPrefix: k.prefix ?? k.keyId, keyName: k.name }, k);
  }
  row("total", { name: "Total" }, showback.total);
  return `\uFEFF${[SHOWBACK_CSV_COLUMNS, ...lines].map(csvLine).join("\r\n")}\r\n`;
}

export function showbackCsvFilename(orgSlug: string, month: string): string {
  // Slugs are [a-z0-9-]; anything else is dropped so the header stays a plain quoted string.
  return `${orgSlug.replace(/[^A-Za-z0-9._-]/g, "")}-showback-${month}.csv`;
}
