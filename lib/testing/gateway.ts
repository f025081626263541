import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll } from "vitest";
import { pool } from "../db";
import { setProviderCredential } from "../gateway/credentials";
import { startFakeLlm, type TFakeLlm } from "./fake-llm";
import { createTestOrg } from "./fixtures";
import { startMachineServer } from "./machine-server";

// The machine server and a fake provider for one test file: started before its tests, closed after.
// Read `.server` and `.fake` inside tests and hooks (they are set once the files' beforeAll ran).
export function gatewayWithFakeProvider(): { server: Awaited<ReturnType<typeof startMachineServer>>; fake: TFakeLlm } {
  const running = {} as ReturnType<typeof gatewayWithFakeProvider>;
  beforeAll(async () => {
    running.server = await startMachineServer();
    running.fake = await startFakeLlm();
  });
  afterAll(async () => {
    await running.fake?.close();
    await running.server?.close();
  });
  return running;
}

// A fresh org whose gateway credentials point at a fake provider (./fake-llm.ts), and the official
// SDKs pointed at the gateway with the org's virtual key — as a user would set them up.
export async function orgBehindGateway(gatewayUrl: string, fakeUrl: string) {
  const t = await createTestOrg({ scopes: ["ingest", "read", "gateway"] });
  const openaiKey = `sk-proj-${randomBytes(12).toString("hex")}`;
  const anthropicKey = `sk-ant-${randomBytes(12).toString("hex")}`;
  await setProviderCredential(t.org.id, "openai", openaiKey, `${fakeUrl}/v1`);
  await setProviderCredential(t.org.id, "anthropic", anthropicKey, fakeUrl);
  return {
    ...t,
    openaiKey,
    anthropicKey,
    openai: new OpenAI({ apiKey: t.secret, baseURL: `${gatewayUrl}/api/v1/gateway/openai/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: t.secret, baseURL: `${gatewayUrl}/api/v1/gateway/anthropic`, maxRetries: 0 }),
  };
}

export async function storedEvents(orgId: string) {
  // responseId: the provider's response id, the event id or (from a custom base URL) in metadata.
  const { rows } = await pool().query(
    `SELECT "eventId", COALESCE(metadata->>'response_id', "eventId") AS "responseId", provider, model, trim_scale("costUsd")::text AS cost, "costSource"::text AS "costSource", status::text, "errorType", "latencyMs",
            "executionId", task, agent, "userId", repository, "pullRequest", "inputTokens", "cacheReadTokens", "cacheWriteTokens", "outputTokens"
       FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt"`,
    [orgId],
  );
  return rows;
}

// A provider whose every answer the test writes itself (handler), for what the fake cannot do:
// odd usage, repeated ids, slow or broken bodies, compressed answers. `got` keeps each request and
// whether the gateway hung up on it before the answer was complete.
export type TScriptedHandler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
export async function startScriptedUpstream() {
  const got: { path: string; headers: IncomingMessage["headers"]; body: string; closedEarly: boolean }[] = [];
  const upstream = { handler: ((_req, _body, res) => res.end()) as TScriptedHandler, got, url: "", close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), closedEarly: false };
      got.push(entry);
      res.on("close", () => {
        if (!res.writableFinished) entry.closedEarly = true;
      });
      upstream.handler(req, entry.body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}

// An org behind the gateway whose credentials point at a scripted upstream.
export async function orgOnScripted(gatewayUrl: string, upstreamUrl: string) {
  const t = await orgBehindGateway(gatewayUrl, upstreamUrl);
  await setProviderCredential(t.org.id, "openai", t.openaiKey, `${upstreamUrl}/v1`);
  return t;
}

export const chatCompletion = (id: string, usage: unknown, model = "gpt-4o-2024-08-06") => ({
  id,
  object: "chat.completion",
  created: 1,
  model,
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage,
});

export async function storedMetadata(orgId: string) {
  const { rows } = await pool().query(`SELECT "eventId", metadata FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt"`, [orgId]);
  return rows as { eventId: string; metadata: Record<string, unknown> | null }[];
}
