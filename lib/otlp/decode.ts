import { isUtf8 } from "node:buffer";
import protobuf from "protobufjs";
import { badRequest, unsupportedMediaType } from "../errors";
import type { TAttributes, TAttrValue, TDecoded, TLogRecord, TMetric, TMetricPoint, TResource, TSignal, TSpan, TTemporality } from "./model";
import descriptor from "./proto/otlp.json";

// OTLP/HTTP request bodies, protobuf or JSON, into one shape (./model.ts).
//
// Protobuf is decoded by protobufjs with the official schema (lib/otlp/proto, a compiled copy of
// opentelemetry-proto v1.9.0). JSON follows the OTLP/JSON mapping: lowerCamelCase names, 64-bit
// integers as strings or numbers, enums as integers (names accepted too), trace and span ids as hex,
// unknown fields ignored. Both walkers check every type they read by hand rather than with zod: an
// export of 1,000 Claude Code records carries ~40,000 attribute objects, and this runs for each.
// A body that does not fit the schema is a 400 naming the first bad path; the events made from it
// are validated again, field by field, by the events API's schema (lib/ingest/prepare.ts).

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
// AnyValue's `value` oneof: protobufjs records which member a decoded value holds through a setter
// that deletes the six other members from the object — per attribute, a seventh of decoding a Claude
// Code export, and objects turned slow for the collector. The walker asks which member is present
// itself (Object.hasOwn, below), so the decoder is generated without that bookkeeping; the wire
// format and how each field decodes are the schema's. (A value carrying two members, which no
// encoder sends, is read by the walker's order: string, int, double, bool.)
for (const field of root.lookupType("opentelemetry.proto.common.v1.AnyValue").fieldsArray) field.partOf = null;
const REQUEST_TYPES: Record<TSignal, protobuf.Type> = {
  logs: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest"),
  metrics: root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest"),
  traces: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
};
export const RESPONSE_TYPES: Record<TSignal, protobuf.Type> = {
  logs: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse"),
  metrics: root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse"),
  traces: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
};

export type TEncoding = "protobuf" | "json";

export function encodingOf(contentType: string | undefined): TEncoding {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  throw unsupportedMediaType(`Content-Type must be application/x-protobuf or application/json (got ${type || "none"})`);
}

export function decodeExport(signal: TSignal, encoding: TEncoding, body: Buffer): TDecoded {
  if (encoding === "protobuf") {
    let message: unknown;
    try {
      message = REQUEST_TYPES[signal].decode(body);
    } catch (err) {
      throw badRequest(`The body is not a protobuf Export${SIGNAL_NAMES[signal]}ServiceRequest: ${(err as Error).message}`);
    }
    return walk(signal, message, PROTOBUF);
  }
  // JSON text is UTF-8 (RFC 8259): decoding invalid bytes would turn them into U+FFFD silently,
  // and two session ids or attribute values that differ on the wire would then collide.
  if (!isUtf8(body)) throw badRequest("The body is not valid UTF-8 (OTLP/JSON is UTF-8 text)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`The body is not JSON: ${(err as Error).message}`);
  }
  // The request is a JSON object; `null` is not an empty export (obj() reads null fields as absent).
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest(`body: must be a JSON object (an Export${SIGNAL_NAMES[signal]}ServiceRequest)`);
  return walk(signal, parsed, JSON_READER);
}

// "Export<Name>ServiceRequest": the service name of each signal in the OTLP schema.
export const SIGNAL_NAMES: Record<TSignal, string> = { logs: "Logs", metrics: "Metrics", traces: "Trace" };

// The two encodings differ only in how scalars arrive: a reader per encoding, one walker.
// Paths are built only when something fails (`at`): built eagerly for every attribute, they were
// half the decoding time of an export.
type TReader = {
  // fixed64 / int64 / uint64 → decimal string ("0" when absent).
  u64(v: unknown, parent: string, field: string): string;
  id(v: unknown, parent: string, field: string): string;
  enumInt(v: unknown, parent: string, field: string, names: Record<string, number>): number;
  // index ≥ 0: the value of attribute `index` of the list at `parent`; -1: `parent` is the path.
  anyValue(v: unknown, parent: string, index: number): TAttrValue | null;
};

const at = (parent: string, field: string) => `${parent}.${field}`;
const valueAt = (parent: string, index: number) => (index < 0 ? parent : `${parent}[${index}].value`);

type TObj = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw badRequest(`${path}: ${message}`);
}

function obj(v: unknown, path: string): TObj {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) fail(path, "must be an object");
  return v as TObj;
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, "must be an array");
  return v;
}

function text(v: unknown, path: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") fail(path, "must be a string");
  return storable(v);
}

