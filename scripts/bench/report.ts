import { availableParallelism } from "node:os";
import type { TBenchOrg, TDatabase, TDatabaseFacts } from "./bench-database";
import type { TServer } from "./bench-server";
import type { TConsistency } from "./consistency";
import type { TCopyResult } from "./copy-scenario";
import type { TCpuSplit } from "./cpu";
import { fmt } from "./format";
import type { TBenchOptions, TScenarioName } from "./options";
import type { TScenarioResult } from "./scenarios";

// The end of a run: the summary table, the targets, the consistency check, then one line
// `BENCH_RESULT {json}` for machines.

export type TBenchRun = {
  opts: TBenchOptions;
  benchStarted: number;
  db: TDatabase;
  facts: TDatabaseFacts;
  org: TBenchOrg;
  server: TServer | null;
  results: TScenarioResult[];
  copy: TCopyResult | null;
  consistency: TConsistency | null;
  accepted: number;
  sent: number;
  failures: number;
};

type TTarget = { name: string; value: number | undefined; target: number; met: boolean | null };

// Prints the summary and the BENCH_RESULT line; returns the targets (met: null when not measured).
export function printReport(run: TBenchRun): TTarget[] {
  const targets = benchTargets(run);
  const totalSeconds = (performance.now() - run.benchStarted) / 1000;
  console.log(summaryLines(run, targets, totalSeconds).join("\n"));
  console.log(`BENCH_RESULT ${JSON.stringify(benchResult(run, targets, totalSeconds))}`);
  return targets;
}

function ratioToCopy({ results, copy }: TBenchRun, name: TScenarioName): number {
  const r = results.find((x) => x.scenario.name === name);
  return r && copy ? r.eventsPerSecond / copy.rowsPerSecond : NaN;
}

function benchTargets(run: TBenchRun): TTarget[] {
  const by = (name: TScenarioName) => run.results.find((r) => r.scenario.name === name);
  return [
    { name: "HTTP batch 1000 ≥ 10,000 events/s", value: by("batch1000")?.eventsPerSecond, target: 10_000 },
    { name: "HTTP batch 100 ≥ 10,000 events/s", value: by("batch100")?.eventsPerSecond, target: 10_000 },
    { name: "ratio batch 1000 / COPY ≥ 0.15", value: ratioToCopy(run, "batch1000"), target: 0.15 },
    { name: "ratio batch 100 / COPY ≥ 0.15", value: ratioToCopy(run, "batch100"), target: 0.15 },
    { name: `single event, ${run.opts.singleClients} clients ≥ 2,000 events/s`, value: by("single")?.eventsPerSecond, target: 2_000 },
  ].map((t) => ({ ...t, met: t.value !== undefined && Number.isFinite(t.value) ? t.value >= t.target : null }));
}

function summaryLines(run: TBenchRun, targets: TTarget[], totalSeconds: number): string[] {
  const { opts, db, facts, org, server, results, copy, consistency, accepted, sent, failures } = run;
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
  if (copy) lines.push(`ratio http/COPY: batch 1000 ${fmt(ratioToCopy(run, "batch1000"), 3)}, batch 100 ${fmt(ratioToCopy(run, "batch100"), 3)}`);
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
  lines.push("");
  lines.push(`whole bench: ${fmt(totalSeconds, 1)} s`);
  return lines;
}

const round = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? null : Math.round(n * 10 ** d) / 10 ** d);

const cpuJson = (c: TCpuSplit) => ({
  seconds: round(c.seconds, 2), serverCores: round(c.serverCores, 3), postgresCores: round(c.postgresCores, 3),
  benchCores: round(c.benchCores, 3), otherCores: round(c.otherCores, 3),
  serverKernelShare: round(c.serverSysShare, 3), postgresKernelShare: round(c.postgresSysShare, 3),
});

function benchResult(run: TBenchRun, targets: TTarget[], totalSeconds: number) {
  const { opts, db, facts, server, results, copy, consistency, accepted, sent, failures } = run;
  return {
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
    ratios: { batch1000: round(ratioToCopy(run, "batch1000"), 4), batch100: round(ratioToCopy(run, "batch100"), 4) },
    targets: targets.map((t) => ({ name: t.name, value: round(t.value, 4), target: t.target, met: t.met })),
    consistency: consistency
      ? { ok: consistency.ok, ...consistency.checks, eventCostSum: consistency.eventCost, rollupCostSum: consistency.rollupCost, eventCount: consistency.eventCount, accepted, sent }
      : null,
    failures,
    serverErrorLines: (server?.errorLines ?? []).length,
    totalSeconds: round(totalSeconds, 1),
  };
}
