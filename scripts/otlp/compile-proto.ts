// Regenerates lib/otlp/proto/otlp.json from the vendored .proto files: npx tsx scripts/otlp/compile-proto.ts
import { writeFileSync } from "node:fs";
import { compileOtlpSchema } from "../../lib/otlp/proto-schema";

const out = new URL("../../lib/otlp/proto/otlp.json", import.meta.url);
writeFileSync(out, JSON.stringify(compileOtlpSchema(), null, 1) + "\n");
console.log(`wrote ${out.pathname}`);
