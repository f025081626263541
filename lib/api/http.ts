import type { IncomingMessage, ServerResponse } from "node:http";
import { createGunzip } from "node:zlib";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../errors";

const MAX_BODY_BYTES = 1024 * 1024; // 1 MiB (docs/api.md)

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(payload);
}

// Reads the body up to `limit` bytes (after gunzip), failing fast with 413 instead of buffering more.
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding === "identity" && Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw payloadTooLarge(`Request body exceeds ${limit} bytes`);
  }
  let source: NodeJS.ReadableStream = req;
  if (encoding === "gzip") source = req.pipe(createGunzip());
  else if (encoding !== "identity") throw unsupportedMediaType(`Unsupported content-encoding: ${encoding}`);

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        req.resume();
        throw payloadTooLarge(`Request body exceeds ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof Error && "code" in err && String(err.code).startsWith("Z_")) {
      throw badRequest("Body is not valid gzip");
    }
    throw err;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

export function isJsonContentType(req: IncomingMessage): boolean {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  if (!isJsonContentType(req)) {
    req.resume();
    throw unsupportedMediaType("Content-Type must be application/json");
  }
  const body = await readBody(req, limit);
  if (body.length === 0) throw badRequest("Request body is empty");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message}`);
  }
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : null;
  }
  // Anthropic SDK clients send the key as x-api-key (gateway).
  const apiKey = req.headers["x-api-key"];
  return typeof apiKey === "string" && apiKey ? apiKey : null;
}
