// npm run bench (= npm run bench:ingest): ingest throughput of the production server, measured
// honestly, next to the physical limit (COPY into the same table on the same Postgres).
//
//   npx tsx scripts/bench/ingest.ts [--seconds 10] [--warmup 2] [--only batch100,batch1000,single,copy]
//     [--copy-rows 600000] [--copy-streams 1] [--single-clients 16] [--group-wait MS] [--pool N]
//     [--server-env KEY=VALUE]... [--build] [--keep-data] [--strict] [--verbose] [--profile DIR]
//     [--wait-quiet SECONDS] [--node-flag FLAG]...
//
// Database: DATABASE_URL set → that server, database `burnrate_bench` (created and migrated);
// unset → an embedded Postgres under .data/bench. The server runs as a CHILD process
// (`npx tsx scripts/start.ts`, NODE_ENV=production), so the load generator's CPU and the server's are
// separate processes; CPU per process comes from /proc. Setup (org, teams, keys) uses the library.
// --profile DIR writes a V8 CPU profile of the server to DIR (open it in Chrome DevTools).
// --node-flag FLAG passes a Node/V8 flag to the server (e.g. --trace-gc with --verbose).
// --wait-quiet S waits up to S seconds before each measurement until other processes use < 0.25 core
// (on a shared machine other work steals the same cores; the summary shows it as "other").
// Prints a summary table and one line `BENCH_RESULT {json}`. Exit code 1 if any request failed or
// the totals disagree; with --strict also when a target is missed.
import { randomBytes } from "node:crypto";
import { closeDb } from "../../lib/db";
import { createBenchOrg, databaseFacts, emptyUsageTables, prepareBenchDatabase } from "./bench-database";
import { ensureBuild, startServer, type TServer } from "./bench-server";
import { Cleanups } from "./cleanup";
import { checkConsistency } from "./consistency";
import { runCopy } from "./copy-scenario";
import { CpuMeter } from "./cpu";
import type { TLog } from "./format";
import { parseArgs, type TBenchOptions } from "./options";
import { printReport } from "./report";
import { benchScenarios, runScenario, type TScenarioResult } from "./scenarios";

async function main(opts: TBenchOptions, log: TLog, cleanups: Cleanups, benchStarted: number): Promise<number> {
  const scenarios = benchScenarios(opts).filter((s) => opts.only.has(s.name));
  if (scenarios.length) await ensureBuild(opts, log);
  const db = await prepareBenchDatabase(log, cleanups);
  const facts = await databaseFacts(db.url);
  log(
    `Postgres ${facts.version} at ${db.display}: fsync=${facts.fsync}, synchronous_commit=${facts.synchronous_commit}, ` +
      `shared_buffers=${facts.shared_buffers}` + (facts.postmaster ? `, postmaster pid ${facts.postmaster}` : ", CPU of Postgres not measurable from here"),
  );
  if (!opts.keepData) await emptyUsageTables(log);

  const tag = `bench-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
  const org = await createBenchOrg(tag);
  const copyOrg = await createBenchOrg(`${tag}-copy`);
  log(`org ${org.slug} (3 teams, 3 ingest keys); COPY org ${copyOrg.slug}`);

  const results: TScenarioResult[] = [];
  let server: TServer | null = null;
  let meter = new CpuMeter(process.pid, facts.postmaster);
  if (scenarios.length) {
    server = await startServer(db.url, opts, log, cleanups);
    meter = new CpuMeter(server.child.pid!, facts.postmaster);
    for (const scenario of scenarios) results.push(await runScenario(scenario, org, tag, server, meter, opts, log));
  }
  const copy = opts.only.has("copy") ? await runCopy(copyOrg, tag, db.url, meter, opts, log) : null;

  const accepted = results.reduce((n, r) => n + r.warmup.eventsAccepted + r.measured.eventsAccepted, 0);
  const sent = results.reduce((n, r) => n + r.warmup.eventsSent + r.measured.eventsSent, 0);
  const failures = results.reduce((n, r) => n + r.warmup.failures + r.measured.failures, 0);
  const consistency = results.length ? await checkConsistency(org.orgId, accepted) : null;

  const targets = printReport({ opts, benchStarted, db, facts, org, server, results, copy, consistency, accepted, sent, failures });

  if (failures || (consistency && !consistency.ok)) return 1;
  if (opts.strict && targets.some((t) => t.met === false)) return 1;
  return 0;
}

const opts = parseArgs(process.argv.slice(2), new URL(import.meta.url));
const benchStarted = performance.now();
const log: TLog = (line) => console.log(`[bench] ${line}`);
const cleanups = new Cleanups();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n[bench] ${signal}: stopping the server and the database…`);
    void closeDb()
      .catch(() => undefined)
      .then(() => cleanups.run())
      .finally(() => process.exit(130));
  });
}

let code = 1;
try {
  code = await main(opts, log, cleanups, benchStarted);
} catch (err) {
  console.error("[bench] failed:", err instanceof Error ? err.stack ?? err.message : err);
} finally {
  await closeDb().catch(() => undefined);
  await cleanups.run();
}
process.exit(code);
