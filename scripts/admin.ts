// Operator CLI (docs/operations.md): npm run admin -- <command> …
import { runAdmin } from "../lib/admin/cli";
import { kickWebhooks } from "../lib/alerts/webhooks";
import { closeDb } from "../lib/db";
import { prepareDatabase } from "../lib/db/bootstrap";
import { kickOutbox } from "../lib/email/outbox";

// With DATABASE_URL unset this works on the embedded dev database (shared with a running npm run dev).
const db = await prepareDatabase({ log: () => undefined });
const code = await runAdmin(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  // Read only when a command asks (--key -): a terminal with nothing piped in would wait forever.
  stdin: process.stdin.isTTY ? undefined : async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      // A key is short; anything this long was piped by mistake.
      if (size > 64 * 1024) throw new Error("standard input holds more than 64 KiB; pipe only the key");
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  },
});
// A budget set from here may already be past a threshold: send what that queued now rather than at
// a running server's next job tick (a failed send stays queued for the server to retry).
await Promise.all([kickOutbox(), kickWebhooks()]).catch((err: unknown) => console.error(`[admin] sending alerts failed: ${String(err)}`));
await closeDb();
await db.stop();
process.exit(code);
