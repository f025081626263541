import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

// One POST to the provider over node:http(s) rather than fetch: Node's fetch gives up on an answer
// whose headers take more than 5 minutes (undici's headersTimeout), and a non-streaming call to a
// reasoning model can think longer than that. The caller's signal (the client hung up, or the
// gateway's own deadline) is the only limit. The body is asked for uncompressed, so it is relayed
// as it came.
export type TUpstreamAnswer = { status: number; headers: IncomingMessage["headers"]; body: IncomingMessage };

export function postUpstream(url: string, headers: Record<string, string>, body: Buffer | string, signal: AbortSignal): Promise<TUpstreamAnswer> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: "POST", headers: { ...headers, "accept-encoding": "identity", "content-length": String(payload.length) }, signal },
      (res) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res }),
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export async function readAll(body: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function headerValue(headers: IncomingMessage["headers"], name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? null);
}
