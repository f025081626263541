// npm run bench:anomalies: what runaway detection costs ingest, and whether the breaker answers in
// the same response.
//
//   npx tsx scripts/bench/anomalies.ts [--rounds 3] [--seconds 10] [--warmup 2] [--loops 50] [--wait-quiet SECONDS]
//
// 1. Throughput: batches of 100 events (4 clients, the ingest bench's realistic workload: agents,
//    retries, growing contexts) against the production server with ANOMALY_DETECTION=off and =on —
//    a fresh server each time, the two interleaved for --rounds rounds (off·on, on·off, …) so drift
//    of this machine's speed falls on both. Ratio on / off per round and its median (target ≥ 0.8).
// 2. The breaker: --loops executions each post the same failing call three times, one post per
//    call, to the server with detection on; the third answer must say "blocked" (and the first two
//    must not). Latency of the answer that completes the loop, p50 / p99.
// Database as in `npm run bench` (DATABASE_URL → database burnrate_bench; else embedded). Prints a
// summary and one `BENCH_ANOMALIES {json}` line; exit code 1 if a request failed or the breaker missed.
import { randomBytes } from "node:crypto";
import { closeDb } from "../../lib/db";
import { createBenchOrg, databaseFacts, emptyUsageTables, prepareBenchDatabase } from "./bench-database";
import { ensureBuild, startServer, type TServer } from "./bench-server";
import { Cleanups } from "./cleanup";
import { CpuMeter } from "./cpu";
import { fmt, type TLog } from "./format";
import { percentile } from "./load";
import { parseArgs } from "./options";
import { benchScenarios, runScenario, type TScenarioResult } from "./scenarios";

const log: TLog = (line) => console.log(`[bench:anomalies] ${line}`);

function ownArgs(argv: string[]) {
  const own = { rounds: 3, loops: 50 };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rounds") own.rounds = Number(argv[++i]);
    else if (argv[i] === "--loops") own.loops = Number(argv[++i]);
    else rest.push(argv[i]);
  }
  return { own, rest };
}

