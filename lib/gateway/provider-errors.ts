import { z } from "zod";
import type { TErrorSender } from "../api/with-api-key";
import { DomainError } from "../errors";

// The gateway's mapping of the one domain error (lib/errors.ts) to each provider's own error body,
// so the official SDKs raise their usual exceptions (AuthenticationError, BadRequestError,
// RateLimitError…). The status is the machine API's, except a budget refusal, which is a 429 as the
// providers answer for an exhausted quota, with `x-should-retry: false` so the SDKs do not retry it.

export const budgetExceeded = (reason: string) => new DomainError("budget_exceeded", reason, undefined, { "x-should-retry": "false" });

// The provider refused the org's upstream key (its 401/403). Relayed as is, the SDK would blame the
// virtual key (AuthenticationError) and OpenAI's message shows the masked upstream key: a 502
// instead, not retried (a retry is refused the same way), saying who fixes it.
export const upstreamCredentialRefused = (provider: string, orgSlug: string) =>
  new DomainError(
    "bad_gateway",
    `The organization's upstream credential was refused by ${provider}; an admin sets it with: npm run admin -- credential set --org ${orgSlug} --provider ${provider} --key <upstream key>`,
    undefined,
    { "x-should-retry": "false" },
  );

function statusOf(code: string, status: number): number {
  return code === "budget_exceeded" ? 429 : status;
}

// OpenAI: {"error": {"message", "type", "param", "code"}}.
export const ZOpenAIError = z
  .strictObject({ error: z.strictObject({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .describe("OpenAI's error body");

function openAIType(code: string, status: number): { type: string; code: string } {
  if (code === "budget_exceeded") return { type: "insufficient_quota", code };
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 403) return { type: "permission_error", code };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status >= 500) return { type: "server_error", code };
  return { type: "invalid_request_error", code };
}

// Anthropic: {"type": "error", "error": {"type", "message"}}.
export const ZAnthropicError = z
  .strictObject({ type: z.literal("error"), error: z.strictObject({ type: z.string(), message: z.string() }) })
  .describe("Anthropic's error body");

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  415: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
};

function send(res: Parameters<TErrorSender>[1], status: number, body: unknown, headers?: Record<string, string>) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload), "cache-control": "no-store", ...headers });
  res.end(payload);
}

// A field-level detail is folded into the message: neither shape has a place for a list.
function messageOf(body: Parameters<TErrorSender>[2]["body"]): string {
  const details = body.error.details as { path: string; message: string }[] | undefined;
  return details?.length ? `${body.error.message}: ${details.map((d) => (d.path ? `${d.path} ${d.message}` : d.message)).join("; ")}` : body.error.message;
}

export const sendOpenAIError: TErrorSender = (_req, res, { status, body, headers }) => {
  const { type, code } = openAIType(body.error.code, status);
  send(res, statusOf(body.error.code, status), { error: { message: messageOf(body), type, param: null, code } }, headers);
};

export const sendAnthropicError: TErrorSender = (_req, res, { status, body, headers }) => {
  const out = statusOf(body.error.code, status);
  const type = ANTHROPIC_TYPES[out] ?? (out >= 500 ? "api_error" : "invalid_request_error");
  send(res, out, { type: "error", error: { type, message: messageOf(body) } }, headers);
};