// Every string leaves the decoder as text Postgres can store: a NUL (valid UTF-8, so protobuf
// carries it) and a lone UTF-16 surrogate (OTLP/JSON's "\ud800" escapes: a JS SDK truncating an
// attribute mid-pair sends one) become U+FFFD — what a protobuf exporter already puts on the wire
// for the latter. Left as they were, a NUL session.id failed the export with a 500 and a lone
// surrogate one lost its record without counting it as rejected (lib/otlp/sessions.ts compares
// the id Postgres returns, already replaced, with the one sent).
function storable(s: string): string {
  if (s.isWellFormed() && !s.includes("\u0000")) return s;
  return s.toWellFormed().replaceAll("\u0000", "\ufffd");
}

const U64_TEXT = /^\d{1,20}$/;
const I64_TEXT = /^-?\d{1,19}$/;
// The regexes bound the digits; these the values ("99999999999999999999" has 20 digits and is no uint64).
const U64 = { test: (s: string) => U64_TEXT.test(s) && (s.length < 20 || BigInt(s) <= 0xffffffffffffffffn) };
const I64 = { test: (s: string) => I64_TEXT.test(s) && (s.replace("-", "").length < 19 || (BigInt(s) <= 0x7fffffffffffffffn && BigInt(s) >= -0x8000000000000000n)) };

const JSON_READER: TReader = {
  u64(v, parent, field) {
    if (v === undefined || v === null) return "0";
    if (typeof v === "string" && U64.test(v)) return v;
    // As a JSON number a nanosecond time is past 2^53 and arrives rounded (to 256 ns): still a time.
    if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 2 ** 64) return BigInt(v).toString();
    fail(at(parent, field), "must be an unsigned 64-bit integer (a JSON string or number)");
  },
  id(v, parent, field) {
    if (v === undefined || v === null || v === "") return "";
    if (typeof v !== "string" || !/^[0-9a-fA-F]+$/.test(v)) fail(at(parent, field), "must be a hex string");
    return v.toLowerCase();
  },
  enumInt(v, parent, field, names) {
    if (v === undefined || v === null) return 0;
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string" && v in names) return names[v];
    fail(at(parent, field), `must be an enum number or one of ${Object.keys(names).join(", ")}`);
  },
  anyValue(v, parent, index) {
    if (v === undefined || v === null) return null;
    if (typeof v !== "object" || Array.isArray(v)) fail(valueAt(parent, index), "must be an object");
    const av = v as TObj;
    if ("stringValue" in av) {
      if (typeof av.stringValue === "string") return storable(av.stringValue);
      if (av.stringValue === null) return "";
      fail(at(valueAt(parent, index), "stringValue"), "must be a string");
    }
    if ("intValue" in av) {
      const i = av.intValue;
      if (typeof i === "number" && Number.isInteger(i) && Math.abs(i) < 2 ** 63) return BigInt(i).toString();
      if (typeof i === "string" && I64.test(i)) return i;
      fail(at(valueAt(parent, index), "intValue"), "must be a 64-bit integer (a JSON string or number)");
    }
    if ("doubleValue" in av) {
      const d = av.doubleValue;
      if (typeof d === "number") return d;
      // Proto3 JSON spells non-finite doubles as strings.
      if (d === "NaN" || d === "Infinity" || d === "-Infinity") return Number(d);
      if (typeof d === "string" && d.trim() !== "" && Number.isFinite(Number(d))) return Number(d);
      fail(at(valueAt(parent, index), "doubleValue"), "must be a number");
    }
    if ("boolValue" in av) {
      if (typeof av.boolValue !== "boolean") fail(at(valueAt(parent, index), "boolValue"), "must be true or false");
      return av.boolValue;
    }
    if ("arrayValue" in av) return { nested: "array" };
    if ("kvlistValue" in av) return { nested: "kvlist" };
    if ("bytesValue" in av) return { nested: "bytes" };
    return null;
  },
};

type TLongLike = { low: number; high: number; toString(): string };

function isLong(v: unknown): v is TLongLike {
  return typeof v === "object" && v !== null && "low" in v && "high" in v;
}

