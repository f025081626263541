// npm run bench (= npm run bench:ingest): ingest throughput of the production server, measured
// honestly, next to the physical limit (COPY into the same table on the same Postgres).
//
//   npx tsx scripts/bench/ingest.ts [--seconds 10] [--warmup 2] [--only batch100,batch1000,single,copy]
//     [--copy-rows 200000] [--copy-streams 1] [--single-clients 16] [--group-wait MS] [--pool N]
//     [--server-env KEY=VALUE]... [--build] [--keep-data] [--strict] [--verbose] [--profile DIR]
//     [--wait-quiet SECONDS]
//
// Database: DATABASE_URL set → that server, database `burnrate_bench` (created and migrated);
// unset → an embedded Postgres under .data/bench. The server runs as a CHILD process
// (`npx tsx scripts/start.ts`, NODE_ENV=production), so the load generator's CPU and the server's are
// separate processes; CPU per process comes from /proc. Setup (org, teams, keys) uses the library.
// --profile DIR writes a V8 CPU profile of the server to DIR (open it in Chrome DevTools).
// --wait-quiet S waits up to S seconds before each measurement until other processes use < 0.25 core
// (on a shared machine other work steals the same cores; the summary shows it as "other").
// Prints a summary table and one line `BENCH_RESULT {json}`. Exit code 1 if any request failed or
// the totals disagree; with --strict also when a target is missed.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";
import pg from "pg";
import { closeDb, pool, prisma } from "../../lib/db";
import { startEmbeddedPostgres } from "../../lib/db/embedded";
import { ensureDatabase, migrate } from "../../lib/db/migrate";
import { prepareEvents, type TEventRow } from "../../lib/ingest/prepare";
import type { TAuthenticatedKey } from "../../lib/keys/authenticate";
import { issueKey } from "../../lib/keys/issue";
import { createOrg } from "../../lib/orgs/create";
import { checkColumnsMatchStore, copyRows, serializeCopyRows } from "./copy";
import { CpuMeter, parentPid, processName, type TCpuSplit } from "./cpu";
import { percentile, runPhase, type TBodySource, type TPhaseResult, type TRequestBody } from "./load";
import { EventStream, TEAM_SLUGS, type TWireEvent } from "./workload";

// ───────────────────────────── options ─────────────────────────────

type TScenarioName = "batch100" | "batch1000" | "single";
const ALL_PARTS = ["batch100", "batch1000", "single", "copy"] as const;

