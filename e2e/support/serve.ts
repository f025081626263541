// The app as the e2e tests see it: a production build (`npm run build` first) on its own database —
// DATABASE_URL's server with database burnrate_e2e, or an embedded Postgres in .data/e2e.
import { e2eEnv } from "./env";

// The environment first (NODE_ENV=production among it), everything else after: React picks its
// development or production build when it is first loaded, and the server's module graph loads it
// at import time (email templates). Static imports here would run before this line, load the
// development build, and pair it with the production react-dom/server that later renders alert
// emails outside Next ("dispatcher.getOwner is not a function"). `npm start` sets NODE_ENV in its
// shell and never had this.
Object.assign(process.env, e2eEnv());
const { ensureAuthSecret, ensureAuthUrl } = await import("../../lib/auth/secret");
const { prepareDatabase } = await import("../../lib/db/bootstrap");
const { handleShutdownSignals } = await import("../../lib/server/shutdown");
const { startServer } = await import("../../server");

const db = await prepareDatabase({ log: (line) => console.log(`[e2e db] ${line}`) });
const shutdown = handleShutdownSignals({ database: db });
await ensureAuthSecret({ allowGenerated: true });
ensureAuthUrl();
const port = Number(process.env.E2E_PORT ?? 3100);
shutdown.register(await startServer({ dev: false, port, hostname: "localhost" }));
console.log(`[e2e] server ready on http://localhost:${port}`);
