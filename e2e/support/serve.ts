// The app as the e2e tests see it: a production build (`npm run build` first) on its own database —
// DATABASE_URL's server with database burnrate_e2e, or an embedded Postgres in .data/e2e.
import { ensureAuthSecret, ensureAuthUrl } from "../../lib/auth/secret";
import { prepareDatabase } from "../../lib/db/bootstrap";
import { handleShutdownSignals } from "../../lib/server/shutdown";
import { startServer } from "../../server";
import { e2eEnv } from "./env";

Object.assign(process.env, e2eEnv());
const db = await prepareDatabase({ log: (line) => console.log(`[e2e db] ${line}`) });
const shutdown = handleShutdownSignals({ database: db });
await ensureAuthSecret({ allowGenerated: true });
ensureAuthUrl();
const port = Number(process.env.E2E_PORT ?? 3100);
shutdown.register(await startServer({ dev: false, port, hostname: "localhost" }));
console.log(`[e2e] server ready on http://localhost:${port}`);