function parseArgs(argv: string[]) {
  const opts = {
    seconds: 10,
    warmup: 2,
    only: new Set<string>(ALL_PARTS),
    copyRows: 200_000,
    copyStreams: 1,
    singleClients: 16,
    serverEnv: {} as Record<string, string>,
    build: false,
    keepData: false,
    strict: false,
    verbose: false,
    profile: null as string | null,
    waitQuiet: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${arg} needs a non-negative number`);
      return n;
    };
    switch (arg) {
      case "--seconds": opts.seconds = num(); break;
      case "--warmup": opts.warmup = num(); break;
      case "--only": {
        opts.only = new Set(value().split(",").map((s) => s.trim()).filter(Boolean));
        for (const p of opts.only) if (!(ALL_PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p} (${ALL_PARTS.join(", ")})`);
        break;
      }
      case "--copy-rows": opts.copyRows = Math.floor(num()); break;
      case "--copy-streams": opts.copyStreams = Math.max(1, Math.floor(num())); break;
      case "--single-clients": opts.singleClients = Math.max(1, Math.floor(num())); break;
      case "--group-wait": opts.serverEnv.INGEST_GROUP_MAX_WAIT_MS = String(num()); break;
      case "--pool": opts.serverEnv.DATABASE_POOL_SIZE = String(num()); break;
      case "--server-env": {
        const kv = value();
        const eq = kv.indexOf("=");
        if (eq < 1) throw new Error("--server-env needs KEY=VALUE");
        opts.serverEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case "--build": opts.build = true; break;
      case "--keep-data": opts.keepData = true; break;
      case "--strict": opts.strict = true; break;
      case "--verbose": opts.verbose = true; break;
      case "--profile": opts.profile = value(); break;
      case "--wait-quiet": opts.waitQuiet = num(); break;
      case "-h":
      case "--help":
        console.log(readFileSync(new URL(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("//")).join("\n"));
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg} (see --help)`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const benchStarted = performance.now();
const log = (line: string) => console.log(`[bench] ${line}`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a";

// ───────────────────────────── cleanup ─────────────────────────────

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => console.error("[bench] cleanup:", (err as Error).message));
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n[bench] ${signal}: stopping the server and the database…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ───────────────────────────── build ─────────────────────────────

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function ensureBuild(): Promise<void> {
  const buildId = path.resolve(".next/BUILD_ID");
  if (existsSync(buildId) && !opts.build) {
    const age = (Date.now() - statSync(buildId).mtimeMs) / 60_000;
    log(`using the existing production build (.next/BUILD_ID, ${fmt(age)} min old; --build to rebuild)`);
    return;
  }
  log("building (npx next build)…");
  const t0 = performance.now();
  const { code, output } = await run("npx", ["next", "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
  if (code !== 0 || !existsSync(buildId)) {
    console.error(output.split("\n").slice(-25).join("\n"));
    console.error(
      "[bench] `next build` failed, so there is no production server to measure. This is usually another change " +
        "in progress elsewhere in the tree (see the errors above): retry when it builds.",
    );
    process.exit(2);
  }
  log(`built in ${fmt((performance.now() - t0) / 1000, 1)} s`);
}

// ───────────────────────────── database ─────────────────────────────

type TDatabase = { url: string; mode: "external" | "embedded"; display: string };

async function prepareBenchDatabase(): Promise<TDatabase> {
  const external = process.env.DATABASE_URL;
  let db: TDatabase;
  if (external) {
    const url = new URL(external);
    url.pathname = "/burnrate_bench";
    db = { url: url.toString(), mode: "external", display: redact(url.toString()) };
    await ensureDatabase(db.url);
  } else {
    log("DATABASE_URL unset: starting the embedded Postgres under .data/bench…");
    const server = await startEmbeddedPostgres({ dataDir: ".data/bench", database: "burnrate", log });
    cleanups.push(() => server.stop());
    db = { url: server.url, mode: "embedded", display: `${redact(server.url)} (embedded, .data/bench)` };
  }
  const edited: string[] = [];
  const migrateLog = (line: string) => (/edited after it was applied/.test(line) ? edited.push(line) : log(line));
  let { applied } = await migrate(db.url, { log: migrateLog });
  if (edited.length) {
    // A migration changed after this database got it: the schema may differ from the code's. The bench
    // database is ours alone, so start it over rather than measure a stale schema.
    log(`${edited.join("; ")} — recreating the bench database`);
    await recreateDatabase(db.url);
    ({ applied } = await migrate(db.url, { log }));
  }
  if (applied.length) log(`${applied.length} migration(s) applied`);
  // The library (createOrg, issueKey, prepareEvents, checks) must talk to the bench database.
  process.env.DATABASE_URL = db.url;
  return db;
}

async function recreateDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@");
}

async function databaseFacts(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit, current_setting('shared_buffers') AS shared_buffers,
              current_setting('max_connections') AS max_connections, pg_backend_pid() AS backend`,
    );
    const facts = rows[0] as { version: string; fsync: string; synchronous_commit: string; shared_buffers: string; max_connections: string; backend: number };
    // CPU accounting: the postmaster is the parent of our backend, when Postgres runs on this machine.
    const host = new URL(url).hostname;
    let postmaster: number | null = null;
    if (["127.0.0.1", "localhost", "::1", "[::1]", ""].includes(host)) {
      const ppid = parentPid(facts.backend);
      if (ppid && processName(ppid)?.startsWith("postgres")) postmaster = ppid;
    }
    return { ...facts, postmaster };
  } finally {
    await client.end();
  }
}

// ───────────────────────────── server ─────────────────────────────

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

type TServer = { child: ChildProcess; url: URL; errorLines: string[]; tail: string[]; env: Record<string, string> };

