import { priceCall, resolveRates, normalizeUsage } from "./index";
import { calcPrice } from "@pydantic/genai-prices";
const at = new Date("2026-08-20T12:00:00Z");
const u = { inputTokens: 284, cacheReadTokens: 1536, cacheWriteTokens: 0, outputTokens: 410, reasoningTokens: 128 };
console.log(priceCall({ provider: "openai", model: "gpt-4o", usage: u, at }));
console.log(priceCall({ provider: "openai", model: "gpt-5.2-2026-06-01", usage: u, at }));
console.log(calcPrice({input_tokens: 1820, cache_read_tokens: 1536, output_tokens: 410}, "gpt-5.2-2026-06-01", {providerId:"openai"}));
for (const [p, m] of [[null,"openai/gpt-4o"],["azure","gpt-4o"],["gemini","gemini-2.5-pro"],["vertex_ai","claude-sonnet-4-5"],[null,"anthropic:claude-sonnet-4-20250514"],["bedrock","anthropic.claude-3-5-sonnet-20240620-v1:0"],["xai","grok-4"],[null,"claude-3-5-haiku-latest"],["my-vllm","llama-3.1-8b"],["perplexity","sonar"],[null,"deepseek-chat"],["openrouter","anthropic/claude-sonnet-4.5"]] as const) {
  const r = resolveRates({ provider: p, model: m, at });
  console.log(p, m, r?.catalogModelId, r?.rates.inputMtok.toString(), r?.rates.outputMtok.toString(), r?.rates.tiers.length, r?.rates.perRequestUsd?.toString());
}
console.log(normalizeUsage({prompt_tokens: 10, cache_read_tokens: 3}));
