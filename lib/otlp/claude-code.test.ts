// Claude Code's OpenTelemetry export (issue 10): its log events and metrics, as the fixtures record
// them, through real HTTP into a real Postgres; what a platform lead would check on the overview.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool, prisma } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { kv, postOtlp, shiftedToNow } from "../testing/otlp";
import logsFixture from "./fixtures/claude-code.logs.json";
import cumulative1 from "./fixtures/claude-code.metrics.cumulative-1.json";
import cumulative2 from "./fixtures/claude-code.metrics.cumulative-2.json";
import cumulative3 from "./fixtures/claude-code.metrics.cumulative-3.json";
import deltaFixture from "./fixtures/claude-code.metrics.delta.json";

let server: Awaited<ReturnType<typeof startMachineServer>>;
beforeAll(async () => {
  server = await startMachineServer();
});
afterAll(() => server.close());

async function events(orgId: string) {
  const { rows } = await pool().query(
    `SELECT "eventId", kind::text, model, "costUsd"::text AS cost, "costSource"::text AS source, "inputTokens" AS input, "outputTokens" AS output,
            "cacheReadTokens" AS "cacheRead", "cacheWriteTokens" AS "cacheWrite", "sessionId", "executionId", agent, subagent, "userId", "unknownTeam",
            "unknownCostCenter", repository, "pullRequest", status::text, "errorType", tool, attempt
       FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt", "eventId"`,
    [orgId],
  );
  return rows;
}