const PROTOBUF: TReader = {
  u64(v) {
    if (v === undefined || v === null) return "0";
    if (typeof v === "number") return String(v);
    // fixed64 decodes as unsigned; int64 as signed: times are never negative (read as unsigned).
    // Two 32-bit halves to decimal through a BigInt: 0.14 µs against Long's own toString's 0.95
    // (it divides Longs), twice a record; a nanosecond time is past 2^53, so not through a Number.
    if (isLong(v)) return ((BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)).toString();
    return "0";
  },
  id(v) {
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
    return "";
  },
  enumInt(v) {
    return typeof v === "number" ? v : 0;
  },
  // Decoded fields are own properties; unset ones come from the prototype's defaults. Asking
  // hasOwn is several times cheaper than protobufjs's oneof getter (`value`), once per attribute.
  anyValue(v) {
    if (v === undefined || v === null) return null;
    const av = v as TObj;
    if (Object.hasOwn(av, "stringValue")) return storable(av.stringValue as string);
    if (Object.hasOwn(av, "intValue")) return isLong(av.intValue) ? av.intValue.toString() : String(av.intValue);
    if (Object.hasOwn(av, "doubleValue")) return av.doubleValue as number;
    if (Object.hasOwn(av, "boolValue")) return av.boolValue as boolean;
    if (Object.hasOwn(av, "arrayValue")) return { nested: "array" };
    if (Object.hasOwn(av, "kvlistValue")) return { nested: "kvlist" };
    if (Object.hasOwn(av, "bytesValue")) return { nested: "bytes" };
    return null;
  },
};

// A record's attributes inherit its resource's (`proto`): the record's own win, the resource's show
// through (OTEL_RESOURCE_ATTRIBUTES), with no copy per record. Object.keys gives the own ones only.
function attributes(v: unknown, path: string, r: TReader, proto: TAttributes | null = null): TAttributes {
  const out: TAttributes = Object.create(proto);
  const items = list(v, path);
  for (let i = 0; i < items.length; i++) {
    const kv = items[i];
    if (kv === null || typeof kv !== "object" || Array.isArray(kv)) fail(`${path}[${i}]`, "must be an object");
    const key = (kv as TObj).key;
    if (key !== undefined && key !== null && typeof key !== "string") fail(`${path}[${i}].key`, "must be a string");
    const value = r.anyValue((kv as TObj).value, path, i);
    if (value !== null) out[typeof key === "string" ? storable(key) : ""] = value;
  }
  return out;
}

function resourceOf(v: unknown, path: string, r: TReader): TResource {
  return { attributes: attributes(obj(v, path).attributes, at(path, "attributes"), r) };
}

const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
const temporalityOf = (n: number): TTemporality => (n === 1 ? "delta" : n === 2 ? "cumulative" : "unspecified");
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

// A double as an exact decimal string (no exponent), or null when it is not a finite number.
export function doubleToDecimal(d: number): string | null {
  if (!Number.isFinite(d)) return null;
  const s = String(d);
  if (!/e/i.test(s)) return s;
  // At 1e21 and up every double is a whole number, and toFixed answers in exponent form.
  if (Math.abs(d) >= 1e21) return BigInt(d).toString();
  // Up to 20 decimals: what toFixed allows; smaller than 1e-20 is zero for money and tokens.
  return d.toFixed(20).replace(/\.?0+$/, "") || "0";
}

function numberPoint(p: TObj, path: string, r: TReader, kind: TMetric["kind"], resource: TAttributes): TMetricPoint {
  let value: string | null = null;
  if (kind === "histogram") {
    if (p.sum !== undefined && p.sum !== null) {
      if (typeof p.sum !== "number") fail(`${path}.sum`, "must be a number");
      value = doubleToDecimal(p.sum);
    }
  } else if (p.asInt !== undefined && p.asInt !== null && (r === JSON_READER || (p as { value?: string }).value === "asInt")) {
    const i = p.asInt;
    if (isLong(i)) value = i.toString();
    else if (typeof i === "number" && Number.isInteger(i) && Math.abs(i) < 2 ** 63) value = BigInt(i).toString();
    else if (typeof i === "string" && I64.test(i)) value = i;
    else fail(`${path}.asInt`, "must be a 64-bit integer");
  } else if (p.asDouble !== undefined && p.asDouble !== null) {
    const d = typeof p.asDouble === "string" ? Number(p.asDouble) : p.asDouble;
    if (typeof d !== "number") fail(`${path}.asDouble`, "must be a number");
    value = doubleToDecimal(d);
  }
  return {
    attributes: attributes(p.attributes, at(path, "attributes"), r, resource),
    startTimeUnixNano: r.u64(p.startTimeUnixNano, path, "startTimeUnixNano"),
    timeUnixNano: r.u64(p.timeUnixNano, path, "timeUnixNano"),
    value,
  };
}

function metricOf(v: unknown, path: string, r: TReader, resource: TAttributes): TMetric {
  const m = obj(v, path);
  const base = { name: text(m.name, `${path}.name`), unit: text(m.unit, `${path}.unit`) };
  const data: [TMetric["kind"], string] | null = m.sum ? ["sum", "sum"] : m.gauge ? ["gauge", "gauge"] : m.histogram ? ["histogram", "histogram"] : null;
  if (!data) return { ...base, kind: "other", temporality: "unspecified", points: [] };
  const [kind, field] = data;
  const body = obj(m[field], `${path}.${field}`);
  const temporality = kind === "gauge" ? "unspecified" : temporalityOf(r.enumInt(body.aggregationTemporality, `${path}.${field}`, "aggregationTemporality", TEMPORALITY));
  const points = list(body.dataPoints, `${path}.${field}.dataPoints`).map((p, i) => numberPoint(obj(p, `${path}.${field}.dataPoints[${i}]`), `${path}.${field}.dataPoints[${i}]`, r, kind, resource));
  return { ...base, kind, temporality, points };
}

