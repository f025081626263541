// Run by lib/gateway/credentials.test.ts as its own process, with the keys in its environment: the
// upstream the gateway would call for PROBE_ORG_ID's PROBE_PROVIDER credential, or the error.
import { closeDb } from "../db";
import { upstreamFor, type TGatewayProvider } from "../gateway/credentials";

try {
  const upstream = await upstreamFor(process.env.PROBE_ORG_ID!, "probe", process.env.PROBE_PROVIDER as TGatewayProvider);
  console.log(`UPSTREAM ${upstream.apiKey}`);
} catch (err) {
  console.log(`FAILED ${(err as Error).message}`);
}
await closeDb();
process.exit(0);
