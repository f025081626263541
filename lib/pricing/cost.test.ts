import Decimal from "decimal.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import anthropicMessages from "./fixtures/anthropic.messages.response.json";
import openaiChat from "./fixtures/openai.chat-completions.response.json";
import openaiResponses from "./fixtures/openai.responses.response.json";
import { priceCall, pricingFailureCount, resolveRates, type TPriceOverride } from "./cost";
import { normalizeUsage, type TCanonicalUsage } from "./normalize-usage";
import { costFromRates, type TModelRates } from "./rates";

// Expected costs are worked out by hand: tokens x USD-per-million, summed, / 1e6 ("µ$" = 1e-6 USD).
const AT = new Date("2026-08-20T12:00:00Z");

function u(inputTokens: number, cacheReadTokens: number, cacheWriteTokens: number, outputTokens: number, reasoningTokens = 0, cacheWrite1hTokens = 0): TCanonicalUsage {
  return { inputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens, reasoningTokens };
}

const FIXTURES = {
  "anthropic.messages.response": anthropicMessages,
  "openai.chat-completions.response": openaiChat,
  "openai.responses.response": openaiResponses,
};

function fixtureUsage(name: keyof typeof FIXTURES): TCanonicalUsage {
  const body: { usage: unknown } = FIXTURES[name];
  const r = normalizeUsage(body.usage);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.usage;
}

function override(p: Partial<TPriceOverride> & Pick<TPriceOverride, "model" | "inputMtok" | "outputMtok">): TPriceOverride {
  return { provider: null, effectiveFrom: new Date("2026-01-01T00:00:00Z"), cacheReadMtok: null, cacheWriteMtok: null, reasoningMtok: null, ...p };
}

