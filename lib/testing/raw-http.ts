import { Agent, request } from "node:http";
import type { Socket } from "node:net";

// A client with full control of the wire, for the tests of the machine API's edge: node:http with a
// keep-alive Agent (so one request's fate can poison the next on the same socket), chunked or
// content-length framing, optional abort mid-body, and a timeout after which "no answer" is itself
// the result (status -1): a hang is a finding, not a stuck test.
export type TRawAnswer = { status: number; body: string; socket: Socket | null; error: string | null };

export type TRawRequest = {
  agent?: Agent;
  path?: string;
  headers?: Record<string, string>;
  body: Buffer;
  // Written as this many chunks (chunked transfer encoding unless a content-length header is set).
  chunks?: number;
  // Hang up after writing this many bytes of the body (the server owes no answer).
  abortAfterBytes?: number;
  timeoutMs?: number;
};

export function rawRequest(baseUrl: string, r: TRawRequest): Promise<TRawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let socket: Socket | null = null;
    let settled = false;
    const done = (answer: Omit<TRawAnswer, "socket">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, socket });
    };
    const timer = setTimeout(() => {
      done({ status: -1, body: "", error: `no answer within ${r.timeoutMs ?? 10_000} ms` });
      req.destroy();
    }, r.timeoutMs ?? 10_000);
    const req = request(
      { host: url.hostname, port: url.port, path: r.path ?? "/api/v1/events", method: "POST", headers: r.headers, agent: r.agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => done({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8"), error: null }));
        res.on("error", (err) => done({ status: 0, body: "", error: String(err) }));
      },
    );
    req.on("socket", (s) => {
      socket = s;
      // A reset while the rest of the body is still queued surfaces on the socket once the request
      // is done with it; the answer (or its absence) is already the result.
      s.on("error", () => undefined);
    });
    // A server that answers early may close before the upload ends; the answer, if any, came first.
    req.on("error", (err) => done({ status: 0, body: "", error: String(err) }));

    const body = r.abortAfterBytes === undefined ? r.body : r.body.subarray(0, r.abortAfterBytes);
    const chunks = Math.max(1, Math.min(r.chunks ?? 1, body.length || 1));
    const size = Math.ceil(body.length / chunks);
    // Written without waiting for 'drain': Node's client stops emitting it once a response is in.
    for (let i = 0; i < body.length; i += size) req.write(body.subarray(i, i + size));
    if (r.abortAfterBytes === undefined) req.end();
    else {
      // Give the bytes a moment on the wire, then hang up.
      setTimeout(() => {
        req.destroy();
        done({ status: 0, body: "", error: "aborted by the client" });
      }, 20);
    }
  });
}

export function keepAliveAgent(maxSockets = 1): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}
