// What the gateway refuses, and how: over a BLOCK budget before the provider is called; a bad or
// revoked key; a malformed request (400, never a 5xx); another org's credential never used. Each
// answer in the provider's own error shape, so the official SDKs raise their usual exceptions.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import { runAdmin } from "../admin/cli";
import { prisma } from "../db";
import { issueKey, revokeKey } from "../keys/issue";
import { createTestOrg } from "../testing/fixtures";
import { gatewayWithFakeProvider, orgBehindGateway, storedEvents } from "../testing/gateway";
import { api } from "../testing/machine-server";
import { decryptApiKey, encryptApiKey, setProviderCredential, upstreamFor } from "./credentials";

const gw = gatewayWithFakeProvider();

const OPENAI_PATH = "/api/v1/gateway/openai/v1/chat/completions";
const ANTHROPIC_PATH = "/api/v1/gateway/anthropic/v1/messages";
const chat = { model: "gpt-5.2", messages: [{ role: "user" as const, content: "hi" }] };
const message = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };

async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("budgets", () => {
  test("a BLOCK budget at 100 % refuses before the provider is called; the SDKs raise a 429 naming the budget", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const set = await admin("budget", "set", "--org", t.org.slug, "--scope", "org", "--amount", "0.001", "--period", "month", "--enforce", "block", "--name", "Tiny");
    expect(set.code, set.err.join("\n")).toBe(0);
    // The first call is allowed (nothing spent yet) and uses the budget up.
    await t.openai.chat.completions.create(chat);
    const before = gw.fake.requests.length;

    const openaiError = await t.openai.chat.completions.create(chat).catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(OpenAI.RateLimitError);
    expect((openaiError as InstanceType<typeof OpenAI.RateLimitError>).error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
    expect((openaiError as Error).message).toContain('Budget "Tiny"');
    expect((openaiError as InstanceType<typeof OpenAI.RateLimitError>).headers.get("x-should-retry")).toBe("false");

    const anthropicError = await t.anthropic.messages.create(message).catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
    expect((anthropicError as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect((anthropicError as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ error: { message: expect.stringContaining('Budget "Tiny"') } });

    // With the SDKs' default retries on, a refusal is still not retried.
    const retrying = new OpenAI({ apiKey: t.secret, baseURL: `${gw.server.url}/api/v1/gateway/openai/v1` });
    await expect(retrying.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect(gw.fake.requests.length).toBe(before);
    expect(await storedEvents(t.org.id)).toHaveLength(1);
  });

  test("a blocked execution named in x-burnrate-execution-id is refused; another execution is not", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    await t.openai.chat.completions.create(chat, { headers: { "x-burnrate-execution-id": "run-blocked" } });
    await prisma().execution.updateMany({ where: { orgId: t.org.id, executionId: "run-blocked" }, data: { status: "BLOCKED", blockedReason: "Retry loop" } });
    const before = gw.fake.requests.length;
    const refused = await t.openai.chat.completions.create(chat, { headers: { "x-burnrate-execution-id": "run-blocked" } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as Error).message).toContain("Execution run-blocked is blocked: Retry loop");
    expect(gw.fake.requests.length).toBe(before);
    await t.openai.chat.completions.create(chat, { headers: { "x-burnrate-execution-id": "run-other" } });
    expect(gw.fake.requests.length).toBe(before + 1);
  });
});

describe("keys", () => {
  test("an unknown or revoked key is a 401 in the provider's shape (AuthenticationError), and nothing goes upstream", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const before = gw.fake.requests.length;
    const unknown = { apiKey: "br_thisKeyDoesNotExist0000000000000000000000000000000000", maxRetries: 0 };
    await expect(new OpenAI({ ...unknown, baseURL: `${gw.server.url}/api/v1/gateway/openai/v1` }).chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(new Anthropic({ ...unknown, baseURL: `${gw.server.url}/api/v1/gateway/anthropic` }).messages.create(message)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);

    const revoked = await issueKey({ orgId: t.org.id, name: "to revoke", scopes: ["gateway"] });
    await revokeKey(t.org.id, revoked.prefix);
    const res = await api(gw.server.url, OPENAI_PATH, { secret: revoked.secret, body: chat });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { message: "This API key has been revoked", type: "invalid_request_error", param: null, code: "invalid_api_key" } });
    const viaHeader = await api(gw.server.url, ANTHROPIC_PATH, { headers: { "x-api-key": revoked.secret }, body: message });
    expect(viaHeader.status).toBe(401);
    expect(viaHeader.body).toEqual({ type: "error", error: { type: "authentication_error", message: "This API key has been revoked" } });
    expect(gw.fake.requests.length).toBe(before);
  });

  test("the gateway needs the gateway scope: an ingest (or read) key is a 403 PermissionDeniedError and nothing goes upstream", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const before = gw.fake.requests.length;
    for (const scopes of [["ingest"], ["ingest", "read"]] as const) {
      const other = await issueKey({ orgId: t.org.id, name: `only ${scopes.join(",")}`, scopes: [...scopes] });
      const openai = new OpenAI({ apiKey: other.secret, baseURL: `${gw.server.url}/api/v1/gateway/openai/v1`, maxRetries: 0 });
      const error = await openai.chat.completions.create(chat).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect((error as Error).message).toContain("'gateway' scope");
      const anthropic = new Anthropic({ apiKey: other.secret, baseURL: `${gw.server.url}/api/v1/gateway/anthropic`, maxRetries: 0 });
      await expect(anthropic.messages.create(message)).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    }
    expect(gw.fake.requests.length).toBe(before);
    expect(await storedEvents(t.org.id)).toHaveLength(0);
  });

  test("a key limited to some models may not call another (403 PermissionDeniedError)", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const fresh = await issueKey({ orgId: t.org.id, name: "limited", scopes: ["gateway"] });
    await prisma().virtualKey.update({ where: { id: fresh.id }, data: { allowedModels: ["gpt-4o"] } });
    const client = new OpenAI({ apiKey: fresh.secret, baseURL: `${gw.server.url}/api/v1/gateway/openai/v1`, maxRetries: 0 });
    await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await client.chat.completions.create({ ...chat, model: "gpt-4o" });
    expect(gw.fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${t.openaiKey}`);
  });
});

describe("malformed requests are 400s in the provider's shape, never a 5xx", () => {
  test.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["no model", JSON.stringify({ messages: [] })],
    ["model not a string", JSON.stringify({ model: 5, messages: [] })],
    ["stream not a boolean", JSON.stringify({ model: "gpt-5.2", stream: "yes" })],
    ["stream_options not an object", JSON.stringify({ model: "gpt-5.2", stream: true, stream_options: 7 })],
    ["a lone surrogate in the model", '{"model": "gpt-\\ud800"}'],
  ])("%s", async (_what, rawBody) => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const before = gw.fake.requests.length;
    const openai = await api(gw.server.url, OPENAI_PATH, { secret: t.secret, rawBody, headers: { "content-type": "application/json" } });
    expect(openai.status).toBe(400);
    expect(openai.body.error).toMatchObject({ type: "invalid_request_error", param: null });
    expect(typeof openai.body.error.message).toBe("string");
    const anthropic = await api(gw.server.url, ANTHROPIC_PATH, { headers: { "x-api-key": t.secret, "content-type": "application/json" }, rawBody });
    // Anthropic does not read stream_options: a body that is only wrong there goes through.
    if (!rawBody.includes("stream_options")) {
      expect(anthropic.status).toBe(400);
      expect(anthropic.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect(gw.fake.requests.length).toBe(before);
    }
  });

  test("the SDK raises BadRequestError; a bad attribution header is a 400 too", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    await expect(t.openai.chat.completions.create({ ...chat, model: "" })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(t.anthropic.messages.create(message, { headers: { "x-burnrate-task": "x".repeat(257) } })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const noType = await api(gw.server.url, OPENAI_PATH, { secret: t.secret, rawBody: JSON.stringify(chat) });
    expect(noType.status).toBe(415);
    expect(noType.body.error.type).toBe("invalid_request_error");
  });
});

describe("upstream", () => {
  test("an upstream error is relayed with its status and body, and recorded as a $0 error", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const body = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
    gw.fake.failNext(529, body);
    const error = await t.anthropic.messages.create(message, { headers: { "x-burnrate-execution-id": "run-err" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual(body);
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ERROR", errorType: "overloaded_error", cost: "0", model: "claude-sonnet-4-6", executionId: "run-err" });
  });

  test("a provider that cannot be reached is a 503 in the provider's shape; nothing is recorded", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    await setProviderCredential(t.org.id, "openai", t.openaiKey, "http://127.0.0.1:9/v1");
    const error = await t.openai.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).error).toMatchObject({ type: "server_error", code: "unavailable" });
    expect(await storedEvents(t.org.id)).toHaveLength(0);
  });

  test("a stream that breaks off is recorded with the usage seen so far, as an error", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    // message_start (input and cache tokens billed) and one more event, then the connection drops.
    gw.fake.breakNextStream(2);
    const stream = t.anthropic.messages.stream(message);
    await expect(stream.finalMessage()).rejects.toThrow();
    await expect.poll(async () => (await storedEvents(t.org.id)).length).toBe(1);
    const [row] = await storedEvents(t.org.id);
    expect(row).toMatchObject({ status: "ERROR", errorType: "stream_interrupted", inputTokens: 1840, cacheReadTokens: 48213, cacheWriteTokens: 6120, outputTokens: 3 });
    expect(Number(row.cost)).toBeGreaterThan(0);
  });

  test("a client that hangs up mid-stream stops the provider call; what was used so far is recorded", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    gw.fake.slowNextStream(100);
    const hungUpBefore = gw.fake.hungUp();
    const controller = new AbortController();
    const stream = await t.anthropic.messages.create({ ...message, stream: true }, { signal: controller.signal });
    for await (const event of stream) {
      if (event.type === "message_start") break; // leaving the loop aborts the request
    }
    controller.abort();
    await expect.poll(() => gw.fake.hungUp()).toBe(hungUpBefore + 1);
    await expect.poll(async () => (await storedEvents(t.org.id)).length).toBe(1);
    const [row] = await storedEvents(t.org.id);
    expect(row).toMatchObject({ status: "ERROR", errorType: "client_closed", inputTokens: 1840 });
  });

  test("org B's key uses org B's credential, never org A's; an org without one gets a 403", async () => {
    const a = await orgBehindGateway(gw.server.url, gw.fake.url);
    const b = await orgBehindGateway(gw.server.url, gw.fake.url);
    await b.openai.chat.completions.create(chat);
    await b.anthropic.messages.create(message);
    expect(gw.fake.requests.filter((r) => r.headers.authorization === `Bearer ${b.openaiKey}`)).toHaveLength(1);
    expect(gw.fake.requests.filter((r) => r.headers["x-api-key"] === b.anthropicKey)).toHaveLength(1);
    expect(gw.fake.requests.filter((r) => r.headers.authorization === `Bearer ${a.openaiKey}` || r.headers["x-api-key"] === a.anthropicKey)).toHaveLength(0);
    expect(await storedEvents(a.org.id)).toHaveLength(0);
    expect(await storedEvents(b.org.id)).toHaveLength(2);

    const none = await createTestOrg({ scopes: ["gateway"] });
    const res = await api(gw.server.url, OPENAI_PATH, { secret: none.secret, body: chat });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("credential set");
  });
});

describe("credentials", () => {
  test("sealed with AES-256-GCM, bound to their org and provider; set by the admin CLI, never printed", async () => {
    const t = await createTestOrg();
    const sealed = encryptApiKey(t.org.id, "openai", "sk-secret-1");
    expect(sealed.split(":")).toHaveLength(3);
    expect(sealed).not.toContain("sk-secret-1");
    expect(decryptApiKey(t.org.id, "openai", sealed)).toBe("sk-secret-1");
    expect(() => decryptApiKey("another-org", "openai", sealed)).toThrow(/cannot be decrypted/);
    expect(() => decryptApiKey(t.org.id, "anthropic", sealed)).toThrow(/cannot be decrypted/);

    const set = await admin("credential", "set", "--org", t.org.slug, "--provider", "anthropic", "--key", "sk-ant-cli-secret", "--base-url", "https://llm-proxy.example.test/");
    expect(set.code, set.err.join("\n")).toBe(0);
    expect([...set.out, ...set.err].join("\n")).not.toContain("sk-ant-cli-secret");
    expect(await upstreamFor(t.org.id, t.org.slug, "anthropic")).toEqual({ provider: "anthropic", baseUrl: "https://llm-proxy.example.test", apiKey: "sk-ant-cli-secret" });
    const row = await prisma().providerCredential.findUniqueOrThrow({ where: { orgId_provider: { orgId: t.org.id, provider: "anthropic" } } });
    expect(row.apiKeyEnc).not.toContain("sk-ant-cli-secret");

    expect((await admin("credential", "set", "--org", t.org.slug, "--provider", "mistral", "--key", "k")).code).toBe(2);
    expect((await admin("credential", "set", "--org", t.org.slug, "--provider", "openai")).code).toBe(2);
    expect((await admin("credential", "set", "--org", t.org.slug, "--provider", "openai", "--key", "k", "--base-url", "ftp://x")).code).toBe(1);
  });
});
