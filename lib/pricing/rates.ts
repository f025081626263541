import type Decimal from "decimal.js";
import type { ModelPrice } from "@pydantic/genai-prices";
import type { TCanonicalUsage } from "./normalize-usage";
import { MILLION, Money, ZERO, decimalFromCatalogNumber } from "./money";

/** USD per million tokens for each token class. null = the model has no separate rate for that class. */
export type TRateSet = {
  inputMtok: Decimal;
  outputMtok: Decimal;
  /** null: cache reads are billed at inputMtok. */
  cacheReadMtok: Decimal | null;
  /** null: cache writes are billed at inputMtok. */
  cacheWriteMtok: Decimal | null;
  /** null: reasoning tokens are billed at outputMtok. */
  reasoningMtok: Decimal | null;
};

/**
 * A long-context tier: a complete rate set that replaces the base rates for the WHOLE call when the
 * call's total input (uncached + cache read + cache write) is strictly greater than aboveInputTokens.
 * This is genai-prices' semantics: the tier is chosen by total prompt size and then prices every
 * token of the call (output included), it is not a marginal rate for the tokens above the threshold.
 */
export type TRateTier = TRateSet & { aboveInputTokens: number };

export type TModelRates = TRateSet & {
  /** Flat fee per call in USD (catalogue requests_kcount / 1000, e.g. Perplexity Sonar); null = none. */
  perRequestUsd: Decimal | null;
  /** Ascending by aboveInputTokens; empty for flat-priced models. The highest exceeded tier wins. */
  tiers: readonly TRateTier[];
};

type TPriceValue = ModelPrice[string];
type TRateKey = keyof TRateSet;

// Which genai-prices price key feeds which of our rates.
const PRICE_KEYS: readonly (readonly [TRateKey, string])[] = [
  ["inputMtok", "input_mtok"],
  ["outputMtok", "output_mtok"],
  ["cacheReadMtok", "cache_read_mtok"],
  ["cacheWriteMtok", "cache_write_mtok"],
  ["reasoningMtok", "output_reasoning_mtok"],
];

type TTiered = { base: number; tiers: { start: number; price: number }[] };

function isTiered(v: TPriceValue): v is TTiered & NonNullable<TPriceValue> {
  return typeof v === "object" && v !== null && typeof v.base === "number" && Array.isArray(v.tiers);
}

// The rate of one price key for a call whose total input is just above `threshold` (or the base rate
// when threshold is null). Mirrors genai-prices: the last tier with input > start wins.
function rateAt(v: TPriceValue, threshold: number | null): Decimal | null | "invalid" {
  if (v === undefined) return null;
  if (typeof v === "number") return decimalFromCatalogNumber(v) ?? "invalid";
  if (!isTiered(v)) return "invalid";
  let price = v.base;
  if (threshold !== null) {
    // A call with input in (threshold, next threshold] exceeds exactly the tiers starting at or below
    // `threshold`; the one with the highest start applies.
    let best = -1;
    for (const t of v.tiers) {
      if (t.start <= threshold && t.start > best) {
        best = t.start;
        price = t.price;
      }
    }
  }
  return decimalFromCatalogNumber(price) ?? "invalid";
}

function rateSetAt(price: ModelPrice, threshold: number | null): TRateSet | null {
  const out: Record<TRateKey, Decimal | null> = { inputMtok: null, outputMtok: null, cacheReadMtok: null, cacheWriteMtok: null, reasoningMtok: null };
  for (const [key, priceKey] of PRICE_KEYS) {
    const r = rateAt(price[priceKey], threshold);
    if (r === "invalid") return null;
    out[key] = r;
  }
  // genai-prices bills a token class with no price at 0 (e.g. embedding models have no output price).
  return { ...out, inputMtok: out.inputMtok ?? ZERO, outputMtok: out.outputMtok ?? ZERO };
}

/**
 * Converts one catalogue price entry to exact rates. null when the entry is not token-priced at all
 * (OCR pages, audio hours, image-only models...) or holds an invalid number: such calls stay UNPRICED
 * rather than being priced at a guessed 0.
 */
