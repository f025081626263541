// Codex, Gemini CLI and GenAI-instrumented agents (issue 10 §2): each tool's documented shape (the
// fixtures in ./fixtures), through real HTTP into a real Postgres; every token counted once.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { postOtlp, shiftedToNow } from "../testing/otlp";
import codexLogs from "./fixtures/codex.logs.json";
import codexMetrics from "./fixtures/codex.metrics.json";
import geminiLogs from "./fixtures/gemini-cli.logs.json";
import geminiMetrics from "./fixtures/gemini-cli.metrics.json";
import genaiTraces from "./fixtures/genai.traces.json";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

async function rows(orgId: string) {
  const { rows } = await pool().query(
    `SELECT kind::text, provider, model, tool, status::text, "errorType", "costSource"::text AS source, "inputTokens" AS input, "cacheReadTokens" AS "cacheRead",
            "cacheWriteTokens" AS "cacheWrite", "outputTokens" AS output, "reasoningTokens" AS reasoning, "sessionId", "executionId", agent, subagent, "userId",
            repository, "pullRequest", "unknownTeam", "latencyMs"
       FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt", "eventId"`,
    [orgId],
  );
  return rows;
}

const totals = async (orgId: string) =>
  (
    await pool().query(
      `SELECT count(*)::int AS n, sum("costUsd")::text AS cost, sum("inputTokens")::int AS input, sum("cacheReadTokens")::int AS "cacheRead", sum("outputTokens")::int AS output,
              sum("reasoningTokens")::int AS reasoning FROM "UsageEvent" WHERE "orgId" = $1 AND kind = 'LLM'`,
      [orgId],
    )
  ).rows[0];

describe("Codex", () => {
  test("the response.completed record that carries tokens is the call (input includes cached, reasoning is part of output); the bare one, other SSE frames and api_request are not spend", async () => {
    const { org, secret } = await createTestOrg();
    const body = shiftedToNow(codexLogs);
    const res = await postOtlp(server.url, "logs", secret, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const stored = await rows(org.id);
    expect(stored.map((r) => `${r.kind} ${r.model ?? r.tool} ${r.input}+${r.cacheRead} cached → ${r.output} (${r.reasoning} reasoning)`)).toEqual([
      "LLM gpt-5.5 4260+19840 cached → 412 (256 reasoning)",
      "TOOL shell 0+0 cached → 0 (0 reasoning)",
      "LLM gpt-5.5 3280+24960 cached → 1438 (960 reasoning)",
    ]);
    expect(stored[0]).toMatchObject({ provider: "openai", sessionId: "0199e3a4-5b7c-7d21-9f3e-4a8b2c6d1e05", agent: "codex", repository: "acme/web", pullRequest: "4821", unknownTeam: "platform" });
    // No USD field: the catalogue prices it (or says it cannot).
    expect(["CATALOG", "UNPRICED"]).toContain(stored[0].source);
    // Re-sent: the same ids (Codex gives records none of their own; they are hashed from what identifies them).
    expect((await postOtlp(server.url, "logs", secret, body)).status).toBe(200);
    expect((await rows(org.id)).length).toBe(3);
  });

  test("metrics: codex.turn.cost_microusd is the turn's cost, for conversations no log events count; the token histogram is not read", async () => {
    const { org, secret } = await createTestOrg();
    const res = await postOtlp(server.url, "metrics", secret, shiftedToNow(codexMetrics));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await totals(org.id)).toMatchObject({ n: 1, cost: "0.033525000000", input: 0 });
    // The same conversation's log events, once its metrics count it, add nothing.
    const { org: other, secret: otherSecret } = await createTestOrg();
    await postOtlp(server.url, "logs", otherSecret, shiftedToNow(codexLogs));
    await postOtlp(server.url, "metrics", otherSecret, shiftedToNow(codexMetrics));
    expect((await totals(other.id)).n).toBe(2);
  });
});