function logRecordOf(v: unknown, path: string, r: TReader, resource: TAttributes): TLogRecord {
  const rec = obj(v, path);
  const eventName = rec.eventName;
  if (eventName !== undefined && eventName !== null && typeof eventName !== "string") fail(at(path, "eventName"), "must be a string");
  return {
    timeUnixNano: r.u64(rec.timeUnixNano, path, "timeUnixNano"),
    observedTimeUnixNano: r.u64(rec.observedTimeUnixNano, path, "observedTimeUnixNano"),
    eventName: eventName ? storable(eventName) : "",
    body: rec.body === undefined || rec.body === null ? null : r.anyValue(rec.body, at(path, "body"), -1),
    attributes: attributes(rec.attributes, at(path, "attributes"), r, resource),
  };
}

function spanOf(v: unknown, path: string, r: TReader, resource: TAttributes): TSpan {
  const s = obj(v, path);
  const status = obj(s.status, at(path, "status"));
  return {
    traceId: r.id(s.traceId, path, "traceId"),
    spanId: r.id(s.spanId, path, "spanId"),
    parentSpanId: r.id(s.parentSpanId, path, "parentSpanId"),
    name: text(s.name, at(path, "name")),
    startTimeUnixNano: r.u64(s.startTimeUnixNano, path, "startTimeUnixNano"),
    endTimeUnixNano: r.u64(s.endTimeUnixNano, path, "endTimeUnixNano"),
    attributes: attributes(s.attributes, at(path, "attributes"), r, resource),
    statusCode: r.enumInt(status.code, at(path, "status"), "code", STATUS_CODES),
  };
}

function walk(signal: TSignal, message: unknown, r: TReader): TDecoded {
  const top = obj(message, "body");
  if (signal === "logs") {
    let count = 0;
    const resources = list(top.resourceLogs, "resourceLogs").map((rl, i) => {
      const p = `resourceLogs[${i}]`;
      const o = obj(rl, p);
      const resource = resourceOf(o.resource, `${p}.resource`, r);
      return {
        resource,
        scopes: list(o.scopeLogs, `${p}.scopeLogs`).map((sl, j) => {
          const sp = `${p}.scopeLogs[${j}]`;
          const so = obj(sl, sp);
          const records = list(so.logRecords, `${sp}.logRecords`).map((rec, k) => logRecordOf(rec, `${sp}.logRecords[${k}]`, r, resource.attributes));
          count += records.length;
          return { name: text(obj(so.scope, `${sp}.scope`).name, `${sp}.scope.name`), records };
        }),
      };
    });
    return { signal, resources, count };
  }
  if (signal === "metrics") {
    let count = 0;
    const resources = list(top.resourceMetrics, "resourceMetrics").map((rm, i) => {
      const p = `resourceMetrics[${i}]`;
      const o = obj(rm, p);
      const resource = resourceOf(o.resource, `${p}.resource`, r);
      return {
        resource,
        scopes: list(o.scopeMetrics, `${p}.scopeMetrics`).map((sm, j) => {
          const sp = `${p}.scopeMetrics[${j}]`;
          const so = obj(sm, sp);
          const metrics = list(so.metrics, `${sp}.metrics`).map((m, k) => metricOf(m, `${sp}.metrics[${k}]`, r, resource.attributes));
          for (const m of metrics) count += m.points.length;
          return { name: text(obj(so.scope, `${sp}.scope`).name, `${sp}.scope.name`), metrics };
        }),
      };
    });
    return { signal, resources, count };
  }
  let count = 0;
  const resources = list(top.resourceSpans, "resourceSpans").map((rs, i) => {
    const p = `resourceSpans[${i}]`;
    const o = obj(rs, p);
    const resource = resourceOf(o.resource, `${p}.resource`, r);
    return {
      resource,
      scopes: list(o.scopeSpans, `${p}.scopeSpans`).map((ss, j) => {
        const sp = `${p}.scopeSpans[${j}]`;
        const so = obj(ss, sp);
        const spans = list(so.spans, `${sp}.spans`).map((s, k) => spanOf(s, `${sp}.spans[${k}]`, r, resource.attributes));
        count += spans.length;
        return { name: text(obj(so.scope, `${sp}.scope`).name, `${sp}.scope.name`), spans };
      }),
    };
  });
  return { signal, resources, count };
}
