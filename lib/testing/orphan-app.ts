// An app process that shuts down when its parent goes away (as `npm run dev` does): prints its pid
// and "ready", then waits. Run with `node --import tsx` under a shell.
import { handleShutdownSignals } from "../server/shutdown";

handleShutdownSignals({}, { exitWithParent: true });
console.log(`pid ${process.pid}`);
console.log("ready");
setInterval(() => undefined, 1000);
