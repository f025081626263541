// One shape for an OTLP export, whichever encoding it came in (lib/otlp/decode.ts): the source
// mappers (lib/otlp/sources/*) read only this. Only what spend needs is kept.

// An attribute's value. Integers stay decimal strings (64-bit, exact); doubles are numbers; arrays
// and key-value lists are not read by any mapper, so they are kept as a marker only (no recursion:
// a deeply nested value costs nothing here).
export type TAttrValue = string | number | boolean | { nested: "array" | "kvlist" | "bytes" };
// Null-prototype: an attribute named "__proto__" is just a key.
export type TAttributes = Record<string, TAttrValue>;

export type TResource = { attributes: TAttributes };

export type TLogRecord = {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  eventName: string;
  body: TAttrValue | null;
  attributes: TAttributes;
};

export type TResourceLogs = { resource: TResource; scopes: { name: string; records: TLogRecord[] }[] };

export type TTemporality = "delta" | "cumulative" | "unspecified";

export type TMetricPoint = {
  attributes: TAttributes;
  startTimeUnixNano: string;
  timeUnixNano: string;
  // Decimal string: a sum's or gauge's value, a histogram's sum. Null when the point has none.
  value: string | null;
};

export type TMetric = {
  name: string;
  unit: string;
  kind: "sum" | "gauge" | "histogram" | "other";
  temporality: TTemporality;
  points: TMetricPoint[];
};

export type TResourceMetrics = { resource: TResource; scopes: { name: string; metrics: TMetric[] }[] };

export type TSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: TAttributes;
  // OTLP status code: 0 unset, 1 ok, 2 error.
  statusCode: number;
};

export type TResourceSpans = { resource: TResource; scopes: { name: string; spans: TSpan[] }[] };

export type TSignal = "logs" | "metrics" | "traces";

export type TDecoded =
  | { signal: "logs"; resources: TResourceLogs[]; count: number }
  | { signal: "metrics"; resources: TResourceMetrics[]; count: number }
  | { signal: "traces"; resources: TResourceSpans[]; count: number };
