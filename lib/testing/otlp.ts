import { gzipSync } from "node:zlib";
import type { TSignal } from "../otlp/model";
import { api } from "./machine-server";

// OTLP fixtures (lib/otlp/fixtures) moved to "now": every *UnixNano and event.timestamp shifts by
// one offset, so the records keep their spacing and land inside the events API's 35-day window.
export function shiftedToNow<T>(fixture: T, endsMsAgo = 60_000): T {
  const copy = structuredClone(fixture);
  let latest = 0n;
  walk(copy, (k, v) => {
    if (k.endsWith("UnixNano") && v !== "0" && BigInt(v) > latest) latest = BigInt(v);
  });
  const shift = BigInt(Date.now() - endsMsAgo) * 1_000_000n - latest;
  walk(copy, (k, v, obj) => {
    if (k.endsWith("UnixNano") && v !== "0") obj[k] = String(BigInt(v) + shift);
  });
  // event.timestamp attributes (ISO) by the same shift.
  walkAttrs(copy, (kv) => {
    if (kv.key === "event.timestamp" && typeof kv.value?.stringValue === "string") {
      kv.value.stringValue = new Date(new Date(kv.value.stringValue).getTime() + Number(shift / 1_000_000n)).toISOString();
    }
  });
  return copy;
}

function walk(node: any, visit: (key: string, value: string, owner: any) => void): void {
  if (Array.isArray(node)) for (const item of node) walk(item, visit);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === "string" || typeof v === "number") visit(k, String(v), node);
      else walk(v, visit);
    }
  }
}

function walkAttrs(node: any, visit: (kv: any) => void): void {
  if (Array.isArray(node)) for (const item of node) walkAttrs(item, visit);
  else if (node && typeof node === "object") {
    if (typeof node.key === "string" && "value" in node) visit(node);
    for (const v of Object.values(node)) walkAttrs(v, visit);
  }
}

export type TOtlpSignal = TSignal;

export function postOtlp(
  baseUrl: string,
  signal: TOtlpSignal,
  secret: string | null,
  body: unknown,
  options: { gzip?: boolean; contentType?: string; raw?: Buffer | string } = {},
) {
  let payload: Buffer = options.raw !== undefined ? Buffer.from(options.raw) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { "content-type": options.contentType ?? "application/json" };
  if (options.gzip) {
    payload = gzipSync(payload);
    headers["content-encoding"] = "gzip";
  }
  return api(baseUrl, `/api/v1/otlp/v1/${signal}`, { method: "POST", secret, rawBody: payload, headers });
}

// A JSON KeyValue list from a plain object (strings → stringValue, integers → intValue, …).
export function kv(attrs: Record<string, string | number | boolean>) {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === "string" ? { stringValue: v } : typeof v === "boolean" ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

// One Claude Code process's cumulative export: its running cost and input tokens at `seconds`.
export function cumulativeExport(session: string, startMs: number, seconds: number, costUsd: number, inputTokens: number) {
  const start = String(BigInt(startMs) * 1_000_000n);
  const time = String(BigInt(startMs + seconds * 1000) * 1_000_000n);
  const attributes = kv({ "session.id": session, model: "claude-sonnet-4-5", "terminal.type": "vscode" });
  return {
    resourceMetrics: [
      {
        resource: { attributes: kv({ "service.name": "claude-code", repo: "acme/web" }) },
        scopeMetrics: [
          {
            scope: { name: "com.anthropic.claude_code" },
            metrics: [
              { name: "claude_code.cost.usage", unit: "USD", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes, startTimeUnixNano: start, timeUnixNano: time, asDouble: costUsd }] } },
              {
                name: "claude_code.token.usage",
                unit: "tokens",
                sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: [...attributes, ...kv({ type: "input" })], startTimeUnixNano: start, timeUnixNano: time, asDouble: inputTokens }] },
              },
            ],
          },
        ],
      },
    ],
  };
}
