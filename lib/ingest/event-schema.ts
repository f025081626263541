import { z } from "zod";
import { exceedsMaxCallCost, MAX_CALL_COST_USD } from "../pricing/money";

// The wire shape of one usage event (docs/api.md). Strict: a misspelt attribution field
// ("executionId" for "execution_id") is an error the client sees, not spend silently unattributed.
// Text Postgres cannot store (NUL, lone surrogates) and nesting too deep to walk safely are
// rejected before this schema, by storableProblems (./storable.ts); metadata's byte size is checked
// where it is serialised for storage (./prepare.ts), once.
const attribution = (max = 256) => z.string().trim().min(1).max(max).nullish();

export const MAX_METADATA_KEYS = 32;
export const MAX_METADATA_BYTES = 4096;
export const MAX_EVENT_AGE_MS = 35 * 24 * 3600 * 1000;
export const MAX_EVENT_FUTURE_MS = 5 * 60 * 1000;

// A reported cost is bounded per call so that no sum of events can overflow a total column.
const OVER_MAX_COST = `must be at most ${MAX_CALL_COST_USD} (USD for one call)`;
const ZDecimalString = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,18})?$/, "must be a non-negative decimal number")
  .refine((s) => !exceedsMaxCallCost(s), OVER_MAX_COST);

export const ZEventSchema = z
  .strictObject({
    id: z.string().min(1, "is required").max(128),
    timestamp: z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)" }).nullish(),
    kind: z.enum(["llm", "tool"]).default("llm"),
    provider: attribution(64),
    model: attribution(200),
    // Validated and normalised by lib/pricing (several provider shapes are accepted).
    usage: z.record(z.string(), z.unknown()).nullish(),
    cost_usd: z.union([z.number().nonnegative().finite().max(MAX_CALL_COST_USD, OVER_MAX_COST), ZDecimalString]).nullish(),
    execution_id: attribution(),
    task: attribution(),
    session_id: attribution(),
    agent: attribution(),
    subagent: attribution(),
    user: attribution(),
    team: attribution(),
    cost_center: attribution(),
    feature: attribution(),
    repository: attribution(),
    branch: attribution(),
    pull_request: z.union([z.string().trim().min(1).max(256), z.number().int().nonnegative()]).nullish(),
    attempt: z.number().int().min(1).max(100_000).default(1),
    status: z.enum(["ok", "error"]).default("ok"),
    // This call is its execution's last: ends it as done or failed (as POST …/executions/{id}/end).
    execution_status: z.enum(["done", "failed"]).nullish(),
    error_type: attribution(128),
    tool: attribution(128),
    latency_ms: z.number().int().min(0).max(86_400_000).nullish(),
    // The client's hash of the request (docs/api.md "Fingerprints"): calls with one fingerprint are
    // "the same call" for retry-loop detection. Without it, Burnrate compares model, tool, error type and sizes.
    fingerprint: z.string().trim().min(1).max(128).nullish(),
    metadata: z.record(z.string().max(128), z.unknown()).nullish(),
  })
  .superRefine((event, ctx) => {
    if (event.kind === "llm" && !event.model) {
      ctx.addIssue({ code: "custom", path: ["model"], message: "is required for kind 'llm'" });
    }
    if (event.execution_status && !event.execution_id) {
      ctx.addIssue({ code: "custom", path: ["execution_status"], message: "needs execution_id: it ends that execution" });
    }
    if (event.metadata && Object.keys(event.metadata).length > MAX_METADATA_KEYS) {
      ctx.addIssue({ code: "custom", path: ["metadata"], message: `at most ${MAX_METADATA_KEYS} keys` });
    }
  });

export type TEvent = z.infer<typeof ZEventSchema>;

export const MAX_BATCH_EVENTS = 1000;
