import { Worker } from "node:worker_threads";
import { env } from "../env";
import { DomainError, unavailable, type TErrorCode, type TErrorDetail } from "../errors";
import type { TEncoding } from "./decode";
import { translateExport, type TTranslatableSignal, type TTranslated } from "./translate";

// Decoding an OTLP export and mapping its records is most of an export's CPU (a 1,000-record
// OTLP/JSON export is 3× the bytes and ~15× the objects of the same calls sent to the events API).
// On the request thread it would cap a process at what one core decodes; here it runs on one
// decoding thread, so the request thread does what it does for the events API and the decoding
// uses the other core. The reply is JSON text (./decode-worker.ts).
//
// The export's bytes are moved to the thread, not copied, and the request thread keeps none: held
// for the request's life (~0.5 s under load, most of it the write), each export's megabyte or two
// outlived two scavenges, and that much memory outside the heap made V8 mark the whole heap every
// few seconds ("external memory pressure", --trace-incremental-marking) — measured, moving them
// took bench:otlp from 0.72 to 0.77 of the events API. So an export the thread held when it died
// cannot be decoded here: it is answered 503 with Retry-After, which every OTLP exporter retries
// (nothing is stored before the translation comes back, so the retry stores it once). A thread
// that cannot start leaves every export to the request thread.

// The thread's young generation holds several exports' decoded objects (a 1,000-record export is
// ~50,000 objects, ~15 MB): they die young instead of being promoted and marked. Measured on a
// protobuf export: 85 → 54 CPU-µs a record for the whole process.
const YOUNG_GENERATION_MB = 128;

export type TTranslateRequest = { id: number; signal: TTranslatableSignal; encoding: TEncoding; body: Uint8Array };
export type TTranslateReply =
  | { id: number; ok: true; json: string }
  | { id: number; ok: false; error: { code: TErrorCode; message: string; details?: TErrorDetail[] } }
  | { id: number; ok: false; crash: string };

type TExport = { signal: TTranslatableSignal; encoding: TEncoding; body: Buffer };
type TPending = { resolve: (t: TTranslated) => void; reject: (err: unknown) => void };

let worker: Worker | null = null;
let noThread = false;
let nextId = 1;
const pending = new Map<number, TPending>();
// Exports translated by the thread and on the request thread, since start (tests and benches read it).
export const translatedBy = { thread: 0, requestThread: 0 };

function translateHere({ signal, encoding, body }: TExport): TTranslated {
  translatedBy.requestThread++;
  return translateExport(signal, encoding, body);
}

function startWorker(): Worker | null {
  if (worker || noThread) return worker;
  try {
    // The app runs TypeScript through tsx; the thread's entry registers it for itself.
    const started = new Worker(new URL("./decode-worker.mjs", import.meta.url), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    started.unref();
    started.on("message", (reply: TTranslateReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      translatedBy.thread++;
      if (reply.ok) waiting.resolve(JSON.parse(reply.json) as TTranslated);
      else if ("error" in reply) waiting.reject(new DomainError(reply.error.code, reply.error.message, reply.error.details));
      else waiting.reject(new Error(`OTLP decoding thread: ${reply.crash}`));
    });
    // Exports the thread took and will not answer: their bytes went with it, so the exporter sends
    // them again (the next export starts a new thread).
    const lost = () => {
      if (worker !== started) return;
      worker = null;
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.reject(unavailable("The OTLP decoding thread stopped while decoding this export; send it again", 1));
      }
    };
    started.on("error", (err) => {
      console.error(`[otlp] decoding thread failed: ${err.message}; decoding on the request thread from now on`);
      noThread = true;
      lost();
    });
    started.on("exit", lost);
    worker = started;
  } catch (err) {
    console.error(`[otlp] no decoding thread (${(err as Error).message}); decoding on the request thread`);
    noThread = true;
  }
  return worker;
}

type TTranslationOf<S extends TTranslatableSignal> = Extract<TTranslated, { signal: S }>["translation"];

// The export's translation, from the decoding thread (OTLP_DECODE_THREAD=off: from this one).
export async function translateOffThread<S extends TTranslatableSignal>(signal: S, encoding: TEncoding, body: Buffer): Promise<TTranslationOf<S>> {
  const translated = await inThreadOrHere(signal, encoding, body);
  if (translated.signal !== signal) throw new Error(`OTLP decoding: asked for ${signal}, got ${translated.signal}`);
  return translated.translation as TTranslationOf<S>;
}

async function inThreadOrHere(signal: TTranslatableSignal, encoding: TEncoding, body: Buffer): Promise<TTranslated> {
  const thread = env().OTLP_DECODE_THREAD === "off" ? null : startWorker();
  if (!thread) return translateHere({ signal, encoding, body });
  const id = nextId++;
  return new Promise<TTranslated>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // Moved when the Buffer is all of its memory (a body read in chunks is); a slice of Node's
    // shared pool (a small body) is copied, or the other Buffers in that pool would go with it.
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
    thread.postMessage({ id, signal, encoding, body } satisfies TTranslateRequest, owned ? [body.buffer] : []);
  });
}

// For tests: how many exports the thread holds now.
export const threadBacklog = () => pending.size;

// For tests: the decoding thread as a crash would leave it (gone, with exports in flight).
export async function stopDecodeThread(): Promise<void> {
  await worker?.terminate();
}
