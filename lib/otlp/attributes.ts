import { doubleToDecimal } from "./decode";
import type { TAttributes, TAttrValue } from "./model";

// Reading attributes the way the tools send them: Claude Code passes every number through
// String(), so "1840" and 1840 both mean 1840 tokens, and "0.061329" is a cost.

function scalar(v: TAttrValue | undefined): string | null {
  if (v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean") return String(v);
  return null;
}

// The first of the keys present as non-empty text (numbers and booleans as their text). Up to
// three, as parameters rather than a rest array: a dozen calls per record.
export function text(attrs: TAttributes, key: string, second?: string, third?: string): string | null {
  return textOf(attrs[key]) ?? (second === undefined ? null : (textOf(attrs[second]) ?? (third === undefined ? null : textOf(attrs[third]))));
}

function textOf(v: TAttrValue | undefined): string | null {
  if (v === undefined) return null;
  const s = typeof v === "string" ? v.trim() : scalar(v);
  return s || null;
}

// The same with the keys as one (hoisted) array: no array made per call on the hot path.
export function firstText(attrs: TAttributes, keys: readonly string[]): string | null {
  for (let i = 0; i < keys.length; i++) {
    const s = textOf(attrs[keys[i]]);
    if (s) return s;
  }
  return null;
}

// A whole, non-negative count: 1840, "1840" or 1840.0. Anything else is null (the caller says why).
export function count(attrs: TAttributes, key: string): number | null {
  const v = attrs[key];
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== "string") return null;
  const s = v.trim();
  return /^\d{1,15}$/.test(s) ? Number(s) : null;
}

// A non-negative decimal amount as exact text: "0.061329", 0.061329 or "61329" (an int attribute).
export function decimal(attrs: TAttributes, key: string): string | null {
  const v = attrs[key];
  if (typeof v === "number") return v >= 0 ? doubleToDecimal(v) : null;
  if (typeof v === "string") {
    const s = v.trim();
    if (/^\d{1,15}(\.\d{1,18})?$/.test(s)) return s;
    // "6.1329e-2" from a client that formats floats that way.
    if (/^\d+(\.\d+)?e[-+]?\d+$/i.test(s) && Number.isFinite(Number(s))) return doubleToDecimal(Number(s));
  }
  return null;
}

export function flag(attrs: TAttributes, key: string): boolean | null {
  const v = attrs[key];
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return null;
}

// Nanoseconds since the epoch (decimal text) as an ISO timestamp; null for 0 / absent.
export function isoFromNanos(nanos: string): string | null {
  if (!nanos || nanos === "0") return null;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
