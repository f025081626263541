import { ZGatewayRequest, type TGatewayRequest, type TProviderAdapter } from "./relay";
import { sseJson } from "./sse";

// Anthropic Messages (POST {base}/v1/messages). A stream's usage comes in two parts: message_start
// carries the input side (input, cache read, cache write) and a first output count; each
// message_delta carries cumulative counts. They are merged field by field, the last non-null value
// winning — never added, which would count the output (and re-sent input fields) twice.

// The API version the SDKs send; a client that names none gets this one.
const DEFAULT_VERSION = "2023-06-01";

const str = (v: unknown) => (typeof v === "string" && v ? v : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function merge(into: Record<string, unknown> | null, usage: Record<string, unknown>): Record<string, unknown> {
  const out = { ...into };
  for (const [field, value] of Object.entries(usage)) if (value !== null && value !== undefined) out[field] = value;
  return out;
}

function header(value: string | string[] | undefined): string | null {
  return typeof value === "string" && value ? value : Array.isArray(value) ? value.join(",") : null;
}

export const ANTHROPIC_MESSAGES: TProviderAdapter<TGatewayRequest> = {
  provider: "anthropic",
  api: "messages",
  schema: ZGatewayRequest,
  url: (baseUrl, search) => `${baseUrl}/v1/messages${search}`,
  headers: (req, upstream) => {
    const beta = header(req.headers["anthropic-beta"]);
    return {
      "x-api-key": upstream.apiKey,
      "anthropic-version": header(req.headers["anthropic-version"]) ?? DEFAULT_VERSION,
      ...(beta ? { "anthropic-beta": beta } : {}),
      "content-type": "application/json",
      accept: req.headers.accept ?? "application/json",
    };
  },
  body: (raw) => ({ body: raw, hideUsageChunk: false }),
  fromResponse: (json) => ({ id: str(json.id), model: str(json.model), usage: obj(json.usage) }),
  onStreamEvent: (event, tally) => {
    const data = sseJson(event);
    const type = str(data?.type) ?? event.event;
    if (type === "message_start") {
      const message = obj(data?.message);
      tally.id ??= str(message?.id);
      tally.model ??= str(message?.model);
      const usage = obj(message?.usage);
      if (usage) tally.usage = merge(tally.usage, usage);
    } else if (type === "message_delta") {
      const usage = obj(data?.usage);
      if (usage) tally.usage = merge(tally.usage, usage);
    } else if (type === "message_stop") {
      tally.complete = true;
    } else if (type === "error") {
      tally.errorType = str(obj(data?.error)?.type) ?? "stream_error";
    }
    return true;
  },
  errorType: (json) => str(obj(json.error)?.type),
};
