import { z } from "zod";

// The wire shape of one usage event (docs/api.md). Strict: a misspelt attribution field
// ("executionId" for "execution_id") is an error the client sees, not spend silently unattributed.
// Postgres text cannot hold U+0000: reject it here rather than fail the whole write.
const NO_NUL = [(value: string) => !value.includes("\u0000"), "must not contain NUL (U+0000) characters"] as const;
const attribution = (max = 256) => z.string().trim().min(1).max(max).refine(...NO_NUL).nullish();

export const MAX_METADATA_KEYS = 32;
export const MAX_METADATA_BYTES = 4096;
export const MAX_EVENT_AGE_MS = 35 * 24 * 3600 * 1000;
export const MAX_EVENT_FUTURE_MS = 5 * 60 * 1000;

const ZDecimalString = z.string().regex(/^\d{1,12}(\.\d{1,18})?$/, "must be a non-negative decimal number");

export const ZEventSchema = z
  .strictObject({
    id: z.string().min(1, "is required").max(128).refine(...NO_NUL),
    timestamp: z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)" }).nullish(),
    kind: z.enum(["llm", "tool"]).default("llm"),
    provider: attribution(64),
    model: attribution(200),
    // Validated and normalised by lib/pricing (several provider shapes are accepted).
    usage: z.record(z.string(), z.unknown()).nullish(),
    cost_usd: z.union([z.number().nonnegative().finite().max(1e9), ZDecimalString]).nullish(),
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
    pull_request: z.union([z.string().trim().min(1).max(256).refine(...NO_NUL), z.number().int().nonnegative()]).nullish(),
    attempt: z.number().int().min(1).max(100_000).default(1),
    status: z.enum(["ok", "error"]).default("ok"),
    error_type: attribution(128),
    tool: attribution(128),
    latency_ms: z.number().int().min(0).max(86_400_000).nullish(),
    metadata: z.record(z.string().max(128), z.unknown()).nullish(),
  })
  .superRefine((event, ctx) => {
    if (event.kind === "llm" && !event.model) {
      ctx.addIssue({ code: "custom", path: ["model"], message: "is required for kind 'llm'" });
    }
    if (event.metadata) {
      if (Object.keys(event.metadata).length > MAX_METADATA_KEYS) {
        ctx.addIssue({ code: "custom", path: ["metadata"], message: `at most ${MAX_METADATA_KEYS} keys` });
      } else {
        const json = JSON.stringify(event.metadata);
        if (Buffer.byteLength(json) > MAX_METADATA_BYTES) {
          ctx.addIssue({ code: "custom", path: ["metadata"], message: `at most ${MAX_METADATA_BYTES} bytes as JSON` });
        } else if (json.includes("\\u0000")) {
          ctx.addIssue({ code: "custom", path: ["metadata"], message: "must not contain NUL (U+0000) characters" });
        }
      }
    }
  });

export type TEvent = z.infer<typeof ZEventSchema>;

export const MAX_BATCH_EVENTS = 1000;
