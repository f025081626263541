// npm run bench:alerts: how fast a budget alert leaves, and what budgets cost ingest.
//
//   npx tsx scripts/bench/alerts.ts [--crossings 200] [--seconds 10] [--warmup 2] [--copy-rows 600000]
//     [--budgets 50] [--batches 100,1000] [--rounds 2] [--only latency,throughput] [--build] [--wait-quiet SECONDS]
//
// 1. Latency: the production server (a child process, as in `npm run bench`) sends its email to a fake
//    Resend in this process; each of --crossings events pushes one execution over its per-execution
//    budget. Measured: from the crossing ingest's response arriving here to the fake Resend accepting
//    the alert email — p50 / p99 (target p99 ≤ 2 s).
// 2. Throughput: batches of 100 and of 1,000 events (4 clients) into an org with no budget and into an org with
//    --budgets budgets (ORG, teams, agents, models, users, keys, per-task and per-execution), --rounds
//    times each, alternating (without, with, with, without) — same server, same run — and COPY of the
//    same rows as the physical limit. Ratios, not absolute numbers:
//    this machine's speed varies 2–3× between days (targets: with/without ≥ 0.8, with/COPY ≥ 0.3).
// Database as in `npm run bench` (DATABASE_URL → database burnrate_bench; else embedded). Prints a
// summary and one `BENCH_ALERTS {json}` line.
import { randomBytes } from "node:crypto";
import { closeDb, prisma } from "../../lib/db";
import { createBudget } from "../../lib/budgets/manage";
import { startFakeResend } from "../../lib/testing/fake-resend";
import { createBenchOrg, databaseFacts, emptyUsageTables, prepareBenchDatabase, type TBenchOrg } from "./bench-database";
import { ensureBuild, startServer } from "./bench-server";
import { Cleanups } from "./cleanup";
import { runCopy } from "./copy-scenario";
import { CpuMeter } from "./cpu";
import { fmt, type TLog } from "./format";
import { percentile } from "./load";
import { parseArgs } from "./options";
import { benchScenarios, runScenario, type TScenarioResult } from "./scenarios";
import { AGENTS, MODELS, USERS } from "./workload";

const log: TLog = (line) => console.log(`[bench:alerts] ${line}`);

// One side's rounds as one measurement: every event over every second, CPU summed.
function pooled(results: TScenarioResult[]): { eventsPerSecond: number; cpu: { serverCores: number; postgresCores: number } } {
  const seconds = results.reduce((n, r) => n + r.measured.seconds, 0);
  const events = results.reduce((n, r) => n + r.measured.eventsAccepted, 0);
  const cores = (pick: (r: TScenarioResult) => number) => results.reduce((n, r) => n + pick(r) * r.measured.seconds, 0) / seconds;
  return { eventsPerSecond: events / seconds, cpu: { serverCores: cores((r) => r.cpu.serverCores), postgresCores: cores((r) => r.cpu.postgresCores) } };
}

function ownArgs(argv: string[]) {
  const own = { crossings: 200, budgets: 50, rounds: 2, parts: new Set(["latency", "throughput"]), batches: [100, 1000] };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--crossings") own.crossings = Number(argv[++i]);
    else if (argv[i] === "--budgets") own.budgets = Number(argv[++i]);
    else if (argv[i] === "--batches") own.batches = argv[++i].split(",").map(Number);
    else if (argv[i] === "--rounds") own.rounds = Math.max(1, Number(argv[++i]));
    else if (argv[i] === "--only" && /latency|throughput/.test(argv[i + 1] ?? "")) own.parts = new Set(argv[++i].split(","));
    else rest.push(argv[i]);
  }
  return { own, rest };
}

