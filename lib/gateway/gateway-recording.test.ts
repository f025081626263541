// Calls the gateway must record however the provider (or a compatible backend) answers: a usage
// object ingest refuses, a client that hangs up on a non-streaming call, an answer that breaks off,
// repeated response ids, a refused upstream credential, compressed answers. The upstream is scripted
// per test (lib/testing/gateway.ts startScriptedUpstream).
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { chatCompletion, orgOnScripted, startScriptedUpstream, storedEvents, storedMetadata } from "../testing/gateway";
import { api, startMachineServer } from "../testing/machine-server";
import { GATEWAY_LIMITS } from "./relay";

// Runs `fn` with one gateway limit lowered, and puts it back whatever happens.
async function withGatewayLimit(limit: keyof typeof GATEWAY_LIMITS, value: number, fn: () => Promise<void>): Promise<void> {
  const saved = GATEWAY_LIMITS[limit];
  GATEWAY_LIMITS[limit] = value;
  try {
    await fn();
  } finally {
    GATEWAY_LIMITS[limit] = saved;
  }
}

let server: Awaited<ReturnType<typeof startMachineServer>>;
let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;
beforeAll(async () => {
  server = await startMachineServer();
  upstream = await startScriptedUpstream();
});
afterAll(async () => {
  await upstream.close();
  await server.close();
});

const chat = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }] };
const OPENAI_PATH = "/api/v1/gateway/openai/v1/chat/completions";
const answerJson = (value: unknown, status = 200, headers: Record<string, string> = {}) => {
  upstream.handler = (_req, _body, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(value));
  };
};

describe("usage", () => {
  test("a usage object ingest refuses still records the call: an error usage_unreadable, the raw usage in metadata", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    const cases: Record<string, unknown> = {
      mixed: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, input_tokens: 10, output_tokens: 5 },
      floatTokens: { prompt_tokens: 10.0001, completion_tokens: 5 },
      huge: { prompt_tokens: 1.5, note: "x".repeat(20_000) },
    };
    for (const [name, usage] of Object.entries(cases)) {
      answerJson(chatCompletion(`chatcmpl-${name}-${Date.now()}`, usage));
      const r = await t.openai.chat.completions.create(chat);
      expect(r.id).toContain(name);
    }
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatchObject({ status: "ERROR", errorType: "usage_unreadable", cost: "0", model: "gpt-4o-2024-08-06" });
    const metadata = await storedMetadata(t.org.id);
    expect(metadata[0].metadata).toMatchObject({ gateway: "openai.chat.completions", raw_usage: JSON.stringify(cases.mixed) });
    expect(String(metadata[2].metadata?.raw_usage).length).toBeLessThanOrEqual(1024);
  });
});

describe("a client that gives up", () => {
  test("on a non-streaming call (SDK timeout): the provider call runs to its end and is recorded with its usage", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    const id = `chatcmpl-slow-${Date.now()}`;
    upstream.handler = (_req, _body, res) => {
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(chatCompletion(id, { prompt_tokens: 1000, completion_tokens: 1000 })));
      }, 600);
    };
    const before = upstream.got.length;
    const client = new OpenAI({ apiKey: t.secret, baseURL: `${server.url}/api/v1/gateway/openai/v1`, maxRetries: 0, timeout: 200 });
    await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect.poll(async () => (await storedEvents(t.org.id)).length, { timeout: 3000 }).toBe(1);
    expect(upstream.got.slice(before).map((g) => g.closedEarly)).toEqual([false]);
    const [row] = await storedEvents(t.org.id);
    expect(row).toMatchObject({ responseId: id, status: "OK", inputTokens: 1000, outputTokens: 1000 });
    expect(Number(row.cost)).toBeGreaterThan(0);
  });
});

describe("an upstream that fails mid-way", () => {
  test("a JSON answer that breaks off mid-body is a 503 and recorded as an error upstream_broke_off ($0)", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    upstream.handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      res.write('{"id":"chatcmpl-cut","object":"chat.comp');
      setTimeout(() => res.destroy(), 50);
    };
    const r = await api(server.url, OPENAI_PATH, { secret: t.secret, body: chat });
    expect(r.status).toBe(503);
    expect(r.body.error).toMatchObject({ type: "server_error" });
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "upstream_broke_off", cost: "0", model: "gpt-4o" });
  });

  test("a provider that does not start answering within the deadline is a 503 and recorded as upstream_timeout ($0)", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    upstream.handler = () => {}; // never answers
    await withGatewayLimit("upstreamStartMs", 300, async () => {
      const r = await api(server.url, OPENAI_PATH, { secret: t.secret, body: chat });
      expect(r.status).toBe(503);
      expect(r.body.error.message).toContain("did not start answering");
    });
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "upstream_timeout", cost: "0" });
  });
});