export function ratesFromCatalogPrice(price: ModelPrice): TModelRates | null {
  if (price.input_mtok === undefined && price.output_mtok === undefined) return null;
  const base = rateSetAt(price, null);
  if (!base) return null;

  let perRequestUsd: Decimal | null = null;
  const perK = price.requests_kcount;
  if (perK !== undefined) {
    const d = typeof perK === "number" ? decimalFromCatalogNumber(perK) : null;
    if (!d) return null; // a tiered per-request fee has no meaning we could reproduce: do not guess
    perRequestUsd = d.div(1000);
  }

  // Every distinct threshold of any key becomes one merged tier, so a tier always carries a full rate set
  // even when only some keys are tiered (gemini-1.5-pro tiers input/output but has no cache price).
  const starts = new Set<number>();
  for (const [, priceKey] of PRICE_KEYS) {
    const v = price[priceKey];
    if (isTiered(v)) for (const t of v.tiers) starts.add(t.start);
  }
  const tiers: TRateTier[] = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    if (!Number.isSafeInteger(start) || start < 0) return null;
    const set = rateSetAt(price, start);
    if (!set) return null;
    tiers.push({ ...set, aboveInputTokens: start });
  }
  return { ...base, perRequestUsd, tiers };
}

/** The rate set that applies to a call with this total input (uncached + cache read + cache write). */
export function selectRateSet(rates: TModelRates, totalInputTokens: number): TRateSet {
  for (let i = rates.tiers.length - 1; i >= 0; i--) {
    const tier = rates.tiers[i];
    if (totalInputTokens > tier.aboveInputTokens) return tier;
  }
  return rates;
}

// A one-hour cache write costs twice the input rate (Anthropic's pricing, also on Bedrock and Vertex;
// the five-minute kind is the catalogue's cache_write_mtok, 1.25×). The catalogue has no key for it,
// and only Anthropic's usage reports such writes.
export const ONE_HOUR_CACHE_WRITE_INPUT_MULTIPLE = 2;

/**
 * Exact, unrounded USD cost of one call. Each token is priced once:
 * input*in + cacheRead*(cacheRead ?? in) + (cacheWrite - cacheWrite1h)*(cacheWrite ?? in) + cacheWrite1h*2*in
 *   + (output - reasoning)*out + reasoning*(reasoning ?? out), all / 1e6, plus any per-call fee.
 * Exported for the gateway's worst-case reservation (pass the max tokens it allows).
 */
export function costFromRates(rates: TModelRates, usage: TCanonicalUsage): Decimal {
  const r = selectRateSet(rates, usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens);
  // Start every product from a Money value so the 50-digit context applies even if `rates` were
  // built elsewhere with the global (20-digit) Decimal.
  let micro = ZERO;
  if (usage.inputTokens > 0) micro = micro.plus(new Money(usage.inputTokens).times(r.inputMtok));
  if (usage.cacheReadTokens > 0) micro = micro.plus(new Money(usage.cacheReadTokens).times(r.cacheReadMtok ?? r.inputMtok));
  const oneHourWrites = usage.cacheWrite1hTokens;
  const shortWrites = usage.cacheWriteTokens - oneHourWrites;
  if (shortWrites > 0) micro = micro.plus(new Money(shortWrites).times(r.cacheWriteMtok ?? r.inputMtok));
  if (oneHourWrites > 0) micro = micro.plus(new Money(oneHourWrites).times(r.inputMtok).times(ONE_HOUR_CACHE_WRITE_INPUT_MULTIPLE));
  const plainOutput = usage.outputTokens - usage.reasoningTokens;
  if (plainOutput > 0) micro = micro.plus(new Money(plainOutput).times(r.outputMtok));
  if (usage.reasoningTokens > 0) micro = micro.plus(new Money(usage.reasoningTokens).times(r.reasoningMtok ?? r.outputMtok));
  const cost = micro.div(MILLION);
  return rates.perRequestUsd ? cost.plus(rates.perRequestUsd) : cost;
}
