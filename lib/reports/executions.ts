import { pool } from "../db";
import { formatUsd } from "../money";

export type TExecutionSummary = {
  id: string;
  agent: string | null;
  task: string | null;
  team: string | null;
  user: string | null;
  repository: string | null;
  pull_request: string | null;
  status: string;
  calls: number;
  tool_calls: number;
  errors: number;
  retries: number;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  cost_usd: string;
  retry_cost_usd: string;
  first_seen_at: string;
  last_seen_at: string;
};

// Executions active in [from, to), most expensive (or most recent) first.
export async function topExecutions(args: {
  orgId: string;
  from: Date;
  to: Date;
  order: "cost" | "recent";
  limit: number;
}): Promise<TExecutionSummary[]> {
  const orderBy = args.order === "cost" ? `e."costUsd" DESC, e."lastSeenAt" DESC` : `e."lastSeenAt" DESC`;
  const { rows } = await pool().query(
    `SELECT e."executionId" AS id, e.agent, e.task, t.slug AS team, e."userId" AS user, e.repository,
            e."pullRequest" AS pull_request, e.status::text AS status, e.calls, e."toolCalls" AS tool_calls,
            e.errors, e.retries, e."inputTokens" AS input_tokens, e."cacheReadTokens" AS cache_read_tokens,
            e."cacheWriteTokens" AS cache_write_tokens,
            e."outputTokens" AS output_tokens, e."costUsd"::text AS cost_usd, e."retryCostUsd"::text AS retry_cost_usd,
            e."firstSeenAt" AS first_seen_at, e."lastSeenAt" AS last_seen_at
       FROM "Execution" e
       LEFT JOIN "Team" t ON t."orgId" = e."orgId" AND t.id = e."teamId"
      WHERE e."orgId" = $1 AND e."lastSeenAt" >= $2 AND e."firstSeenAt" < $3
      ORDER BY ${orderBy}
      LIMIT $4`,
    [args.orgId, args.from, args.to, args.limit],
  );
  return rows.map((row) => ({
    ...row,
    cost_usd: formatUsd(row.cost_usd),
    retry_cost_usd: formatUsd(row.retry_cost_usd),
    first_seen_at: row.first_seen_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
  }));
}
