// npm run bench:otlp: OTLP log ingest against the events API, in the same run on the same server.
//
//   npx tsx scripts/bench/otlp.ts [--rounds 3] [--seconds 8] [--warmup 2] [--clients 4] [--wait-quiet SECONDS]
//     [--node-flag FLAG]... [--verbose] (the ingest bench's options; --node-flag --trace-incremental-marking
//     with --verbose shows why V8 marks the heap)
//
// The same calls three ways, 1,000 per request, 4 closed-loop clients (the ingest bench's batch-1000
// load): POST /api/v1/events with {"events": [1,000 events]}, and POST /api/v1/otlp/v1/logs with one
// export of 1,000 `claude_code.api_request` records as Claude Code sends them (every attribute it
// sets, numbers as strings) in OTLP/JSON and in protobuf. The three interleave for --rounds rounds
// (rotating which goes first) so drift in this machine's speed falls on all; background jobs off
// (JOBS_INTERVAL_MS=0) so a periodic sweep does not land on one variant's window; per round the ratio
// OTLP / events (target ≥ 0.8), and the median. Every response is checked (200, all taken) and the
// stored rows are counted against it at the end.
// Database as in `npm run bench` (DATABASE_URL → database burnrate_bench; else embedded). Prints a
// summary and one `BENCH_OTLP {json}` line; exit code 1 if a request failed or the counts disagree.
import { randomBytes } from "node:crypto";
import protobuf from "protobufjs";
import descriptor from "../../lib/otlp/proto/otlp.json";
import { closeDb, pool } from "../../lib/db";
import { createBenchOrg, databaseFacts, emptyUsageTables, prepareBenchDatabase, type TBenchOrg } from "./bench-database";
import { ensureBuild, startServer } from "./bench-server";
import { Cleanups } from "./cleanup";
import { CpuMeter } from "./cpu";
import { fmt, type TLog } from "./format";
import { percentile, runPhase, type TBodySource, type TPhaseResult, type TRequestBody } from "./load";
import { parseArgs } from "./options";
import { waitQuiet } from "./scenarios";
import { REPOSITORIES, USERS } from "./workload";

const log: TLog = (line) => console.log(`[bench:otlp] ${line}`);
const PER_REQUEST = 1000;
const MODELS = [
  { model: "claude-sonnet-4-5", perMTokIn: 3, perMTokOut: 15 },
  { model: "claude-haiku-4-5", perMTokIn: 1, perMTokOut: 5 },
  { model: "claude-opus-4-1", perMTokIn: 15, perMTokOut: 75 },
];

type TVariant = "events" | "otlp-json" | "otlp-protobuf";
const VARIANTS: TVariant[] = ["events", "otlp-json", "otlp-protobuf"];

function ownArgs(argv: string[]) {
  const own = { rounds: 3, clients: 4 };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rounds") own.rounds = Number(argv[++i]);
    else if (argv[i] === "--clients") own.clients = Number(argv[++i]);
    else rest.push(argv[i]);
  }
  return { own, rest };
}

// One Claude Code API call, the same facts for every encoding.
type TCall = {
  id: string;
  at: Date;
  session: string;
  prompt: string;
  sequence: number;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  costUsd: string;
  durationMs: number;
  user: string;
  repository: string;
  subagent: string | null;
};

let callCounter = 0;
// A session exports many times (Claude Code every 5 s): 16 sessions take turns.
function makeCalls(tag: string, body: number): TCall[] {
  const session = `${tag}-s${body % 16}`;
  const calls: TCall[] = [];
  for (let i = 0; i < PER_REQUEST; i++) {
    const n = callCounter++;
    const m = MODELS[n % MODELS.length];
    const input = 200 + (n % 3000);
    const output = 100 + (n % 1500);
    const cacheRead = (n % 7) * 4000;
    const cacheWrite = (n % 5) * 500;
    const cost = (input * m.perMTokIn + output * m.perMTokOut + cacheRead * m.perMTokIn * 0.1 + cacheWrite * m.perMTokIn * 1.25) / 1e6;
    calls.push({
      id: `req_${tag}_${n}`,
      at: new Date(Date.now() - 60_000 + (n % 50_000)),
      session,
      prompt: `${session}-p${Math.floor(i / 20)}`,
      sequence: i + 1,
      model: m.model,
      input,
      output,
      cacheRead,
      cacheWrite,
      costUsd: cost.toFixed(6),
      durationMs: 800 + (n % 9000),
      user: USERS[n % USERS.length],
      repository: REPOSITORIES[n % REPOSITORIES.length],
      subagent: n % 4 === 0 ? "code-reviewer" : null,
    });
  }
  return calls;
}

