import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A customer's webhook endpoint on this machine (node:http on 127.0.0.1), for the sender's tests and
// the e2e spec: it records every request as received (raw body bytes, headers) and answers as the
// test's handler says — a status, a delay, a body, or nothing at all.
export type TReceivedHook = { path: string; headers: IncomingHttpHeaders; raw: Buffer; body: string; at: number };

export type THookAnswer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };
export type THookHandler = (hook: TReceivedHook, index: number, req: IncomingMessage, res: ServerResponse) => THookAnswer | "handled" | Promise<THookAnswer | "handled">;

export type TWebhookReceiver = {
  url: string;
  host: string;
  received: TReceivedHook[];
  handle: (handler: THookHandler) => void;
  close: () => Promise<void>;
};

export async function startWebhookReceiver(handler: THookHandler = () => ({ status: 200, body: "ok" })): Promise<TWebhookReceiver> {
  const received: TReceivedHook[] = [];
  let current = handler;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const hook = { path: req.url ?? "/", headers: req.headers, raw, body: raw.toString("utf8"), at: Date.now() };
    received.push(hook);
    try {
      const answer = await current(hook, received.length - 1, req, res);
      if (answer === "handled") return;
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
      res.writeHead(answer.status, { "Content-Type": "text/plain", ...answer.headers });
      res.end(answer.body ?? "");
    } catch (err) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    received,
    handle: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
