import { request } from "node:http";
import type { ExportResult } from "@opentelemetry/core";
import protobuf from "protobufjs";
import { pool } from "../db";
import descriptor from "../otlp/proto/otlp.json";
import { kv, type TOtlpSignal } from "./otlp";

// The client side of OTLP/HTTP for the transport tests (lib/otlp/transport.test.ts,
// sdk-exporters.test.ts, fuzz-otlp.test.ts): raw requests with full control of the framing, the
// responses decoded as an OTLP client would (Export…ServiceResponse or google.rpc.Status, in the
// encoding the server says), protobuf request bodies from plain objects, and the row count an
// answer must agree with. Deliberately independent of the server's own encoder (lib/otlp/routes.ts).

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const PACKAGE: Record<TOtlpSignal, string> = { logs: "logs", metrics: "metrics", traces: "trace" };
const SERVICE: Record<TOtlpSignal, string> = { logs: "Logs", metrics: "Metrics", traces: "Trace" };

export const requestType = (signal: TOtlpSignal) => root.lookupType(`opentelemetry.proto.collector.${PACKAGE[signal]}.v1.Export${SERVICE[signal]}ServiceRequest`);
export const responseType = (signal: TOtlpSignal) => root.lookupType(`opentelemetry.proto.collector.${PACKAGE[signal]}.v1.Export${SERVICE[signal]}ServiceResponse`);

// google.rpc.Status as OTLP/HTTP defines it: code (1, int32), message (2, string), details (3, Any).
const statusRoot = new protobuf.Root();
const STATUS = new protobuf.Type("Status").add(new protobuf.Field("code", 1, "int32")).add(new protobuf.Field("message", 2, "string"));
statusRoot.define("google.rpc").add(STATUS);

export const REJECTED_FIELD: Record<TOtlpSignal, string> = { logs: "rejectedLogRecords", metrics: "rejectedDataPoints", traces: "rejectedSpans" };

/** A request body in protobuf, from an object in protobufjs's JSON form (ids as base64 or Uint8Array). */
export function encodeRequest(signal: TOtlpSignal, message: Record<string, unknown>): Buffer {
  const type = requestType(signal);
  // fromObject, not verify: it takes 64-bit integers as decimal strings, as OTLP/JSON writes them.
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}

/**
 * An OTLP/JSON request (hex ids, int64 as strings) as a protobuf body: ids converted from hex to
 * bytes, everything else as protobufjs reads the proto3 JSON names.
 */
export function jsonToProtobuf(signal: TOtlpSignal, json: unknown): Buffer {
  const copy = structuredClone(json);
  const fix = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(fix);
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        if ((k === "traceId" || k === "spanId" || k === "parentSpanId") && typeof o[k] === "string") o[k] = Buffer.from(o[k] as string, "hex");
        else fix(o[k]);
      }
    }
  };
  fix(copy);
  return encodeRequest(signal, copy as Record<string, unknown>);
}

export type TOtlpAnswer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  // "protobuf" or "json", from the response's content-type.
  encoding: "protobuf" | "json" | "other";
  // The decoded Export…ServiceResponse (200) or google.rpc.Status (otherwise), as plain objects.
  body: Record<string, unknown>;
  // Set when the body could not be decoded as what the status promises.
  decodeError: string | null;
  // Set when the exchange failed (no answer, reset).
  error: string | null;
};

/** Decodes an answer as an OTLP client would: by its content-type and status. */
export function decodeAnswer(signal: TOtlpSignal, status: number, contentType: string | undefined, raw: Buffer): Pick<TOtlpAnswer, "encoding" | "body" | "decodeError"> {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const encoding = type === "application/x-protobuf" ? "protobuf" : type === "application/json" ? "json" : "other";
  try {
    if (encoding === "json") {
      const parsed = JSON.parse(raw.toString("utf8"));
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
      return { encoding, body: parsed, decodeError: null };
    }
    if (encoding === "protobuf") {
      const t = status === 200 ? responseType(signal) : STATUS;
      const decoded = t.decode(raw);
      // longs: Number (counts are small), defaults: false (absent stays absent, like JSON).
      return { encoding, body: t.toObject(decoded, { longs: Number }), decodeError: null };
    }
    return { encoding, body: {}, decodeError: `content-type ${contentType}` };
  } catch (err) {
    return { encoding, body: {}, decodeError: (err as Error).message };
  }
}

export type TRawOtlpRequest = {
  signal: TOtlpSignal;
  body: Buffer;
  secret?: string | null;
  contentType?: string | null;
  contentEncoding?: string;
  // Set content-length; otherwise the body goes chunked.
  contentLength?: boolean;
  // Written in this many pieces.
  chunks?: number;
  headers?: Record<string, string>;
  timeoutMs?: number;
};

/** One OTLP/HTTP request on a fresh connection, answer decoded. Status -1: no answer in time. */
export function otlpRequest(baseUrl: string, r: TRawOtlpRequest): Promise<TOtlpAnswer> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...r.headers };
  if (r.contentType !== null) headers["content-type"] = r.contentType ?? "application/json";
  if (r.secret) headers.authorization = `Bearer ${r.secret}`;
  if (r.contentEncoding) headers["content-encoding"] = r.contentEncoding;
  if (r.contentLength !== false) headers["content-length"] = String(r.body.length);
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<TOtlpAnswer, "encoding" | "body" | "decodeError">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, ...(a.error ? { encoding: "other", body: {}, decodeError: null } : decodeAnswer(r.signal, a.status, a.headers["content-type"] as string | undefined, a.raw)) });
    };
    const timeoutMs = r.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      done({ status: -1, headers: {}, raw: Buffer.alloc(0), error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    const req = request({ host: url.hostname, port: url.port, path: `/api/v1/otlp/v1/${r.signal}`, method: "POST", headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(parts), error: null }));
      res.on("error", (err) => done({ status: 0, headers: {}, raw: Buffer.alloc(0), error: String(err) }));
    });
    req.on("socket", (s) => s.on("error", () => undefined));
    req.on("error", (err) => done({ status: 0, headers: {}, raw: Buffer.alloc(0), error: String(err) }));
    const chunks = Math.max(1, Math.min(r.chunks ?? 1, r.body.length || 1));
    const size = Math.ceil(r.body.length / chunks) || 1;
    for (let i = 0; i < r.body.length; i += size) req.write(r.body.subarray(i, i + size));
    req.end();
  });
}

