import { z } from "zod";

// What one anomaly alert says, whatever the channel: the webhook's JSON body (this shape, documented
// in docs/api.md "Webhooks"), the email and the Slack message are made from it. Built once, in the
// transaction that opens the anomaly (./record.ts).
export const ZAnomalyEvent = z.strictObject({
  // The Anomaly id: stable across retries, so a receiver can drop a repeat.
  id: z.string(),
  type: z.literal("anomaly.detected"),
  created_at: z.string(),
  org: z.strictObject({ slug: z.string(), name: z.string() }),
  anomaly: z.strictObject({
    kind: z.enum(["retry_loop", "cost_spike", "context_growth", "velocity", "model_misuse"]),
    // The evidence in one sentence: "run migration-bot-7f: 8 identical calls to … in 3 min, $4.12".
    summary: z.string(),
    execution_id: z.string().nullable(),
    agent: z.string().nullable(),
    cost_usd: z.string(),
    // The circuit breaker stopped the execution: it stays blocked until a person resumes it.
    blocked: z.boolean(),
    evidence: z.record(z.string(), z.unknown()),
  }),
  // The page a lead opens from the alert (the execution, or the anomalies page).
  dashboard_url: z.string(),
});
export type TAnomalyEvent = z.infer<typeof ZAnomalyEvent>;
