// Throughput check for the ingest hot path (not a test): `npx tsx lib/pricing/benchmark.ts`.
import { clearCatalogMemo } from "./catalog";
import { priceCall, type TPriceOverride } from "./cost";
import { normalizeUsage, type TCanonicalUsage } from "./normalize-usage";

const CALLS = [
  ["openai", "gpt-4o"],
  ["openai", "gpt-5.2-codex"],
  ["anthropic", "claude-sonnet-4-6"],
  ["anthropic", "claude-sonnet-4-5-20250929"],
  ["google", "gemini-2.5-pro"],
  ["deepseek", "deepseek-chat"],
  [null, "openai/gpt-4.1"],
  ["acme", "unknown-model"],
] as const;

const USAGES: TCanonicalUsage[] = [
  { inputTokens: 284, cacheReadTokens: 1536, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 410, reasoningTokens: 128 },
  { inputTokens: 1840, cacheReadTokens: 48213, cacheWriteTokens: 6120, cacheWrite1hTokens: 0, outputTokens: 2210, reasoningTokens: 700 },
  { inputTokens: 150000, cacheReadTokens: 60000, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 10000, reasoningTokens: 0 },
];

const RAW_USAGES: unknown[] = [
  { prompt_tokens: 1820, completion_tokens: 410, total_tokens: 2230, prompt_tokens_details: { cached_tokens: 1536, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 128, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
  { input_tokens: 23412, input_tokens_details: { cached_tokens: 19840 }, output_tokens: 1187, output_tokens_details: { reasoning_tokens: 512 }, total_tokens: 24599 },
  { input_tokens: 1840, cache_creation_input_tokens: 6120, cache_read_input_tokens: 48213, cache_creation: { ephemeral_5m_input_tokens: 6120, ephemeral_1h_input_tokens: 0 }, output_tokens: 2210, service_tier: "standard" },
  { input_tokens: 10, cache_read_tokens: 5, cache_write_tokens: 0, output_tokens: 7, reasoning_tokens: 2 },
];

// A realistic org: a couple of dozen overrides, one of which matches.
const OVERRIDES: TPriceOverride[] = Array.from({ length: 24 }, (_, i) => ({
  provider: i % 2 ? "openai" : null,
  model: i === 0 ? "gpt-4o" : `custom-${i}`,
  effectiveFrom: new Date("2026-01-01T00:00:00Z"),
  inputMtok: "2",
  outputMtok: "8",
  cacheReadMtok: "1",
  cacheWriteMtok: null,
  reasoningMtok: null,
}));

function bench(label: string, n: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${Math.round(n / seconds).toLocaleString("en-US")} calls/s (${((seconds / n) * 1e6).toFixed(2)} µs/call)`);
}

const at = new Date("2026-08-20T12:00:00Z");
let sink = 0;

bench("priceCall (catalogue, memoized)", 500_000, (i) => {
  const [provider, model] = CALLS[i % CALLS.length];
  sink += priceCall({ provider, model, usage: USAGES[i % USAGES.length], at }).costUsd.length;
});
bench("priceCall (24 overrides)", 500_000, (i) => {
  const [provider, model] = CALLS[i % CALLS.length];
  sink += priceCall({ provider, model, usage: USAGES[i % USAGES.length], at, overrides: OVERRIDES }).costUsd.length;
});
bench("priceCall (reported cost)", 500_000, () => {
  sink += priceCall({ provider: "anthropic", model: "claude-sonnet-4-6", usage: USAGES[0], at, reportedCostUsd: "0.061329" }).costUsd.length;
});
bench("priceCall (cold: memo cleared every call)", 5_000, (i) => {
  clearCatalogMemo();
  const [provider, model] = CALLS[i % CALLS.length];
  sink += priceCall({ provider, model, usage: USAGES[0], at }).costUsd.length;
});
bench("normalizeUsage", 1_000_000, (i) => {
  const r = normalizeUsage(RAW_USAGES[i % RAW_USAGES.length]);
  sink += r.ok ? r.usage.inputTokens : 0;
});
bench("normalizeUsage + priceCall", 500_000, (i) => {
  const r = normalizeUsage(RAW_USAGES[i % RAW_USAGES.length]);
  const [provider, model] = CALLS[i % CALLS.length];
  if (r.ok) sink += priceCall({ provider, model, usage: r.usage, at, overrides: OVERRIDES }).costUsd.length;
});
console.log(`(checksum ${sink})`);