describe("priceCall: catalogue prices", () => {
  it("OpenAI Chat with cached tokens (gpt-4o, gpt-4.1)", () => {
    const usage = fixtureUsage("openai.chat-completions.response"); // 284 uncached, 1536 cached, 410 out (128 reasoning)
    // gpt-4o: 284*2.5 + 1536*1.25 + 410*10 = 710 + 1920 + 4100 = 6730 µ$
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: AT })).toEqual({ costUsd: "0.00673", costSource: "CATALOG", catalogModelId: "openai:gpt-4o" });
    // gpt-4.1: 284*2 + 1536*0.5 + 410*8 = 568 + 768 + 3280 = 4616 µ$
    expect(priceCall({ provider: "openai", model: "gpt-4.1", usage, at: AT }).costUsd).toBe("0.004616");
  });

  it("OpenAI Responses with cached + reasoning (gpt-5.2-codex, o4-mini)", () => {
    const usage = fixtureUsage("openai.responses.response"); // 3572 uncached, 19840 cached, 1187 out (512 reasoning)
    // gpt-5.2: 3572*1.75 + 19840*0.175 + 1187*14 = 6251 + 3472 + 16618 = 26341 µ$
    expect(priceCall({ provider: "openai", model: "gpt-5.2-codex", usage, at: AT })).toEqual({ costUsd: "0.026341", costSource: "CATALOG", catalogModelId: "openai:gpt-5.2" });
    // o4-mini: 6000*1.1 + 4000*0.275 + 3000*4.4 (reasoning billed as output) = 6600 + 1100 + 13200 = 20900 µ$
    expect(priceCall({ provider: "openai", model: "o4-mini", usage: u(6000, 4000, 0, 3000, 2500), at: AT }).costUsd).toBe("0.0209");
  });

  it("Anthropic with cache read + cache write (claude-sonnet-4-6, after its flat-price start date)", () => {
    const usage = fixtureUsage("anthropic.messages.response"); // 1840 in, 48213 read, 6120 write, 2210 out
    // 1840*3 + 6120*3.75 + 48213*0.3 + 2210*15 = 5520 + 22950 + 14463.9 + 33150 = 76083.9 µ$
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-6", usage, at: AT })).toEqual({
      costUsd: "0.0760839", costSource: "CATALOG", catalogModelId: "anthropic:claude-sonnet-4-6",
    });
  });

  it("one-hour cache writes cost 2× input, five-minute ones the catalogue's write rate (1.25×), also in a long-context tier", () => {
    // 1000*3 + (4000-3000)*3.75 + 3000*6 + 100*15 = 3000 + 3750 + 18000 + 1500 = 26250 µ$
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-6", usage: u(1000, 0, 4000, 100, 0, 3000), at: AT }).costUsd).toBe("0.02625");
    // The same tokens all written for five minutes: 3000 + 15000 + 1500 = 19500 µ$
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-6", usage: u(1000, 0, 4000, 100), at: AT }).costUsd).toBe("0.0195");
    // tier 6/0.6/7.5/22.5, 1h at 12: 50000*6 + 60000*0.6 + 60000*7.5 + 40000*12 + 2000*22.5 = 300000 + 36000 + 450000 + 480000 + 45000 µ$
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-5-20250929", usage: u(50000, 60000, 100000, 2000, 0, 40000), at: AT }).costUsd).toBe("1.311");
  });

  it("a catalogue reasoning rate and a per-request fee (Perplexity)", () => {
    // sonar-deep-research: 1000*2 + (5000-3000)*8 + 3000*3 = 2000 + 16000 + 9000 = 27000 µ$
    expect(priceCall({ provider: "perplexity", model: "sonar-deep-research", usage: u(1000, 0, 0, 5000, 3000), at: AT }).costUsd).toBe("0.027");
    // sonar: 1000*1 + 500*1 = 1500 µ$ = 0.0015, plus requests_kcount 12 / 1000 = 0.012 per call
    expect(priceCall({ provider: "perplexity", model: "sonar", usage: u(1000, 0, 0, 500), at: AT }).costUsd).toBe("0.0135");
  });

  it("long-context tier: chosen by TOTAL input incl. cache, strictly above the threshold, prices the whole call", () => {
    // gemini-2.5-pro: base 1.25/0.125/10, above 200k 2.5/0.25/15.
    // 150000 + 60000 cached = 210000 > 200000: 150000*2.5 + 60000*0.25 + 10000*15 = 375000 + 15000 + 150000 = 540000 µ$
    expect(priceCall({ provider: "google", model: "gemini-2.5-pro", usage: u(150000, 60000, 0, 10000), at: AT }).costUsd).toBe("0.54");
    // exactly 200000 is NOT above: 200000*1.25 + 1000*10 = 250000 + 10000 = 260000 µ$
    expect(priceCall({ provider: "gemini", model: "gemini-2.5-pro", usage: u(200000, 0, 0, 1000), at: AT }).costUsd).toBe("0.26");
    // 200001: 200001*2.5 + 1000*15 = 500002.5 + 15000 = 515002.5 µ$
    expect(priceCall({ provider: "google", model: "gemini-2.5-pro", usage: u(200001, 0, 0, 1000), at: AT }).costUsd).toBe("0.5150025");
  });

  it("long-context tier for Claude Sonnet 4.5 counts cache writes too; 4.6 is tiered only before 2026-03-13", () => {
    const big = u(50000, 60000, 100000, 2000); // total input 210000
    // tier 6/0.6/7.5/22.5: 50000*6 + 60000*0.6 + 100000*7.5 + 2000*22.5 = 300000 + 36000 + 750000 + 45000 = 1131000 µ$
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-5-20250929", usage: big, at: AT }).costUsd).toBe("1.131");
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-6", usage: big, at: new Date("2026-01-15T00:00:00Z") }).costUsd).toBe("1.131");
    // flat 3/0.3/3.75/15: 150000 + 18000 + 375000 + 30000 = 573000 µ$
    expect(priceCall({ provider: "anthropic", model: "claude-sonnet-4-6", usage: big, at: new Date("2026-03-13T00:00:00Z") }).costUsd).toBe("0.573");
  });

  it("start_date prices switch at UTC midnight (o3)", () => {
    const m = u(1_000_000, 0, 0, 0); // 1M input tokens = the per-Mtok rate
    expect(priceCall({ provider: "openai", model: "o3", usage: m, at: new Date("2025-06-09T23:59:59.999Z") }).costUsd).toBe("10");
    expect(priceCall({ provider: "openai", model: "o3", usage: m, at: new Date("2025-06-10T00:00:00Z") }).costUsd).toBe("2");
  });

  it("time_of_date prices use the UTC clock, end exclusive (deepseek-chat standard 00:30-16:30, discount otherwise)", () => {
    const m = u(1_000_000, 0, 0, 0);
    const at = (t: string) => priceCall({ provider: "deepseek", model: "deepseek-chat", usage: m, at: new Date(`2026-08-20T${t}Z`) }).costUsd;
    expect(at("12:00:00")).toBe("0.27");
    expect(at("00:30:00")).toBe("0.27");
    expect(at("16:30:00")).toBe("0.135");
    expect(at("20:00:00")).toBe("0.135");
  });

  it("is exact where floats are not, and rounds to 12 places half-even", () => {
    // 3 tokens * 0.1 $/Mtok: float gives 3.0000000000000004e-7
    const rates = resolveRates({ model: "x", at: AT, overrides: [override({ model: "x", inputMtok: "0.1", outputMtok: "0" })] })?.rates;
    expect(rates && costFromRates(rates, u(3, 0, 0, 0)).toString()).toBe("3e-7");
    // (2^53-1) * 2.5 µ$ = 22517998136852477.5 µ$ = 22517998136.8524775 $
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage: u(Number.MAX_SAFE_INTEGER, 0, 0, 0), at: AT }).costUsd).toBe("22517998136.8524775");
    const tiny = [override({ model: "tiny", inputMtok: "0.0000005", outputMtok: "0" })];
    // 1 token = 5e-13 -> 0 (half to even); 3 = 1.5e-12 -> 2e-12; 5 = 2.5e-12 -> 2e-12
    expect(priceCall({ model: "tiny", usage: u(1, 0, 0, 0), at: AT, overrides: tiny }).costUsd).toBe("0");
    expect(priceCall({ model: "tiny", usage: u(3, 0, 0, 0), at: AT, overrides: tiny }).costUsd).toBe("0.000000000002");
    expect(priceCall({ model: "tiny", usage: u(5, 0, 0, 0), at: AT, overrides: tiny }).costUsd).toBe("0.000000000002");
  });

  it("costFromRates stays exact with rates built from the global 20-digit Decimal", () => {
    const d = (s: string) => new Decimal(s);
    const rates: TModelRates = { inputMtok: d("1.23456789012345678"), outputMtok: d("0"), cacheReadMtok: null, cacheWriteMtok: null, reasoningMtok: null, perRequestUsd: null, tiers: [] };
    // 987654321987 * 1.23456789012345678 = 1219326312466.80381977559822186 µ$ (30 significant digits;
    // the global 20-digit context would round it to 1219326312466.8038198)
    expect(costFromRates(rates, u(987654321987, 0, 0, 0)).toFixed()).toBe("1219326.31246680381977559822186");
  });
});

