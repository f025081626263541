// A second app process for webhook tests: drains the webhook queue once (DATABASE_URL from the
// environment), prints what it did as JSON, exits. Run with `node --import tsx`. With WAIT_FOR_GO=1
// it connects, prints "ready" and starts when a line arrives on stdin, so a test can start several
// senders at the same moment.
import { drainWebhooks } from "../alerts/webhooks";
import { closeDb, prisma } from "../db";

if (process.env.WAIT_FOR_GO === "1") {
  await prisma().$queryRaw`SELECT 1`;
  console.log("ready");
  await new Promise((resolve) => process.stdin.once("data", resolve));
}
const result = await drainWebhooks({ batchSize: Number(process.env.BATCH_SIZE ?? 10) });
console.log(JSON.stringify(result));
await closeDb();
