// The OTLP decoding thread's entry (lib/otlp/off-thread.ts): a worker does not inherit the request
// thread's TypeScript loader, so it registers tsx itself before loading the decoder.
import { register } from "tsx/esm/api";

register();
await import("./decode-worker.ts");
