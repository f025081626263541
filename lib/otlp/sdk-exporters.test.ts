// The official OpenTelemetry JS SDK and its OTLP/HTTP exporters (protobuf and JSON) pointed at the
// real receivers: what Claude Code and GenAI apps really put on the wire is read right, the
// exporter sees SUCCESS, and the stored spend is exact. A tap between exporter and server keeps
// the requests, so the wire format itself is asserted too.
import { randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { context, trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pool } from "../db";
import { createTestOrg } from "../testing/fixtures";
import { startMachineServer } from "../testing/machine-server";
import { decodeAnswer, recordingExporter, requestType, startTap, usageTotals, type TTapped } from "../testing/otlp-sdk";

let server: Awaited<ReturnType<typeof startMachineServer>>;
let tap: Awaited<ReturnType<typeof startTap>>;
beforeAll(async () => {
  server = await startMachineServer();
  tap = await startTap(server.url);
});
afterAll(async () => {
  await tap.close();
  await server.close();
});

const ENCODINGS = ["protobuf", "json"] as const;
type TEnc = (typeof ENCODINGS)[number];

function exporterConfig(signal: "logs" | "metrics" | "traces", secret: string, compression?: "gzip") {
  return {
    url: `${tap.url}/api/v1/otlp/v1/${signal}?t=${randomUUID()}`,
    headers: { Authorization: `Bearer ${secret}` },
    ...(compression ? { compression: compression as never } : {}),
  };
}

// The tap's requests of one exporter (its url carries a unique query).
const requestsTo = (url: string) => tap.seen.filter((r) => url.endsWith(r.path));
const bodyOf = (r: TTapped) => (r.headers["content-encoding"] === "gzip" ? gunzipSync(r.body) : r.body);

async function rows(orgId: string) {
  const { rows: list } = await pool().query(
    `SELECT "eventId", kind::text, provider, model, "costUsd"::text AS cost, "costSource"::text AS "costSource", "inputTokens" AS input, "outputTokens" AS output,
            "cacheReadTokens" AS "cacheRead", "cacheWriteTokens" AS "cacheWrite", "sessionId", "executionId", agent, subagent, "userId", "unknownTeam",
            "unknownCostCenter", repository, "pullRequest", "latencyMs"
       FROM "UsageEvent" WHERE "orgId" = $1 ORDER BY "occurredAt", "eventId"`,
    [orgId],
  );
  return list;
}

const CLAUDE_RESOURCE = { "service.name": "claude-code", "service.version": "2.1.230", "team.id": "platform", cost_center: "eng-123", repo: "acme/web", pr: "4821" };

// ——— logs ———

// A Claude Code API request exactly as Claude Code emits it: body "claude_code.<event>", every
// figure a string, event.sequence a number.
function emitApiRequest(logger: ReturnType<LoggerProvider["getLogger"]>, session: string, n: number, figures: { input: number; output: number; cacheRead: number; cacheWrite: number; cost: string }) {
  const now = new Date();
  logger.emit({
    body: "claude_code.api_request",
    timestamp: now,
    attributes: {
      "event.name": "api_request",
      "event.timestamp": now.toISOString(),
      "event.sequence": n,
      "session.id": session,
      "prompt.id": `prompt-${session}`,
      "user.email": "dev@example.com",
      model: "claude-sonnet-4-6",
      input_tokens: String(figures.input),
      output_tokens: String(figures.output),
      cache_read_tokens: String(figures.cacheRead),
      cache_creation_tokens: String(figures.cacheWrite),
      cost_usd: figures.cost,
      duration_ms: "8571",
      request_id: `req_${randomUUID()}`,
    },
  });
}

describe("logs: LoggerProvider + OTLPLogExporter", () => {
  for (const enc of ENCODINGS) {
    for (const processor of ["simple", "batch"] as const) {
      test(`${enc}, ${processor} processor: Claude Code api_request records are stored exactly, the export is a SUCCESS`, async () => {
        const { org, secret } = await createTestOrg();
        const config = exporterConfig("logs", secret, processor === "batch" ? "gzip" : undefined);
        const exporter = recordingExporter(enc === "protobuf" ? new ProtoLogExporter(config) : new JsonLogExporter(config));
        const provider = new LoggerProvider({
          resource: resourceFromAttributes(CLAUDE_RESOURCE),
          processors: [processor === "simple" ? new SimpleLogRecordProcessor({ exporter }) : new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000 })],
        });
        const logger = provider.getLogger("com.anthropic.claude_code.events", "2.1.230");
        const session = randomUUID();
        emitApiRequest(logger, session, 1, { input: 1840, output: 2210, cacheRead: 48213, cacheWrite: 6120, cost: "0.061329" });
        emitApiRequest(logger, session, 2, { input: 920, output: 640, cacheRead: 15022, cacheWrite: 3011, cost: "0.021475" });
        // Not spend: accepted, ignored.
        logger.emit({ body: "claude_code.user_prompt", attributes: { "event.name": "user_prompt", "session.id": session, prompt_length: "87" } });
        await provider.forceFlush();
        await provider.shutdown();

        expect(exporter.results.length).toBeGreaterThan(0);
        expect(exporter.results.map((r) => [r.code, r.error?.message])).toEqual(exporter.results.map(() => [ExportResultCode.SUCCESS, undefined]));
        expect(exporter.results.length).toBe(processor === "simple" ? 3 : 1);
        const stored = await rows(org.id);
        expect(stored).toHaveLength(2);
        // Emitted in the same millisecond: in cost order, not time order.
        expect(stored.map((r) => [r.cost, r.costSource, r.input, r.output, r.cacheRead, r.cacheWrite]).sort((x, y) => Number(y[0]) - Number(x[0]))).toEqual([
          ["0.061329000000", "REPORTED", 1840, 2210, 48213, 6120],
          ["0.021475000000", "REPORTED", 920, 640, 15022, 3011],
        ]);
        for (const r of stored) {
          expect(r).toMatchObject({
            kind: "LLM",
            provider: "anthropic",
            model: "claude-sonnet-4-6",
            sessionId: session,
            executionId: `prompt-${session}`,
            agent: "claude-code",
            userId: "dev@example.com",
            unknownTeam: "platform",
            unknownCostCenter: "eng-123",
            repository: "acme/web",
            pullRequest: "4821",
            latencyMs: 8571,
          });
        }

        // The wire: the exporter's content-type, and the server's answer in it.
        const sent = requestsTo(config.url);
        expect(sent).toHaveLength(exporter.results.length);
        for (const r of sent) {
          expect(String(r.headers["content-type"])).toBe(enc === "protobuf" ? "application/x-protobuf" : "application/json");
          expect(r.headers["content-encoding"]).toBe(processor === "batch" ? "gzip" : undefined);
          expect(r.status).toBe(200);
          expect(decodeAnswer("logs", r.status, String(r.headers["content-type"]), r.response).decodeError).toBeNull();
        }
        const batch = sent.find((r) => bodyOf(r).includes("api_request"))!;
        const decoded =
          enc === "protobuf"
            ? (requestType("logs").toObject(requestType("logs").decode(bodyOf(batch)), { longs: String }) as { resourceLogs: { scopeLogs: { scope: { name: string }; logRecords: { attributes: { key: string; value: Record<string, unknown> }[] }[] }[] }[] })
            : JSON.parse(bodyOf(batch).toString());
        const scope = decoded.resourceLogs[0].scopeLogs[0];
        expect(scope.scope.name).toBe("com.anthropic.claude_code.events");
        const attrs = Object.fromEntries(scope.logRecords[0].attributes.map((a: { key: string; value: Record<string, unknown> }) => [a.key, a.value]));
        // A JS number that is an integer goes out as intValue; the figures Claude Code stringifies as stringValue.
        expect(Object.keys(attrs["event.sequence"])).toEqual(["intValue"]);
        expect(["0.061329", "0.021475"].map((v) => ({ stringValue: v }))).toContainEqual(attrs.cost_usd);
      });
    }
  }

  test("a record's eventName (LogRecord.event_name, proto field 12) names the event without a body", async () => {
    const { org, secret } = await createTestOrg();
    const config = exporterConfig("logs", secret);
    const exporter = recordingExporter(new ProtoLogExporter(config));
    const provider = new LoggerProvider({ resource: resourceFromAttributes(CLAUDE_RESOURCE), processors: [new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger("com.anthropic.claude_code.events").emit({
      eventName: "claude_code.api_request",
      attributes: { "session.id": randomUUID(), model: "claude-sonnet-4-6", input_tokens: "10", output_tokens: "5", cost_usd: "0.0001", request_id: `req_${randomUUID()}` },
    });
    await provider.shutdown();
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    expect((await rows(org.id)).map((r) => [r.cost, r.input, r.output])).toEqual([["0.000100000000", 10, 5]]);
  });

  test("a refused export (a read-only key) is a FAILED result for the exporter, not retried, nothing stored", async () => {
    const { org, secret } = await createTestOrg({ scopes: ["read"] });
    const config = exporterConfig("logs", secret);
    const exporter = recordingExporter(new ProtoLogExporter(config));
    const provider = new LoggerProvider({ resource: resourceFromAttributes(CLAUDE_RESOURCE), processors: [new SimpleLogRecordProcessor({ exporter })] });
    emitApiRequest(provider.getLogger("com.anthropic.claude_code.events"), randomUUID(), 1, { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cost: "0.01" });
    await provider.shutdown();
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    // 403 is not retryable (OTLP/HTTP): one request.
    expect(requestsTo(config.url).map((r) => r.status)).toEqual([403]);
    expect((await usageTotals(org.id)).n).toBe(0);
  });
});

// ——— metrics ———

type TMetricsRig = {
  counters: { cost: ReturnType<ReturnType<MeterProvider["getMeter"]>["createCounter"]>; tokens: ReturnType<ReturnType<MeterProvider["getMeter"]>["createCounter"]> };
  flush: () => Promise<void>;
  exporter: { results: { code: ExportResultCode; error?: Error }[] };
  url: string;
  shutdown: () => Promise<void>;
};

function metricsRig(enc: TEnc, secret: string, temporality: "delta" | "cumulative"): TMetricsRig {
  const config = {
    ...exporterConfig("metrics", secret),
    temporalityPreference: temporality === "delta" ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter = recordingExporter(enc === "protobuf" ? new ProtoMetricExporter(config) : new JsonMetricExporter(config));
  // An hour between exports: only forceFlush exports.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(CLAUDE_RESOURCE), readers: [reader] });
  const meter = provider.getMeter("com.anthropic.claude_code", "2.1.230");
  return {
    counters: {
      cost: meter.createCounter("claude_code.cost.usage", { unit: "USD", description: "Cost of the Claude Code session" }),
      tokens: meter.createCounter("claude_code.token.usage", { unit: "tokens", description: "Number of tokens used" }),
    },
    flush: () => reader.forceFlush(),
    exporter,
    url: config.url,
    shutdown: () => provider.shutdown(),
  };
}

// One API call's counters, as Claude Code adds them: the cost, then each token type (a type with no
// tokens is not added). The SDK stamps a new series with Date.now() (ms) as its start time; the adds
// start on a fresh millisecond so that they share it, as they almost always do in Claude Code —
// see "a call's counters straddling a millisecond" below for when they do not.
function use(rig: TMetricsRig, attrs: Record<string, string>, cost: number, t: Partial<Record<"input" | "output" | "cacheRead" | "cacheCreation", number>>, straddle = false) {
  const t0 = Date.now();
  while (Date.now() === t0) {
    // spin to the next millisecond
  }
  rig.counters.cost.add(cost, attrs);
  if (straddle) {
    const t1 = Date.now();
    while (Date.now() === t1) {
      // spin: the tokens land one millisecond later
    }
  }
  for (const [type, n] of Object.entries(t)) if (n) rig.counters.tokens.add(n, { ...attrs, type });
}

describe("metrics: MeterProvider + PeriodicExportingMetricReader + OTLPMetricExporter", () => {
  for (const enc of ENCODINGS) {
    for (const temporality of ["delta", "cumulative"] as const) {
      test(`${enc}, ${temporality}: two exports with more usage between are exactly the usage added; a third with none adds nothing`, async () => {
        const { org, secret } = await createTestOrg();
        const rig = metricsRig(enc, secret, temporality);
        const session = randomUUID();
        const attrs = { "session.id": session, model: "claude-sonnet-4-6", "user.account_uuid": "a39ebdff", "terminal.type": "vscode" };
        use(rig, attrs, 0.061329, { input: 1840, output: 2210, cacheRead: 48213, cacheCreation: 6120 });
        await rig.flush();
        const first = await usageTotals(org.id);
        expect(first).toEqual({ n: 1, cost: "0.061329000000", input: 1840, output: 2210, cacheRead: 48213, cacheWrite: 6120 });

        use(rig, attrs, 0.021475, { input: 920, output: 640, cacheRead: 15022, cacheCreation: 3011 });
        use(rig, { ...attrs, model: "claude-haiku-4-5" }, 0.00052, { input: 310, output: 42, cacheRead: 0, cacheCreation: 0 });
        await rig.flush();
        const second = await usageTotals(org.id);
        // Cumulative re-sends the running totals: only the increase is new spend.
        expect(second).toEqual({ n: 3, cost: "0.083324000000", input: 3070, output: 2892, cacheRead: 63235, cacheWrite: 9131 });

        // Nothing new: a delta exporter sends nothing (or zeros), a cumulative one the same totals again.
        await rig.flush();
        expect(await usageTotals(org.id)).toEqual(second);
        await rig.shutdown();

        expect(rig.exporter.results.length).toBeGreaterThanOrEqual(2);
        expect(rig.exporter.results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
        const stored = await rows(org.id);
        expect(stored.every((r) => r.sessionId === session && r.agent === "claude-code" && r.costSource === "REPORTED" && r.executionId === null)).toBe(true);
        // What the wire said about temporality (OTLP AggregationTemporality: 1 delta, 2 cumulative).
        const sent = requestsTo(rig.url).filter((r) => bodyOf(r).length > 0);
        const temporalities = new Set<number>();
        for (const r of sent) {
          const body = bodyOf(r);
          const decoded =
            enc === "protobuf"
              ? (requestType("metrics").toObject(requestType("metrics").decode(body), { longs: String, enums: Number }) as { resourceMetrics?: { scopeMetrics: { metrics: { sum?: { aggregationTemporality: number } }[] }[] }[] })
              : JSON.parse(body.toString());
          for (const rm of decoded.resourceMetrics ?? []) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) if (m.sum) temporalities.add(m.sum.aggregationTemporality);
        }
        expect([...temporalities]).toEqual([temporality === "delta" ? 1 : 2]);
      });
    }
  }

  // BUG (lib/otlp/metrics.ts groupKeyOf, not fixed here): the points of one call are grouped by
  // EXACT startTimeUnixNano and timeUnixNano. The JS SDK stamps each new series (cost; tokens by
  // type) with the millisecond of its first add, so cost and tokens of one call that straddle a
  // millisecond — or a token type first seen in a later call (cacheRead after a cold first call) —
  // land in different groups: the cost event is REPORTED and the tokens-only event is priced again
  // from the catalogue. Spend is counted twice.
  for (const temporality of ["delta", "cumulative"] as const) {
    test(`${temporality}: a call's counters straddling a millisecond are still one call (not its cost plus a catalogue price of its tokens)`, async () => {
      const { org, secret } = await createTestOrg();
      const rig = metricsRig("protobuf", secret, temporality);
      use(rig, { "session.id": randomUUID(), model: "claude-sonnet-4-6" }, 0.061329, { input: 1840, output: 2210, cacheRead: 48213, cacheCreation: 6120 }, true);
      await rig.flush();
      await rig.shutdown();
      expect(await usageTotals(org.id)).toMatchObject({ cost: "0.061329000000", input: 1840, output: 2210 });
    });

    test(`${temporality}: a token type first used in a later call (cache reads after a cold start) is not priced a second time`, async () => {
      const { org, secret } = await createTestOrg();
      const rig = metricsRig("json", secret, temporality);
      const attrs = { "session.id": randomUUID(), model: "claude-sonnet-4-6" };
      use(rig, attrs, 0.04, { input: 1840, output: 2210, cacheCreation: 6120 });
      await rig.flush();
      await new Promise((r) => setTimeout(r, 5));
      use(rig, attrs, 0.02, { input: 920, output: 640, cacheRead: 6120 });
      await rig.flush();
      await rig.shutdown();
      expect(await usageTotals(org.id)).toMatchObject({ cost: "0.060000000000", input: 2760, output: 2850, cacheRead: 6120, cacheWrite: 6120 });
    });
  }

  test("cumulative: a new process (a new MeterProvider, same session.id) is a new series counted from zero", async () => {
    const { org, secret } = await createTestOrg();
    const session = randomUUID();
    const attrs = { "session.id": session, model: "claude-sonnet-4-6" };
    const a = metricsRig("protobuf", secret, "cumulative");
    use(a, attrs, 0.5, { input: 100, output: 10, cacheRead: 0, cacheCreation: 0 });
    await a.flush();
    await a.shutdown();
    // A restarted process: its own start time; its totals start again at zero.
    await new Promise((r) => setTimeout(r, 5));
    const b = metricsRig("json", secret, "cumulative");
    use(b, attrs, 0.25, { input: 50, output: 5, cacheRead: 0, cacheCreation: 0 });
    await b.flush();
    use(b, attrs, 0.25, { input: 50, output: 5, cacheRead: 0, cacheCreation: 0 });
    await b.flush();
    await b.shutdown();
    expect(await usageTotals(org.id)).toMatchObject({ cost: "1.000000000000", input: 200, output: 20 });
  });
});

// ——— traces ———

describe("traces: BasicTracerProvider + OTLPTraceExporter, GenAI conventions", () => {
  for (const enc of ENCODINGS) {
    for (const processor of ["batch", "simple"] as const) {
      test(`${enc}, ${processor} processor: an invoke_agent span over two chat spans is two LLM rows of the agent, in the trace's execution`, async () => {
        const { org, secret } = await createTestOrg();
        const config = exporterConfig("traces", secret);
        const exporter = recordingExporter(enc === "protobuf" ? new ProtoTraceExporter(config) : new JsonTraceExporter(config));
        const provider = new BasicTracerProvider({
          resource: resourceFromAttributes({ "service.name": "support-bot" }),
          spanProcessors: [processor === "batch" ? new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 }) : new SimpleSpanProcessor(exporter)],
        });
        const tracer = provider.getTracer("openai-agents", "0.3.0");
        const conversation = randomUUID();
        const agentName = "Support Triage";
        const calls = [
          { input: 1200, cacheRead: 1000, output: 150 },
          { input: 800, cacheRead: 0, output: 90 },
        ];
        const agent = tracer.startSpan(`invoke_agent ${agentName}`, {
          kind: SpanKind.INTERNAL,
          attributes: {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": "openai",
            "gen_ai.agent.name": agentName,
            "gen_ai.conversation.id": conversation,
            "gen_ai.request.model": "gpt-4o-mini",
            // The agent repeats its children's sum: never counted again.
            "gen_ai.usage.input_tokens": 2000,
            "gen_ai.usage.cache_read.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 240,
          },
        });
        const parent = trace.setSpan(context.active(), agent);
        for (const c of calls) {
          const chat = tracer.startSpan(
            "chat gpt-4o-mini",
            {
              kind: SpanKind.CLIENT,
              attributes: {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
                "gen_ai.usage.input_tokens": c.input,
                "gen_ai.usage.cache_read.input_tokens": c.cacheRead,
                "gen_ai.usage.output_tokens": c.output,
                "gen_ai.agent.name": agentName,
                "gen_ai.conversation.id": conversation,
              },
            },
            parent,
          );
          chat.setStatus({ code: SpanStatusCode.OK });
          chat.end();
        }
        agent.end();
        await provider.forceFlush();
        await provider.shutdown();

        expect(exporter.results.length).toBe(processor === "batch" ? 1 : 3);
        expect(exporter.results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
        const traceId = agent.spanContext().traceId;
        const stored = await rows(org.id);
        expect(stored).toHaveLength(2);
        // OpenAI semantics: input includes the cache reads; stored exclusive.
        expect(stored.map((r) => [r.kind, r.provider, r.model, r.input, r.cacheRead, r.output]).sort()).toEqual(
          [
            ["LLM", "openai", "gpt-4o-mini-2024-07-18", 200, 1000, 150],
            ["LLM", "openai", "gpt-4o-mini-2024-07-18", 800, 0, 90],
          ].sort(),
        );
        for (const r of stored) {
          expect(r).toMatchObject({ agent: agentName, subagent: null, executionId: traceId, sessionId: conversation });
          expect(r.eventId).toMatch(/^span:/);
        }
        // The ids on the wire: 16 bytes / 8 bytes in protobuf, hex in JSON.
        const sent = requestsTo(config.url);
        expect(sent.every((r) => r.status === 200)).toBe(true);
        if (enc === "json") {
          const spans = sent.flatMap((r) => JSON.parse(bodyOf(r).toString()).resourceSpans[0].scopeSpans[0].spans);
          expect(spans.map((s: { traceId: string }) => s.traceId)).toEqual([traceId, traceId, traceId]);
          expect(spans.every((s: { startTimeUnixNano: unknown }) => typeof s.startTimeUnixNano === "string" || typeof s.startTimeUnixNano === "number")).toBe(true);
        }
      });
    }
  }
});
