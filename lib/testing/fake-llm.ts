import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

// A fake OpenAI and Anthropic on a local port, speaking their wire formats (the payloads of
// lib/gateway/fixtures, from the providers' documentation): POST /v1/chat/completions and
// POST /v1/messages, JSON or server-sent events. It keeps every request it got — path, headers
// (Authorization / x-api-key among them) and body — so a test can say what the gateway sent.
// Each answer has a fresh id (chatcmpl-…, msg_…); its model is the fixture's dated version when the
// request names its prefix (gpt-5.2 → gpt-5.2-2025-12-11), else the model requested. The OpenAI
// fixture's dated model is invented and priced by no catalogue; a real snapshot name stands in.

const FIXTURES = path.join(import.meta.dirname, "../gateway/fixtures");
const jsonc = (file: string) => JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8").replace(/^\/\/.*$/gm, ""));
const sseData = (file: string) =>
  readFileSync(path.join(FIXTURES, file), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)));

export const OPENAI_SNAPSHOT = "gpt-5.2-2025-12-11";
export const OPENAI_RESPONSE = { ...jsonc("openai.chat-completions.response.jsonc"), model: OPENAI_SNAPSHOT };
export const OPENAI_STREAM_CHUNKS: Record<string, any>[] = sseData("openai.chat-completions.stream-include-usage.sse");
export const ANTHROPIC_RESPONSE = jsonc("anthropic.messages.response.jsonc");
export const ANTHROPIC_STREAM_EVENTS: Record<string, any>[] = sseData("anthropic.messages.stream.sse");

export type TFakeRequest = { path: string; headers: IncomingHttpHeaders; body: any };
export type TFakeLlm = {
  url: string;
  requests: TFakeRequest[];
  // The next request gets this error answer instead (status, provider-shaped body).
  failNext: (status: number, body: unknown) => void;
  // The next stream breaks off (the connection is dropped) after this many events.
  breakNextStream: (afterEvents: number) => void;
  // The next stream sends one event every this many ms (a model thinking), so a client can hang up mid-way.
  slowNextStream: (everyMs: number) => void;
  // Streams whose connection the gateway closed before the last event was sent.
  hungUp: () => number;
  close: () => Promise<void>;
};

function modelFor(requested: unknown, fixtureModel: string): string {
  return typeof requested === "string" && fixtureModel.startsWith(requested) ? fixtureModel : String(requested);
}

export async function startFakeLlm(): Promise<TFakeLlm> {
  const requests: TFakeRequest[] = [];
  let failure: { status: number; body: unknown } | null = null;
  let breakAfter: number | null = null;
  let slowEvery: number | null = null;
  let hungUp = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: any = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = Buffer.concat(chunks).toString("utf8");
      }
      requests.push({ path: req.url ?? "", headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${randomBytes(6).toString("hex")}` });
        res.end(JSON.stringify(value));
      };
      if (failure) {
        const { status, body: errorBody } = failure;
        failure = null;
        return json(status, errorBody);
      }
      const sse = (events: { event?: string; data: unknown }[]) => {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        const cut = breakAfter;
        breakAfter = null;
        if (cut !== null) {
          for (const e of events.slice(0, cut)) res.write(`${e.event ? `event: ${e.event}\n` : ""}data: ${JSON.stringify(e.data)}\n\n`);
          // Let the events reach the gateway before the connection drops.
          setTimeout(() => res.socket?.destroy(), 50);
          return;
        }
        const every = slowEvery;
        slowEvery = null;
        if (every !== null) {
          let sent = 0;
          const timer = setInterval(() => {
            if (sent === events.length) {
              clearInterval(timer);
              return void res.end();
            }
            const e = events[sent++];
            res.write(`${e.event ? `event: ${e.event}\n` : ""}data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}\n\n`);
          }, every);
          res.on("close", () => {
            clearInterval(timer);
            if (!res.writableFinished) hungUp++;
          });
          return;
        }
        // One write per event, as a provider flushes them.
        for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ""}data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}\n\n`);
        res.end();
      };
      const pathname = (req.url ?? "").split("?")[0];
      if (req.method === "POST" && pathname === "/v1/chat/completions") {
        const id = `chatcmpl-${randomBytes(12).toString("hex")}`;
        const model = modelFor(body?.model, OPENAI_RESPONSE.model);
        if (body?.stream !== true) return json(200, { ...OPENAI_RESPONSE, id, model });
        const withUsage = body?.stream_options?.include_usage === true;
        const chunks = OPENAI_STREAM_CHUNKS.filter((c) => withUsage || c.choices.length > 0).map((c) => {
          const out: Record<string, unknown> = { ...c, id, model };
          if (!withUsage) delete out.usage;
          return { data: out };
        });
        return sse([...chunks, { data: "[DONE]" }]);
      }
      if (req.method === "POST" && pathname === "/v1/messages") {
        const id = `msg_${randomBytes(12).toString("hex")}`;
        const model = modelFor(body?.model, ANTHROPIC_RESPONSE.model);
        if (body?.stream !== true) return json(200, { ...ANTHROPIC_RESPONSE, id, model });
        return sse(
          ANTHROPIC_STREAM_EVENTS.map((e) => ({ event: e.type, data: e.type === "message_start" ? { ...e, message: { ...e.message, id, model } } : e })),
        );
      }
      json(404, { error: { message: `fake-llm: no route ${req.method} ${req.url}`, type: "invalid_request_error" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, body) => {
      failure = { status, body };
    },
    breakNextStream: (afterEvents) => {
      breakAfter = afterEvents;
    },
    slowNextStream: (everyMs) => {
      slowEvery = everyMs;
    },
    hungUp: () => hungUp,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
