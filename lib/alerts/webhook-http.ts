import http from "node:http";
import https from "node:https";
import { guardedLookup, webhookUrlProblem, type TWebhookPolicy } from "./webhook-target";

// One webhook POST, the careful way: the URL and every address it resolves to checked against the
// policy (webhook-target.ts), one deadline for the whole exchange (connect, headers, body), no
// redirect followed, at most `maxResponseBytes` of the answer read, a fresh connection each time
// (no pooled socket outlives the request).

export type TWebhookResponse = {
  status: number;
  // From Retry-After (seconds or an HTTP date), when the receiver sent one.
  retryAfterMs: number | null;
  location: string | null;
  // The start of the answer's body, whitespace collapsed (for lastError and the test button).
  excerpt: string;
  ms: number;
};

// The request never got an HTTP answer. `permanent`: trying again cannot help (the URL is not one we
// may call); otherwise (refused, reset, DNS failure, timeout) it may.
export class WebhookRequestError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "WebhookRequestError";
  }
}

export type TPostOptions = { timeoutMs: number; maxResponseBytes: number; policy: TWebhookPolicy; signal?: AbortSignal };

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function postWebhook(rawUrl: string, body: string, headers: Record<string, string>, options: TPostOptions): Promise<TWebhookResponse> {
  const problem = webhookUrlProblem(rawUrl, options.policy);
  if (problem) return Promise.reject(new WebhookRequestError(`The webhook URL ${problem}`, true));
  const url = new URL(rawUrl);
  const started = performance.now();
  return new Promise<TWebhookResponse>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
      agent: false,
      lookup: guardedLookup(options.policy),
    });
    const timer = setTimeout(() => {
      const seconds = options.timeoutMs >= 1000 ? `${options.timeoutMs / 1000} s` : `${options.timeoutMs} ms`;
      finish(() => reject(new WebhookRequestError(`No answer within ${seconds} (timed out)`, false)));
      request.destroy();
    }, options.timeoutMs);

    const onAbort = () => {
      finish(() => reject(new WebhookRequestError("The sender stopped (shutting down) before an answer came", false)));
      request.destroy();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    request.on("close", () => options.signal?.removeEventListener("abort", onAbort));

    request.on("error", (err: NodeJS.ErrnoException) => {
      const permanent = err.code === "EWEBHOOKADDRESS";
      finish(() => reject(new WebhookRequestError(err.code && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message, permanent)));
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => {
        const text = Buffer.concat(chunks).subarray(0, options.maxResponseBytes).toString("utf8");
        const header = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        finish(() =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfterMs: parseRetryAfter(header("retry-after")),
            location: header("location") ?? null,
            excerpt: text.replace(/\s+/g, " ").trim().slice(0, 300),
            ms: Math.round(performance.now() - started),
          }),
        );
        // Whatever else the receiver sends is not read.
        response.destroy();
        request.destroy();
      };
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= options.maxResponseBytes) answer();
      });
      response.on("end", answer);
      // The status line arrived: a body cut short still answers with it.
      response.on("error", answer);
      response.on("aborted", answer);
    });
    request.end(body);
  });
}