const total = async (orgId: string) =>
  (await pool().query(`SELECT coalesce(sum("costUsd"), 0)::text AS t, count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [orgId])).rows[0] as { t: string; n: number };

describe("Claude Code log events", () => {
  test("api_request → a priced call with its own cost, api_error → a failed call, tool_result → a tool call; the rest is not spend", async () => {
    const { org, secret } = await createTestOrg();
    const res = await postOtlp(server.url, "logs", secret, shiftedToNow(logsFixture));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const rows = await events(org.id);
    expect(rows.map((r) => `${r.kind} ${r.model ?? r.tool} ${r.cost} ${r.status}`)).toEqual([
      "LLM claude-sonnet-4-6 0.061329000000 OK",
      "LLM claude-sonnet-4-6 0.021475000000 OK",
      "TOOL Bash 0.000000000000 OK",
      "LLM claude-sonnet-4-6 0.000000000000 ERROR",
    ]);
    const [first, subagentCall, tool, error] = rows;
    // Anthropic counts: input excludes the cache; each class stored once.
    expect(first).toMatchObject({ input: 1840, output: 2210, cacheRead: 48213, cacheWrite: 6120, source: "REPORTED" });
    expect(first).toMatchObject({
      sessionId: "6e2a8c02-aec9-4272-bcde-9843b25ad407",
      executionId: "5b1d0c3e-6f5a-4c1b-9a77-0d3f2e1c4b5a",
      agent: "claude-code",
      subagent: null,
      userId: "dev@example.com",
      unknownTeam: "platform",
      unknownCostCenter: "eng-123",
      repository: "acme/web",
      pullRequest: "4821",
    });
    expect(subagentCall.subagent).toBe("code-reviewer");
    expect(tool).toMatchObject({ kind: "TOOL", tool: "Bash", status: "OK" });
    expect(error).toMatchObject({ status: "ERROR", errorType: "529", attempt: 11 });
    expect(await total(org.id)).toEqual({ t: "0.082804000000", n: 4 });
  });

  test("a re-sent export (same body, gzip this time) changes nothing", async () => {
    const { org, secret } = await createTestOrg();
    const body = shiftedToNow(logsFixture);
    expect((await postOtlp(server.url, "logs", secret, body)).status).toBe(200);
    const before = await total(org.id);
    const again = await postOtlp(server.url, "logs", secret, body, { gzip: true });
    expect(again.status).toBe(200);
    expect(await total(org.id)).toEqual(before);
  });
});

describe("Claude Code metrics, delta temporality (its default)", () => {
  test("cost.usage and token.usage of one window make one event per session, model and query source: the cost once, each token class once", async () => {
    const { org, secret } = await createTestOrg();
    const res = await postOtlp(server.url, "metrics", secret, shiftedToNow(deltaFixture));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rows = await events(org.id);
    // The subagent's points carry agent.name; the auxiliary (title, compaction) calls only query_source.
    const byModel = rows.map((r) => `${r.model} ${r.subagent ?? "main"} ${r.cost} ${r.input}/${r.output}/${r.cacheRead}/${r.cacheWrite}`).sort();
    expect(byModel).toEqual([
      "claude-haiku-4-5 auxiliary 0.000520000000 310/42/0/0",
      "claude-sonnet-4-6 code-reviewer 0.021475000000 920/640/15022/3011",
      "claude-sonnet-4-6 main 0.061329000000 1840/2210/48213/6120",
    ]);
    // The reported cost, not a catalogue price; no execution (a window is not one call).
    expect(rows.every((r) => r.source === "REPORTED" && r.executionId === null && r.sessionId === "6e2a8c02-aec9-4272-bcde-9843b25ad407")).toBe(true);
    expect((await total(org.id)).t).toBe("0.083324000000");
  });

  test("a re-sent export changes nothing", async () => {
    const { org, secret } = await createTestOrg();
    const body = shiftedToNow(deltaFixture);
    await postOtlp(server.url, "metrics", secret, body);
    const again = await postOtlp(server.url, "metrics", secret, body, { gzip: true });
    expect(again.status).toBe(200);
    expect(await total(org.id)).toEqual({ t: "0.083324000000", n: 3 });
  });
});

describe("a session with both exporters on is counted once", () => {
  test("log events first (as Claude Code sends them): the session's metrics are not counted again, and the response says so", async () => {
    const { org, secret } = await createTestOrg();
    await postOtlp(server.url, "logs", secret, shiftedToNow(logsFixture));
    const res = await postOtlp(server.url, "metrics", secret, shiftedToNow(deltaFixture));
    expect(res.status).toBe(200);
    expect(res.body.partialSuccess.rejectedDataPoints).toBe(0);
    expect(res.body.partialSuccess.errorMessage).toMatch(/13 data points of sessions counted from their log events were not counted again/);
    expect(await total(org.id)).toEqual({ t: "0.082804000000", n: 4 });
  });

  test("metrics first: the session stays on metrics, its log events add nothing", async () => {
    const { org, secret } = await createTestOrg();
    await postOtlp(server.url, "metrics", secret, shiftedToNow(deltaFixture));
    const res = await postOtlp(server.url, "logs", secret, shiftedToNow(logsFixture));
    expect(res.status).toBe(200);
    expect(res.body.partialSuccess.errorMessage).toMatch(/records of sessions already counted from their metrics were not counted again/);
    expect(await total(org.id)).toEqual({ t: "0.083324000000", n: 3 });
  });
});

describe("Claude Code metrics, cumulative temporality", () => {
  test("running totals become deltas per series; two processes sharing a session.id are two series; a restart counts from zero; re-sends and late exports add nothing", async () => {
    const { org, secret } = await createTestOrg();
    // One shift for all three exports keeps their order and spacing.
    const [one, two, three] = shiftedToNow([cumulative1, cumulative2, cumulative3]);
    const send = async (body: unknown) => {
      const res = await postOtlp(server.url, "metrics", secret, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (await total(org.id)).t;
    };
    // Process A (vscode) at $0.0981 and process B (iTerm) at $0.033075, same session.id.
    expect(await send(one)).toBe("0.131175000000");
    // A's total grows to $0.1884: +$0.0903.
    expect(await send(two)).toBe("0.221475000000");
    // A re-sent, and an older export arriving late: nothing new.
    expect(await send(two)).toBe("0.221475000000");
    expect(await send(one)).toBe("0.221475000000");
    // A restarted (new start time, $0.033 since): all of it is new.
    expect(await send(three)).toBe("0.254475000000");
    expect(await send(three)).toBe("0.254475000000");
    const tokens = (await pool().query(`SELECT sum("inputTokens")::int AS i, sum("outputTokens")::int AS o, sum("cacheReadTokens")::int AS r, sum("cacheWriteTokens")::int AS w FROM "UsageEvent" WHERE "orgId" = $1`, [org.id])).rows[0];
    // A: 2500 + 300, B: 400 input; A: 7100 + 900, B: 1100 output; …
    expect(tokens).toEqual({ i: 3200, o: 9100, r: 130000, w: 18500 });
  });
});

describe("the events API's path: budgets, alerts and runaway detection apply", () => {
  test("Claude Code retrying one failing request (api_error, same prompt) is caught as a retry loop on its prompt's execution", async () => {
    const { org, secret } = await createTestOrg();
    const base = Date.now() - 2 * 60_000;
    const attempt = (n: number) => ({
      timeUnixNano: String(BigInt(base + n * 4000) * 1_000_000n),
      body: { stringValue: "claude_code.api_error" },
      attributes: kv({
        "session.id": "s-loop",
        "prompt.id": "p-loop",
        "event.name": "api_error",
        model: "claude-sonnet-4-5",
        error: "Overloaded",
        status_code: "529",
        attempt: String(n),
        client_request_id: "c-loop",
        duration_ms: "30000",
      }),
    });
    const body = { resourceLogs: [{ resource: { attributes: kv({ "service.name": "claude-code" }) }, scopeLogs: [{ scope: { name: "com.anthropic.claude_code.events" }, logRecords: [1, 2, 3, 4].map(attempt) }] }] };
    expect((await postOtlp(server.url, "logs", secret, body)).status).toBe(200);
    const anomalies = await prisma().anomaly.findMany({ where: { orgId: org.id } });
    expect(anomalies.map((a) => `${a.kind} ${a.executionId} ${a.agent}`)).toEqual(["RETRY_LOOP p-loop claude-code"]);
    const execution = await prisma().execution.findFirstOrThrow({ where: { orgId: org.id, executionId: "p-loop" } });
    // Prisma reads the bigint counters as BigInt; attempts after the first count as retries.
    expect(execution).toMatchObject({ calls: 4n, errors: 4n, retries: 3n, status: "BLOCKED" });
  });
});