function eventsBody(calls: TCall[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      events: calls.map((c) => ({
        id: c.id,
        timestamp: c.at.toISOString(),
        provider: "anthropic",
        model: c.model,
        usage: { input_tokens: c.input, output_tokens: c.output, cache_read_tokens: c.cacheRead, cache_write_tokens: c.cacheWrite },
        cost_usd: c.costUsd,
        session_id: c.session,
        execution_id: c.prompt,
        agent: "claude-code",
        ...(c.subagent ? { subagent: c.subagent } : {}),
        user: c.user,
        team: "platform",
        cost_center: "eng-123",
        repository: c.repository,
        pull_request: "4821",
        latency_ms: c.durationMs,
      })),
    }),
  );
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

// The export Claude Code's OTLP log exporter sends (docs/opentelemetry.md; lib/otlp/fixtures).
function otlpRequest(calls: TCall[]) {
  const resource = [
    str("service.name", "claude-code"),
    str("service.version", "2.1.230"),
    str("os.type", "darwin"),
    str("os.version", "24.6.0"),
    str("host.arch", "arm64"),
    str("team", "platform"),
    str("cost_center", "eng-123"),
    str("pr", "4821"),
  ];
  return {
    resourceLogs: [
      {
        resource: { attributes: resource },
        scopeLogs: [
          {
            scope: { name: "com.anthropic.claude_code.events", version: "2.1.230" },
            logRecords: calls.map((c) => {
              const nanos = String(BigInt(c.at.getTime()) * 1_000_000n);
              return {
                timeUnixNano: nanos,
                observedTimeUnixNano: nanos,
                body: { stringValue: "claude_code.api_request" },
                attributes: [
                  str("user.id", "3f1c9a7e0b4d4c2a8e5f6a7b8c9d0e1f3f1c9a7e0b4d4c2a8e5f6a7b8c9d0e1f"),
                  str("session.id", c.session),
                  str("organization.id", "d3814445-8126-480c-b168-d54b2a31a9fd"),
                  str("user.email", c.user),
                  str("user.account_uuid", "a39ebdff-3873-4c5e-9d1a-2b7f3c4d5e6f"),
                  str("terminal.type", "vscode"),
                  str("repo", c.repository),
                  str("event.name", "api_request"),
                  str("event.timestamp", c.at.toISOString()),
                  { key: "event.sequence", value: { intValue: String(c.sequence) } },
                  str("prompt.id", c.prompt),
                  str("model", c.model),
                  str("input_tokens", String(c.input)),
                  str("output_tokens", String(c.output)),
                  str("cache_read_tokens", String(c.cacheRead)),
                  str("cache_creation_tokens", String(c.cacheWrite)),
                  str("cost_usd", c.costUsd),
                  str("duration_ms", String(c.durationMs)),
                  str("request_id", c.id),
                  str("speed", "normal"),
                  str("query_source", c.subagent ? "subagent" : "repl_main_thread"),
                  ...(c.subagent ? [str("agent.name", c.subagent)] : []),
                ],
              };
            }),
          },
        ],
      },
    ],
  };
}

const LogsRequest = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");

function bodyOf(variant: TVariant, calls: TCall[]): Buffer {
  if (variant === "events") return eventsBody(calls);
  const request = otlpRequest(calls);
  if (variant === "otlp-json") return Buffer.from(JSON.stringify(request));
  return Buffer.from(LogsRequest.encode(LogsRequest.fromObject(request)).finish());
}

// Pre-serialized bodies, one client's share each; unique calls per body (no duplicates).
class Bodies implements TBodySource {
  private next = 0;
  late = 0;
  constructor(
    private readonly variant: TVariant,
    private readonly tag: string,
    private readonly org: TBenchOrg,
    private readonly bodies: TRequestBody[] = [],
  ) {}
  fill(n: number): void {
    while (this.bodies.length < n) this.bodies.push({ body: bodyOf(this.variant, makeCalls(`${this.tag}-${this.variant}`, this.bodies.length)), events: PER_REQUEST });
  }
  take(): TRequestBody {
    if (this.next >= this.bodies.length) {
      this.late++;
      this.fill(this.bodies.length + 1);
    }
    return this.bodies[this.next++];
  }
  authorization(c: number): string {
    return `Bearer ${this.org.keys[c % this.org.keys.length].secret}`;
  }
}

