import { z } from "zod";
import { pool } from "../db";
import { env } from "../env";
import { executionState } from "../executions/state";
import type { TAuthenticatedKey } from "../keys/authenticate";
import { formatUsd } from "../money";
import { COUNTER_BUDGET_JSON, COUNTER_STATE_COLUMNS, ITEM_LIMIT_JOIN, toCounterState, type TRawCounterState } from "./counters";
import { budgetDisplayName, itemBudgetName } from "./names";
import { BUDGET_MATCH, BUDGET_ITEM, BUDGET_PERIOD_AT } from "./sql";
import { budgetStatus, ZBudgetStatus } from "./state";

// "May I run this, and how much is left?" — what an agent asks before it takes on work
// (GET /api/v1/budget). The budgets that apply are found by the same rule ingest counts with
// (./sql.ts), for the key's own attribution plus what the agent says it is about to do; each one's
// spend is its current period's counter, read now — no cache, so every replica answers alike.

export const ZBudgetCheckQuery = z.strictObject({
  execution_id: z.string().trim().min(1).max(256).optional(),
  task: z.string().trim().min(1).max(256).optional(),
  agent: z.string().trim().min(1).max(256).optional().describe("default: the key's default agent"),
  user: z.string().trim().min(1).max(256).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  team: z.string().trim().min(1).max(256).optional().describe("team slug; default: the key's team"),
});

export const ZBudgetCheck = z.strictObject({
  allowed: z.boolean().describe("false once a BLOCK budget that applies is at or over 100 %, or the execution is blocked"),
  reason: z.string().nullable().describe("Why not, naming the budget (or the block)"),
  budgets: z.array(ZBudgetStatus),
  execution: z
    .strictObject({ id: z.string(), state: z.enum(["running", "idle", "done", "failed", "blocked"]), blocked_reason: z.string().nullable() })
    .nullable(),
});
export type TBudgetCheck = z.infer<typeof ZBudgetCheck>;

export async function checkBudgets(key: TAuthenticatedKey, query: z.infer<typeof ZBudgetCheckQuery>): Promise<TBudgetCheck> {
  const db = pool();
  const team = query.team
    ? (await db.query<{ id: string; costCenterId: string | null }>(`SELECT id, "costCenterId" FROM "Team" WHERE "orgId" = $1 AND slug = $2`, [key.orgId, query.team])).rows[0]
    : null;
  const teamId = team?.id ?? key.teamId;
  const costCenterId = team
    ? team.costCenterId
    : (key.costCenterId ??
      (key.teamId ? ((await db.query<{ cc: string | null }>(`SELECT "costCenterId" AS cc FROM "Team" WHERE "orgId" = $1 AND id = $2`, [key.orgId, key.teamId])).rows[0]?.cc ?? null) : null));
  const { rows } = await db.query<TRawCounterState>(
    `WITH x AS (
       SELECT $2::text AS "teamId", $3::text AS "costCenterId", $4::text AS "keyId", $5::text AS agent, $6::text AS "userId",
              $7::text AS model, $8::text AS task, $9::text AS "executionId"
     ),
     k AS (
       SELECT b."orgId", b.id AS "budgetId", ${BUDGET_PERIOD_AT("b", "now()", "o.timezone")} AS "periodStart", ${BUDGET_ITEM("b", "x")} AS "itemKey"
         FROM "Budget" b JOIN "Organization" o ON o.id = b."orgId" CROSS JOIN x
        WHERE b."orgId" = $1 AND b."archivedAt" IS NULL AND ${BUDGET_MATCH("b", "x")}
     )
     SELECT ${COUNTER_STATE_COLUMNS(`coalesce(c."spentUsd", 0)`, "coalesce(c.calls, 0)", `coalesce(c."unpricedCalls", 0)`)}, ${COUNTER_BUDGET_JSON("b")} AS budget
       FROM k JOIN "Budget" b ON b.id = k."budgetId" ${ITEM_LIMIT_JOIN}
       LEFT JOIN "BudgetCounter" c ON c."orgId" = k."orgId" AND c."budgetId" = k."budgetId" AND c."periodStart" = k."periodStart" AND c."itemKey" = k."itemKey"
      ORDER BY b.scope, b.id, k."itemKey"`,
    [key.orgId, teamId, costCenterId, key.id, query.agent ?? key.defaultAgent, query.user ?? null, query.model ?? null, query.task ?? null, query.execution_id ?? null],
  );
  const counters = rows.map((row) => toCounterState(row));
  const budgets = counters.map(budgetStatus);
  const execution = query.execution_id
    ? ((
        await db.query<{ status: string; blockedReason: string | null; lastSeenAt: Date }>(
          `SELECT status::text, "blockedReason", "lastSeenAt" FROM "Execution" WHERE "orgId" = $1 AND "executionId" = $2`,
          [key.orgId, query.execution_id],
        )
      ).rows[0] ?? null)
    : null;
  const executionOut = query.execution_id
    ? {
        id: query.execution_id,
        state: execution ? executionState(execution.status, execution.lastSeenAt, new Date(), env().EXECUTION_IDLE_MINUTES) : ("running" as const),
        blocked_reason: execution?.blockedReason ?? null,
      }
    : null;
  const over = counters.find((c) => c.budget.enforcement === "BLOCK" && budgetStatus(c).state === "exceeded");
  let reason: string | null = null;
  if (executionOut?.state === "blocked") reason = `Execution ${executionOut.id} is blocked${executionOut.blocked_reason ? `: ${executionOut.blocked_reason}` : ""}`;
  else if (over) {
    const perItem = over.budget.scope === "TASK" || over.budget.scope === "EXECUTION";
    const label = perItem ? itemBudgetName(over.budget, over.itemKey) : await budgetDisplayName(db, key.orgId, over.budget);
    reason = `Budget "${label}" is at ${formatUsd(over.spentUsd)} of ${formatUsd(over.budget.amountUsd)} USD this ${over.budget.period === "TOTAL" ? "lifetime" : over.budget.period.toLowerCase()} and blocks new work`;
  }
  return { allowed: reason === null, reason, budgets, execution: executionOut };
}