async function startServer(databaseUrl: string): Promise<TServer> {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    // Production refuses to start without one; the machine routes never use it.
    AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(33).toString("base64"),
    ...opts.serverEnv,
  };
  // detached: its own process group, so npx → tsx → node all stop together.
  // --profile: plain node with the tsx loader, so --cpu-prof applies to the server process itself.
  const [command, args] = opts.profile
    ? [process.execPath, ["--cpu-prof", `--cpu-prof-dir=${path.resolve(opts.profile)}`, "--import", "tsx", "scripts/start.ts"]]
    : ["npx", ["tsx", "scripts/start.ts"]];
  const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const server: TServer = { child, url: new URL(`http://127.0.0.1:${port}/api/v1/events`), errorLines: [], tail: [], env };
  const onLine = (stream: "out" | "err") => (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (!line.trim() || line.startsWith("npm warn")) continue;
      server.tail.push(line);
      if (server.tail.length > 40) server.tail.shift();
      if (/error|unhandled|exception|fail|ECONN|timeout/i.test(line) || (stream === "err" && !/^\s*(✓|▲|⚠)/.test(line))) {
        if (server.errorLines.length < 1000) server.errorLines.push(line);
      }
      if (opts.verbose) console.log(`[server] ${line}`);
    }
  };
  child.stdout!.on("data", onLine("out"));
  child.stderr!.on("data", onLine("err"));
  let exited: number | null = null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  cleanups.push(async () => {
    if (exited !== null || !child.pid) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5000).unref());
    if ((await Promise.race([exitedPromise, timeout])) === "timeout") {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });

  const t0 = performance.now();
  const probe = new URL(`http://127.0.0.1:${port}/api/v1/spend`);
  for (;;) {
    if (exited !== null) {
      console.error(server.tail.join("\n"));
      throw new Error(`the server exited (code ${exited}) before answering`);
    }
    if (performance.now() - t0 > 120_000) throw new Error("the server did not answer within 120 s");
    const answered = await fetch(probe).then((r) => r.status > 0, () => false);
    if (answered) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`server (pid ${child.pid}) answering on ${server.url.origin} after ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return server;
}

// ───────────────────────────── setup ─────────────────────────────

type TBenchOrg = { orgId: string; slug: string; keys: { id: string; secret: string; teamId: string; teamSlug: string }[] };

async function createBenchOrg(slug: string): Promise<TBenchOrg> {
  const org = await createOrg({ slug, name: `Ingest bench ${slug}`, timezone: "UTC" });
  const keys: TBenchOrg["keys"] = [];
  for (const teamSlug of TEAM_SLUGS) {
    const team = await prisma().team.create({ data: { orgId: org.id, slug: teamSlug, name: teamSlug } });
    const key = await issueKey({ orgId: org.id, name: `bench ${teamSlug}`, scopes: ["ingest"], teamId: team.id });
    keys.push({ id: key.id, secret: key.secret, teamId: team.id, teamSlug });
  }
  return { orgId: org.id, slug, keys };
}

// ───────────────────────────── scenarios ─────────────────────────────

type TScenario = {
  name: TScenarioName;
  label: string;
  clients: number;
  eventsPerRequest: number;
  parallelExecutions: number;
  guessEventsPerSecond: number;
};

const SCENARIOS: TScenario[] = [
  { name: "batch100", label: "batch 100", clients: 4, eventsPerRequest: 100, parallelExecutions: 10, guessEventsPerSecond: 30_000 },
  { name: "batch1000", label: "batch 1000", clients: 4, eventsPerRequest: 1000, parallelExecutions: 50, guessEventsPerSecond: 30_000 },
  { name: "single", label: "single event", clients: opts.singleClients, eventsPerRequest: 1, parallelExecutions: 1, guessEventsPerSecond: 5_000 },
];

// Pre-serialized request bodies, one queue per client; each client has its own event stream (its
// executions' calls arrive in order) and uses the key of its team.
class BodyPool implements TBodySource {
  private readonly streams: EventStream[];
  private readonly queues: (TRequestBody | undefined)[][];
  private readonly next: number[];
  late = 0;
  built = 0;
  maxBodyBytes = 0;

  constructor(
    private readonly scenario: TScenario,
    tag: string,
    private readonly org: TBenchOrg,
  ) {
    this.streams = Array.from({ length: scenario.clients }, (_, c) =>
      new EventStream(`${tag}-${scenario.name}-c${c}`, c % TEAM_SLUGS.length, scenario.parallelExecutions, 1000 + c),
    );
    this.queues = this.streams.map(() => []);
    this.next = this.streams.map(() => 0);
  }

  private build(c: number): TRequestBody {
    const stream = this.streams[c];
    let json: string;
    if (this.scenario.eventsPerRequest === 1) json = JSON.stringify(stream.next());
    else {
      const events: TWireEvent[] = new Array(this.scenario.eventsPerRequest);
      for (let i = 0; i < events.length; i++) events[i] = stream.next();
      json = JSON.stringify({ events });
    }
    const body = Buffer.from(json, "utf8");
    if (body.length > 1024 * 1024) throw new Error(`bench bug: a ${this.scenario.name} body is ${body.length} bytes, over the 1 MiB limit`);
    this.maxBodyBytes = Math.max(this.maxBodyBytes, body.length);
    this.built++;
    return { body, events: this.scenario.eventsPerRequest };
  }

  // Pre-builds bodies for about `events` events, spread over the clients; drops what was not sent.
  fill(events: number): number {
    const perClient = Math.ceil(events / this.scenario.eventsPerRequest / this.scenario.clients);
    for (let c = 0; c < this.queues.length; c++) {
      this.queues[c] = [];
      this.next[c] = 0;
      for (let i = 0; i < perClient; i++) this.queues[c].push(this.build(c));
    }
    this.late = 0;
    return perClient * this.scenario.clients * this.scenario.eventsPerRequest;
  }

  take(c: number): TRequestBody {
    const q = this.queues[c];
    const i = this.next[c];
    if (i < q.length) {
      const b = q[i]!;
      q[i] = undefined; // let it be collected
      this.next[c] = i + 1;
      return b;
    }
    this.late++;
    return this.build(c);
  }

  authorization(c: number): string {
    return `Bearer ${this.org.keys[c % this.org.keys.length].secret}`;
  }

  executions(): number {
    return this.streams.reduce((n, s) => n + s.executionsStarted, 0);
  }
}

type TScenarioResult = {
  scenario: TScenario;
  warmup: TPhaseResult;
  measured: TPhaseResult;
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  prebuiltEvents: number;
  lateBodies: number;
  maxBodyBytes: number;
  cpu: TCpuSplit;
  serverErrorLines: number;
  // Committed transactions in the bench database during the measurement (ingest writes, key look-ups).
  transactions: number;
};

async function transactionsCommitted(): Promise<number> {
  const { rows } = await pool().query(`SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].n);
}

