// Seeds the overview spec's own demo org (the demo seeder under another slug: a month of agent
// traffic with one runaway execution ~3× the next) and an empty org, each with the spec's user as
// owner. Run with the e2e environment (e2e/support/admin.ts's way); prints JSON on its last line.
//   node --import tsx e2e/support/seed-overview.ts <demo-slug> <empty-slug> <owner-email>
import path from "node:path";
import { closeDb, pool, prisma } from "../../lib/db";
import { prepareDatabase } from "../../lib/db/bootstrap";
import { createOrg } from "../../lib/orgs/create";
import { ensureSeededOrg } from "../../prisma/seed";

// With DATABASE_URL unset (CI, a fresh machine) the e2e server runs an embedded Postgres in
// .data/e2e; join it as the admin CLI does rather than assume a URL.
const database = await prepareDatabase({ log: () => undefined });
const [demoSlug, emptySlug, email] = process.argv.slice(2);
try {
  const seeded = await ensureSeededOrg({
    slug: demoSlug,
    name: "Overview Demo Co",
    timezone: "America/New_York",
    keyFile: path.resolve(process.env.BURNRATE_DATA_DIR ?? ".data/e2e", `${demoSlug}-key.txt`),
    // A smaller month than `npm run dev`'s: the same cast, the same runaway, a faster seed.
    targetEvents: 12_000,
  });
  const existing = await prisma().organization.findUnique({ where: { slug: emptySlug } });
  if (!existing) await createOrg({ slug: emptySlug, name: "Empty Co", timezone: "Europe/Berlin" });
  const user = await prisma().user.upsert({ where: { email }, update: {}, create: { email, name: "Overview lead" } });
  for (const slug of [demoSlug, emptySlug]) {
    const org = await prisma().organization.findUniqueOrThrow({ where: { slug } });
    await prisma().membership.upsert({ where: { orgId_userId: { orgId: org.id, userId: user.id } }, update: {}, create: { orgId: org.id, userId: user.id, role: "OWNER" } });
  }
  const org = await prisma().organization.findUniqueOrThrow({ where: { slug: demoSlug } });
  const { rows } = await pool().query<{ executionId: string; cost: string }>(
    `SELECT "executionId", "costUsd"::text AS cost FROM "Execution" WHERE "orgId" = $1 ORDER BY "costUsd" DESC LIMIT 2`,
    [org.id],
  );
  console.log(JSON.stringify({ demoKey: seeded.demoKey, created: seeded.created, top: rows }));
} finally {
  await closeDb();
  await database.stop();
}