const PATHS: Record<TVariant, string> = { events: "/api/v1/events", "otlp-json": "/api/v1/otlp/v1/logs", "otlp-protobuf": "/api/v1/otlp/v1/logs" };
const CONTENT_TYPES: Record<TVariant, string> = { events: "application/json", "otlp-json": "application/json", "otlp-protobuf": "application/x-protobuf" };
const LogsResponse = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse");

// All taken: no partialSuccess, or one that rejected nothing.
function otlpAccepted(variant: TVariant) {
  return (text: string, events: number): number => {
    let rejected = 0;
    if (variant === "otlp-json") rejected = Number(JSON.parse(text).partialSuccess?.rejectedLogRecords ?? 0);
    else rejected = Number((LogsResponse.toObject(LogsResponse.decode(Buffer.from(text, "latin1")), { longs: String }) as { partialSuccess?: { rejectedLogRecords?: string } }).partialSuccess?.rejectedLogRecords ?? 0);
    return events - rejected;
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(cleanups: Cleanups): Promise<number> {
  const { own, rest } = ownArgs(process.argv.slice(2));
  const opts = parseArgs([...rest, "--only", "batch1000"], new URL(import.meta.url));
  // The comparison is of ingest paths: no background job (anomaly sweep, baselines) lands its
  // periodic work on one variant's window. Override with --server-env JOBS_INTERVAL_MS=5000.
  opts.serverEnv = { JOBS_INTERVAL_MS: "0", ...opts.serverEnv };
  await ensureBuild(opts, log);
  const db = await prepareBenchDatabase(log, cleanups);
  await emptyUsageTables(log);
  const facts = await databaseFacts(db.url);
  const tag = `otlp-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
  const server = await startServer(db.url, opts, log, cleanups);
  const meter = new CpuMeter(server.child.pid!, facts.postmaster);
  const orgs = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await createBenchOrg(`${tag}-${v}`)] as const))) as Record<TVariant, TBenchOrg>;
  const accepted: Record<TVariant, number> = { events: 0, "otlp-json": 0, "otlp-protobuf": 0 };
  let failures = 0;
  // threadsUsPerEvent: the server's CPU per call by thread (request thread · busiest other — the
  // decoding thread — · the rest: V8's GC and compiler helpers, libuv).
  const rounds: Record<TVariant, { eventsPerSecond: number; p50: number; cpuUsPerEvent: number; serverUsPerEvent: number; threadsUsPerEvent: [number, number, number]; bytesPerEvent: number }>[] = [];
  const guessPerSecond = 25_000;
  for (let round = 0; round < own.rounds; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    const result = {} as (typeof rounds)[number];
    for (const variant of order) {
      const bodies = new Bodies(variant, `${tag}-r${round}`, orgs[variant]);
      bodies.fill(Math.ceil((guessPerSecond * (opts.seconds + opts.warmup) * 1.5) / PER_REQUEST) + own.clients * 2);
      const phase = (seconds: number): Promise<TPhaseResult> =>
        runPhase({
          url: new URL(PATHS[variant], server.url),
          clients: own.clients,
          seconds,
          source: bodies,
          ...(variant === "events" ? {} : { contentType: CONTENT_TYPES[variant], acceptedOf: otlpAccepted(variant) }),
        });
      const warm = await phase(opts.warmup);
      await waitQuiet(meter, opts.waitQuiet, log);
      const before = meter.sample();
      const measured = await phase(opts.seconds);
      const cpu = CpuMeter.split(before, meter.sample());
      for (const p of [warm, measured]) {
        accepted[variant] += p.eventsAccepted;
        failures += p.failures;
        for (const [kind, n] of p.failureKinds) log(`  FAILED ×${n}: ${kind}`);
      }
      const eventsPerSecond = measured.eventsAccepted / measured.seconds;
      const sorted = measured.latenciesMs.slice().sort();
      result[variant] = {
        eventsPerSecond,
        p50: percentile(sorted, 50),
        cpuUsPerEvent: ((cpu.serverCores + cpu.postgresCores) * 1e6) / eventsPerSecond,
        serverUsPerEvent: (cpu.serverCores * 1e6) / eventsPerSecond,
        threadsUsPerEvent: [cpu.serverThreads.request, cpu.serverThreads.busiestOther, cpu.serverThreads.rest].map((cores) => (cores * 1e6) / eventsPerSecond) as [number, number, number],
        bytesPerEvent: bodies.take().body.length / PER_REQUEST,
      };
      log(`round ${round + 1} ${variant}: ${fmt(eventsPerSecond)} events/s, p50 ${fmt(result[variant].p50, 1)} ms per request, ${fmt(result[variant].cpuUsPerEvent)} CPU-µs/event (server ${fmt(result[variant].serverUsPerEvent)}: threads ${result[variant].threadsUsPerEvent.map((x) => fmt(x)).join(" · ")})${bodies.late ? ` (WARNING: ${bodies.late} bodies built during the run)` : ""}`);
    }
    rounds.push(result);
  }
  await new Promise((r) => setTimeout(r, 500));
  // Every taken call is one stored row, in each variant's own org.
  const stored = Object.fromEntries(
    await Promise.all(VARIANTS.map(async (v) => [v, Number((await pool().query(`SELECT count(*)::bigint AS n FROM "UsageEvent" WHERE "orgId" = $1`, [orgs[v].orgId])).rows[0].n)] as const)),
  ) as Record<TVariant, number>;
  const consistent = VARIANTS.every((v) => stored[v] === accepted[v]);

  const ratio = (v: TVariant) => rounds.map((r) => r[v].eventsPerSecond / r.events.eventsPerSecond);
  const summary = {
    rounds: rounds.map((r) => Object.fromEntries(VARIANTS.map((v) => [v, Math.round(r[v].eventsPerSecond)]))),
    jsonOverEvents: ratio("otlp-json").map((x) => Number(x.toFixed(3))),
    protobufOverEvents: ratio("otlp-protobuf").map((x) => Number(x.toFixed(3))),
    medianJsonOverEvents: Number(median(ratio("otlp-json")).toFixed(3)),
    medianProtobufOverEvents: Number(median(ratio("otlp-protobuf")).toFixed(3)),
    cpuUsPerEvent: Object.fromEntries(VARIANTS.map((v) => [v, Math.round(median(rounds.map((r) => r[v].cpuUsPerEvent)))])),
    serverCpuUsPerEvent: Object.fromEntries(VARIANTS.map((v) => [v, Math.round(median(rounds.map((r) => r[v].serverUsPerEvent)))])),
    // Median per thread kind: request thread, busiest other (the decoding thread), the rest.
    serverThreadsUsPerEvent: Object.fromEntries(VARIANTS.map((v) => [v, [0, 1, 2].map((i) => Math.round(median(rounds.map((r) => r[v].threadsUsPerEvent[i]))))])),
    bytesPerEvent: Object.fromEntries(VARIANTS.map((v) => [v, Math.round(rounds[0][v].bytesPerEvent)])),
    targetRatio: 0.8,
    stored,
    accepted,
    consistent,
    failures,
  };
  console.log("");
  console.log("  variant         | events/s (median) | CPU-µs/event | server: request · 2nd · rest | bytes/event | ratio to events API per round → median");
  for (const v of VARIANTS) {
    const ratios = v === "events" ? "" : `${ratio(v).map((x) => x.toFixed(3)).join(" · ")} → ${median(ratio(v)).toFixed(3)} (target ≥ 0.8${median(ratio(v)) >= 0.8 ? ", met" : ", MISSED"})`;
    console.log(`  ${v.padEnd(15)} | ${fmt(median(rounds.map((r) => r[v].eventsPerSecond))).padStart(17)} | ${String(summary.cpuUsPerEvent[v]).padStart(12)} | ${summary.serverThreadsUsPerEvent[v].join(" · ").padStart(28)} | ${String(summary.bytesPerEvent[v]).padStart(11)} | ${ratios}`);
  }
  console.log(`  rows stored = calls taken: ${consistent ? "yes" : `NO ${JSON.stringify({ stored, accepted })}`}`);
  console.log(`BENCH_OTLP ${JSON.stringify(summary)}`);
  return failures || !consistent ? 1 : 0;
}

const cleanups = new Cleanups();
let code = 1;
try {
  code = await main(cleanups);
} catch (err) {
  console.error("[bench:otlp] failed:", err instanceof Error ? (err.stack ?? err.message) : err);
} finally {
  await closeDb().catch(() => undefined);
  await cleanups.run();
}
process.exit(code);