describe("priceCall: overrides", () => {
  const usage = u(284, 1536, 0, 410, 128);

  it("an override in force beats the catalogue; one not yet effective is ignored", () => {
    const overrides = [
      override({ provider: "openai", model: "GPT-4o", inputMtok: "2", outputMtok: "8", cacheReadMtok: "1" }),
      override({ provider: "openai", model: "gpt-4o", effectiveFrom: new Date("2026-09-01T00:00:00Z"), inputMtok: "0.5", outputMtok: "1" }),
    ];
    // 284*2 + 1536*1 + 410*8 = 568 + 1536 + 3280 = 5384 µ$
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: AT, overrides })).toEqual({ costUsd: "0.005384", costSource: "OVERRIDE", catalogModelId: "openai:gpt-4o" });
    // from 2026-09-01 the later one applies; no cache-read rate -> input rate: 284*0.5 + 1536*0.5 + 410*1 = 142 + 768 + 410 = 1320 µ$
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: new Date("2026-09-02T00:00:00Z"), overrides }).costUsd).toBe("0.00132");
    // before both: catalogue (6730 µ$)
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: new Date("2025-12-31T00:00:00Z"), overrides })).toMatchObject({ costUsd: "0.00673", costSource: "CATALOG" });
  });

  it("an override gives reasoning its own rate", () => {
    const overrides = [override({ provider: "openai", model: "o4-mini", inputMtok: "1.1", outputMtok: "4.4", cacheReadMtok: "0.275", reasoningMtok: "2.2" })];
    // 1000*1.1 + 500*0.275 + (3000-2000)*4.4 + 2000*2.2 = 1100 + 137.5 + 4400 + 4400 = 10037.5 µ$
    expect(priceCall({ provider: "openai", model: "o4-mini", usage: u(1000, 500, 0, 3000, 2000), at: AT, overrides })).toMatchObject({ costUsd: "0.0100375", costSource: "OVERRIDE" });
  });

  it("provider matching: null = any, aliases are equal, another provider does not match, specific wins a tie", () => {
    const anyProvider = override({ model: "gpt-4o", inputMtok: "1", outputMtok: "1" });
    const azure = override({ provider: "azure_openai", model: "gpt-4o", inputMtok: "3", outputMtok: "3" });
    const anthropic = override({ provider: "anthropic", model: "gpt-4o", inputMtok: "9", outputMtok: "9" });
    const m = u(1_000_000, 0, 0, 0);
    expect(priceCall({ provider: "azure", model: "gpt-4o", usage: m, at: AT, overrides: [anyProvider, azure, anthropic] }).costUsd).toBe("3");
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage: m, at: AT, overrides: [azure, anyProvider, anthropic] }).costUsd).toBe("1");
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage: m, at: AT, overrides: [anthropic] })).toMatchObject({ costUsd: "2.5", costSource: "CATALOG" });
    expect(priceCall({ provider: null, model: "gpt-4o", usage: m, at: AT, overrides: [anthropic] }).costSource).toBe("CATALOG");
  });

  it("prices a model the catalogue does not know; skips an invalid override", () => {
    const overrides = [override({ model: "acme-llm", inputMtok: "1", outputMtok: "2" }), override({ model: "bad", inputMtok: "-1", outputMtok: "2" })];
    // 1000*1 + 1000*2 = 3000 µ$
    expect(priceCall({ provider: "acme", model: "acme-llm", usage: u(1000, 0, 0, 1000), at: AT, overrides })).toEqual({ costUsd: "0.003", costSource: "OVERRIDE", catalogModelId: null });
    expect(priceCall({ model: "bad", usage: u(1000, 0, 0, 0), at: AT, overrides }).costSource).toBe("UNPRICED");
  });
});

