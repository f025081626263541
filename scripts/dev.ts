// npm run dev: database (embedded when DATABASE_URL is unset) → migrations → demo data (once) →
// one process serving the UI and the machine API with hot reload.
import { ensureAuthSecret, ensureAuthUrl } from "../lib/auth/secret";
import { prepareDatabase } from "../lib/db/bootstrap";
import { env } from "../lib/env";
import { handleShutdownSignals } from "../lib/server/shutdown";
import { ensureDemoOrg } from "../prisma/seed";
import { startServer } from "../server";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
// Fail fast on a bad environment, before anything starts.
const { PORT: port, HOST: hostname } = env();
process.env.APP_URL ??= `http://localhost:${port}`;

const db = await prepareDatabase();
const shutdown = handleShutdownSignals({ database: db }, { exitWithParent: true });
await ensureAuthSecret({ allowGenerated: true });
ensureAuthUrl();
const demo = await ensureDemoOrg({ log: (line) => console.log(`[seed] ${line}`) });
shutdown.register(await startServer({ dev: true, port, hostname }));

const base = process.env.APP_URL ?? `http://localhost:${port}`;
console.log(`
  Burnrate is running at ${base}
  Demo overview:  ${base}/${demo.orgSlug}/overview
  Sign in:        enter ${demo.demoUserEmail} at ${base}/sign-in, then click the link in ${base}/dev/mailbox
  Demo API key:   ${demo.demoKey ?? "(see .data/demo-key.txt)"}
  Try:  curl -s "${base}/api/v1/spend?group_by=team" -H "Authorization: Bearer ${demo.demoKey ?? "<key>"}"
`);
