import { isUtf8 } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createGunzip } from "node:zlib";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../errors";

const MAX_BODY_BYTES = 1024 * 1024; // 1 MiB (docs/api.md)
// After an early answer (413, 401, 415…) the rest of the body is still on its way. Reading it and
// throwing it away keeps the client's keep-alive connection usable; past this much we close the
// connection instead of reading on for a client that does not stop.
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/** The client hung up before its request was read: nobody to answer, and not a server error. */
export class ClientAbortedError extends Error {
  constructor() {
    super("client closed the connection before sending the whole request");
  }
}

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

const discarding = new WeakSet<IncomingMessage>();

/**
 * Reads and drops whatever of the request body is still to come, so Node's parser reaches the next
 * request on a keep-alive connection. Idempotent; a client still sending after MAX_DISCARD_BYTES
 * loses the connection.
 */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed || discarding.has(req)) return;
  discarding.add(req);
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) req.socket?.destroy();
  });
  // The client hanging up now is no one's error.
  req.on("error", () => undefined);
  req.resume();
}

// A big body of known length is copied into one Buffer as it arrives, so each socket chunk dies at
// once: kept in a list across event-loop turns, a megabyte of chunks outlived two scavenges under
// load, and that much memory outside the heap made V8 mark the whole heap (external memory
// pressure). The Buffer is made at the first chunk and only up to PREALLOCATE_UP_TO_BYTES: a client
// that declares a big body and sends a byte does not get megabytes held for it. Chunked and gzip
// bodies are collected and joined.
const PREALLOCATE_FROM_BYTES = 64 * 1024;
const PREALLOCATE_UP_TO_BYTES = 8 * 1024 * 1024;

/**
 * Reads the body up to `limit` bytes, both on the wire and after gunzip, failing fast with 413
 * instead of buffering more (a gzip bomb stops inflating at the limit). On any early failure the
 * rest of the body is discarded (see discardBody); a client that hangs up gives ClientAbortedError.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    discardBody(req);
    return Promise.reject(unsupportedMediaType(`Unsupported content-encoding: ${encoding}`));
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    discardBody(req);
    return Promise.reject(payloadTooLarge(`Request body exceeds ${limit} bytes`));
  }
  if (req.destroyed && !req.complete) return Promise.reject(new ClientAbortedError());

  return new Promise((resolve, reject) => {
    const gunzip = encoding === "gzip" ? createGunzip() : null;
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    let settled = false;

    const stop = (err: Error) => {
      if (settled) return;
      settled = true;
      req.off("data", onWire);
      req.off("end", onWireEnd);
      req.off("error", onAbort);
      req.off("close", onClose);
      if (gunzip) {
        gunzip.removeAllListeners();
        gunzip.on("error", () => undefined);
        gunzip.destroy();
      }
      if (!(err instanceof ClientAbortedError)) discardBody(req);
      reject(err);
    };
    const tooLarge = () => stop(payloadTooLarge(`Request body exceeds ${limit} bytes`));
    const preallocate = !gunzip && Number.isFinite(declared) && declared >= PREALLOCATE_FROM_BYTES && declared <= PREALLOCATE_UP_TO_BYTES;
    let whole: Buffer | null = null;
    const collect = (chunk: Buffer) => {
      if (size + chunk.length > limit) return tooLarge();
      if (preallocate && size === 0) whole = Buffer.allocUnsafeSlow(declared);
      if (whole && size + chunk.length <= whole.length) chunk.copy(whole, size);
      else {
        // More than Content-Length said (the HTTP parser does not let it happen): collect from here.
        if (whole) chunks.push(whole.subarray(0, size));
        whole = null;
        chunks.push(chunk);
      }
      size += chunk.length;
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      req.off("error", onAbort);
      req.off("close", onClose);
      const body = whole as Buffer | null;
      if (body) resolve(size === body.length ? body : body.subarray(0, size));
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };

    function onWire(chunk: Buffer) {
      wire += chunk.length;
      if (wire > limit) return tooLarge();
      if (!gunzip) return collect(chunk);
      // Backpressure: inflating is slower than the wire; do not let a bomb pile up in zlib's queue.
      if (!gunzip.write(chunk)) {
        req.pause();
        gunzip.once("drain", () => settled || req.resume());
      }
    }
    function onWireEnd() {
      if (gunzip) gunzip.end();
      else finish();
    }
    // 'error' with "aborted" (ECONNRESET), or 'close' before 'end': the client hung up.
    function onAbort() {
      stop(new ClientAbortedError());
    }
    function onClose() {
      if (!req.complete) stop(new ClientAbortedError());
    }

    if (gunzip) {
      gunzip.on("data", collect);
      gunzip.on("end", finish);
      gunzip.on("error", () => stop(badRequest("Body is not valid gzip")));
    }
    req.on("data", onWire);
    req.on("end", onWireEnd);
    req.on("error", onAbort);
    req.on("close", onClose);
  });
}

export function isJsonContentType(req: IncomingMessage): boolean {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  if (!isJsonContentType(req)) {
    discardBody(req);
    throw unsupportedMediaType("Content-Type must be application/json");
  }
  const body = await readBody(req, limit);
  if (body.length === 0) throw badRequest("Request body is empty");
  // JSON text is UTF-8 (RFC 8259). Decoding invalid bytes would turn them into U+FFFD silently, and
  // two ids that differ on the wire would then collide.
  if (!isUtf8(body)) throw badRequest("Body is not valid UTF-8");
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
