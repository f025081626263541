import { randomBytes } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { pool } from "../db";
import { setProviderCredential } from "../gateway/credentials";
import { createTestOrg } from "./fixtures";

// A fresh org whose gateway credentials point at a fake provider (./fake-llm.ts), and the official
// SDKs pointed at the gateway with the org's virtual key — as a user would set them up.
export async function orgBehindGateway(gatewayUrl: string, fakeUrl: string) {
  const t = await createTestOrg();
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
  const { rows } = await pool().query(
    `SELECT "eventId", provider, model, trim_scale("costUsd")::text AS cost, "costSource"::text AS "costSource", status::text, "errorType", "latencyMs",
            "executionId", task, agent, "userId", repository, "pullRequest", "inputTokens", "cacheReadTokens", "cacheWriteTokens", "outputTokens"
       FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt"`,
    [orgId],
  );
  return rows;
}
