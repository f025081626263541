// An app process on the embedded Postgres (BURNRATE_DATA_DIR, no DATABASE_URL), as `npm run dev`
// runs it: migrations, a pool with open connections, the shutdown handlers. Prints the Postgres
// PID and "ready". Run with `node --import tsx`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { prisma } from "../db";
import { prepareDatabase } from "../db/bootstrap";
import { handleShutdownSignals } from "../server/shutdown";

delete process.env.DATABASE_URL;
const db = await prepareDatabase({ log: () => undefined });
handleShutdownSignals({ database: db });
// Several pooled connections, idle when the signal comes.
await Promise.all(Array.from({ length: 20 }, () => prisma().$executeRaw`SELECT pg_sleep(0.05)`));
const pid = readFileSync(path.join(process.env.BURNRATE_DATA_DIR!, "postgres", "postmaster.pid"), "utf8").split("\n")[0];
console.log(`postgres pid ${pid}`);
console.log("ready");
setInterval(() => undefined, 1000);