describe("priceCall: reported and unpriced", () => {
  const usage = u(100, 0, 0, 100);

  it("a reported cost wins (even over an override)", () => {
    const overrides = [override({ model: "gpt-4o", inputMtok: "1", outputMtok: "1" })];
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: AT, reportedCostUsd: "0.061329", overrides })).toEqual({
      costUsd: "0.061329", costSource: "REPORTED", catalogModelId: "openai:gpt-4o",
    });
    expect(priceCall({ model: "made-up", usage, at: AT, reportedCostUsd: "1.2e-7" })).toEqual({ costUsd: "0.00000012", costSource: "REPORTED", catalogModelId: null });
    expect(priceCall({ model: null, usage, at: AT, reportedCostUsd: "0" })).toMatchObject({ costUsd: "0", costSource: "REPORTED" });
    expect(priceCall({ model: null, usage, at: AT, reportedCostUsd: "0.1234567890125" }).costUsd).toBe("0.123456789012");
    expect(priceCall({ model: null, usage, at: AT, reportedCostUsd: "0.1234567890135" }).costUsd).toBe("0.123456789014");
  });

  it("an invalid reported cost is ignored", () => {
    for (const bad of ["-1", "abc", "", "NaN", "1,5", "Infinity", "1e400"]) {
      // gpt-4o: 100*2.5 + 100*10 = 1250 µ$
      expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: AT, reportedCostUsd: bad })).toMatchObject({ costUsd: "0.00125", costSource: "CATALOG" });
    }
  });

  it("unknown, missing or non-token-priced models are UNPRICED at 0, never guessed", () => {
    const unpriced = { costUsd: "0", costSource: "UNPRICED", catalogModelId: null };
    expect(priceCall({ provider: "openai", model: "totally-made-up-model", usage, at: AT })).toEqual(unpriced);
    expect(priceCall({ model: null, usage, at: AT })).toEqual(unpriced);
    expect(priceCall({ provider: "openai", model: "  ", usage, at: AT })).toEqual(unpriced);
    // the fixture's dated snapshot name is not in the catalogue (only gpt-5.2 / gpt-5.2-2025-12-11 are)
    expect(priceCall({ provider: "openai", model: "gpt-5.2-2026-06-01", usage, at: AT })).toEqual(unpriced);
    expect(priceCall({ provider: "mistral", model: "mistral-ocr-latest", usage, at: AT })).toEqual(unpriced); // priced per page
  });

  afterEach(() => vi.restoreAllMocks());

  it("a failure inside pricing (a bug) is logged with the model and counted, not silent", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const before = pricingFailureCount();
    // An override the code cannot read stands in for any bug between the inputs and the price.
    const broken = new Proxy({} as TPriceOverride, {
      get() {
        throw new Error("pricing bug");
      },
    });
    const result = priceCall({ provider: "openai", model: "gpt-4o", usage, at: AT, overrides: [broken] });
    // Still never throws: ingest must not lose a batch over one call.
    expect(result).toEqual({ costUsd: "0", costSource: "UNPRICED", catalogModelId: null });
    expect(pricingFailureCount()).toBe(before + 1);
    expect(errors).toHaveBeenCalledTimes(1);
    const line = errors.mock.calls[0].map(String).join(" ");
    expect(line).toContain("gpt-4o");
    expect(line).toContain("openai");
    expect(line).toContain("pricing bug");
  });

  it("never throws on bad input", () => {
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage, at: new Date("nope") }).costSource).toBe("UNPRICED");
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage: u(-1, 0, 0, 0), at: AT }).costSource).toBe("UNPRICED");
    expect(priceCall({ provider: "openai", model: "gpt-4o", usage: u(1, 0, 0, 1, 2), at: AT }).costSource).toBe("UNPRICED");
  });
});
