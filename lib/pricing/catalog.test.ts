import { calcPrice, findProvider, type Usage } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { catalogMemoSize, clearCatalogMemo, findCatalogModel } from "./catalog";
import { resolveRates } from "./cost";
import type { TCanonicalUsage } from "./normalize-usage";
import { costFromRates } from "./rates";

const AT = new Date("2026-08-20T12:00:00Z");

function u(inputTokens: number, cacheReadTokens: number, cacheWriteTokens: number, outputTokens: number, reasoningTokens = 0, cacheWrite1hTokens = 0): TCanonicalUsage {
  return { inputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens, reasoningTokens };
}

// genai-prices wants input_tokens = TOTAL input (uncached + cache read + cache write).
function libraryUsage(x: TCanonicalUsage): Usage {
  return {
    input_tokens: x.inputTokens + x.cacheReadTokens + x.cacheWriteTokens,
    cache_read_tokens: x.cacheReadTokens,
    cache_write_tokens: x.cacheWriteTokens,
    output_tokens: x.outputTokens,
    output_reasoning_tokens: x.reasoningTokens,
  };
}

// Our documented lookup cascade expressed with the library's own calcPrice: the named provider, then a
// "provider/model" or "provider:model" prefix, then the model name alone.
function reference(usage: Usage, providerId: string, model: string, at: Date): ReturnType<typeof calcPrice> {
  const direct = calcPrice(usage, model, { providerId, timestamp: at });
  if (direct) return direct;
  const sep = model.search(/[:/]/);
  const prefix = sep > 0 ? model.slice(0, sep).toLowerCase() : "";
  if (prefix && findProvider({ providerId: prefix })?.id === prefix) {
    const viaPrefix = calcPrice(usage, model.slice(sep + 1), { providerId: prefix, timestamp: at });
    if (viaPrefix) return viaPrefix;
  }
  return calcPrice(usage, model, { timestamp: at });
}

function expectClose(ours: number, theirs: number, label: string): void {
  const tolerance = 1e-9 * Math.max(Math.abs(theirs), 1e-12);
  expect(Math.abs(ours - theirs), `${label}: ours ${ours} vs genai-prices ${theirs}`).toBeLessThanOrEqual(tolerance);
}

describe("catalogue resolution", () => {
  it.each([
    ["openai", "gpt-4o", "openai:gpt-4o"],
    [null, "gpt-4o", "openai:gpt-4o"],
    [null, "openai/gpt-4o", "openai:gpt-4o"], // LiteLLM-style prefix
    [null, "anthropic:claude-sonnet-4-20250514", "anthropic:claude-sonnet-4-0"], // provider:model, dated id
    ["azure", "gpt-4o", "openai:gpt-4o"], // azure falls back to openai's models
    ["gemini", "gemini-2.5-pro", "google:gemini-2.5-pro"],
    ["vertex_ai", "gemini-2.5-flash", "google:gemini-2.5-flash"],
    ["bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0", "aws:regional.anthropic.claude-haiku-4-5-20251001-v1:0"],
    ["xai", "grok-4", "x-ai:grok-4-0709"],
    ["x-ai", "grok-4", "x-ai:grok-4-0709"],
    ["mistral", "mistral-medium-latest", "mistral:mistral-medium-latest"],
    ["groq", "llama-3.3-70b-versatile", "groq:llama-3.3-70b-versatile"],
    ["deepseek", "deepseek-chat", "deepseek:deepseek-chat"],
    ["OpenAI", "  GPT-4o  ", "openai:gpt-4o"], // case and whitespace
    ["my-vllm", "gpt-4o", "openai:gpt-4o"], // unknown provider: fall back to the model name
    ["anthropic", "gpt-4o", "openai:gpt-4o"], // provider does not have it: fall back to the model name
  ])("(%s, %s) -> %s", (provider, model, expected) => {
    expect(findCatalogModel(provider, model)?.catalogModelId).toBe(expected);
  });

  it("unknown models resolve to null", () => {
    expect(findCatalogModel("openai", "gpt-unknown-9")).toBeNull();
    expect(findCatalogModel(null, "accounts/nobody/models/x")).toBeNull();
    expect(resolveRates({ provider: "openai", model: "gpt-unknown-9", at: AT })).toBeNull();
  });

  it("exposes long-context tiers as complete rate sets", () => {
    const r = resolveRates({ provider: "google", model: "gemini-2.5-pro", at: AT });
    expect(r?.source).toBe("CATALOG");
    expect(r?.rates.inputMtok.toString()).toBe("1.25");
    expect(r?.rates.cacheWriteMtok).toBeNull();
    expect(r?.rates.tiers.map((t) => [t.aboveInputTokens, t.inputMtok.toString(), t.cacheReadMtok?.toString(), t.outputMtok.toString()])).toEqual([
      [200000, "2.5", "0.25", "15"],
    ]);
  });

  it("memo is bounded and remembers misses", () => {
    clearCatalogMemo();
    for (let i = 0; i < 6000; i++) findCatalogModel("openai", `no-such-model-${i}`);
    expect(catalogMemoSize()).toBe(5000);
    expect(findCatalogModel("openai", "gpt-4o")?.catalogModelId).toBe("openai:gpt-4o");
    clearCatalogMemo();
    expect(catalogMemoSize()).toBe(0);
  });
});

