import { isUtf8 } from "node:buffer";
import type { IncomingHttpHeaders } from "node:http";
import { badRequest } from "../errors";
import { textProblem } from "../ingest/storable";

// Attribution for a call through the gateway, beyond what the virtual key carries: request headers
// named after the event fields (docs/api.md), with the same limits. They are Burnrate's, so they
// are never forwarded upstream (the gateway forwards only the headers it names).
export const ATTRIBUTION_HEADERS = {
  "x-burnrate-execution-id": "execution_id",
  "x-burnrate-task": "task",
  "x-burnrate-agent": "agent",
  "x-burnrate-user": "user",
  "x-burnrate-repository": "repository",
  "x-burnrate-pull-request": "pull_request",
} as const;

export type TGatewayAttribution = Partial<Record<(typeof ATTRIBUTION_HEADERS)[keyof typeof ATTRIBUTION_HEADERS], string>>;

const MAX_CHARS = 256;

export function attributionFromHeaders(headers: IncomingHttpHeaders): TGatewayAttribution {
  const out: TGatewayAttribution = {};
  for (const [header, field] of Object.entries(ATTRIBUTION_HEADERS)) {
    const raw = headers[header];
    if (raw === undefined) continue;
    if (Array.isArray(raw)) throw badRequest(`Send the ${header} header once`);
    // Node hands header bytes over as latin1; a UTF-8 value (a user's name) is read back as UTF-8.
    const bytes = Buffer.from(raw, "latin1");
    if (!isUtf8(bytes)) throw badRequest(`The ${header} header is not valid UTF-8`);
    const value = bytes.toString("utf8").trim();
    if (!value) continue;
    if (value.length > MAX_CHARS) throw badRequest(`The ${header} header is longer than ${MAX_CHARS} characters`);
    const problem = textProblem(value);
    if (problem) throw badRequest(`The ${header} header ${problem}`);
    out[field] = value;
  }
  return out;
}
