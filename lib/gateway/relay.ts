import { isUtf8 } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { isJsonContentType, readBody } from "../api/http";
import type { TApiKeyContext } from "../api/with-api-key";
import { checkBudgets } from "../budgets/check";
import { badRequest, forbidden, unavailable, unsupportedMediaType, zodDetails } from "../errors";
import { storableText } from "../ingest/storable";
import { attributionFromHeaders } from "./attribution-headers";
import { DEFAULT_BASE_URLS, upstreamFor, type TGatewayProvider, type TUpstream } from "./credentials";
import { budgetExceeded, upstreamCredentialRefused } from "./provider-errors";
import { holdIngest } from "../ingest/group-commit";
import { recordGatewayCall, type TGatewayCall } from "./record-call";
import { MAX_SSE_EVENT_CHARS, SseSplitter, type TSseEvent } from "./sse";
import { headerValue, postUpstream, readAll, type TUpstreamAnswer } from "./upstream-request";

// One call through the gateway: read and check the request, refuse it over a hard budget, forward
// it with the org's upstream key, relay the answer (JSON or a stream) and record it. What differs
// between OpenAI and Anthropic is in their adapters (./openai-chat.ts, ./anthropic-messages.ts).

// Provider request limits are about this size (Anthropic: 32 MB); images travel inline as base64.
export const GATEWAY_MAX_BODY_BYTES = 32 * 1024 * 1024;

// What the gateway reads of a request; everything else goes upstream as the client sent it.
export const ZGatewayRequest = z.looseObject({
  model: z.string().max(200).superRefine(storableText).refine((m) => m.trim() !== "", "is required"),
  stream: z.boolean().nullish(),
});
export type TGatewayRequest = z.infer<typeof ZGatewayRequest>;

// What a stream's events said, as far as they went.
export type TStreamTally = { id: string | null; model: string | null; usage: Record<string, unknown> | null; complete: boolean; errorType: string | null };

export type TProviderAdapter<R extends TGatewayRequest> = {
  provider: TGatewayProvider;
  api: TGatewayCall["api"];
  schema: z.ZodType<R>;
  // The upstream URL for this base URL (`search`: the client's query string, e.g. Anthropic's ?beta=true).
  url: (baseUrl: string, search: string) => string;
  headers: (req: IncomingMessage, upstream: TUpstream) => Record<string, string>;
  // The body to send: the client's bytes, unless the adapter must ask for usage in a stream.
  body: (raw: Buffer, request: R) => { body: Buffer | string; hideUsageChunk: boolean };
  // id, model and usage of a JSON answer.
  fromResponse: (json: Record<string, unknown>) => { id: string | null; model: string | null; usage: Record<string, unknown> | null };
  // Reads one stream event into the tally; false = do not relay it to the client.
  onStreamEvent: (event: TSseEvent, tally: TStreamTally, hideUsageChunk: boolean) => boolean;
  // The provider's error type in an error body ("rate_limit_error", "invalid_request_error"…).
  errorType: (json: Record<string, unknown>) => string | null;
};

// Upstream headers worth passing back: the request id the SDKs expose, how long to wait (the SDKs
// prefer retry-after-ms), and the rate-limit families clients pace themselves by.
const RELAYED_HEADERS = ["x-request-id", "request-id", "retry-after", "retry-after-ms", "x-should-retry", "openai-processing-ms"];
const RELAYED_PREFIXES = ["x-ratelimit-", "anthropic-ratelimit-"];
// How long the provider may take to start answering: the SDKs' own timeout. Mutable for tests only.
// How a call is recorded when it stopped early; said as "server_shutdown" when the shutdown stopped it.
const CUT_SHORT = new Set(["client_closed", "stream_interrupted", "stream_incomplete", "upstream_broke_off"]);

// Once it answers, the longest silence taken from it, and the largest JSON answer read.
export const GATEWAY_LIMITS = { upstreamStartMs: 10 * 60 * 1000, upstreamIdleMs: 10 * 60 * 1000, maxJsonAnswerBytes: 64 * 1024 * 1024, maxSseEventChars: MAX_SSE_EVENT_CHARS };

