// npm run seed:large [-- --slug large --events 10000000 --executions 200000 --months 12 --timezone America/New_York]
// A year of traffic in one org, by SQL (prisma/seed/large.ts), then the invariants checked. With
// DATABASE_URL unset it writes to the embedded dev database (.data), where `npm run dev` shows it.
import { parseArgs } from "node:util";
import { closeDb, prisma } from "../lib/db";
import { prepareDatabase } from "../lib/db/bootstrap";
import { checkLargeSeed, seedLargeOrg } from "../prisma/seed/large";

const { values } = parseArgs({
  options: {
    slug: { type: "string", default: "large" },
    name: { type: "string", default: "Large Co" },
    events: { type: "string", default: "10000000" },
    executions: { type: "string", default: "200000" },
    months: { type: "string", default: "12" },
    timezone: { type: "string", default: "America/New_York" },
  },
});
const events = Number(values.events);
const executions = Number(values.executions);
const months = Number(values.months);
if (![events, executions, months].every((n) => Number.isInteger(n) && n > 0) || executions > events) {
  console.error("--events, --executions and --months must be positive integers, with executions ≤ events");
  process.exit(2);
}

const db = await prepareDatabase({ log: () => undefined });
let code = 0;
try {
  const existing = await prisma().organization.findUnique({ where: { slug: values.slug } });
  let orgId: string;
  if (existing) {
    console.log(`[seed:large] /${values.slug} exists already: checking it (pick another --slug for a new one)`);
    orgId = existing.id;
  } else {
    const result = await seedLargeOrg({
      slug: values.slug,
      name: values.name,
      timezone: values.timezone,
      events,
      executions,
      months,
      log: (line) => console.log(`[seed:large] ${line}`),
    });
    orgId = result.orgId;
    console.log(
      `[seed:large] /${values.slug}: ${result.events.toLocaleString("en-US")} events, ${result.executions.toLocaleString("en-US")} executions, ` +
        `${result.rollups.toLocaleString("en-US")} hourly rollups in ${result.seconds.toFixed(0)} s`,
    );
  }
  const check = await checkLargeSeed(orgId);
  if (check.ok) console.log(`[seed:large] invariants hold: events = rollups = executions = counters ($${check.eventsUsd} in all)`);
  else {
    console.error(`[seed:large] invariants broken:\n  ${check.failures.join("\n  ")}`);
    code = 1;
  }
} catch (err) {
  console.error(`[seed:large] ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
} finally {
  await closeDb();
  await db.stop();
}
process.exit(code);
