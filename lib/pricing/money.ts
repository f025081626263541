import Decimal from "decimal.js";

// A private Decimal constructor for all pricing math. The global decimal.js default keeps only 20
// significant digits, which is not enough for (up to 16-digit token count) x (up to 17-digit rate);
// 50 digits keeps every product and sum in this module exact before the final rounding.
export const Money = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN });

export const ZERO = new Money(0);
export const MILLION = new Money(1_000_000);

// Costs are stored with 12 decimal places (a fraction of a micro-cent, so a single cheap token stays visible).
export const COST_DECIMAL_PLACES = 12;

// Plain non-negative decimal, optionally with an exponent: String(1.2e-7) === "1.2e-7", and callers
// stringify JSON numbers they received, so the exponent form must be accepted.
const NON_NEGATIVE_DECIMAL = /^\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// No single call or per-million rate is anywhere near a quadrillion dollars; "1e400" is garbage, not money
// (and would overflow any NUMERIC column downstream).
const MAX_AMOUNT = new Money("1e15");

/** Parses a non-negative decimal string (< 1e15) exactly; null for anything else (negative, NaN, garbage, ""). */
export function parseNonNegativeDecimal(value: string): Decimal | null {
  const s = value.trim();
  if (s.length === 0 || s.length > 100 || !NON_NEGATIVE_DECIMAL.test(s)) return null;
  const d = new Money(s);
  return d.isFinite() && d.lt(MAX_AMOUNT) ? d : null;
}

/**
 * The most one call may cost, in USD. No real LLM call comes near it; the bound is what lets every
 * total column (numeric(38,12), see prisma/schema.prisma) hold any sum of accepted events.
 */
export const MAX_CALL_COST_USD = 10_000;
const MAX_CALL_COST_DIGITS = String(MAX_CALL_COST_USD);

/**
 * Whether a plain non-negative decimal string ("123.45", "0009999.5"; no sign, no exponent) is above
 * MAX_CALL_COST_USD. Exact, and cheap enough for every event: it compares digits.
 */
export function exceedsMaxCallCost(amount: string): boolean {
  let start = 0;
  while (amount[start] === "0" && start + 1 < amount.length && amount[start + 1] !== ".") start++;
  const dot = amount.indexOf(".", start);
  const intEnd = dot < 0 ? amount.length : dot;
  const intDigits = intEnd - start;
  if (intDigits !== MAX_CALL_COST_DIGITS.length) return intDigits > MAX_CALL_COST_DIGITS.length;
  const int = amount.slice(start, intEnd);
  // Same length: string order is numeric order.
  if (int !== MAX_CALL_COST_DIGITS) return int > MAX_CALL_COST_DIGITS;
  for (let i = intEnd + 1; i < amount.length; i++) if (amount[i] !== "0") return true;
  return false;
}

/**
 * Catalogue prices are JS numbers. Their shortest round-trip string (String(0.075) === "0.075") is
 * the decimal the catalogue author wrote, so going through String() makes the rate exact.
 */
export function decimalFromCatalogNumber(n: number): Decimal | null {
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) return null;
  return new Money(String(n));
}

/** Rounds to 12 decimal places (banker's rounding) and prints plain notation, never an exponent. */
export function formatUsd(amount: Decimal): string {
  const s = amount.toDecimalPlaces(COST_DECIMAL_PLACES, Decimal.ROUND_HALF_EVEN).toFixed();
  return s === "-0" ? "0" : s;
}
