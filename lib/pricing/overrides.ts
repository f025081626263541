import type Decimal from "decimal.js";
import { canonicalProvider } from "./catalog";
import { parseNonNegativeDecimal } from "./money";
import type { TModelRates } from "./rates";

/** An org-specific price (USD per million tokens, decimal strings), loaded from the DB by the caller. */
export type TPriceOverride = {
  /** null = applies whatever provider the call names (or none). */
  provider: string | null;
  /** Matched case-insensitively against the call's model name as sent (not the catalogue id). */
  model: string;
  effectiveFrom: Date;
  inputMtok: string;
  outputMtok: string;
  cacheReadMtok: string | null;
  cacheWriteMtok: string | null;
  reasoningMtok: string | null;
};

type TPrepared = { model: string; provider: string | null; fromMs: number; rates: TModelRates | null };

// Overrides arrive as the same objects call after call (the org directory is cached by the caller),
// so parsing their decimals once per object keeps the hot path free of string parsing.
const preparedOverrides = new WeakMap<TPriceOverride, TPrepared>();

function optionalRate(v: string | null | undefined): Decimal | null | "invalid" {
  if (v === null || v === undefined) return null;
  return parseNonNegativeDecimal(String(v)) ?? "invalid";
}

function prepare(o: TPriceOverride): TPrepared {
  const cached = preparedOverrides.get(o);
  if (cached) return cached;
  const input = parseNonNegativeDecimal(String(o.inputMtok));
  const output = parseNonNegativeDecimal(String(o.outputMtok));
  const cacheRead = optionalRate(o.cacheReadMtok);
  const cacheWrite = optionalRate(o.cacheWriteMtok);
  const reasoning = optionalRate(o.reasoningMtok);
  const valid = input && output && cacheRead !== "invalid" && cacheWrite !== "invalid" && reasoning !== "invalid";
  const fromMs = o.effectiveFrom instanceof Date ? o.effectiveFrom.getTime() : Date.parse(String(o.effectiveFrom));
  const result: TPrepared = {
    model: String(o.model).trim().toLowerCase(),
    provider: o.provider && o.provider.trim() ? canonicalProvider(o.provider) : null,
    fromMs,
    // An override with an unparseable rate is skipped (see validatePriceOverride for the write path).
    rates: valid
      ? { inputMtok: input, outputMtok: output, cacheReadMtok: cacheRead, cacheWriteMtok: cacheWrite, reasoningMtok: reasoning, perRequestUsd: null, tiers: [] }
      : null,
  };
  preparedOverrides.set(o, result);
  return result;
}

/**
 * The override in force for this call: same model (case-insensitive), provider equal (after alias
 * mapping) or null, effectiveFrom <= at; the latest effectiveFrom wins, and on a tie a
 * provider-specific override beats a provider-agnostic one. Returns the override itself (the models
 * page names it and its dates) or null.
 */
export function findOverride<T extends TPriceOverride>(
  overrides: readonly T[],
  provider: string | null | undefined,
  model: string,
  at: Date,
): T | null {
  const m = model.trim().toLowerCase();
  const p = provider && provider.trim() ? canonicalProvider(provider) : null;
  const t = at.getTime();
  let best: TPrepared | null = null;
  let bestOverride: T | null = null;
  for (const o of overrides) {
    const c = prepare(o);
    if (c.model !== m || c.rates === null || Number.isNaN(c.fromMs) || c.fromMs > t) continue;
    if (c.provider !== null && c.provider !== p) continue;
    if (best === null || c.fromMs > best.fromMs || (c.fromMs === best.fromMs && best.provider === null && c.provider !== null)) {
      best = c;
      bestOverride = o;
    }
  }
  return bestOverride;
}

/** The rates of the override in force for this call (see findOverride), or null. */
export function findOverrideRates(
  overrides: readonly TPriceOverride[],
  provider: string | null | undefined,
  model: string,
  at: Date,
): TModelRates | null {
  const o = findOverride(overrides, provider, model, at);
  return o ? prepare(o).rates : null;
}

/** Write-path validation for an override (the hot path silently skips invalid ones). */
export function validatePriceOverride(o: TPriceOverride): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  if (typeof o.model !== "string" || !o.model.trim()) errors.push({ path: "model", message: "is required" });
  if (!(o.effectiveFrom instanceof Date) || Number.isNaN(o.effectiveFrom.getTime())) {
    errors.push({ path: "effectiveFrom", message: "must be a valid date" });
  }
  const rates: [string, string | null, boolean][] = [
    ["inputMtok", o.inputMtok, true],
    ["outputMtok", o.outputMtok, true],
    ["cacheReadMtok", o.cacheReadMtok, false],
    ["cacheWriteMtok", o.cacheWriteMtok, false],
    ["reasoningMtok", o.reasoningMtok, false],
  ];
  for (const [path, value, required] of rates) {
    if (value === null || value === undefined) {
      if (required) errors.push({ path, message: "is required" });
    } else if (!parseNonNegativeDecimal(String(value))) {
      errors.push({ path, message: "must be a non-negative decimal string (USD per million tokens)" });
    }
  }
  return errors;
}
