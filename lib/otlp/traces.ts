import type { TAuthenticatedKey } from "../keys/authenticate";
import { text } from "./attributes";
import type { TExportResult } from "./logs";
import type { TResourceSpans, TSpan } from "./model";
import { recordReceipts } from "../ingest/receipts";
import { exportMessage, storeTelemetryEvents } from "./store";
import { GENAI, mapGenAiSpan, operationOf } from "./sources/genai";
import type { TWireEvent } from "./sources/types";

// Spans → usage events (GenAI conventions, ./sources/genai.ts). Spans are the only signal read for
// GenAI apps (their gen_ai.client.token.usage metrics repeat the same calls), so no session
// decision is needed. A span's event id is its trace and span id: a re-sent export changes nothing.
export async function ingestTraces(key: TAuthenticatedKey, resources: TResourceSpans[]): Promise<TExportResult> {
  const events: TWireEvent[] = [];
  const serviceOf = new Map<string, string | null>();
  const rejected = new Map<string, string>();
  let seen = false;
  for (const rs of resources) {
    const service = text(rs.resource.attributes, "service.name");
    // Spans of this resource by id, to find the agents above a model call (same export only:
    // children end, and are exported, before their parents).
    const byId = new Map<string, TSpan>();
    for (const scope of rs.scopes) for (const span of scope.spans) if (span.spanId) byId.set(`${span.traceId}:${span.spanId}`, span);
    for (const scope of rs.scopes) {
      for (const span of scope.spans) {
        const attrs = span.attributes;
        if (!operationOf(attrs)) continue;
        seen = true;
        const agents: string[] = [];
        let parent = span.parentSpanId ? byId.get(`${span.traceId}:${span.parentSpanId}`) : undefined;
        for (let hops = 0; parent && hops < 64; hops++) {
          if (text(parent.attributes, "gen_ai.operation.name") === "invoke_agent") {
            const name = text(parent.attributes, "gen_ai.agent.name");
            if (name) agents.unshift(name);
          }
          parent = parent.parentSpanId ? byId.get(`${parent.traceId}:${parent.parentSpanId}`) : undefined;
        }
        // OTLP requires both ids; without them spans cannot be told apart (nor a re-send from a new span).
        const mapped = span.traceId && span.spanId ? mapGenAiSpan(span, attrs, { agents }) : { kind: "rejected" as const, reason: "a span without traceId or spanId" };
        if (mapped.kind === "event") {
          events.push(mapped.event);
          serviceOf.set(mapped.event.id, service);
        } else if (mapped.kind === "rejected") rejected.set(`#${rejected.size}`, mapped.reason);
      }
    }
  }
  // Done with the decoded export: let it die young (see lib/otlp/logs.ts).
  resources.length = 0;
  const outcome = await storeTelemetryEvents(key, events, (e) => serviceOf.get(e.id) ?? null);
  if (seen) await recordReceipts(key, [GENAI], "TRACES");
  let rejectedSpans = rejected.size;
  for (const e of events) if (outcome.rejected.has(e.id)) rejectedSpans++;
  for (const [id, reason] of outcome.rejected) rejected.set(id, reason);
  return { rejected: rejectedSpans, message: exportMessage({ count: rejectedSpans, rejected, unpriced: outcome.unpriced, notes: [] }) };
}
