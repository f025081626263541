// A process on the embedded Postgres (BURNRATE_DATA_DIR, no DATABASE_URL) that ends the way a test
// runner or an admin command does: it sets its exit code (EXIT_CODE, if given) and lets the event
// loop empty. Run with `node --import tsx`; it must exit with that code (0 when none).
import { closeDb } from "../db";
import { prepareDatabase } from "../db/bootstrap";

delete process.env.DATABASE_URL;
const db = await prepareDatabase({ log: () => undefined });
await closeDb();
await db.stop();
if (process.env.EXIT_CODE) process.exitCode = Number(process.env.EXIT_CODE);
