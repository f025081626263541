import Decimal from "decimal.js";

// Money is a decimal string end to end (Postgres numeric → string → JSON). Arithmetic, where any
// is needed outside SQL, goes through decimal.js; a JS float never holds a sum of money.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

export { Decimal };

// "0.010000000000" → "0.01"; "12.5" → "12.50"; "0.000000100000" → "0.0000001". Exact: string ops only.
export function formatUsd(value: string | null | undefined): string {
  if (value == null || value === "") return "0.00";
  const negative = value.startsWith("-");
  const unsigned = negative ? value.slice(1) : value;
  const [intPart, fraction = ""] = unsigned.split(".");
  let digits = fraction.replace(/0+$/, "");
  if (digits.length < 2) digits = digits.padEnd(2, "0");
  const out = `${intPart || "0"}.${digits}`;
  return negative && out !== "0.00" ? `-${out}` : out;
}

// For display only: "$1,234.56" (rounded to cents, or to 4 significant places under a cent).
export function displayUsd(value: string | null | undefined): string {
  const d = new Decimal(value || 0);
  if (!d.isZero() && d.abs().lt(0.01)) return `$${d.toSignificantDigits(2).toFixed()}`;
  const fixed = d.toFixed(2);
  const [i, f] = fixed.split(".");
  return `$${i.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${f}`;
}
