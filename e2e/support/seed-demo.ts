// Seeds a demo org (prisma/seed.ts ensureSeededOrg: cost centers, teams, keys, a month of agent
// traffic with the retry loop and the ~$40 runaway) in the e2e database and prints, on its last
// line, {"slug", "runawayExecutionId", "retryLoopExecutionId", "runawayCostUsd"}. An org seeded by
// an earlier run is reused (the fast path), its special executions found by their id suffixes.
//   node --import tsx e2e/support/seed-demo.ts <org-slug> [targetEvents]
import path from "node:path";
import { closeDb, pool } from "../../lib/db";
import { prepareDatabase } from "../../lib/db/bootstrap";
import { ensureSeededOrg } from "../../prisma/seed";

// With DATABASE_URL unset (CI, a fresh machine) the e2e server runs an embedded Postgres in
// .data/e2e; join it as the admin CLI does rather than assume a URL.
const database = await prepareDatabase({ log: () => undefined });
const [slug, target] = process.argv.slice(2);
try {
  await ensureSeededOrg({
    slug,
    name: `Demo ${slug}`,
    timezone: "America/New_York",
    keyFile: path.resolve(process.env.BURNRATE_DATA_DIR ?? ".data", `${slug}-key.txt`),
    targetEvents: target ? Number(target) : undefined,
  });
  const { rows } = await pool().query(
    `SELECT e."executionId", e."costUsd"::text AS cost
       FROM "Execution" e JOIN "Organization" o ON o.id = e."orgId"
      WHERE o.slug = $1 AND (e."executionId" LIKE '%-runaway' OR e."executionId" LIKE '%-loop8')`,
    [slug],
  );
  const runaway = rows.find((r) => r.executionId.endsWith("-runaway"));
  const loop = rows.find((r) => r.executionId.endsWith("-loop8"));
  console.log(JSON.stringify({ slug, runawayExecutionId: runaway?.executionId, runawayCostUsd: runaway?.cost, retryLoopExecutionId: loop?.executionId }));
} finally {
  await closeDb();
  await database.stop();
}
