// The official OpenAI and Anthropic SDKs pointed at the gateway (base URL + a virtual key as the
// API key), the gateway pointed at a fake provider speaking the real wire formats: every call is
// answered as the provider answered it, reaches the provider with the org's upstream key only, and
// is stored once at the catalogue's exact price with its attribution.
import Decimal from "decimal.js";
import { describe, expect, test } from "vitest";
import { normalizeUsage, priceCall } from "../pricing";
import { ANTHROPIC_RESPONSE, ANTHROPIC_STREAM_EVENTS, OPENAI_RESPONSE, OPENAI_SNAPSHOT } from "../testing/fake-llm";
import { authenticateKey } from "../keys/authenticate";
import { gatewayWithFakeProvider, orgBehindGateway, storedEvents } from "../testing/gateway";
import { api } from "../testing/machine-server";
import { recordGatewayCall } from "./record-call";

const gw = gatewayWithFakeProvider();

const ATTRIBUTION = {
  "x-burnrate-execution-id": "run-gw-1",
  "x-burnrate-task": "fix flaky test",
  "x-burnrate-agent": "test-fixer",
  "x-burnrate-user": "dev@example.test",
  "x-burnrate-repository": "acme/api",
  "x-burnrate-pull-request": "42",
};

function catalogueCost(provider: string, model: string, usage: unknown): string {
  const normalized = normalizeUsage(usage);
  if (!normalized.ok) throw new Error(JSON.stringify(normalized.errors));
  const price = priceCall({ provider, model, usage: normalized.usage, at: new Date() });
  expect(price.costSource).toBe("CATALOG");
  expect(Number(price.costUsd)).toBeGreaterThan(0);
  // As Postgres prints the stored numeric with its trailing zeros trimmed.
  return new Decimal(price.costUsd).toFixed();
}

// What the fake got with this upstream key (the gateway's only way to reach it).
const sentWith = (header: "authorization" | "x-api-key", value: string) => gw.fake.requests.filter((r) => r.headers[header] === value);

function expectNothingOfBurnrateUpstream(secret: string) {
  for (const r of gw.fake.requests) {
    expect(JSON.stringify(r.headers)).not.toContain(secret);
    expect(Object.keys(r.headers).filter((h) => h.startsWith("x-burnrate-"))).toEqual([]);
  }
}

function expectAttribution(row: Record<string, unknown>) {
  expect(row).toMatchObject({ executionId: "run-gw-1", task: "fix flaky test", agent: "test-fixer", userId: "dev@example.test", repository: "acme/api", pullRequest: "42" });
}

describe("OpenAI SDK through the gateway", () => {
  test("non-streaming: the provider's answer, one event at the exact catalogue price, upstream key only, attribution kept", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const completion = await t.openai.chat.completions.create({ model: "gpt-5.2", messages: [{ role: "user", content: "Fix it" }] }, { headers: ATTRIBUTION });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0].message.content).toBe("Done.");
    expect(completion.usage).toEqual(OPENAI_RESPONSE.usage);

    const upstream = sentWith("authorization", `Bearer ${t.openaiKey}`);
    expect(upstream).toHaveLength(1);
    expect(upstream[0].path).toBe("/v1/chat/completions");
    expect(upstream[0].body).toEqual({ model: "gpt-5.2", messages: [{ role: "user", content: "Fix it" }] });
    expectNothingOfBurnrateUpstream(t.secret);

    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    const cost = catalogueCost("openai", OPENAI_SNAPSHOT, OPENAI_RESPONSE.usage);
    expect(rows[0]).toMatchObject({ responseId: completion.id, provider: "openai", model: OPENAI_SNAPSHOT, cost, costSource: "CATALOG", status: "OK", errorType: null });
    expect(rows[0]).toMatchObject({ inputTokens: 1820 - 1536, cacheReadTokens: 1536, outputTokens: 410 });
    expect(rows[0].latencyMs).toBeGreaterThanOrEqual(0);
    expectAttribution(rows[0]);
    const spend = await api(gw.server.url, "/api/v1/spend", { secret: t.secret });
    expect(new Decimal(spend.body.total_usd).eq(cost)).toBe(true);
  });

  test("streaming without include_usage: usage is asked for upstream, its extra chunk is kept from the client, the call is stored once", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const stream = await t.openai.chat.completions.create({ model: "gpt-5.2", messages: [{ role: "user", content: "Fix it" }], stream: true }, { headers: ATTRIBUTION });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Done.");
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);

    const upstream = sentWith("authorization", `Bearer ${t.openaiKey}`);
    expect(upstream).toHaveLength(1);
    expect(upstream[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ responseId: chunks[0].id, model: OPENAI_SNAPSHOT, cost: catalogueCost("openai", OPENAI_SNAPSHOT, OPENAI_RESPONSE.usage), status: "OK" });
    expectAttribution(rows[0]);
  });

  test("streaming with include_usage: the client gets the usage chunk it asked for", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const stream = await t.openai.chat.completions.create({ model: "gpt-5.2", messages: [{ role: "user", content: "Fix it" }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage).toEqual(OPENAI_RESPONSE.usage);
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].cost).toBe(catalogueCost("openai", OPENAI_SNAPSHOT, OPENAI_RESPONSE.usage));
  });
});

