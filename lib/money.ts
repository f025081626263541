import Decimal from "decimal.js";

// Money is a decimal string end to end (Postgres numeric → string → JSON). Arithmetic, where any
// is needed outside SQL, goes through decimal.js — or, on hot paths that only compare and subtract,
// through BigInt at the amounts' common scale (atCommonScale); a JS float never holds a sum of money.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

export { Decimal };

// "0.010000000000" → "0.01"; "12.5" → "12.50"; "0.000000100000" → "0.0000001". Exact: string ops only,
// by index (an ingest answer formats three amounts for each of ~50 budgets; split and a regex cost 4×).
export function formatUsd(value: string | null | undefined): string {
  if (value == null || value === "") return "0.00";
  const negative = value.charCodeAt(0) === 45; // "-"
  const start = negative ? 1 : 0;
  const dot = value.indexOf(".", start);
  const intPart = (dot < 0 ? value.slice(start) : value.slice(start, dot)) || "0";
  let end = value.length;
  if (dot >= 0) while (end > dot + 1 && value.charCodeAt(end - 1) === 48) end--; // trailing "0"s
  const fraction = dot < 0 ? "" : value.slice(dot + 1, end);
  const out = `${intPart}.${fraction.length < 2 ? fraction.padEnd(2, "0") : fraction}`;
  return negative && out !== "0.00" ? `-${out}` : out;
}

const withSeparators = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

// What a page shows, one rule everywhere: dollars and cents with thousands separators ("$1,489.54"),
// rounded half-even; an amount that is not zero but rounds to $0.00 is "<$0.01" (never a
// misleading "$0.00" beside a real one). The exact amount goes in a tooltip (exactUsd).
export function displayUsd(value: string | null | undefined): string {
  const d = new Decimal(value || 0);
  const cents = d.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
  if (cents.isZero() && !d.isZero()) return d.isNegative() ? "-<$0.01" : "<$0.01";
  const [i, f] = cents.abs().toFixed(2).split(".");
  return `${cents.isNegative() ? "-" : ""}$${withSeparators(i)}.${f}`;
}

// Every digit that is there, with separators: "$1,489.53534993" (tooltips, "exact" hints).
export function exactUsd(value: string | null | undefined): string {
  const formatted = formatUsd(value);
  const negative = formatted.startsWith("-");
  const [i, f] = (negative ? formatted.slice(1) : formatted).split(".");
  return `${negative ? "-" : ""}$${withSeparators(i)}.${f}`;
}

// A chart axis tick: a scale, not an amount anyone reads to the cent, but two ticks must never read
// alike ($0.0025 and $0.0075 are not both "$0.01"; 12.5 is not "$13"). Up to three significant
// digits, trailing zeros dropped, k / M above a thousand / million.
export function axisUsd(value: number): string {
  if (value === 0) return "$0";
  const abs = Math.abs(value);
  const [scaled, suffix] = abs >= 1_000_000 ? [value / 1_000_000, "M"] : abs >= 1_000 ? [value / 1_000, "k"] : [value, ""];
  const digits = Number(scaled.toPrecision(3)).toFixed(12).replace(/\.?0+$/, "");
  return digits.startsWith("-") ? `-$${digits.slice(1)}${suffix}` : `$${digits}${suffix}`;
}

// Two decimal strings (Postgres numeric text, never an exponent) as integers at their common scale,
// and back: exact comparison and subtraction without decimal.js's allocations.
export function atCommonScale(a: string, b: string): [bigint, bigint, number] {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  return [scaledUnits(a, scale), scaledUnits(b, scale), scale];
}
const fractionDigits = (v: string) => {
  const dot = v.indexOf(".");
  return dot < 0 ? 0 : v.length - dot - 1;
};
function scaledUnits(v: string, scale: number): bigint {
  const dot = v.indexOf(".");
  const digits = dot < 0 ? v + "0".repeat(scale) : v.slice(0, dot) + v.slice(dot + 1) + "0".repeat(scale - (v.length - dot - 1));
  return BigInt(digits);
}
export function unitsToDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}
