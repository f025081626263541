import { pool } from "../db";
import { approvalState, findApproval, type TApprovalState } from "./approval";

// What the decision page (app/(dashboard)/[org]/approvals/[id]) shows of an ask: the ask, what it is
// about now (spent, blocked or not), who asked and, once decided, who decided.
export type TApprovalPage = {
  id: string;
  state: TApprovalState;
  subject: { kind: "execution" | "task"; id: string };
  amountUsd: string;
  reason: string;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  newLimitUsd: string | null;
  requestedBy: string | null;
  agent: string | null;
  spentUsd: string;
  // Of the execution, or of the task's executions.
  blocked: number;
  blockedReason: string | null;
};

export async function approvalForPage(orgId: string, id: string): Promise<TApprovalPage | null> {
  const row = await findApproval(orgId, id);
  if (!row) return null;
  const db = pool();
  const [about, people] = await Promise.all([
    db.query<{ agent: string | null; spent: string; blocked: number; blockedReason: string | null }>(
      `SELECT min(agent) AS agent, coalesce(sum("costUsd"), 0)::text AS spent, count(*) FILTER (WHERE status = 'BLOCKED')::int AS blocked,
              min("blockedReason") AS "blockedReason"
         FROM "Execution" WHERE "orgId" = $1 AND ${row.executionId ? `"executionId" = $2` : "task = $2"}`,
      [orgId, row.executionId ?? row.task],
    ),
    db.query<{ requestedBy: string | null; decidedBy: string | null }>(
      `SELECT (SELECT k.prefix || ' (' || k.name || ')' FROM "VirtualKey" k WHERE k."orgId" = $1 AND k.id = $2) AS "requestedBy",
              (SELECT coalesce(u.email, u.name) FROM "User" u JOIN "Membership" m ON m."userId" = u.id AND m."orgId" = $1 WHERE u.id = $3) AS "decidedBy"`,
      [orgId, row.requestedByKeyId, row.decidedByUserId],
    ),
  ]);
  const a = about.rows[0];
  return {
    id: row.id,
    state: approvalState(row),
    subject: row.executionId ? { kind: "execution", id: row.executionId } : { kind: "task", id: row.task! },
    amountUsd: row.amountUsd,
    reason: row.reason,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: new Date(row.expiresAt).toISOString(),
    decidedAt: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
    decidedBy: people.rows[0]?.decidedBy ?? null,
    newLimitUsd: row.newLimitUsd,
    requestedBy: people.rows[0]?.requestedBy ?? null,
    agent: a?.agent ?? null,
    spentUsd: a?.spent ?? "0",
    blocked: a?.blocked ?? 0,
    blockedReason: a?.blockedReason ?? null,
  };
}