async function stop(server: TServer): Promise<void> {
  if (server.child.exitCode !== null || !server.child.pid) return;
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  process.kill(-server.child.pid, "SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(cleanups: Cleanups): Promise<number> {
  const { own, rest } = ownArgs(process.argv.slice(2));
  const opts = parseArgs([...rest, "--only", "batch100"], new URL(import.meta.url));
  await ensureBuild(opts, log);
  const db = await prepareBenchDatabase(log, cleanups);
  await emptyUsageTables(log);
  const facts = await databaseFacts(db.url);
  const tag = `anomalies-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
  const scenario = benchScenarios(opts).find((s) => s.name === "batch100")!;
  let failures = 0;

  const rounds: { off: TScenarioResult; on: TScenarioResult; ratio: number }[] = [];
  for (let round = 0; round < own.rounds; round++) {
    const order = round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
    const results: Partial<Record<"off" | "on", TScenarioResult>> = {};
    for (const mode of order) {
      const server = await startServer(db.url, { ...opts, serverEnv: { ...opts.serverEnv, ANOMALY_DETECTION: mode } }, log, cleanups);
      const meter = new CpuMeter(server.child.pid!, facts.postmaster);
      const org = await createBenchOrg(`${tag}-${round}-${mode}`);
      results[mode] = await runScenario(scenario, org, `${tag}-${round}-${mode}`, server, meter, opts, log);
      failures += results[mode]!.warmup.failures + results[mode]!.measured.failures;
      await stop(server);
    }
    const ratio = results.on!.eventsPerSecond / results.off!.eventsPerSecond;
    rounds.push({ off: results.off!, on: results.on!, ratio });
    log(`round ${round + 1}: off ${fmt(results.off!.eventsPerSecond)} events/s, on ${fmt(results.on!.eventsPerSecond)} events/s, on/off ${ratio.toFixed(3)}`);
  }

  // The breaker, through a server with detection on.
  const server = await startServer(db.url, { ...opts, serverEnv: { ...opts.serverEnv, ANOMALY_DETECTION: "on" } }, log, cleanups);
  const org = await createBenchOrg(`${tag}-loops`);
  const completing: number[] = [];
  let missed = 0;
  const base = Date.now() - 60_000;
  for (let i = 0; i < own.loops; i++) {
    for (let call = 1; call <= 3; call++) {
      const t0 = performance.now();
      const res = await fetch(server.url, {
        method: "POST",
        headers: { authorization: `Bearer ${org.keys[0].secret}`, "content-type": "application/json" },
        body: JSON.stringify({
          id: `${tag}-loop-${i}-${call}`,
          timestamp: new Date(base + i * 10 + call).toISOString(),
          execution_id: `loop-${i}`,
          provider: "anthropic",
          model: "claude-sonnet-4-20250514",
          usage: { input_tokens: 40_000, output_tokens: 0 },
          status: "error",
          error_type: "rate_limit",
          attempt: call,
        }),
      });
      const body = (await res.json()) as { execution?: { state: string } };
      const elapsed = performance.now() - t0;
      if (res.status !== 200) failures++;
      const blocked = body.execution?.state === "blocked";
      if (blocked !== (call === 3)) missed++;
      if (call === 3) completing.push(elapsed);
    }
  }
  await stop(server);
  const latencies = Float64Array.from(completing).sort();

  const ratios = rounds.map((r) => r.ratio);
  // CPU per event (µs) in the server and in Postgres: less sensitive than events/s to other work
  // stealing this machine's two cores.
  const cpuPerEvent = (r: TScenarioResult) => (r.cpu.serverCores + r.cpu.postgresCores) * 1e6 / r.eventsPerSecond;
  const cpuOff = median(rounds.map((r) => cpuPerEvent(r.off)));
  const cpuOn = median(rounds.map((r) => cpuPerEvent(r.on)));
  const side = (r: TScenarioResult, cores: number) => (cores * 1e6) / r.eventsPerSecond;
  const split = (mode: "off" | "on") => ({
    serverUs: Math.round(median(rounds.map((r) => side(r[mode], r[mode].cpu.serverCores)))),
    postgresUs: Math.round(median(rounds.map((r) => side(r[mode], r[mode].cpu.postgresCores)))),
  });
  const summary = {
    rounds: rounds.map((r) => ({ offEventsPerSecond: Math.round(r.off.eventsPerSecond), onEventsPerSecond: Math.round(r.on.eventsPerSecond), ratio: Number(r.ratio.toFixed(3)) })),
    medianRatio: Number(median(ratios).toFixed(3)),
    cpuUsPerEventOff: Math.round(cpuOff),
    cpuUsPerEventOn: Math.round(cpuOn),
    cpuRatioOffOverOn: Number((cpuOff / cpuOn).toFixed(3)),
    cpuSplitOff: split("off"),
    cpuSplitOn: split("on"),
    targetRatio: 0.8,
    loops: own.loops,
    // Answers that said the wrong thing: "blocked" before the 3rd call, or not at the 3rd.
    missed,
    completingResponseP50Ms: Number(percentile(latencies, 50).toFixed(1)),
    completingResponseP99Ms: Number(percentile(latencies, 99).toFixed(1)),
    failures,
  };
  console.log("");
  console.log("  detection  | events/s (median of rounds)");
  console.log(`  off        | ${fmt(median(rounds.map((r) => r.off.eventsPerSecond)))}`);
  console.log(`  on         | ${fmt(median(rounds.map((r) => r.on.eventsPerSecond)))}`);
  console.log(`  on / off   | ${ratios.map((r) => r.toFixed(3)).join(" · ")} → median ${summary.medianRatio} (target ≥ 0.8${summary.medianRatio >= 0.8 ? ", met" : ", MISSED"})`);
  console.log(`  CPU/event  | off ${Math.round(cpuOff)} µs, on ${Math.round(cpuOn)} µs (server + Postgres) → off/on ${(cpuOff / cpuOn).toFixed(3)}; server ${split("off").serverUs} → ${split("on").serverUs} µs, Postgres ${split("off").postgresUs} → ${split("on").postgresUs} µs`);
  console.log(`  breaker    | ${own.loops - missed}/${own.loops} loops blocked in the answer to their 3rd call; that answer p50 ${summary.completingResponseP50Ms} ms, p99 ${summary.completingResponseP99Ms} ms`);
  console.log(`BENCH_ANOMALIES ${JSON.stringify(summary)}`);
  return failures || missed ? 1 : 0;
}

const cleanups = new Cleanups();
let code = 1;
try {
  code = await main(cleanups);
} catch (err) {
  console.error("[bench:anomalies] failed:", err instanceof Error ? (err.stack ?? err.message) : err);
} finally {
  await closeDb().catch(() => undefined);
  await cleanups.run();
}
process.exit(code);
