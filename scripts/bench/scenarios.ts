import { pool } from "../../lib/db";
import { settleDatabase, type TBenchOrg } from "./bench-database";
import type { TServer } from "./bench-server";
import { BodyPool } from "./body-pool";
import { CpuMeter, type TCpuSplit } from "./cpu";
import { fmt, type TLog } from "./format";
import { percentile, runPhase, type TPhaseResult } from "./load";
import type { TBenchOptions, TScenarioName } from "./options";

// The HTTP scenarios: closed-loop clients posting pre-serialized bodies to the server, a warm-up
// then a measured phase, with the CPU of each process and Postgres's committed transactions.

export type TScenario = {
  name: TScenarioName;
  label: string;
  clients: number;
  eventsPerRequest: number;
  parallelExecutions: number;
  guessEventsPerSecond: number;
};

export function benchScenarios(opts: TBenchOptions): TScenario[] {
  return [
    { name: "batch100", label: "batch 100", clients: 4, eventsPerRequest: 100, parallelExecutions: 10, guessEventsPerSecond: 30_000 },
    { name: "batch1000", label: "batch 1000", clients: 4, eventsPerRequest: 1000, parallelExecutions: 50, guessEventsPerSecond: 30_000 },
    { name: "single", label: "single event", clients: opts.singleClients, eventsPerRequest: 1, parallelExecutions: 1, guessEventsPerSecond: 5_000 },
  ];
}

export type TScenarioResult = {
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

export async function runScenario(
  scenario: TScenario,
  org: TBenchOrg,
  tag: string,
  server: TServer,
  meter: CpuMeter,
  opts: TBenchOptions,
  log: TLog,
): Promise<TScenarioResult> {
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
  await settleDatabase();
  await waitQuiet(meter, opts.waitQuiet, log);
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

// --wait-quiet: waits up to `maxSeconds` until other processes use < 0.25 core (0: don't wait).
export async function waitQuiet(meter: CpuMeter, maxSeconds: number, log: TLog): Promise<void> {
  if (!maxSeconds) return;
  const t0 = performance.now();
  for (;;) {
    const a = meter.sample();
    await new Promise((r) => setTimeout(r, 1000));
    const other = CpuMeter.split(a, meter.sample()).otherCores;
    if (other < 0.25) return;
    if (performance.now() - t0 > maxSeconds * 1000) {
      log(`other processes still use ${fmt(other, 2)} core(s) after ${maxSeconds} s of waiting: measuring anyway`);
      return;
    }
  }
}