// Up to `count` budgets over every dimension the workload uses; amounts far above its spend, so the
// cost measured is counting, not alert mail.
async function addBudgets(org: TBenchOrg, count: number): Promise<number> {
  const big = { amountUsd: "100000000", thresholds: [1000] };
  const specs = [
    ...(["DAY", "WEEK", "MONTH", "TOTAL"] as const).map((period) => ({ scope: "ORG" as const, scopeValue: "", period })),
    ...org.keys.map((k) => ({ scope: "TEAM" as const, scopeValue: k.teamId, period: "MONTH" as const })),
    ...org.keys.map((k) => ({ scope: "KEY" as const, scopeValue: k.id, period: "DAY" as const })),
    { scope: "TASK" as const, scopeValue: "*", period: "MONTH" as const },
    { scope: "EXECUTION" as const, scopeValue: "*", period: "TOTAL" as const },
    ...AGENTS.flatMap((agent) => (["DAY", "MONTH"] as const).map((period) => ({ scope: "AGENT" as const, scopeValue: agent, period }))),
    ...MODELS.map((m) => ({ scope: "MODEL" as const, scopeValue: m.model, period: "MONTH" as const })),
    ...USERS.map((user) => ({ scope: "USER" as const, scopeValue: user, period: "WEEK" as const })),
  ].slice(0, count);
  for (const spec of specs) await createBudget(org.orgId, null, { ...big, ...spec });
  return specs.length;
}