describe("cross-check against genai-prices calcPrice (float) within 1e-9 relative", () => {
  const models: [string, string, Date][] = [
    ["openai", "gpt-4o", AT],
    ["openai", "gpt-4o-mini", AT],
    ["openai", "gpt-4.1", AT],
    ["openai", "gpt-4.1-nano", AT],
    ["openai", "o3", new Date("2025-05-01T00:00:00Z")],
    ["openai", "o3", AT],
    ["openai", "o4-mini", AT],
    ["openai", "gpt-5", AT],
    ["openai", "gpt-5-mini", AT],
    ["openai", "gpt-5.2-codex", AT],
    ["openai", "gpt-5.4", AT],
    ["openai", "gpt-5.4-pro", AT],
    ["openai", "gpt-5.6-luna", new Date("2026-07-01T00:00:00Z")],
    ["openai", "gpt-5.6-luna", AT],
    ["azure", "gpt-4o", AT],
    ["anthropic", "claude-sonnet-4-20250514", AT],
    ["anthropic", "claude-sonnet-4-5", AT],
    ["anthropic", "claude-sonnet-4-6", new Date("2026-01-01T00:00:00Z")],
    ["anthropic", "claude-sonnet-4-6", AT],
    ["anthropic", "claude-opus-4-6", new Date("2026-01-01T00:00:00Z")],
    ["anthropic", "claude-3-5-haiku-latest", AT],
    ["anthropic", "claude-haiku-4-5", AT],
    ["google", "gemini-2.5-pro", AT],
    ["google", "gemini-2.5-flash", AT],
    ["google", "gemini-1.5-pro", AT],
    ["google", "gemini-1.5-flash", AT],
    ["deepseek", "deepseek-chat", new Date("2026-08-20T03:00:00Z")],
    ["deepseek", "deepseek-chat", new Date("2026-08-20T20:00:00Z")],
    ["deepseek", "deepseek-v4-flash", new Date("2026-08-01T02:00:00Z")],
    ["deepseek", "deepseek-v4-pro", new Date("2026-08-20T07:00:00Z")],
    ["deepseek", "deepseek-v4-pro", new Date("2026-08-20T12:00:00Z")],
    ["mistral", "mistral-medium-latest", new Date("2026-01-01T00:00:00Z")],
    ["mistral", "mistral-medium-latest", AT],
    ["mistral", "ministral-8b-latest", AT],
    ["x-ai", "grok-4", AT],
    ["x-ai", "grok-4.20", AT],
    ["groq", "llama-3.3-70b-versatile", AT],
    ["perplexity", "sonar", AT],
    ["perplexity", "sonar-deep-research", AT],
    ["aws", "global.openai.gpt-5.6-sol", AT],
    ["aws", "anthropic.claude-haiku-4-5-20251001-v1:0", AT],
  ];
  const usages = [
    u(1000, 0, 0, 500),
    u(1234, 5678, 910, 1112, 300),
    u(150000, 60000, 10000, 20000, 5000), // 220000 total: above the 128k/200k thresholds
    u(250000, 30000, 0, 1000), // 280000 total: above the 272k thresholds
    u(3, 1, 1, 7, 7),
    u(0, 0, 0, 0),
  ];

  it.each(models)("%s %s at %s", (provider, model, at) => {
    const resolved = resolveRates({ provider, model, at });
    expect(resolved, `${provider}:${model} resolves`).not.toBeNull();
    for (const usage of usages) {
      const theirs = calcPrice(libraryUsage(usage), model, { providerId: provider, timestamp: at });
      expect(theirs).not.toBeNull();
      if (!resolved || !theirs) return;
      expectClose(costFromRates(resolved.rates, usage).toNumber(), theirs.total_price, `${provider}:${model} ${JSON.stringify(usage)}`);
    }
  });

  it("every model in the catalogue resolves to the same entry and price as calcPrice", () => {
    const providerIds = ["anthropic", "arcee", "avian", "aws", "azure", "baseten", "cerebras", "cloudflare", "cohere", "cursor", "deepseek", "doubleword", "fireworks", "github-copilot", "google", "groq", "minimax", "mistral", "moonshotai", "novita", "openai", "openrouter", "ovhcloud", "perplexity", "quicksilverpro", "together", "voyageai", "x-ai", "zai", "zhipuai"];
    const usage = u(123456, 23456, 3456, 4567, 890);
    let compared = 0;
    let skipped = 0;
    for (const providerId of providerIds) {
      const provider = findProvider({ providerId });
      expect(provider?.id).toBe(providerId);
      for (const model of provider?.models ?? []) {
        let theirs: ReturnType<typeof calcPrice>;
        try {
          theirs = reference(libraryUsage(usage), providerId, model.id, AT);
        } catch {
          skipped++;
          continue; // the library itself cannot price it (invalid price data for its validator)
        }
        const ours = resolveRates({ provider: providerId, model: model.id, at: AT });
        if (!theirs) {
          expect(ours, `${providerId}:${model.id}`).toBeNull();
          continue;
        }
        const tokenPriced = theirs.model_price.input_mtok !== undefined || theirs.model_price.output_mtok !== undefined;
        if (!tokenPriced) {
          expect(ours, `${providerId}:${model.id} is not token-priced`).toBeNull();
          continue;
        }
        expect(ours?.catalogModelId?.endsWith(`:${theirs.model.id}`), `${providerId}:${model.id} -> ${ours?.catalogModelId} vs ${theirs.model.id}`).toBe(true);
        if (!ours) continue;
        // Other units (web searches, audio, images...) are not in this usage, so they add 0 on both sides.
        expectClose(costFromRates(ours.rates, usage).toNumber(), theirs.total_price, `${providerId}:${model.id}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1200);
    expect(skipped).toBeLessThan(5);
  });
});