describe("a provider that stalls or floods once it has answered", () => {
  test("a JSON answer that goes silent after its headers is given up after the idle limit: a 503, recorded as upstream_broke_off", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    upstream.handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id": "chatcmpl-stall", ');
    };
    await withGatewayLimit("upstreamIdleMs", 300, async () => {
      const r = await api(server.url, OPENAI_PATH, { secret: t.secret, body: chat });
      expect(r.status).toBe(503);
    });
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "upstream_broke_off", cost: "0" });
  });

  test("a stream that goes silent is cut off after the idle limit and recorded with the usage it had sent", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    upstream.handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "msg_stall", model: "claude-sonnet-4-5-20250929", usage: { input_tokens: 1200, output_tokens: 1 } } })}\n\n`);
    };
    await withGatewayLimit("upstreamIdleMs", 300, async () => {
      const r = await fetch(`${server.url}/api/v1/gateway/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": t.secret, "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      await r.text().catch(() => "");
    });
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "stream_interrupted", inputTokens: 1200 });
  });

  test("a JSON answer over the size limit is given up: a 503, recorded as upstream_broke_off", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    upstream.handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...chatCompletion("chatcmpl-big", { prompt_tokens: 1, completion_tokens: 1 }), padding: "x".repeat(4096) }));
    };
    await withGatewayLimit("maxJsonAnswerBytes", 1024, async () => {
      const r = await api(server.url, OPENAI_PATH, { secret: t.secret, body: chat });
      expect(r.status).toBe(503);
    });
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "upstream_broke_off" });
  });
});

describe("event ids", () => {
  test("a compatible backend (custom base URL) that repeats its response id loses no call: gw_ ids, the provider's id in metadata", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    answerJson(chatCompletion("chatcmpl-123", { prompt_tokens: 1000, completion_tokens: 1000 }));
    await t.openai.chat.completions.create(chat);
    await t.openai.chat.completions.create(chat);
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.eventId).toMatch(/^gw_[0-9a-f-]{36}$/);
      expect(row).toMatchObject({ responseId: "chatcmpl-123", status: "OK", inputTokens: 1000 });
    }
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(2);
  });
});

describe("the org's upstream credential refused", () => {
  test("an upstream 401/403 is a 502 in the provider's shape naming the admin command, not retried, recorded as an error", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    answerJson({ error: { message: "Incorrect API key provided: sk-proj-****abcd", type: "invalid_request_error", param: null, code: "invalid_api_key" } }, 401);
    const before = upstream.got.length;
    const retrying = new OpenAI({ apiKey: t.secret, baseURL: `${server.url}/api/v1/gateway/openai/v1`, maxRetries: 2 });
    const error = await retrying.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as Error).message).toContain("upstream credential was refused by openai");
    expect((error as Error).message).toContain(`credential set --org ${t.org.slug} --provider openai`);
    expect((error as Error).message).not.toContain("sk-proj");
    expect(upstream.got.length).toBe(before + 1);

    answerJson({ type: "error", error: { type: "permission_error", message: "Your API key does not have permission" } }, 403);
    const anthropicError = await t.anthropic.messages.create({ model: "claude-sonnet-4-6", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.InternalServerError);
    expect((anthropicError as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "api_error" } });

    const rows = await storedEvents(t.org.id);
    expect(rows.map((r) => [r.provider, r.status, r.errorType, r.cost])).toEqual([
      ["openai", "ERROR", "upstream_credential_refused", "0"],
      ["anthropic", "ERROR", "upstream_credential_refused", "0"],
    ]);
  });
});