export async function relayCall<R extends TGatewayRequest, Q>(adapter: TProviderAdapter<R>, { req, res, url, key }: TApiKeyContext<Q>): Promise<"handled"> {
  const started = performance.now();
  const request = await readRequest(req, adapter.schema);
  const attribution = attributionFromHeaders(req.headers);
  if (key.allowedModels.length && !key.allowedModels.includes(request.model)) {
    throw forbidden(`This key may not use model '${request.model}' (allowed: ${key.allowedModels.join(", ")})`);
  }
  // The same question GET /api/v1/budget answers, for this key and what the headers say.
  const check = await checkBudgets(key, { execution_id: attribution.execution_id, task: attribution.task, agent: attribution.agent, user: attribution.user, model: request.model });
  if (!check.allowed) throw budgetExceeded(check.reason ?? "A budget blocks this call");
  const upstream = await upstreamFor(key.orgId, key.orgSlug, adapter.provider);
  const { body, hideUsageChunk } = adapter.body(request.raw, request.parsed);

  // A client that hangs up on a stream stops the upstream call (and its billing) too; it is recorded
  // with what was seen. A JSON answer is billed whole once asked for, so when its client gives up
  // (an SDK timeout) it is still read and recorded with its real usage, just not relayed.
  const streaming = request.parsed.stream === true;
  const abort = new AbortController();
  const onClose = () => res.writableFinished || !streaming || abort.abort();
  res.on("close", onClose);
  // Held from here to the recording: a shutdown waits for this call and still stores it. When the
  // drain begins (the HTTP drain is over, so its client is gone) the upstream call is stopped and
  // recorded with what it had — a stream's usage so far, a JSON call as a $0 error.
  let shuttingDown = false;
  const hold = holdIngest(() => {
    shuttingDown = true;
    abort.abort();
  });
  const record = (c: TGatewayCall) =>
    recordGatewayCall(key, shuttingDown && c.errorType && CUT_SHORT.has(c.errorType) ? { ...c, errorType: "server_shutdown" } : c, hold.submit);
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, GATEWAY_LIMITS.upstreamStartMs);
  const call = (partial: Partial<TGatewayCall>): TGatewayCall => ({
    provider: adapter.provider,
    api: adapter.api,
    stream: streaming,
    responseId: null,
    responseIdIsUnique: upstream.baseUrl === DEFAULT_BASE_URLS[adapter.provider],
    usage: null,
    latencyMs: performance.now() - started,
    errorType: null,
    attribution,
    ...partial,
    model: partial.model || request.model,
  });
  try {
    let response: TUpstreamAnswer;
    try {
      response = await postUpstream(adapter.url(upstream.baseUrl, url.search), adapter.headers(req, upstream), body, abort.signal, GATEWAY_LIMITS.upstreamIdleMs);
    } catch (err) {
      if (shuttingDown) {
        await record(call({ errorType: "server_shutdown" }));
        return "handled";
      }
      if (timedOut) {
        // The provider had the request all that time and may have run it: seen, at $0.
        await record(call({ errorType: "upstream_timeout" }));
        if (res.destroyed) return "handled";
        console.error(`[gateway] ${adapter.provider} did not start answering within ${GATEWAY_LIMITS.upstreamStartMs} ms`);
        throw unavailable(`The upstream ${adapter.provider} API did not start answering in time`);
      }
      if (res.destroyed) return "handled";
      console.error(`[gateway] ${adapter.provider} upstream unreachable:`, (err as Error).message);
      throw unavailable(`The upstream ${adapter.provider} API could not be reached`);
    }
    // The deadline is for the provider to start answering; a stream may then run as long as it runs.
    clearTimeout(timeout);
    const headers = relayedHeaders(response);
    const ok = response.status >= 200 && response.status < 300;
    const contentType = headerValue(response.headers, "content-type");
    if (ok && (contentType ?? "").startsWith("text/event-stream")) {
      await relayStream(adapter, response, res, headers, hideUsageChunk, record, call);
      return "handled";
    }
    let bytes: Buffer;
    try {
      bytes = await readAll(response.body, GATEWAY_LIMITS.maxJsonAnswerBytes);
    } catch (err) {
      // Only a stream's client can stop the read (its abort); any other break is the upstream's.
      const clientLeft = streaming && res.destroyed;
      await record(call({ errorType: shuttingDown ? "server_shutdown" : clientLeft ? "client_closed" : "upstream_broke_off" }));
      if (res.destroyed) return "handled";
      console.error(`[gateway] ${adapter.provider} answer broke off:`, (err as Error).message);
      throw unavailable(`The upstream ${adapter.provider} API's answer broke off`);
    }
    const json = parseObject(bytes);
    if (response.status === 401 || response.status === 403) {
      console.error(`[gateway] ${adapter.provider} refused org ${key.orgSlug}'s upstream credential: HTTP ${response.status} ${(json && adapter.errorType(json)) ?? ""}`);
      await record(call({ errorType: "upstream_credential_refused" }));
      if (res.destroyed) return "handled";
      throw upstreamCredentialRefused(adapter.provider, key.orgSlug);
    }
    if (ok) {
      const read = json ? adapter.fromResponse(json) : { id: null, model: null, usage: null };
      await record(call({ responseId: read.id, model: read.model ?? undefined, usage: read.usage, errorType: json ? null : "unreadable_response" }));
    } else {
      // A failed call costs nothing; it is recorded as an error so retry loops on it are seen.
      await record(call({ errorType: (json && adapter.errorType(json)) || `http_${response.status}` }));
    }
    if (res.destroyed) return "handled";
    res.writeHead(response.status, { ...headers, "content-type": contentType ?? "application/json", "content-length": bytes.length, "cache-control": "no-store" });
    res.end(bytes);
    return "handled";
  } finally {
    clearTimeout(timeout);
    res.off("close", onClose);
    hold.release();
  }
}

