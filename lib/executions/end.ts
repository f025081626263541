import { pool } from "../db";
import { notFound } from "../errors";
import { EXECUTION_SUMMARY_COLUMNS, toExecutionSummary, type TExecutionSummary } from "../reports/executions";

// The client ends an execution (POST /api/v1/executions/{id}/end): done or failed, with its
// outcome. Idempotent: ending again keeps the first end time. A BLOCKED execution stays blocked —
// only a person resumes it; ending it must not become a way around the circuit breaker.
export async function endExecution(
  orgId: string,
  executionId: string,
  input: { status: "done" | "failed"; outcome: string | null },
): Promise<TExecutionSummary> {
  const { rows } = await pool().query(
    `WITH ended AS (
       UPDATE "Execution" SET
         status = CASE WHEN status = 'BLOCKED' THEN status ELSE $3::"ExecutionStatus" END,
         "endedAt" = coalesce("endedAt", now()),
         outcome = coalesce($4, outcome)
       WHERE "orgId" = $1 AND "executionId" = $2
       RETURNING *
     )
     SELECT ${EXECUTION_SUMMARY_COLUMNS}
       FROM ended e LEFT JOIN "Team" t ON t."orgId" = e."orgId" AND t.id = e."teamId"`,
    [orgId, executionId, input.status === "done" ? "DONE" : "FAILED", input.outcome],
  );
  if (rows.length === 0) throw notFound(`No execution '${executionId}': an execution exists once an event names it`);
  return toExecutionSummary(rows[0]);
}
