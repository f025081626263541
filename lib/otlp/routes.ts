import type { IncomingMessage, ServerResponse } from "node:http";
import protobuf from "protobufjs";
import { z } from "zod";
import { readBody } from "../api/http";
import { withApiKey, type TErrorSender, type TMachineHandler } from "../api/with-api-key";
import type { TAuthenticatedKey } from "../keys/authenticate";
import { decodeExport, encodingOf, RESPONSE_TYPES, SIGNAL_NAMES, type TEncoding } from "./decode";
import { ingestLogs, type TExportResult } from "./logs";
import { ingestMetrics } from "./metrics";
import type { TSignal } from "./model";
import { translateOffThread } from "./off-thread";
import { ingestTraces } from "./traces";
import { checkRecordCount } from "./translate";

// OTLP/HTTP receivers (docs/opentelemetry.md): POST /api/v1/otlp/v1/{logs,metrics,traces}, as the
// OpenTelemetry exporters send them — protobuf or JSON, gzip or not — answered with the signal's
// Export…ServiceResponse in the request's encoding, and errors as a google.rpc.Status.

// After gunzip. An export of 1,000 Claude Code log records is ~3.5 MB of JSON; the collector's
// default limit is 20 MiB.
export const OTLP_MAX_BODY_BYTES = 16 * 1024 * 1024;

const REJECTED_FIELD: Record<TSignal, string> = { logs: "rejectedLogRecords", metrics: "rejectedDataPoints", traces: "rejectedSpans" };

// google.rpc.Status, the body of every OTLP error response (details are not used).
const STATUS = new protobuf.Type("Status").add(new protobuf.Field("code", 1, "int32")).add(new protobuf.Field("message", 2, "string"));
new protobuf.Root().define("google.rpc").add(STATUS);
// HTTP status → google.rpc.Code.
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 415: 3, 422: 3, 429: 8, 500: 13, 503: 14 };

function encodingForReply(req: IncomingMessage): TEncoding {
  try {
    return encodingOf(req.headers["content-type"]);
  } catch {
    return "json";
  }
}

function send(res: ServerResponse, status: number, encoding: TEncoding, payload: Buffer | string, headers?: Record<string, string>): void {
  res.writeHead(status, {
    "content-type": encoding === "protobuf" ? "application/x-protobuf" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(payload);
}

const sendOtlpError: TErrorSender = (req, res, { status, body, headers }) => {
  const encoding = encodingForReply(req);
  const message = { code: RPC_CODES[status] ?? 2, message: body.error.message };
  send(res, status, encoding, encoding === "protobuf" ? Buffer.from(STATUS.encode(STATUS.create(message)).finish()) : JSON.stringify(message), headers);
};

export function exportResponse(signal: TSignal, encoding: TEncoding, result: TExportResult): Buffer | string {
  // OTLP: partial_success is left out when everything was accepted and there is nothing to say.
  const partial = result.rejected > 0 || result.message ? { partialSuccess: { [REJECTED_FIELD[signal]]: result.rejected, errorMessage: result.message } } : {};
  if (encoding === "json") return JSON.stringify(partial);
  const type = RESPONSE_TYPES[signal];
  return Buffer.from(type.encode(type.fromObject(partial)).finish());
}

// What each signal does with the export's bytes (decoding errors are 400s, too many records a 413).
type TIngest = (key: TAuthenticatedKey, encoding: TEncoding, body: Buffer) => Promise<TExportResult>;

function otlpRoute(signal: TSignal, ingest: TIngest): TMachineHandler {
  return withApiKey(
    {
      scope: "ingest",
      query: z.object({}).passthrough(),
      sendError: sendOtlpError,
      doc: {
        summary: `OpenTelemetry ${signal} (OTLP/HTTP)`,
        description: `An OTLP/HTTP Export${SIGNAL_NAMES[signal]}ServiceRequest, \`application/x-protobuf\` or \`application/json\`, optionally gzip. Usage events are made from it as docs/opentelemetry.md describes and stored like POST /api/v1/events. Errors are a google.rpc.Status ({"code","message"}) in the request's encoding, not the JSON error object of the other routes.`,
        responses: { 200: { description: "Export…ServiceResponse: partialSuccess counts and names what was rejected or unpriced", schema: z.object({ partialSuccess: z.record(z.string(), z.unknown()).optional() }) } },
        errors: { 415: "Content-Type is neither application/x-protobuf nor application/json", 503: "The server is shutting down; retry after `Retry-After` seconds" },
        rawBody: {
          "application/x-protobuf": `opentelemetry.proto.collector.${signal === "traces" ? "trace" : signal}.v1.Export${SIGNAL_NAMES[signal]}ServiceRequest (protobuf)`,
          "application/json": `The same request in OTLP/JSON`,
        },
        errorBody: {
          id: "OtlpStatus",
          schema: z.object({ code: z.number().int().describe("google.rpc.Code"), message: z.string() }).describe("google.rpc.Status, in the request's encoding"),
        },
      },
    },
    async ({ req, res, key }) => {
      const encoding = encodingOf(req.headers["content-type"]);
      const result = await ingest(key, encoding, await readBody(req, OTLP_MAX_BODY_BYTES));
      send(res, 200, encoding, exportResponse(signal, encoding, result));
      return "handled";
    },
  );
}

export const postOtlpLogs = otlpRoute("logs", async (key, encoding, body) => ingestLogs(key, await translateOffThread("logs", encoding, body)));
export const postOtlpTraces = otlpRoute("traces", async (key, encoding, body) => ingestTraces(key, await translateOffThread("traces", encoding, body)));
// Metrics are decoded here: what a point means depends on the series ledger (./cumulative.ts), and
// an export carries a few points per series, not a record per call.
export const postOtlpMetrics = otlpRoute("metrics", async (key, encoding, body) => {
  const decoded = decodeExport("metrics", encoding, body);
  checkRecordCount(decoded.count);
  return ingestMetrics(key, decoded.signal === "metrics" ? decoded.resources : []);
});
