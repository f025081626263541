import { z } from "zod";
import { ZInstantOut, ZUsd } from "../api/openapi";
import { env } from "../env";
import { EXECUTION_STATES, executionState } from "../executions/state";
import { formatUsd } from "../money";

export const ZExecutionSummary = z.strictObject({
  id: z.string().describe("The client's execution_id"),
  agent: z.string().nullable(),
  task: z.string().nullable(),
  team: z.string().nullable().describe("Team slug"),
  user: z.string().nullable(),
  repository: z.string().nullable(),
  pull_request: z.string().nullable(),
  status: z.enum(EXECUTION_STATES).describe("running, idle (no call for EXECUTION_IDLE_MINUTES), done, failed, blocked"),
  calls: z.number().int(),
  tool_calls: z.number().int(),
  errors: z.number().int(),
  retries: z.number().int().describe("Calls with attempt > 1"),
  input_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: ZUsd,
  retry_cost_usd: ZUsd.describe("What attempts after the first cost"),
  first_seen_at: ZInstantOut,
  last_seen_at: ZInstantOut,
  ended_at: ZInstantOut.nullable(),
  outcome: z.string().nullable(),
}).meta({ id: "Execution" });
export type TExecutionSummary = z.infer<typeof ZExecutionSummary>;

// The columns of an execution summary, for `FROM "Execution" e LEFT JOIN "Team" t`.
export const EXECUTION_SUMMARY_COLUMNS = `
  e."executionId" AS id, e.agent, e.task, t.slug AS team, e."userId" AS user, e.repository,
  e."pullRequest" AS pull_request, e.status::text AS stored_status, e.calls, e."toolCalls" AS tool_calls,
  e.errors, e.retries, e."inputTokens" AS input_tokens, e."cacheReadTokens" AS cache_read_tokens,
  e."cacheWriteTokens" AS cache_write_tokens, e."outputTokens" AS output_tokens,
  e."costUsd"::text AS cost_usd, e."retryCostUsd"::text AS retry_cost_usd,
  e."firstSeenAt" AS first_seen_at, e."lastSeenAt" AS last_seen_at, e."endedAt" AS ended_at, e.outcome`;

// A row selected with EXECUTION_SUMMARY_COLUMNS (pg returns timestamptz as Date, numeric as string).
export function toExecutionSummary(row: Record<string, unknown> & { stored_status: string; last_seen_at: Date; first_seen_at: Date; ended_at: Date | null; cost_usd: string; retry_cost_usd: string }, now = new Date()): TExecutionSummary {
  const { stored_status, ...rest } = row;
  return {
    ...(rest as unknown as TExecutionSummary),
    status: executionState(stored_status, row.last_seen_at, now, env().EXECUTION_IDLE_MINUTES),
    cost_usd: formatUsd(row.cost_usd),
    retry_cost_usd: formatUsd(row.retry_cost_usd),
    first_seen_at: row.first_seen_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
    ended_at: row.ended_at ? row.ended_at.toISOString() : null,
  };
}