async function runScenario(scenario: TScenario, org: TBenchOrg, tag: string, server: TServer, meter: CpuMeter): Promise<TScenarioResult> {
  const pool = new BodyPool(scenario, tag, org);
  const t0 = performance.now();
  pool.fill(Math.max(scenario.guessEventsPerSecond * opts.warmup, scenario.clients * scenario.eventsPerRequest * 4));
  log(`${scenario.label}: ${scenario.clients} clients × ${scenario.eventsPerRequest} event(s)/request — warm-up ${opts.warmup} s`);
  const warmup = await runPhase({ url: server.url, clients: scenario.clients, seconds: opts.warmup, source: pool });
  const warmRate = warmup.eventsSent / warmup.seconds;
  // Enough pre-serialized bodies for 3× the warm-up rate (the warm-up includes the ramp); any body built during the measurement is counted and reported.
  const prebuiltEvents = pool.fill(Math.max(warmRate * 3, scenario.guessEventsPerSecond / 2) * opts.seconds + scenario.clients * scenario.eventsPerRequest * 4);
  log(`${scenario.label}: warm-up ${fmt(warmRate)} events/s; ${fmt(prebuiltEvents)} events pre-serialized (${fmt((performance.now() - t0) / 1000, 1)} s so far); measuring ${opts.seconds} s…`);
  const errorsBefore = server.errorLines.length;
  await waitQuiet(meter);
  global.gc?.();
  const commitsBefore = await transactionsCommitted();
  const before = meter.sample();
  const measured = await runPhase({ url: server.url, clients: scenario.clients, seconds: opts.seconds, source: pool });
  const after = meter.sample();
  // Postgres publishes a busy backend's counters at most once a second: let them settle.
  await new Promise((r) => setTimeout(r, 1200));
  const transactions = (await transactionsCommitted()) - commitsBefore - 1;
  const sorted = measured.latenciesMs.slice().sort();
  const result: TScenarioResult = {
    scenario,
    warmup,
    measured,
    eventsPerSecond: measured.eventsAccepted / measured.seconds,
    requestsPerSecond: measured.requests / measured.seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    prebuiltEvents,
    lateBodies: pool.late,
    maxBodyBytes: pool.maxBodyBytes,
    cpu: CpuMeter.split(before, after),
    serverErrorLines: server.errorLines.length - errorsBefore,
    transactions,
  };
  const failures = warmup.failures + measured.failures;
  log(
    `${scenario.label}: ${fmt(result.eventsPerSecond)} events/s, ${fmt(result.requestsPerSecond)} req/s, p50 ${fmt(result.p50, 1)} ms, ` +
      `p99 ${fmt(result.p99, 1)} ms, ${failures} failure(s), ~${fmt(pool.executions())} executions, ` +
      `${fmt(measured.eventsAccepted / Math.max(1, transactions), 1)} events per Postgres transaction` +
      (pool.late ? ` — WARNING: ${pool.late} bodies were serialized during the measurement` : ""),
  );
  for (const [kind, n] of new Map([...warmup.failureKinds, ...measured.failureKinds])) log(`  FAILED ×${n}: ${kind}`);
  return result;
}

