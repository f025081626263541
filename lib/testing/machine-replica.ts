// A second (or third) replica of the machine API for tests: the lean router on its own port, its
// own pool and module state (group commit, key cache, outbox kicks), on the shared DATABASE_URL.
// Prints "listening <url>". Run with `node --import tsx`; stop it with SIGTERM.
import { closeDb } from "../db";
import { startMachineServer } from "./machine-server";

const server = await startMachineServer();
console.log(`listening ${server.url}`);
process.once("SIGTERM", () => {
  void server.close().then(() => closeDb()).then(() => process.exit(0));
});
