// npm start: the production server (run `npm run build` first). One process, one port.
import { ensureAuthSecret, ensureAuthUrl } from "../lib/auth/secret";
import { prepareDatabase } from "../lib/db/bootstrap";
import { env } from "../lib/env";
import { handleShutdownSignals } from "../lib/server/shutdown";
import { startServer } from "../server";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
if (!process.env.DATABASE_URL) console.warn("[start] DATABASE_URL is unset: using the embedded Postgres under .data (not for production)");
const db = await prepareDatabase();
const shutdown = handleShutdownSignals({ database: db });
// A generated secret only for the embedded demo database; a real deployment must set AUTH_SECRET.
await ensureAuthSecret({ allowGenerated: !process.env.DATABASE_URL || process.env.BURNRATE_MAILBOX === "1" });
ensureAuthUrl();
const { PORT, HOST } = env();
shutdown.register(await startServer({ dev: false, port: PORT, hostname: HOST }));
console.log(`[start] Burnrate listening on http://${HOST}:${PORT}`);
