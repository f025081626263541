import { z } from "zod";
import { ZGatewayRequest, type TProviderAdapter } from "./relay";
import { sseJson } from "./sse";

// OpenAI Chat Completions (POST {base}/chat/completions). A stream reports usage only when asked
// (stream_options.include_usage), in one extra chunk before [DONE] whose choices are empty. The
// gateway asks for it when the client did not — as LiteLLM does — and then keeps that chunk from
// the client, which did not ask for it; every other chunk is relayed byte for byte (they carry
// `"usage": null` then, which the SDK's types allow).

export const ZOpenAIChatRequest = ZGatewayRequest.extend({
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});
type TOpenAIChatRequest = z.infer<typeof ZOpenAIChatRequest>;

const str = (v: unknown) => (typeof v === "string" && v ? v : null);
const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export const OPENAI_CHAT: TProviderAdapter<TOpenAIChatRequest> = {
  provider: "openai",
  api: "chat.completions",
  schema: ZOpenAIChatRequest,
  url: (baseUrl, search) => `${baseUrl}/chat/completions${search}`,
  headers: (req, upstream) => ({
    authorization: `Bearer ${upstream.apiKey}`,
    "content-type": "application/json",
    accept: req.headers.accept ?? "application/json",
  }),
  body: (raw, request) => {
    if (request.stream !== true || request.stream_options?.include_usage === true) return { body: raw, hideUsageChunk: false };
    if (request.stream_options == null && !raw.includes('"stream_options"')) {
      // Spliced in before the closing brace rather than re-serialised, so the rest of the body
      // (numbers beyond double precision included) reaches OpenAI exactly as the client wrote it.
      const text = raw.toString("utf8");
      const end = text.lastIndexOf("}");
      return { body: `${text.slice(0, end)},"stream_options":{"include_usage":true}${text.slice(end)}`, hideUsageChunk: true };
    }
    const parsed = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    return { body: JSON.stringify({ ...parsed, stream_options: { ...obj(parsed.stream_options), include_usage: true } }), hideUsageChunk: true };
  },
  fromResponse: (json) => ({ id: str(json.id), model: str(json.model), usage: obj(json.usage) }),
  onStreamEvent: (event, tally, hideUsageChunk) => {
    if (event.data === "[DONE]") {
      tally.complete = true;
      return true;
    }
    const chunk = sseJson(event);
    if (!chunk) return true;
    tally.id ??= str(chunk.id);
    tally.model ??= str(chunk.model);
    const error = obj(chunk.error);
    if (error) tally.errorType = str(error.type) ?? str(error.code) ?? "stream_error";
    const usage = obj(chunk.usage);
    if (!usage) return true;
    tally.usage = usage;
    // The usage-only chunk the gateway asked for: not the client's.
    return !(hideUsageChunk && Array.isArray(chunk.choices) && chunk.choices.length === 0);
  },
  errorType: (json) => {
    const error = obj(json.error);
    return error ? (str(error.type) ?? str(error.code)) : null;
  },
};
