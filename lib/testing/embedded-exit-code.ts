// A process on the embedded Postgres (BURNRATE_DATA_DIR, no DATABASE_URL) that fails the way a test
// runner or an admin command does: it sets its exit code and lets the event loop empty. Run with
// `node --import tsx`; it must exit 3.
import { closeDb } from "../db";
import { prepareDatabase } from "../db/bootstrap";

delete process.env.DATABASE_URL;
const db = await prepareDatabase({ log: () => undefined });
await closeDb();
await db.stop();
process.exitCode = 3;
