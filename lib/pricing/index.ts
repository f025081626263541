// Public API of the pricing domain: usage normalisation and exact call pricing.
export { normalizeUsage } from "./normalize-usage";
export type { TCanonicalUsage, TNormalizeUsageResult, TUsageError } from "./normalize-usage";
export { priceCall, pricingFailureCount, resolveRates } from "./cost";
export type { TCostSource, TPriceCallResult, TResolvedRates } from "./cost";
export { costFromRates, selectRateSet } from "./rates";
export type { TModelRates, TRateSet, TRateTier } from "./rates";
export { validatePriceOverride } from "./overrides";
export type { TPriceOverride } from "./overrides";
export { canonicalProvider, clearCatalogMemo } from "./catalog";
export { MAX_CALL_COST_USD, Money, exceedsMaxCallCost, formatUsd, parseNonNegativeDecimal } from "./money";
