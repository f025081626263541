import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline, type Readable } from "node:stream";
import { createBrotliDecompress, createUnzip } from "node:zlib";

// One POST to the provider over node:http(s) rather than fetch: Node's fetch gives up on an answer
// whose headers take more than 5 minutes (undici's headersTimeout), and a non-streaming call to a
// reasoning model can think longer than that. The caller's signal (the client hung up, or the
// gateway's own deadline) is the only limit. The body is asked for uncompressed; one compressed
// anyway (a proxy that ignores accept-encoding: identity) is decompressed here, so the gateway reads
// it and relays it as plain bytes.
export type TUpstreamAnswer = { status: number; headers: IncomingMessage["headers"]; body: Readable };

// `idleMs`: once the answer has begun, the longest silence taken from the provider before the
// answer counts as broken off (a stalled connection would otherwise hold the request, and a
// shutdown, for ever).
export function postUpstream(url: string, headers: Record<string, string>, body: Buffer | string, signal: AbortSignal, idleMs: number): Promise<TUpstreamAnswer> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: "POST", headers: { ...headers, "accept-encoding": "identity", "content-length": String(payload.length) }, signal },
      (res) => {
        res.setTimeout(idleMs, () => res.destroy(new Error(`the provider sent nothing for ${idleMs} ms`)));
        resolve({ status: res.statusCode ?? 502, ...decoded(res) });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

// gzip / deflate (zlib or gzip framing, told apart by Unzip) and br; any other coding is left as is.
function decoded(res: IncomingMessage): { headers: IncomingMessage["headers"]; body: Readable } {
  const coding = (headerValue(res.headers, "content-encoding") ?? "").trim().toLowerCase();
  const decoder = coding === "gzip" || coding === "x-gzip" || coding === "deflate" ? createUnzip() : coding === "br" ? createBrotliDecompress() : null;
  if (!decoder) return { headers: res.headers, body: res };
  const headers = { ...res.headers };
  delete headers["content-encoding"];
  delete headers["content-length"];
  // An error on either side (a corrupt body, the call aborted) destroys both; the reader sees it.
  return { headers, body: pipeline(res, decoder, () => {}) };
}

// A JSON answer, whole; one past `maxBytes` is given up (a provider's answer is far smaller).
export async function readAll(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new Error(`the answer is over ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function headerValue(headers: IncomingMessage["headers"], name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? null);
}