async function waitQuiet(meter: CpuMeter): Promise<void> {
  if (!opts.waitQuiet) return;
  const t0 = performance.now();
  for (;;) {
    const a = meter.sample();
    await new Promise((r) => setTimeout(r, 1000));
    const other = CpuMeter.split(a, meter.sample()).otherCores;
    if (other < 0.25) return;
    if (performance.now() - t0 > opts.waitQuiet * 1000) {
      log(`other processes still use ${fmt(other, 2)} core(s) after ${opts.waitQuiet} s of waiting: measuring anyway`);
      return;
    }
  }
}

// ───────────────────────────── COPY ─────────────────────────────

type TCopyResult = { rows: number; streams: number; seconds: number; rowsPerSecond: number; prepareSeconds: number; cpu: TCpuSplit };

async function runCopy(copyOrg: TBenchOrg, tag: string, databaseUrl: string, meter: CpuMeter): Promise<TCopyResult> {
  checkColumnsMatchStore();
  log(`COPY: preparing ${fmt(opts.copyRows)} rows with lib/ingest/prepare (validated, priced, attributed)…`);
  const t0 = performance.now();
  const rows: TEventRow[] = [];
  const perKey = Math.ceil(opts.copyRows / copyOrg.keys.length);
  for (let k = 0; k < copyOrg.keys.length; k++) {
    const key = copyOrg.keys[k];
    const authKey: TAuthenticatedKey = {
      id: key.id,
      orgId: copyOrg.orgId,
      orgSlug: copyOrg.slug,
      orgTimezone: "UTC",
      name: `bench ${key.teamSlug}`,
      prefix: "",
      scopes: ["ingest"],
      teamId: key.teamId,
      costCenterId: null,
      defaultAgent: null,
      allowedModels: [],
      rpmLimit: null,
      expiresAt: null,
    };
    const stream = new EventStream(`${tag}-copy-k${k}`, k, 50, 9000 + k);
    for (let done = 0; done < perKey && rows.length < opts.copyRows; ) {
      const n = Math.min(1000, perKey - done, opts.copyRows - rows.length);
      const events = Array.from({ length: n }, () => stream.next());
      const prepared = await prepareEvents(authKey, events);
      if (prepared.rejected.length) throw new Error(`bench bug: COPY rows rejected: ${JSON.stringify(prepared.rejected[0])}`);
      rows.push(...prepared.rows);
      done += n;
    }
  }
  const chunks = serializeCopyRows(rows);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  log(`COPY: ${fmt(rows.length)} rows, ${fmt(bytes / 1e6, 1)} MB of COPY text ready in ${fmt(prepareSeconds, 1)} s; copying over ${opts.copyStreams} connection(s)…`);
  await waitQuiet(meter);
  global.gc?.();
  const before = meter.sample();
  const seconds = await copyRows(databaseUrl, chunks, opts.copyStreams);
  const after = meter.sample();
  const { rows: counted } = await pool().query(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [copyOrg.orgId]);
  if (counted[0].n !== rows.length) throw new Error(`COPY stored ${counted[0].n} rows, expected ${rows.length}`);
  const result: TCopyResult = { rows: rows.length, streams: opts.copyStreams, seconds, rowsPerSecond: rows.length / seconds, prepareSeconds, cpu: CpuMeter.split(before, after) };
  log(`COPY: ${fmt(result.rowsPerSecond)} rows/s (${fmt(seconds, 2)} s)`);
  return result;
}

// ───────────────────────────── consistency ─────────────────────────────

async function checkConsistency(orgId: string, accepted: number) {
  const { rows } = await pool().query(
    `SELECT (SELECT coalesce(sum("costUsd"), 0)::text FROM "UsageEvent" WHERE "orgId" = $1) AS "eventCost",
            (SELECT coalesce(sum("costUsd"), 0)::text FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupCost",
            (SELECT count(*)::int FROM "UsageEvent" WHERE "orgId" = $1) AS "eventCount",
            (SELECT coalesce(sum(calls), 0)::int FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupCalls",
            (SELECT coalesce(sum("costUsd"), 0)::text FROM "UsageEvent" WHERE "orgId" = $1 AND "executionId" IS NOT NULL) AS "executionEventCost",
            (SELECT coalesce(sum("costUsd"), 0)::text FROM "Execution" WHERE "orgId" = $1) AS "executionCost",
            (SELECT coalesce(sum(calls), 0)::int FROM "Execution" WHERE "orgId" = $1) AS "executionCalls",
            (SELECT count(*)::int FROM "Execution" WHERE "orgId" = $1) AS "executions",
            (SELECT count(*)::int FROM "UsageRollup" WHERE "orgId" = $1) AS "rollupRows"`,
    [orgId],
  );
  const r = rows[0] as {
    eventCost: string; rollupCost: string; eventCount: number; rollupCalls: number; executionEventCost: string;
    executionCost: string; executionCalls: number; executions: number; rollupRows: number;
  };
  const checks = {
    costEventsEqualsRollups: r.eventCost === r.rollupCost,
    countEqualsAccepted: r.eventCount === accepted,
    rollupCallsEqualsCount: r.rollupCalls === r.eventCount,
    executionCostEqualsEvents: r.executionCost === r.executionEventCost,
  };
  return { ...r, accepted, checks, ok: Object.values(checks).every(Boolean) };
}