describe("headers", () => {
  test("an upstream 429's wait and rate-limit headers reach the client: retry-after-ms, x-ratelimit-*, anthropic-ratelimit-*", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    const limits = {
      "retry-after": "2",
      "retry-after-ms": "1234",
      "x-ratelimit-limit-requests": "500",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-tokens": "6ms",
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-tokens-reset": "2026-11-29T03:00:00Z",
    };
    answerJson({ error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" } }, 429, { ...limits, "x-internal-thing": "no" });
    const r = await fetch(server.url + OPENAI_PATH, { method: "POST", headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json" }, body: JSON.stringify(chat) });
    expect(r.status).toBe(429);
    for (const [name, value] of Object.entries(limits)) expect(r.headers.get(name), name).toBe(value);
    expect(r.headers.get("x-internal-thing")).toBeNull();
  });
});

describe("a credential this server cannot use", () => {
  test("sealed under another BURNRATE_CREDENTIALS_KEY: a 503 in the provider's shape, not retried, nothing goes upstream", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    await pool().query(`UPDATE "ProviderCredential" SET "apiKeyEnc" = 'AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA' WHERE "orgId" = $1`, [t.org.id]);
    const before = upstream.got.length;
    const r = await fetch(server.url + OPENAI_PATH, { method: "POST", headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json" }, body: JSON.stringify(chat) });
    expect(r.status).toBe(503);
    expect(r.headers.get("x-should-retry")).toBe("false");
    expect(await r.json()).toMatchObject({ error: { type: "server_error", code: "unavailable", message: expect.stringContaining("cannot be decrypted") } });
    const retrying = new Anthropic({ apiKey: t.secret, baseURL: `${server.url}/api/v1/gateway/anthropic`, maxRetries: 2 });
    const error = await retrying.messages.create({ model: "claude-sonnet-4-6", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(upstream.got.length).toBe(before);
  });
});

describe("a stream event over the limit", () => {
  test("stops the stream: the provider call is closed, the call recorded with the usage seen, the response ended", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    const start = { type: "message_start", message: { id: `msg_big_${Date.now()}`, type: "message", role: "assistant", model: "claude-sonnet-4-6", content: [], stop_reason: null, usage: { input_tokens: 100, output_tokens: 1 } } };
    upstream.handler = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`);
      const sendMore = () => {
        if (res.destroyed) return;
        res.write(`data: ${"x".repeat(4096)}`); // never a blank line
        setTimeout(sendMore, 5);
      };
      sendMore();
    };
    await withGatewayLimit("maxSseEventChars", 20_000, async () => {
      const r = await fetch(server.url + "/api/v1/gateway/anthropic/v1/messages", {
        method: "POST",
        headers: { "x-api-key": t.secret, "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 8, stream: true, messages: [{ role: "user", content: "hi" }] }),
      });
      const text = await r.text();
      expect(text).toContain("message_start");
      expect(text).not.toContain("xxxx");
    });
    await expect.poll(() => upstream.got.at(-1)?.closedEarly).toBe(true);
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "stream_event_too_large", inputTokens: 100 });
  });
});

describe("a compressed answer (a proxy that ignores accept-encoding: identity)", () => {
  test("gzip / deflate JSON and a br stream are decompressed, relayed plain and recorded", async () => {
    const t = await orgOnScripted(server.url, upstream.url);
    for (const [coding, compress] of [["gzip", gzipSync], ["deflate", deflateSync]] as const) {
      const id = `chatcmpl-${coding}-${Date.now()}`;
      upstream.handler = (_req, _body, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": coding });
        res.end(compress(JSON.stringify(chatCompletion(id, { prompt_tokens: 1000, completion_tokens: 1000 }))));
      };
      const r = await fetch(server.url + OPENAI_PATH, { method: "POST", headers: { authorization: `Bearer ${t.secret}`, "content-type": "application/json", "accept-encoding": "identity" }, body: JSON.stringify(chat) });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-encoding")).toBeNull();
      expect(await r.json()).toMatchObject({ id });
    }
    upstream.handler = (_req, _body, res) => {
      const base = { id: "chatcmpl-br", object: "chat.completion.chunk", created: 1, model: "gpt-4o-2024-08-06" };
      const chunks = [
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: "stop" }], usage: null },
        { ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } },
      ];
      res.writeHead(200, { "content-type": "text/event-stream", "content-encoding": "br" });
      res.end(brotliCompressSync(chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + "data: [DONE]\n\n"));
    };
    const stream = await t.openai.chat.completions.create({ ...chat, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hi");
    const rows = await storedEvents(t.org.id);
    expect(rows.map((r) => [r.status, r.inputTokens, r.outputTokens])).toEqual([
      ["OK", 1000, 1000],
      ["OK", 1000, 1000],
      ["OK", 10, 2],
    ]);
  });
});