async function readRequest<R extends TGatewayRequest>(req: IncomingMessage, schema: z.ZodType<R>): Promise<{ raw: Buffer; parsed: R; model: string }> {
  if (!isJsonContentType(req)) throw unsupportedMediaType("Content-Type must be application/json");
  const raw = await readBody(req, GATEWAY_MAX_BODY_BYTES);
  if (!isUtf8(raw)) throw badRequest("Body is not valid UTF-8");
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badRequest("The body must be a JSON object");
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest("Invalid request", zodDetails(parsed.error));
  return { raw, parsed: parsed.data, model: parsed.data.model };
}

function parseObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function relayedHeaders(response: TUpstreamAnswer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(response.headers)) {
    if (!RELAYED_HEADERS.includes(name) && !RELAYED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const value = headerValue(response.headers, name);
    if (value !== null) out[name] = value;
  }
  return out;
}

// Each event is relayed as it arrives (bytes unchanged) and read on the way; the call is recorded
// once the stream ends — also when it broke off, with the usage seen so far (the input was billed).
async function relayStream<R extends TGatewayRequest>(
  adapter: TProviderAdapter<R>,
  response: TUpstreamAnswer,
  res: ServerResponse,
  headers: Record<string, string>,
  hideUsageChunk: boolean,
  record: (call: TGatewayCall) => Promise<void>,
  call: (partial: Partial<TGatewayCall>) => TGatewayCall,
): Promise<void> {
  res.writeHead(response.status, { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
  const tally: TStreamTally = { id: null, model: null, usage: null, complete: false, errorType: null };
  const splitter = new SseSplitter(GATEWAY_LIMITS.maxSseEventChars);
  const relay = async (events: TSseEvent[]) => {
    for (const event of events) {
      if (adapter.onStreamEvent(event, tally, hideUsageChunk) && !res.destroyed && !res.write(event.raw)) await drained(res);
    }
  };
  let broken: string | null = null;
  try {
    for await (const chunk of response.body) {
      await relay(splitter.push(chunk as Buffer));
      if (splitter.overflowed) {
        // The provider keeps billing what it streams: stop it, and record what was seen.
        broken = "stream_event_too_large";
        console.error(`[gateway] ${adapter.provider} stream ${tally.id ?? ""}: an event over ${GATEWAY_LIMITS.maxSseEventChars} characters; stream given up`);
        response.body.destroy();
        break;
      }
    }
    const rest = broken ? null : splitter.flush();
    if (rest) await relay([rest]);
  } catch (err) {
    broken = res.destroyed ? "client_closed" : "stream_interrupted";
    if (!res.destroyed) console.error(`[gateway] ${adapter.provider} stream broke off:`, (err as Error).message);
  }
  const errorType = tally.errorType ?? broken ?? (tally.complete ? null : "stream_incomplete");
  // An OpenAI-compatible backend that ignores stream_options says nothing of usage: said out loud.
  if (!tally.usage && !errorType) console.warn(`[gateway] ${adapter.provider} stream ${tally.id ?? ""} ended without usage; recorded without tokens ($0)`);
  await record(call({ responseId: tally.id, model: tally.model ?? undefined, usage: tally.usage, errorType }));
  if (broken === "stream_interrupted") res.destroy();
  else res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