async function main(cleanups: Cleanups): Promise<number> {
  const { own, rest } = ownArgs(process.argv.slice(2));
  const opts = parseArgs([...rest, "--only", "batch100,batch1000,copy"], new URL(import.meta.url));
  await ensureBuild(opts, log);
  const db = await prepareBenchDatabase(log, cleanups);
  await emptyUsageTables(log);
  const resend = await startFakeResend();
  cleanups.add(() => resend.close());
  const server = await startServer(db.url, { ...opts, serverEnv: { ...opts.serverEnv, RESEND_API_KEY: resend.apiKey, RESEND_BASE_URL: resend.url } }, log, cleanups);
  const meter = new CpuMeter(server.child.pid!, (await databaseFacts(db.url)).postmaster);
  const tag = `alerts-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
  const summary: Record<string, unknown> = {};

  if (own.parts.has("latency")) {
    const org = await createBenchOrg(`${tag}-lat`);
    const owner = await prisma().user.create({ data: { email: `owner-${tag}@bench.test` } });
    await prisma().membership.create({ data: { orgId: org.orgId, userId: owner.id, role: "OWNER" } });
    await createBudget(org.orgId, null, { name: "Per run", scope: "EXECUTION", scopeValue: "*", amountUsd: "1", period: "TOTAL", thresholds: [100] });
    // When the fake accepted each alert email, by the execution its text names.
    const accepted = new Map<string, number>();
    resend.onAccepted((mail) => {
      const run = /(run-\d+)/.exec(String(mail.body.text ?? ""))?.[1];
      if (run && !accepted.has(run)) accepted.set(run, performance.now());
    });
    const answered = new Map<string, number>();
    log(`latency: ${own.crossings} crossings, one execution each over a $1 per-execution budget…`);
    for (let i = 0; i < own.crossings; i++) {
      const run = `run-${i}`;
      const res = await fetch(server.url, {
        method: "POST",
        headers: { authorization: `Bearer ${org.keys[0].secret}`, "content-type": "application/json" },
        body: JSON.stringify({ id: `${tag}-${i}`, kind: "tool", cost_usd: "1.5", execution_id: run }),
      });
      answered.set(run, performance.now());
      if (res.status !== 200) throw new Error(`crossing ${i}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer().catch(() => undefined);
      // A steady trickle (~20 crossings/s), not a burst: each alert's own latency is what we want.
      await new Promise((r) => setTimeout(r, 50));
    }
    const until = performance.now() + 30_000;
    while (accepted.size < own.crossings && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    const latencies = Float64Array.from([...answered].filter(([run]) => accepted.has(run)).map(([run, t]) => accepted.get(run)! - t)).sort();
    summary.latency = {
      crossings: own.crossings,
      delivered: latencies.length,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies[latencies.length - 1] ?? NaN),
      targetP99Ms: 2000,
    };
    log(`latency: ${latencies.length}/${own.crossings} emails accepted; p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(latencies[latencies.length - 1] ?? NaN)} ms`);
    // Which crossings were slowest (the first after the server started, or spread out), to tell a cold start from a stall.
    const slowest = [...answered].filter(([run]) => accepted.has(run)).map(([run, t]) => [run, accepted.get(run)! - t] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
    log(`latency: slowest ${slowest.map(([run, ms]) => `${run} ${fmt(ms)} ms`).join(", ")}`);
  }

  if (own.parts.has("throughput")) {
    const plain = await createBenchOrg(`${tag}-plain`);
    const budgeted = await createBenchOrg(`${tag}-budgets`);
    const made = await addBudgets(budgeted, own.budgets);
    log(`throughput: org ${plain.slug} (no budget) vs ${budgeted.slug} (${made} budgets), batches of ${own.batches.join(" and ")}`);
    // CPU per event in the server and in Postgres (µs), the two sides of the cost.
    const perEvent = (r: { eventsPerSecond: number; cpu: { serverCores: number; postgresCores: number } }) => ({
      serverUs: Math.round((r.cpu.serverCores * 1e6) / r.eventsPerSecond),
      postgresUs: Math.round((r.cpu.postgresCores * 1e6) / r.eventsPerSecond),
    });
    const runs = [];
    for (const batch of own.batches) {
      const scenario = benchScenarios(opts).find((s) => s.name === `batch${batch}`);
      if (!scenario) throw new Error(`--batches: no scenario for ${batch} (100 or 1000)`);
      // Rounds in the order without, with, with, without, …: a machine that speeds up or slows down
      // during the run (a cold server at first, a neighbour's job) weighs on both sides alike.
      const sides = { without: [] as TScenarioResult[], with: [] as TScenarioResult[] };
      for (let round = 0; round < own.rounds; round++) {
        const order = round % 2 === 0 ? (["without", "with"] as const) : (["with", "without"] as const);
        for (const side of order) {
          const org = side === "with" ? budgeted : plain;
          sides[side].push(await runScenario(scenario, org, `${tag}-${side === "with" ? "b" : "p"}${batch}-${round}`, server, meter, opts, log));
        }
      }
      const without = pooled(sides.without);
      const withBudgets = pooled(sides.with);
      runs.push({ batch, without, withBudgets, rounds: { without: sides.without.map((r) => Math.round(r.eventsPerSecond)), with: sides.with.map((r) => Math.round(r.eventsPerSecond)) } });
      log(`CPU per event, batches of ${batch}: without ${JSON.stringify(perEvent(without))}, with ${JSON.stringify(perEvent(withBudgets))}`);
    }
    // COPY after the HTTP runs, in the same run: the physical limit the ratios are against.
    const copy = await runCopy(await createBenchOrg(`${tag}-copy`), `${tag}-c`, db.url, meter, opts, log);
    summary.throughput = {
      budgets: made,
      copyRowsPerSecond: Math.round(copy.rowsPerSecond),
      targets: { withOverWithout: 0.8, withOverCopy: 0.3 },
      batches: runs.map(({ batch, without, withBudgets, rounds }) => {
        const ratio = withBudgets.eventsPerSecond / without.eventsPerSecond;
        const ofCopy = withBudgets.eventsPerSecond / copy.rowsPerSecond;
        log(`throughput, batches of ${batch}: ${fmt(without.eventsPerSecond)} → ${fmt(withBudgets.eventsPerSecond)} events/s with ${made} budgets (× ${ratio.toFixed(2)}; rounds ${rounds.without.map((n) => fmt(n)).join(", ")} → ${rounds.with.map((n) => fmt(n)).join(", ")}); COPY ${fmt(copy.rowsPerSecond)} rows/s (with budgets × ${ofCopy.toFixed(2)} of COPY)`);
        return {
          batch,
          rounds,
          withoutEventsPerSecond: Math.round(without.eventsPerSecond),
          withEventsPerSecond: Math.round(withBudgets.eventsPerSecond),
          withOverWithout: Number(ratio.toFixed(2)),
          withOverCopy: Number(ofCopy.toFixed(2)),
          cpuPerEventWithout: perEvent(without),
          cpuPerEventWith: perEvent(withBudgets),
        };
      }),
    };
  }

  console.log(`BENCH_ALERTS ${JSON.stringify(summary)}`);
  return 0;
}

const cleanups = new Cleanups();
let code = 1;
try {
  code = await main(cleanups);
} catch (err) {
  console.error("[bench:alerts] failed:", err instanceof Error ? (err.stack ?? err.message) : err);
} finally {
  await closeDb().catch(() => undefined);
  await cleanups.run();
}
process.exit(code);
