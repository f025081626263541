// npm run bench:dashboard [-- --runs 50 --events 10000000]
// Server time of the dashboard's reads on a year of data: the loaders the pages call (database
// work plus the shaping the page gets), p50 / p95 over N runs each, against the seed:large org and
// one 10× smaller in the same database and the same run — so what grows with volume shows as the
// big / small ratio, whatever this machine's speed today. Orgs missing from the bench database are
// seeded first (prisma/seed/large.ts: ~4 minutes for 10M events).
import { parseArgs } from "node:util";
import { closeDb, pool, prisma } from "../../lib/db";
import { checkLargeSeed, largeDetailExecutionId, seedLargeOrg } from "../../prisma/seed/large";
import { prepareBenchDatabase, USAGE_TABLE_NAMES } from "./bench-database";
import { Cleanups } from "./cleanup";
import { fmt } from "./format";
import { DASHBOARD_SCENARIOS, type TBenchOrg } from "./dashboard-scenarios";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "50" },
    events: { type: "string", default: "10000000" },
    only: { type: "string" },
  },
});
const runs = Number(values.runs);
const events = Number(values.events);
const log = (line: string) => console.log(`[bench:dashboard] ${line}`);

const cleanups = new Cleanups();
process.once("SIGINT", () => void cleanups.run().then(() => process.exit(130)));
await prepareBenchDatabase(log, cleanups);

async function ensureOrg(slug: string, name: string, size: number): Promise<TBenchOrg> {
  let org = await prisma().organization.findUnique({ where: { slug } });
  // The other benches empty the usage tables of this same database, which leaves the seeded org with
  // no events (and consistent: nothing disagrees with nothing). Measuring that would time empty reads.
  const seeded = org ? Number((await pool().query(`SELECT count(*)::bigint AS n FROM "UsageEvent" WHERE "orgId" = $1`, [org.id])).rows[0].n) : 0;
  if (org && seeded < size * 0.9) {
    log(`/${slug} holds ${fmt(seeded)} events, not ~${fmt(size)} (another bench emptied the usage tables): seeding it again`);
    for (const table of USAGE_TABLE_NAMES) await pool().query(`DELETE FROM "${table}" WHERE "orgId" = $1`, [org.id]);
    await prisma().organization.delete({ where: { id: org.id } });
    org = null;
  }
  if (!org) {
    log(`seeding /${slug}: ${fmt(size)} events, ${fmt(size / 50)} executions over 12 months…`);
    const result = await seedLargeOrg({ slug, name, events: size, executions: Math.round(size / 50), months: 12, log: (line) => log(`  ${line}`) });
    log(`  seeded in ${result.seconds.toFixed(0)} s`);
    org = await prisma().organization.findUniqueOrThrow({ where: { slug } });
  }
  const check = await checkLargeSeed(org.id);
  if (!check.ok) throw new Error(`/${slug}: ${check.failures.join("; ")}`);
  const { rows } = await pool().query(`SELECT count(*)::bigint AS n FROM "UsageEvent" WHERE "orgId" = $1`, [org.id]);
  return { id: org.id, slug, name: org.name, timezone: org.timezone, events: Number(rows[0].n), detailExecutionId: largeDetailExecutionId(slug) };
}

const large = await ensureOrg("large", "Large Co", events);
const small = await ensureOrg("large-small", "Large Co (1/10)", Math.round(events / 10));
log(`orgs: /${large.slug} ${fmt(large.events)} events, /${small.slug} ${fmt(small.events)} events (invariants checked)`);

type TTimes = { p50: number; p95: number };
const percentiles = (times: number[]): TTimes => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95) };
};

// The two orgs' runs alternate (small, large, small, …): this machine's speed drifts within minutes,
// and back-to-back blocks would put a slow minute on one org only and call it growth with volume.
async function measurePair(smallRun: () => Promise<unknown>, largeRun: () => Promise<unknown>): Promise<{ s: TTimes; l: TTimes }> {
  for (let i = 0; i < 5; i++) {
    await smallRun();
    await largeRun();
  }
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [j, run] of [smallRun, largeRun].entries()) {
      const started = performance.now();
      await run();
      times[j].push(performance.now() - started);
    }
  }
  return { s: percentiles(times[0]), l: percentiles(times[1]) };
}

const rows: string[][] = [];
let failed = 0;
for (const scenario of DASHBOARD_SCENARIOS) {
  if (values.only && !values.only.split(",").includes(scenario.name)) continue;
  const smallRun = await scenario.prepare(small);
  const largeRun = await scenario.prepare(large);
  const { s, l } = await measurePair(smallRun, largeRun);
  const ratio = l.p95 / s.p95;
  const meetsTarget = l.p95 <= scenario.targetP95Ms && (scenario.flat ? ratio <= 1.5 : true);
  if (!meetsTarget) failed++;
  rows.push([
    scenario.label,
    `${s.p50.toFixed(1)} · ${s.p95.toFixed(1)}`,
    `${l.p50.toFixed(1)} · ${l.p95.toFixed(1)}`,
    ratio.toFixed(2),
    `p95 ≤ ${scenario.targetP95Ms} ms${scenario.flat ? ", ratio ≤ 1.5" : ""}`,
    meetsTarget ? "met" : "MISSED",
  ]);
  log(`${scenario.name}: small p95 ${s.p95.toFixed(1)} ms, large p95 ${l.p95.toFixed(1)} ms`);
}

const header = ["read", `1/10 org p50 · p95 ms`, `large org p50 · p95 ms`, "p95 large / 1/10", "target", ""];
console.log(`\n${runs} runs each after 5 warm-up runs, the two orgs alternating; /${large.slug} ${fmt(large.events)} events, /${small.slug} ${fmt(small.events)} events\n`);
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
console.log(`\n${rows.length - failed} targets met, ${failed} missed`);

await closeDb();
await cleanups.run();
process.exit(failed ? 1 : 0);
