import { describe, expect, it } from "vitest";
import anthropicMessages from "./fixtures/anthropic.messages.response.json";
import openaiChat from "./fixtures/openai.chat-completions.response.json";
import openaiResponses from "./fixtures/openai.responses.response.json";
import { normalizeUsage, type TCanonicalUsage } from "./normalize-usage";

const FIXTURES = {
  "anthropic.messages.response": anthropicMessages,
  "openai.chat-completions.response": openaiChat,
  "openai.responses.response": openaiResponses,
};

function fixtureUsage(name: keyof typeof FIXTURES): unknown {
  const body: { usage: unknown } = FIXTURES[name];
  return body.usage;
}

function ok(raw: unknown): TCanonicalUsage {
  const r = normalizeUsage(raw);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.usage;
}

function errs(raw: unknown): { path: string; message: string }[] {
  const r = normalizeUsage(raw);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.usage)}`);
  return r.errors;
}

describe("normalizeUsage: accepted shapes", () => {
  it("Burnrate canonical, all fields", () => {
    expect(ok({ input_tokens: 10, cache_read_tokens: 20, cache_write_tokens: 30, output_tokens: 40, reasoning_tokens: 5 })).toEqual({
      inputTokens: 10, cacheReadTokens: 20, cacheWriteTokens: 30, cacheWrite1hTokens: 0, outputTokens: 40, reasoningTokens: 5,
    });
  });

  it("canonical fields are optional and default to 0; {} is zero usage", () => {
    expect(ok({ cache_read_tokens: 7 })).toEqual({ inputTokens: 0, cacheReadTokens: 7, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 });
    expect(ok({})).toEqual({ inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 });
  });

  it("plain {input_tokens, output_tokens} (any format without cache details)", () => {
    expect(ok({ input_tokens: 100, output_tokens: 50 })).toEqual({ inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 50, reasoningTokens: 0 });
  });

  it("OpenAI Chat Completions fixture: prompt_tokens includes cached_tokens", () => {
    // uncached = 1820 - 1536 = 284; reasoning 128 stays inside completion 410
    expect(ok(fixtureUsage("openai.chat-completions.response"))).toEqual({
      inputTokens: 284, cacheReadTokens: 1536, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 410, reasoningTokens: 128,
    });
  });

  it("OpenAI Chat with nulls (count as 0) and null details", () => {
    expect(ok({ prompt_tokens: 12, completion_tokens: null, total_tokens: 12, prompt_tokens_details: null, completion_tokens_details: { reasoning_tokens: null } })).toEqual({
      inputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0,
    });
  });

  it("DeepSeek-style prompt_cache_hit_tokens is used when cached_tokens is absent", () => {
    expect(ok({ prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 })).toMatchObject({ inputTokens: 40, cacheReadTokens: 60 });
  });

  it("OpenAI Responses fixture: input_tokens includes cached_tokens", () => {
    // uncached = 23412 - 19840 = 3572
    expect(ok(fixtureUsage("openai.responses.response"))).toEqual({
      inputTokens: 3572, cacheReadTokens: 19840, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 1187, reasoningTokens: 512,
    });
  });

  it("Anthropic Messages fixture: input_tokens excludes cache; thinking_tokens is reasoning", () => {
    expect(ok(fixtureUsage("anthropic.messages.response"))).toEqual({
      inputTokens: 1840, cacheReadTokens: 48213, cacheWriteTokens: 6120, cacheWrite1hTokens: 0, outputTokens: 2210, reasoningTokens: 700,
    });
  });

  it("Anthropic cache_creation split is used when cache_creation_input_tokens is missing", () => {
    expect(ok({ input_tokens: 5, output_tokens: 1, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 12 } })).toMatchObject({
      cacheWriteTokens: 42, cacheWrite1hTokens: 12,
    });
  });

  it("Anthropic one-hour cache writes are kept apart (they are billed at a higher rate)", () => {
    expect(ok({ input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 40, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 30 } })).toMatchObject({
      cacheWriteTokens: 40, cacheWrite1hTokens: 30,
    });
    expect(ok({ input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 40 })).toMatchObject({ cacheWriteTokens: 40, cacheWrite1hTokens: 0 });
    expect(ok({ cache_write_tokens: 40, cache_write_1h_tokens: 25 })).toMatchObject({ cacheWriteTokens: 40, cacheWrite1hTokens: 25 });
    expect(errs({ cache_write_tokens: 10, cache_write_1h_tokens: 25 })).toEqual([{ path: "cache_write_1h_tokens", message: expect.stringContaining("cannot exceed cache_write_tokens") }]);
  });

  it("ignores unknown extra fields of provider shapes", () => {
    expect(ok({ input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 2, server_tool_use: { web_search_requests: 1 }, service_tier: "standard", brand_new: { x: 1 } })).toEqual({
      inputTokens: 3, cacheReadTokens: 2, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 4, reasoningTokens: 0,
    });
    expect(ok({ prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 1, audio_tokens: 0, future: "x" }, extra: true })).toMatchObject({ inputTokens: 2 });
  });
});

describe("normalizeUsage: errors", () => {
  it("rejects non-objects", () => {
    for (const raw of [null, undefined, 5, "x", [1]]) expect(errs(raw)).toEqual([{ path: "", message: expect.stringContaining("must be an object") }]);
  });

  it("rejects strings, floats, negatives, unsafe integers, non-finite and booleans with the field path", () => {
    expect(errs({ input_tokens: "12" })).toEqual([{ path: "input_tokens", message: expect.stringContaining("not a string") }]);
    expect(errs({ output_tokens: 1.5 })).toEqual([{ path: "output_tokens", message: expect.stringContaining("whole number") }]);
    expect(errs({ cache_read_tokens: -1 })).toEqual([{ path: "cache_read_tokens", message: expect.stringContaining("negative") }]);
    expect(errs({ cache_write_tokens: 2 ** 53 })).toEqual([{ path: "cache_write_tokens", message: expect.stringContaining("largest exact integer") }]);
    expect(errs({ input_tokens: Infinity })).toEqual([{ path: "input_tokens", message: expect.stringContaining("finite") }]);
    expect(errs({ input_tokens: true })).toEqual([{ path: "input_tokens", message: expect.stringContaining("got boolean") }]);
  });

  it("reports nested paths relative to usage", () => {
    expect(errs({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: "3" } })).toEqual([{ path: "prompt_tokens_details.cached_tokens", message: expect.any(String) }]);
    expect(errs({ prompt_tokens: 10, completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 0.5 } })).toEqual([
      { path: "completion_tokens_details.reasoning_tokens", message: expect.any(String) },
    ]);
    expect(errs({ input_tokens: 10, input_tokens_details: { cached_tokens: -2 } })).toEqual([{ path: "input_tokens_details.cached_tokens", message: expect.any(String) }]);
    expect(errs({ input_tokens: 1, cache_creation: { ephemeral_1h_input_tokens: "9" } })).toEqual([{ path: "cache_creation.ephemeral_1h_input_tokens", message: expect.any(String) }]);
    expect(errs({ prompt_tokens: 1, prompt_tokens_details: 7 })).toEqual([{ path: "prompt_tokens_details", message: expect.stringContaining("object or null") }]);
  });

  it("collects every error, not just the first", () => {
    expect(errs({ input_tokens: -1, output_tokens: "2", cache_read_tokens: 0.1 }).map((e) => e.path).sort()).toEqual(["cache_read_tokens", "input_tokens", "output_tokens"]);
  });

  it("rejects mixed formats", () => {
    for (const raw of [
      { prompt_tokens: 10, cache_read_tokens: 2 }, // chat + canonical
      { prompt_tokens: 10, input_tokens: 10 }, // chat + shared input_tokens
      { completion_tokens: 1, output_tokens_details: { reasoning_tokens: 0 } },
      { input_tokens: 10, cache_read_tokens: 2, cache_read_input_tokens: 2 }, // canonical + Anthropic
      { input_tokens: 10, input_tokens_details: { cached_tokens: 2 }, cache_creation_input_tokens: 3 }, // Responses + Anthropic
      { input_tokens: 10, output_tokens: 5, reasoning_tokens: 1, output_tokens_details: { reasoning_tokens: 1 } }, // canonical + details
    ]) {
      const e = errs(raw);
      expect(e).toHaveLength(1);
      expect(e[0].path).toBe("");
      expect(e[0].message).toMatch(/mixes fields of different usage formats/);
    }
  });

  it("null marker fields do not make a shape ambiguous", () => {
    expect(ok({ prompt_tokens: 10, completion_tokens: 2, cache_read_tokens: null })).toMatchObject({ inputTokens: 10 });
    expect(ok({ prompt_tokens: 10, completion_tokens: 2, input_tokens: null, output_tokens_details: null })).toMatchObject({ inputTokens: 10, outputTokens: 2 });
    expect(ok({ input_tokens: null, output_tokens: null })).toEqual({ inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 });
    expect(ok({ prompt_tokens: null, completion_tokens: null })).toEqual({ inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 });
  });

  it("rejects cached > prompt / input", () => {
    expect(errs({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 11 } })).toEqual([
      { path: "prompt_tokens_details.cached_tokens", message: "(11) cannot exceed prompt_tokens (10): prompt_tokens includes cached tokens" },
    ]);
    expect(errs({ prompt_tokens: 10, prompt_cache_hit_tokens: 11 })).toEqual([{ path: "prompt_cache_hit_tokens", message: expect.stringContaining("cannot exceed prompt_tokens") }]);
    expect(errs({ input_tokens: 5, input_tokens_details: { cached_tokens: 6 } })).toEqual([{ path: "input_tokens_details.cached_tokens", message: expect.stringContaining("cannot exceed input_tokens") }]);
  });

  it("rejects reasoning > output in every shape", () => {
    expect(errs({ output_tokens: 3, reasoning_tokens: 4 })).toEqual([{ path: "reasoning_tokens", message: expect.stringContaining("cannot exceed output_tokens (3)") }]);
    expect(errs({ completion_tokens: 3, completion_tokens_details: { reasoning_tokens: 4 } })).toEqual([
      { path: "completion_tokens_details.reasoning_tokens", message: expect.stringContaining("cannot exceed completion_tokens (3)") },
    ]);
    expect(errs({ input_tokens: 1, output_tokens: 3, output_tokens_details: { reasoning_tokens: 4 } })).toEqual([
      { path: "output_tokens_details.reasoning_tokens", message: expect.stringContaining("cannot exceed output_tokens") },
    ]);
    expect(errs({ input_tokens: 1, output_tokens: 3, cache_read_input_tokens: 0, output_tokens_details: { thinking_tokens: 4 } })).toEqual([
      { path: "output_tokens_details.thinking_tokens", message: expect.stringContaining("cannot exceed output_tokens") },
    ]);
  });

  it("rejects reasoning_tokens together with thinking_tokens", () => {
    expect(errs({ output_tokens: 9, output_tokens_details: { reasoning_tokens: 1, thinking_tokens: 1 } })[0].path).toBe("output_tokens_details");
  });

  it("rejects an Anthropic 5m/1h split larger than cache_creation_input_tokens", () => {
    expect(errs({ input_tokens: 1, cache_creation_input_tokens: 10, cache_creation: { ephemeral_5m_input_tokens: 8, ephemeral_1h_input_tokens: 3 } })).toEqual([
      { path: "cache_creation", message: expect.stringContaining("(11) cannot exceed cache_creation_input_tokens (10)") },
    ]);
  });

  it("rejects an object with no recognised token counts (e.g. a whole response)", () => {
    expect(errs({ id: "chatcmpl-1", model: "gpt-4o", usage: { prompt_tokens: 1 } })).toEqual([{ path: "", message: expect.stringContaining("no recognised token counts") }]);
    expect(errs({ total_tokens: 10 })[0].message).toContain("no recognised token counts");
  });
});
