import { closeDb } from "../db";
import { runTs, type TChild } from "./child";
import { startFakeResend, type TFakeResend } from "./fake-resend";
import { createPrivateDatabase } from "./private-database";

// Two app processes on one database, for the exactly-once tests: a database of the file's own (the
// email outbox is one queue per database — any other process draining the shared test database, a
// test file or a dev server, would "send" the emails to its own mailbox instead of the fake Resend),
// a fake Resend the replicas send through, and the replicas (lib/testing/machine-replica.ts).
// Call at the top of the test file; `start` in beforeAll, `stop` in afterAll.
export async function replicaCluster(label: string, count = 2) {
  const database = await createPrivateDatabase(label);
  let resend!: TFakeResend;
  let replicas: { child: TChild; url: string }[] = [];
  return {
    get resend() {
      return resend;
    },
    get replicas() {
      return replicas;
    },
    async start() {
      resend = await startFakeResend();
      replicas = await Promise.all(
        Array.from({ length: count }, async () => {
          const child = runTs("lib/testing/machine-replica.ts", { RESEND_API_KEY: resend.apiKey, RESEND_BASE_URL: resend.url, INGEST_GROUP_MAX_WAIT_MS: "2" });
          await child.printed("listening ");
          return { child, url: /listening (\S+)/.exec(child.output())![1] };
        }),
      );
    },
    async stop() {
      for (const r of replicas) {
        r.child.child.kill("SIGTERM");
        await r.child.exited;
      }
      await resend?.close();
      await closeDb();
      await database.drop();
    },
  };
}