describe("Anthropic SDK through the gateway", () => {
  test("non-streaming: x-api-key is the org's upstream key, one event at the exact catalogue price", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const message = await t.anthropic.messages.create({ model: "claude-sonnet-4-6", max_tokens: 1024, messages: [{ role: "user", content: "Fix it" }] }, { headers: ATTRIBUTION });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content[0]).toEqual({ type: "text", text: "Done." });

    const upstream = sentWith("x-api-key", t.anthropicKey);
    expect(upstream).toHaveLength(1);
    expect(upstream[0].path).toBe("/v1/messages");
    expect(upstream[0].headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(upstream[0].headers.authorization).toBeUndefined();
    expectNothingOfBurnrateUpstream(t.secret);

    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      responseId: message.id,
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      cost: catalogueCost("anthropic", "claude-sonnet-4-6", ANTHROPIC_RESPONSE.usage),
      inputTokens: 1840,
      cacheReadTokens: 48213,
      cacheWriteTokens: 6120,
      outputTokens: 2210,
    });
    expectAttribution(rows[0]);
  });

  test("streaming: usage from message_start merged with the last message_delta, stored once", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    const stream = t.anthropic.messages.stream({ model: "claude-sonnet-4-6", max_tokens: 1024, messages: [{ role: "user", content: "Fix it" }] }, { headers: ATTRIBUTION });
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(2210);
    expect(sentWith("x-api-key", t.anthropicKey)).toHaveLength(1);

    const start = ANTHROPIC_STREAM_EVENTS.find((e) => e.type === "message_start")!.message.usage;
    const delta = ANTHROPIC_STREAM_EVENTS.find((e) => e.type === "message_delta")!.usage;
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ responseId: final.id, cost: catalogueCost("anthropic", "claude-sonnet-4-6", { ...start, ...delta }), inputTokens: 1840, outputTokens: 2210, status: "OK" });
    expectAttribution(rows[0]);
  });
});

describe("exactly once", () => {
  test("from the provider's own API: a recording retried, or the same call also reported through POST /api/v1/events, is counted once", async () => {
    const t = await orgBehindGateway(gw.server.url, gw.fake.url);
    // An answer from api.openai.com, whose response ids are unique: the event id.
    const completion = { ...OPENAI_RESPONSE, id: `chatcmpl-${Date.now()}` };
    const key = await authenticateKey(t.secret);
    if (typeof key === "string") throw new Error(key);
    for (let attempt = 0; attempt < 2; attempt++) await recordGatewayCall(key, {
      provider: "openai",
      api: "chat.completions",
      stream: false,
      responseId: completion.id,
      responseIdIsUnique: true, // as from api.openai.com
      model: completion.model,
      usage: OPENAI_RESPONSE.usage,
      latencyMs: 5,
      errorType: null,
      attribution: {},
    });
    const reported = await api(gw.server.url, "/api/v1/events", { secret: t.secret, body: { id: completion.id, provider: "openai", model: completion.model, usage: completion.usage } });
    expect(reported.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const rows = await storedEvents(t.org.id);
    expect(rows).toHaveLength(1);
    const spend = await api(gw.server.url, "/api/v1/spend", { secret: t.secret });
    expect(new Decimal(spend.body.total_usd).eq(catalogueCost("openai", OPENAI_SNAPSHOT, OPENAI_RESPONSE.usage))).toBe(true);
  });
});

