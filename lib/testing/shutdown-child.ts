// A process whose shutdown hangs (an HTTP drain that never ends), for the deadline and second-signal
// tests. Run with `node --import tsx`; SHUTDOWN_TIMEOUT_MS applies.
import { handleShutdownSignals } from "../server/shutdown";

handleShutdownSignals({ http: { inFlight: () => 1, close: () => new Promise(() => undefined) } });
console.log("ready");
setInterval(() => undefined, 1000);
