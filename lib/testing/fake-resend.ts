import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A stand-in for api.resend.com that speaks its wire format for POST /emails, so tests exercise what
// the official SDK really sends (Authorization: Bearer, User-Agent resend-node:<version>, JSON body
// with snake_case fields, Idempotency-Key) instead of a mocked client. Point the SDK at it with
// RESEND_BASE_URL=<url> (or `new Resend(key, { baseUrl })`) and RESEND_API_KEY=<apiKey>.
//
// Errors use Resend's shape `{ "statusCode", "name", "message" }` and its status codes:
// 401 missing_api_key (no bearer token), 403 invalid_api_key (wrong token), 422 missing_required_field /
// validation_error (bad payload), 409 invalid_idempotent_request (same key, different body), 405.
// A repeated Idempotency-Key with the same body answers the first id without recording a new email.

export type TReceived = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  body: any;
  // What the fake answered.
  status: number;
  id: string | null;
};

export type TFakeResend = {
  url: string;
  apiKey: string;
  // Every request, accepted or not, in arrival order.
  received: TReceived[];
  // Only the accepted, newly sent emails (not rejected requests nor idempotent replays).
  sent: () => TReceived[];
  // The next `count` requests to POST /emails fail with this status and error (e.g. 500, 429).
  failNext: (count: number, error: { status: number; name: string; message: string }) => void;
  // Runs after an email is accepted (recorded, its idempotency key stored) and before the answer
  // is written: a test can kill the sending process there, "accepted but never told".
  onAccepted: (hook: ((accepted: TReceived) => Promise<void> | void) | null) => void;
  close(): Promise<void>;
};

const MAX_BODY = 40 * 1024 * 1024; // Resend's limit with attachments.

export async function startFakeResend(options: { apiKey?: string } = {}): Promise<TFakeResend> {
  const apiKey = options.apiKey ?? `re_fake_${randomUUID().replaceAll("-", "")}`;
  const received: TReceived[] = [];
  const idempotent = new Map<string, { bodyJson: string; id: string }>();
  const failures: { status: number; name: string; message: string }[] = [];
  let acceptedHook: ((accepted: TReceived) => Promise<void> | void) | null = null;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, "internal_server_error", err instanceof Error ? err.message : String(err));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const raw = await readBody(req);
    const idempotencyKey = headerValue(req.headers["idempotency-key"]);
    const record = (status: number, body: any, id: string | null = null) => {
      received.push({ method: req.method ?? "", path, headers: req.headers, idempotencyKey, body, status, id });
    };

    if (path !== "/emails") {
      record(404, raw);
      return sendError(res, 404, "not_found", "The requested endpoint does not exist.");
    }
    if (req.method !== "POST") {
      record(405, raw);
      return sendError(res, 405, "method_not_allowed", "Method is not allowed for the requested path.");
    }

    const auth = headerValue(req.headers.authorization);
    const token = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (!token) {
      record(401, raw);
      return sendError(
        res,
        401,
        "missing_api_key",
        "Missing API key in the authorization header. Include the following header Authorization: Bearer YOUR_API_KEY in the request.",
      );
    }
    if (token !== apiKey) {
      record(403, raw);
      return sendError(res, 403, "invalid_api_key", "API key is invalid");
    }

    let body: any;
    try {
      body = raw.length ? JSON.parse(raw) : undefined;
    } catch {
      record(400, raw);
      return sendError(res, 400, "validation_error", "Invalid JSON in request body.");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      record(422, body);
      return sendError(res, 422, "validation_error", "The request body must be a JSON object.");
    }
    const problem = validateEmail(body);
    if (problem) {
      record(problem.status, body);
      return sendError(res, problem.status, problem.name, problem.message);
    }

    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length < 1 || idempotencyKey.length > 256) {
        record(400, body);
        return sendError(res, 400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
      }
      const previous = idempotent.get(idempotencyKey);
      const bodyJson = JSON.stringify(body);
      if (previous) {
        if (previous.bodyJson !== bodyJson) {
          record(409, body);
          return sendError(res, 409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
        }
        record(200, body, previous.id);
        return sendJson(res, 200, { id: previous.id });
      }
    }

    const failure = failures.shift();
    if (failure) {
      record(failure.status, body);
      return sendError(res, failure.status, failure.name, failure.message);
    }

    const id = randomUUID();
    if (idempotencyKey !== undefined) idempotent.set(idempotencyKey, { bodyJson: JSON.stringify(body), id });
    record(200, body, id);
    if (acceptedHook) await acceptedHook(received[received.length - 1]);
    return sendJson(res, 200, { id });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    received,
    sent: () => {
      const seen = new Set<string>();
      return received.filter((r) => {
        if (r.status !== 200 || !r.id || seen.has(r.id)) return false;
        seen.add(r.id);
        return true;
      });
    },
    failNext: (count, error) => {
      for (let i = 0; i < count; i++) failures.push(error);
    },
    onAccepted: (hook) => {
      acceptedHook = hook;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// The checks Resend makes before accepting an email (the subset the app can trip).
function validateEmail(body: Record<string, unknown>): { status: number; name: string; message: string } | null {
  for (const field of ["from", "to", "subject"] as const) {
    const value = body[field];
    const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
    if (empty) return { status: 422, name: "missing_required_field", message: `Missing \`${field}\` field.` };
  }
  if (typeof body.from !== "string" || !isAddress(body.from)) {
    return {
      status: 422,
      name: "validation_error",
      message: "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
    };
  }
  const to = Array.isArray(body.to) ? body.to : [body.to];
  if (to.length > 50) return { status: 422, name: "validation_error", message: "Too many recipients. The maximum is 50." };
  for (const address of to) {
    if (typeof address !== "string" || !isAddress(address)) {
      return {
        status: 422,
        name: "validation_error",
        message: "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
      };
    }
  }
  if (typeof body.subject !== "string") return { status: 422, name: "validation_error", message: "Invalid `subject` field." };
  if (body.html === undefined && body.text === undefined && body.react === undefined && body.template === undefined) {
    return { status: 422, name: "validation_error", message: "Missing `html` or `text` field." };
  }
  return null;
}

function isAddress(value: string): boolean {
  const match = value.trim().match(/^(?:[^<>]*<([^<>\s]+)>|([^<>\s]+))$/);
  const address = match?.[1] ?? match?.[2];
  return Boolean(address && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, name: string, message: string) {
  sendJson(res, status, { statusCode: status, name, message });
}
