// Operator CLI (docs/operations.md): npm run admin -- <command> …
import { runAdmin } from "../lib/admin/cli";
import { closeDb } from "../lib/db";
import { prepareDatabase } from "../lib/db/bootstrap";

// With DATABASE_URL unset this works on the embedded dev database (shared with a running npm run dev).
const db = await prepareDatabase({ log: () => undefined });
const code = await runAdmin(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) });
await closeDb();
await db.stop();
process.exit(code);
