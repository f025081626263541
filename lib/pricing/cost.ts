import { catalogRatesAt, findCatalogModel } from "./catalog";
import { formatUsd, parseNonNegativeDecimal } from "./money";
import type { TCanonicalUsage } from "./normalize-usage";
import { findOverrideRates, type TPriceOverride } from "./overrides";
import { costFromRates, type TModelRates } from "./rates";

export type { TModelRates, TRateSet, TRateTier } from "./rates";
export type { TPriceOverride } from "./overrides";

/** Where a call's cost came from: the caller's own figure, the bundled catalogue, an org override, or nowhere. */
export type TCostSource = "REPORTED" | "CATALOG" | "OVERRIDE" | "UNPRICED";

export type TResolvedRates = { rates: TModelRates; source: "CATALOG" | "OVERRIDE"; catalogModelId: string | null };

export type TPriceCallResult = { costUsd: string; costSource: TCostSource; catalogModelId: string | null };

function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/**
 * The per-token rates for a model at a moment: an org override in force wins, else the bundled
 * genai-prices catalogue (rates chosen for `at` when the catalogue has dated or time-of-day prices).
 * null when neither knows the model. catalogModelId ("provider:model", e.g. "openai:gpt-4o") names the
 * catalogue entry the model resolved to, also when an override supplied the rates.
 * Also meant for the gateway to reserve a worst-case cost before the call (see costFromRates).
 */
export function resolveRates(args: {
  provider?: string | null;
  model: string;
  at: Date;
  overrides?: readonly TPriceOverride[];
}): TResolvedRates | null {
  const { provider, model, at, overrides } = args;
  if (typeof model !== "string" || model.trim().length === 0 || !isValidDate(at)) return null;
  const catalog = findCatalogModel(provider, model);
  const catalogModelId = catalog ? catalog.catalogModelId : null;
  if (overrides && overrides.length > 0) {
    const rates = findOverrideRates(overrides, provider, model, at);
    if (rates) return { rates, source: "OVERRIDE", catalogModelId };
  }
  if (!catalog) return null;
  const rates = catalogRatesAt(catalog, at);
  return rates ? { rates, source: "CATALOG", catalogModelId } : null;
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

// normalizeUsage guarantees this; re-checked because a bad count would otherwise become "NaN" money.
function isValidUsage(u: TCanonicalUsage | null | undefined): u is TCanonicalUsage {
  return (
    !!u &&
    isCount(u.inputTokens) &&
    isCount(u.cacheReadTokens) &&
    isCount(u.cacheWriteTokens) &&
    isCount(u.cacheWrite1hTokens) &&
    u.cacheWrite1hTokens <= u.cacheWriteTokens &&
    isCount(u.outputTokens) &&
    isCount(u.reasoningTokens) &&
    u.reasoningTokens <= u.outputTokens
  );
}

// A failure inside priceCall is a bug, not an unknown model: it is counted (for tests and metrics)
// and logged with what was being priced, at most once a second so a systematic bug cannot flood the
// log. The call itself still comes back UNPRICED (and the client sees an unpriced_model warning).
let pricingFailures = 0;
let lastFailureLogAt = 0;
const FAILURE_LOG_INTERVAL_MS = 1_000;

/** How many priceCall invocations have failed inside pricing since the process started. */
export function pricingFailureCount(): number {
  return pricingFailures;
}

function pricingFailed(provider: string | null | undefined, model: string | null, err: unknown): void {
  pricingFailures++;
  const now = Date.now();
  if (now - lastFailureLogAt < FAILURE_LOG_INTERVAL_MS) return;
  lastFailureLogAt = now;
  console.error(
    `[pricing] pricing failed for provider=${JSON.stringify(provider ?? null)} model=${JSON.stringify(model)}; ` +
      `the call is UNPRICED at 0 USD (${pricingFailures} failure(s) since start):`,
    err,
  );
}

function unpriced(catalogModelId: string | null = null): TPriceCallResult {
  return { costUsd: "0", costSource: "UNPRICED", catalogModelId };
}

/**
 * Prices one LLM call. Never throws and never guesses:
 * - a valid reportedCostUsd (decimal string >= 0, exponent allowed) wins -> REPORTED;
 *   an invalid one is ignored and the call is priced as if none had been sent;
 * - otherwise the override or catalogue rates -> OVERRIDE / CATALOG;
 * - unknown model, missing model, invalid usage or date -> "0" / UNPRICED;
 * - a failure inside pricing (a bug) -> "0" / UNPRICED, logged and counted (pricingFailureCount).
 * costUsd: plain decimal string, 12 decimal places, banker's rounding, trailing zeros trimmed.
 */
export function priceCall(args: {
  provider?: string | null;
  model: string | null;
  usage: TCanonicalUsage;
  at: Date;
  reportedCostUsd?: string | null;
  overrides?: readonly TPriceOverride[];
}): TPriceCallResult {
  try {
    const { provider, model, usage, at, reportedCostUsd, overrides } = args;
    const hasModel = typeof model === "string" && model.trim().length > 0;
    if (typeof reportedCostUsd === "string") {
      const reported = parseNonNegativeDecimal(reportedCostUsd);
      if (reported) {
        const catalog = hasModel ? findCatalogModel(provider, model) : null;
        return { costUsd: formatUsd(reported), costSource: "REPORTED", catalogModelId: catalog ? catalog.catalogModelId : null };
      }
    }
    if (!hasModel || !isValidUsage(usage)) return unpriced();
    const resolved = resolveRates({ provider, model, at, overrides });
    if (!resolved) return unpriced();
    return {
      costUsd: formatUsd(costFromRates(resolved.rates, usage)),
      costSource: resolved.source,
      catalogModelId: resolved.catalogModelId,
    };
  } catch (err) {
    // The contract is "never throws" (ingest must not lose a batch over one odd call), but a bug
    // here must be visible, not a silent $0.
    pricingFailed(args.provider, args.model, err);
    return unpriced();
  }
}