/** Rows of UsageEvent the org has. */
export async function usageRowCount(orgId: string): Promise<number> {
  const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM "UsageEvent" WHERE "orgId" = $1`, [orgId]);
  return rows[0].n;
}

/** What the org's rows add up to (cost exactly, as Postgres has it). */
export async function usageTotals(orgId: string): Promise<{ n: number; cost: string; input: number; output: number; cacheRead: number; cacheWrite: number }> {
  const { rows } = await pool().query(
    `SELECT count(*)::int AS n, coalesce(sum("costUsd"), 0)::text AS cost, coalesce(sum("inputTokens"), 0)::int AS input, coalesce(sum("outputTokens"), 0)::int AS output,
            coalesce(sum("cacheReadTokens"), 0)::int AS "cacheRead", coalesce(sum("cacheWriteTokens"), 0)::int AS "cacheWrite"
       FROM "UsageEvent" WHERE "orgId" = $1`,
    [orgId],
  );
  return rows[0];
}

/**
 * Wraps an SDK exporter so a test can see each export's result (ExportResultCode and error) — what
 * the SDK's processor or reader would otherwise swallow.
 */
export function recordingExporter<T extends { export(items: never, cb: (r: ExportResult) => void): void }>(exporter: T): T & { results: ExportResult[] } {
  const results: ExportResult[] = [];
  const original = exporter.export.bind(exporter) as (items: unknown, cb: (r: ExportResult) => void) => void;
  (exporter as unknown as { export: (items: unknown, cb: (r: ExportResult) => void) => void }).export = (items, cb) =>
    original(items, (result) => {
      results.push(result);
      cb(result);
    });
  return Object.assign(exporter, { results });
}

// ——— OTLP/JSON builders ———

export type TAttrs = Record<string, string | number | boolean>;

export const nanosAgo = (ms: number) => String(BigInt(Date.now() - ms) * 1_000_000n);

/**
 * A Claude Code `claude_code.api_request` log record as Claude Code writes it: every number a
 * string; `attrs` override or add (undefined-valued keys are removed).
 */
export function claudeApiRequest(attrs: Record<string, string | number | boolean | undefined> = {}, msAgo = 60_000) {
  const time = nanosAgo(msAgo);
  const base: Record<string, string | number | boolean | undefined> = {
    "event.name": "api_request",
    "event.timestamp": new Date(Date.now() - msAgo).toISOString(),
    "event.sequence": 1,
    "session.id": "6e2a8c02-aec9-4272-bcde-9843b25ad407",
    "prompt.id": "5b1d0c3e-6f5a-4c1b-9a77-0d3f2e1c4b5a",
    "user.email": "dev@example.com",
    model: "claude-sonnet-4-6",
    input_tokens: "1840",
    output_tokens: "2210",
    cache_read_tokens: "48213",
    cache_creation_tokens: "6120",
    cost_usd: "0.061329",
    duration_ms: "8571",
    request_id: `req_${Math.random().toString(36).slice(2)}`,
    ...attrs,
  };
  const clean = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as TAttrs;
  return { timeUnixNano: time, observedTimeUnixNano: time, body: { stringValue: "claude_code.api_request" }, attributes: kv(clean) };
}

export const CLAUDE_RESOURCE: TAttrs = { "service.name": "claude-code", "service.version": "2.1.230", "team.id": "platform", cost_center: "eng-123", repo: "acme/web", pr: "4821" };

/** An ExportLogsServiceRequest (JSON) of one resource and one Claude Code scope. */
export function logsExport(records: unknown[], resource: TAttrs = CLAUDE_RESOURCE) {
  return { resourceLogs: [{ resource: { attributes: kv(resource) }, scopeLogs: [{ scope: { name: "com.anthropic.claude_code.events", version: "2.1.230" }, logRecords: records }] }] };
}

// ——— a tap between an SDK exporter and the server ———

export type TTapped = { path: string; headers: Record<string, string | string[] | undefined>; body: Buffer; status: number; response: Buffer };

/**
 * A pass-through HTTP proxy in front of `targetUrl` that keeps every request and answer as they
 * were on the wire: what an OpenTelemetry exporter really sends (framing, content-type, gzip, the
 * JSON spelling of ids and 64-bit integers) and what it got back.
 */
export async function startTap(targetUrl: string): Promise<{ url: string; seen: TTapped[]; close: () => Promise<void> }> {
  const { createServer, request: forward } = await import("node:http");
  const target = new URL(targetUrl);
  const seen: TTapped[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts);
      const out = forward({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        const back: Buffer[] = [];
        answer.on("data", (c: Buffer) => back.push(c));
        answer.on("end", () => {
          const response = Buffer.concat(back);
          seen.push({ path: req.url ?? "", headers: req.headers, body, status: answer.statusCode ?? 0, response });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(response);
        });
      });
      out.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