// ───────────────────────────── main ─────────────────────────────

async function main(): Promise<number> {
  const scenarios = SCENARIOS.filter((s) => opts.only.has(s.name));
  if (scenarios.length) await ensureBuild();
  const db = await prepareBenchDatabase();
  const facts = await databaseFacts(db.url);
  log(
    `Postgres ${facts.version} at ${db.display}: fsync=${facts.fsync}, synchronous_commit=${facts.synchronous_commit}, ` +
      `shared_buffers=${facts.shared_buffers}` + (facts.postmaster ? `, postmaster pid ${facts.postmaster}` : ", CPU of Postgres not measurable from here"),
  );
  if (!opts.keepData) {
    // A dedicated database: every run starts from empty usage tables, so runs compare (--keep-data to skip).
    await pool().query(`TRUNCATE "UsageEvent", "UsageRollup", "Execution"`);
    log(`emptied UsageEvent, UsageRollup and Execution in the bench database (--keep-data to keep them)`);
  }

  const tag = `bench-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
  const org = await createBenchOrg(tag);
  const copyOrg = await createBenchOrg(`${tag}-copy`);
  log(`org ${org.slug} (3 teams, 3 ingest keys); COPY org ${copyOrg.slug}`);

  const results: TScenarioResult[] = [];
  let server: TServer | null = null;
  let meter = new CpuMeter(process.pid, facts.postmaster);
  if (scenarios.length) {
    server = await startServer(db.url);
    meter = new CpuMeter(server.child.pid!, facts.postmaster);
    for (const scenario of scenarios) results.push(await runScenario(scenario, org, tag, server, meter));
  }
  const copy = opts.only.has("copy") ? await runCopy(copyOrg, tag, db.url, meter) : null;

  const accepted = results.reduce((n, r) => n + r.warmup.eventsAccepted + r.measured.eventsAccepted, 0);
  const sent = results.reduce((n, r) => n + r.warmup.eventsSent + r.measured.eventsSent, 0);
  const failures = results.reduce((n, r) => n + r.warmup.failures + r.measured.failures, 0);
  const consistency = results.length ? await checkConsistency(org.orgId, accepted) : null;

  // ── summary ──
  const by = (name: TScenarioName) => results.find((r) => r.scenario.name === name);
  const ratio = (name: TScenarioName) => (by(name) && copy ? by(name)!.eventsPerSecond / copy.rowsPerSecond : NaN);
  const targets = [
    { name: "HTTP batch 1000 ≥ 10,000 events/s", value: by("batch1000")?.eventsPerSecond, target: 10_000 },
    { name: "HTTP batch 100 ≥ 10,000 events/s", value: by("batch100")?.eventsPerSecond, target: 10_000 },
    { name: "ratio batch 1000 / COPY ≥ 0.15", value: ratio("batch1000"), target: 0.15 },
    { name: "ratio batch 100 / COPY ≥ 0.15", value: ratio("batch100"), target: 0.15 },
    { name: `single event, ${opts.singleClients} clients ≥ 2,000 events/s`, value: by("single")?.eventsPerSecond, target: 2_000 },
  ].map((t) => ({ ...t, met: t.value !== undefined && Number.isFinite(t.value) ? t.value >= t.target : null }));

  const cpuCols = (c: TCpuSplit) => `${fmt(c.serverCores, 2).padStart(6)} ${fmt(c.postgresCores, 2).padStart(6)} ${fmt(c.benchCores, 2).padStart(6)} ${fmt(c.otherCores, 2).padStart(6)}`;
  const lines: string[] = [];
  lines.push("");
  lines.push(`Ingest bench — ${opts.seconds} s per scenario after ${opts.warmup} s warm-up; Postgres ${facts.version} (${db.mode}, fsync=${facts.fsync}, synchronous_commit=${facts.synchronous_commit})`);
  if (server) lines.push(`server env: ${Object.entries(server.env).filter(([k]) => !["DATABASE_URL", "PORT", "HOST", "NEXT_TELEMETRY_DISABLED", "AUTH_SECRET"].includes(k)).map(([k, v]) => `${k}=${v}`).join(" ")}` +
    ` (INGEST_GROUP_MAX_WAIT_MS / DATABASE_POOL_SIZE default to the app's own when not listed)`);
  lines.push("");
  lines.push("scenario        clients   events/s      req/s   p50 ms   p99 ms   max ms  requests    events  failed  ev/tx │ cores: server     pg  bench  other");
  for (const r of results) {
    const m = r.measured;
    lines.push(
      `${r.scenario.label.padEnd(15)} ${String(r.scenario.clients).padStart(7)} ${fmt(r.eventsPerSecond).padStart(10)} ${fmt(r.requestsPerSecond).padStart(10)} ` +
        `${fmt(r.p50, 1).padStart(8)} ${fmt(r.p99, 1).padStart(8)} ${fmt(r.max, 1).padStart(8)} ${fmt(m.requests).padStart(9)} ${fmt(m.eventsAccepted).padStart(9)} ` +
        `${String(r.warmup.failures + m.failures).padStart(7)} ${fmt(m.eventsAccepted / Math.max(1, r.transactions), 1).padStart(6)} │        ${cpuCols(r.cpu)}`,
    );
  }
  if (copy) {
    lines.push(
      `${`COPY ×${copy.streams}`.padEnd(15)} ${"".padStart(7)} ${fmt(copy.rowsPerSecond).padStart(10)} ${"".padStart(10)} ${"".padStart(8)} ${"".padStart(8)} ${"".padStart(8)} ` +
        `${"".padStart(9)} ${fmt(copy.rows).padStart(9)} ${"".padStart(7)} ${"".padStart(6)} │        ${cpuCols(copy.cpu)}`,
    );
  }
  lines.push("");
  const cpuPerEvent = results.map((r) => {
    const n = r.measured.eventsAccepted || 1;
    return (
      `${r.scenario.label}: server ${fmt((r.cpu.serverCores * r.cpu.seconds * 1e6) / n)} µs (${fmt(r.cpu.serverSysShare * 100)} % kernel), ` +
      `Postgres ${fmt((r.cpu.postgresCores * r.cpu.seconds * 1e6) / n)} µs (${fmt(r.cpu.postgresSysShare * 100)} % kernel)`
    );
  });
  if (copy) cpuPerEvent.push(`COPY: Postgres ${fmt((copy.cpu.postgresCores * copy.cpu.seconds * 1e6) / copy.rows)} µs`);
  if (cpuPerEvent.length) lines.push(`CPU per event — ${cpuPerEvent.join("; ")}`);
  lines.push(
    `(cores = average busy cores during the measurement; "other" = the rest of this ${availableParallelism()}-core machine, i.e. noise; ` +
      `ev/tx = events per committed Postgres transaction, the group-commit factor)`,
  );
  const noisy = [...results.map((r) => r.cpu), ...(copy ? [copy.cpu] : [])].some((c) => c.otherCores > 0.25);
  if (noisy) lines.push(`WARNING: other processes used > 0.25 core during a measurement: the figures above are pessimistic; rerun on a quiet machine.`);
  if (copy) lines.push(`ratio http/COPY: batch 1000 ${fmt(ratio("batch1000"), 3)}, batch 100 ${fmt(ratio("batch100"), 3)}`);
  lines.push("");
  lines.push("targets:");
  for (const t of targets) {
    if (t.met === null) continue;
    lines.push(`  ${t.met ? "PASS" : "MISS"}  ${t.name}: ${t.target < 1 ? fmt(t.value!, 3) : fmt(t.value!)}`);
  }
  if (consistency) {
    lines.push("");
    lines.push(`consistency (org ${org.slug}): ${consistency.ok ? "OK" : "MISMATCH"}`);
    lines.push(`  sum(UsageEvent.costUsd) = ${consistency.eventCost}  sum(UsageRollup.costUsd) = ${consistency.rollupCost}  ${consistency.checks.costEventsEqualsRollups ? "equal" : "DIFFERENT"}`);
    lines.push(`  events stored = ${fmt(consistency.eventCount)}  accepted = ${fmt(accepted)} (sent ${fmt(sent)})  ${consistency.checks.countEqualsAccepted ? "equal" : "DIFFERENT"}`);
    lines.push(`  rollup calls = ${fmt(consistency.rollupCalls)} (${fmt(consistency.rollupRows)} rollup rows)  ${consistency.checks.rollupCallsEqualsCount ? "equal" : "DIFFERENT"};  ` +
      `executions: ${fmt(consistency.executions)}, cost ${consistency.executionCost} vs events ${consistency.executionEventCost} ${consistency.checks.executionCostEqualsEvents ? "equal" : "DIFFERENT"}`);
  }
  if (failures) {
    lines.push("");
    lines.push(`FAILED REQUESTS: ${failures}. Samples:`);
    for (const r of results) for (const f of [...r.warmup.failureSamples, ...r.measured.failureSamples]) lines.push(`  [${r.scenario.name}] ${f.status}: ${f.detail}`);
  }
  const serverErrors = server?.errorLines ?? [];
  if (serverErrors.length) {
    lines.push("");
    lines.push(`server stderr / error lines: ${serverErrors.length}; first ones:`);
    for (const l of serverErrors.slice(0, 8)) lines.push(`  ${JSON.stringify(l.slice(0, 300))}`);
  }
  const late = results.filter((r) => r.lateBodies > 0);
  if (late.length) lines.push(`WARNING: bodies serialized during measurement (client CPU stolen): ${late.map((r) => `${r.scenario.name} ${r.lateBodies}`).join(", ")}`);
  const totalSeconds = (performance.now() - benchStarted) / 1000;
  lines.push("");
  lines.push(`whole bench: ${fmt(totalSeconds, 1)} s`);
  console.log(lines.join("\n"));

  const round = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? null : Math.round(n * 10 ** d) / 10 ** d);
  const cpuJson = (c: TCpuSplit) => ({
    seconds: round(c.seconds, 2), serverCores: round(c.serverCores, 3), postgresCores: round(c.postgresCores, 3),
    benchCores: round(c.benchCores, 3), otherCores: round(c.otherCores, 3),
    serverKernelShare: round(c.serverSysShare, 3), postgresKernelShare: round(c.postgresSysShare, 3),
  });
  const json = {
    version: 1,
    at: new Date().toISOString(),
    seconds: opts.seconds,
    warmupSeconds: opts.warmup,
    database: { mode: db.mode, version: facts.version, fsync: facts.fsync, synchronousCommit: facts.synchronous_commit },
    serverEnv: server ? Object.fromEntries(Object.entries(server.env).filter(([k]) => !["DATABASE_URL", "PORT", "HOST", "AUTH_SECRET"].includes(k))) : null,
    scenarios: Object.fromEntries(
      results.map((r) => [
        r.scenario.name,
        {
          clients: r.scenario.clients,
          eventsPerRequest: r.scenario.eventsPerRequest,
          eventsPerSec: round(r.eventsPerSecond),
          requestsPerSec: round(r.requestsPerSecond),
          p50Ms: round(r.p50, 2),
          p90Ms: round(r.p90, 2),
          p99Ms: round(r.p99, 2),
          maxMs: round(r.max, 2),
          requests: r.measured.requests,
          eventsAccepted: r.measured.eventsAccepted,
          failures: r.warmup.failures + r.measured.failures,
          lateBodies: r.lateBodies,
          postgresTransactions: r.transactions,
          eventsPerTransaction: round(r.measured.eventsAccepted / Math.max(1, r.transactions), 2),
          maxBodyBytes: r.maxBodyBytes,
          serverCpuUsPerEvent: round((r.cpu.serverCores * r.cpu.seconds * 1e6) / (r.measured.eventsAccepted || 1)),
          postgresCpuUsPerEvent: round((r.cpu.postgresCores * r.cpu.seconds * 1e6) / (r.measured.eventsAccepted || 1)),
          cpu: cpuJson(r.cpu),
        },
      ]),
    ),
    copy: copy ? { rows: copy.rows, streams: copy.streams, seconds: round(copy.seconds, 3), rowsPerSec: round(copy.rowsPerSecond), cpu: cpuJson(copy.cpu) } : null,
    ratios: { batch1000: round(ratio("batch1000"), 4), batch100: round(ratio("batch100"), 4) },
    targets: targets.map((t) => ({ name: t.name, value: round(t.value, 4), target: t.target, met: t.met })),
    consistency: consistency
      ? { ok: consistency.ok, ...consistency.checks, eventCostSum: consistency.eventCost, rollupCostSum: consistency.rollupCost, eventCount: consistency.eventCount, accepted, sent }
      : null,
    failures,
    serverErrorLines: serverErrors.length,
    totalSeconds: round(totalSeconds, 1),
  };
  console.log(`BENCH_RESULT ${JSON.stringify(json)}`);

  if (failures || (consistency && !consistency.ok)) return 1;
  if (opts.strict && targets.some((t) => t.met === false)) return 1;
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error("[bench] failed:", err instanceof Error ? err.stack ?? err.message : err);
} finally {
  await closeDb().catch(() => undefined);
  await cleanup();
}
process.exit(code);