describe("Gemini CLI", () => {
  test("api_response: input includes the cache, thoughts are output, the GenAI duplicate record is not counted again", async () => {
    const { org, secret } = await createTestOrg();
    const res = await postOtlp(server.url, "logs", secret, shiftedToNow(geminiLogs));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const stored = await rows(org.id);
    expect(stored.map((r) => `${r.kind} ${r.status} ${r.model ?? r.tool} ${r.input}+${r.cacheRead} → ${r.output} (${r.reasoning}) ${r.subagent ?? "main"}`)).toEqual([
      "LLM OK gemini-2.5-pro 6362+12288 → 1852 (1340) main",
      "TOOL OK run_shell_command 0+0 → 0 (0) main",
      "LLM OK gemini-2.5-pro 4026+16384 → 908 (610) main",
      "LLM OK gemini-2.5-flash 3120+0 → 144 (0) utility_router",
      "LLM ERROR gemini-2.5-pro 0+0 → 0 (0) main",
    ]);
    expect(stored[0]).toMatchObject({
      provider: "google",
      sessionId: "5c1f7e2a-93b4-4d8e-a1f6-0e7b2d9c4a38",
      executionId: "5c1f7e2a-93b4-4d8e-a1f6-0e7b2d9c4a38########1",
      agent: "gemini-cli",
      userId: "dev@example.com",
      latencyMs: 4210,
    });
    expect(stored[4].errorType).toBe("429");
  });

  test("metrics (cumulative, its default): gemini_cli.token.usage alone — the gen_ai.client.token.usage histogram of the same calls is not added — and it sums to what the log events say", async () => {
    const { org: fromLogs, secret: logsSecret } = await createTestOrg();
    await postOtlp(server.url, "logs", logsSecret, shiftedToNow(geminiLogs));
    const { org, secret } = await createTestOrg();
    const body = shiftedToNow(geminiMetrics);
    const res = await postOtlp(server.url, "metrics", secret, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const fromMetrics = await totals(org.id);
    expect(fromMetrics).toMatchObject({ n: 2, input: 10388 + 3120, cacheRead: 28672, output: 2760 + 144, reasoning: 1950 });
    const logs = await totals(fromLogs.id);
    expect({ ...fromMetrics, n: 0 }).toEqual({ ...logs, n: 0 });
    // Cumulative: the same export again is no new spend.
    await postOtlp(server.url, "metrics", secret, body);
    expect(await totals(org.id)).toEqual(fromMetrics);
  });
});

describe("GenAI semantic conventions (traces)", () => {
  test("each chat span is a call (cached input inside input_tokens, reasoning inside output); the invoke_agent span repeating their sum is not counted; execute_tool is a tool call", async () => {
    const { org, secret } = await createTestOrg();
    const body = shiftedToNow(genaiTraces);
    const res = await postOtlp(server.url, "traces", secret, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const stored = await rows(org.id);
    expect(stored.map((r) => `${r.kind} ${r.model ?? r.tool} ${r.input}+${r.cacheRead} → ${r.output} (${r.reasoning})`).sort()).toEqual([
      "LLM gpt-5-mini-2026-08-07 1134+4096 → 918 (640)",
      "LLM gpt-5-mini-2026-08-07 2295+5120 → 1204 (768)",
      "TOOL read_file 0+0 → 0 (0)",
    ]);
    expect(stored[0]).toMatchObject({ provider: "openai", agent: "pr-reviewer", sessionId: "conv_6f1c2a9e8b7d4c3a", repository: "acme/web" });
    // One run: the trace is the execution.
    expect(new Set(stored.map((r) => r.executionId)).size).toBe(1);
    expect(stored[0].executionId).toMatch(/^[0-9a-f]{32}$/);
    await postOtlp(server.url, "traces", secret, body);
    expect((await rows(org.id)).length).toBe(3);
  });
});
