import { createHash, randomUUID } from "node:crypto";
import { submitEvents } from "../ingest/group-commit";
import { MAX_METADATA_BYTES } from "../ingest/event-schema";
import { prepareEvents } from "../ingest/prepare";
import type { TAuthenticatedKey } from "../keys/authenticate";
import type { TGatewayAttribution } from "./attribution-headers";
import type { TGatewayProvider } from "./credentials";

// One call through the gateway becomes one usage event, stored by the same path as
// POST /api/v1/events (validate, price, attribute → group commit), so budgets, rollups and runaway
// detection see it like any reported call.
export type TGatewayCall = {
  provider: TGatewayProvider;
  api: "chat.completions" | "messages";
  stream: boolean;
  // The upstream response's id (chatcmpl-…, msg_…): the event id when responseIdIsUnique, so a call
  // is counted once even if the client also reports it itself with that id; else kept in metadata.
  responseId: string | null;
  // True only for the provider's own API (its default base URL): a compatible backend may repeat
  // ids (a constant "chatcmpl-123", a counter per process), and a repeated event id is a duplicate.
  responseIdIsUnique: boolean;
  // The response's model (a dated version), else the one requested.
  model: string;
  // Exactly as the provider returned it; lib/pricing reads both shapes.
  usage: Record<string, unknown> | null;
  latencyMs: number;
  // An upstream error (with its type) or a stream that did not finish.
  errorType: string | null;
  attribution: TGatewayAttribution;
};

const MAX_EVENT_ID = 128;

export function eventIdOf(responseId: string | null): string {
  if (!responseId || !responseId.trim()) return `gw_${randomUUID()}`;
  if (responseId.length <= MAX_EVENT_ID && responseId.isWellFormed() && !responseId.includes("\u0000")) return responseId;
  return `gw_${createHash("sha256").update(responseId).digest("hex")}`;
}

// Room for the raw usage in metadata, under MAX_METADATA_BYTES with the other keys and JSON escaping.
const RAW_USAGE_CHARS = Math.floor(MAX_METADATA_BYTES / 4);

// The usage as text that metadata can always store: truncated, NUL-free, well-formed.
export function rawUsageText(usage: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify(usage);
  } catch {
    text = String(usage);
  }
  return text.replaceAll("\u0000", "").slice(0, RAW_USAGE_CHARS).toWellFormed();
}

// Never throws: the client already has (or is getting) its answer, which must not be lost because
// the write failed. A failure is logged with what is needed to report the call by hand.
// `submit`: the relay's ingest hold (lib/ingest/group-commit.ts holdIngest), so a call that was
// under way when the server began shutting down is still stored.
export async function recordGatewayCall(key: TAuthenticatedKey, call: TGatewayCall, submit: typeof submitEvents = submitEvents): Promise<void> {
  const event = eventOf(call);
  try {
    let { rows, rejected } = await prepareEvents(key, [event]);
    if (rows.length === 0 && call.usage) {
      // A usage object ingest refuses (mixed shapes, fractional counts…) must not lose the call: it
      // is recorded without tokens, as an error that says why, with the raw usage kept to read.
      console.error(`[gateway] call ${event.id} (org ${key.orgId}): usage refused (${JSON.stringify(rejected[0]?.errors ?? [])}); recorded as usage_unreadable`);
      const fallback = eventOf({ ...call, usage: null, errorType: "usage_unreadable" }, { id: event.id, raw_usage: rawUsageText(call.usage) });
      ({ rows, rejected } = await prepareEvents(key, [fallback]));
    }
    if (rows.length === 0) {
      console.error(`[gateway] call ${event.id} (org ${key.orgId}) not recorded: ${JSON.stringify(rejected[0]?.errors ?? [])}`);
      return;
    }
    const executionId = rows[0].executionId;
    await submit(rows, executionId ? { orgId: key.orgId, executionId } : null);
  } catch (err) {
    console.error(`[gateway] call ${event.id} (org ${key.orgId}, ${call.model}) answered but not recorded:`, err);
  }
}

function eventOf(call: TGatewayCall, extra?: { id: string; raw_usage: string }) {
  const responseId = call.responseId ? call.responseId.replaceAll("\u0000", "").slice(0, 256).toWellFormed() : null;
  return {
    id: extra?.id ?? eventIdOf(call.responseIdIsUnique ? call.responseId : null),
    provider: call.provider,
    model: call.model,
    ...(call.usage ? { usage: call.usage } : {}),
    latency_ms: Math.max(0, Math.min(86_400_000, Math.round(call.latencyMs))),
    status: call.errorType ? "error" : "ok",
    ...(call.errorType ? { error_type: call.errorType.slice(0, 128) } : {}),
    ...call.attribution,
    metadata: { gateway: `${call.provider}.${call.api}`, stream: call.stream, ...(responseId && !call.responseIdIsUnique ? { response_id: responseId } : {}), ...(extra ? { raw_usage: extra.raw_usage } : {}) },
  };
}
