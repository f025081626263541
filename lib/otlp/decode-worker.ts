import { parentPort } from "node:worker_threads";
import { DomainError } from "../errors";
import { translateExport } from "./translate";
import type { TTranslateReply, TTranslateRequest } from "./off-thread";

// The decoding thread's body (started by ./off-thread.ts): each request is an export's bytes, each
// reply its translation as JSON text — parsed faster on the request thread than a structured
// clone of the same objects is — or the DomainError its bytes earned (a 400, a 413).
parentPort?.on("message", (request: TTranslateRequest) => {
  let reply: TTranslateReply;
  try {
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    reply = { id: request.id, ok: true, json: JSON.stringify(translateExport(request.signal, request.encoding, body)) };
  } catch (err) {
    reply =
      err instanceof DomainError
        ? { id: request.id, ok: false, error: { code: err.code, message: err.message, details: err.details } }
      : { id: request.id, ok: false, crash: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
