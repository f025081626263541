import { z } from "zod";
import { ZInstantOut, ZUsd } from "../api/openapi";
import { pool } from "../db";
import { formatUsd } from "../money";

// An approval as the agent polls it (GET /api/v1/approvals/{id}) and the POST answers it: one shape.
// A pending ask past its expiry reads as expired at once; the expiry job (./expire.ts) stores it.
export const APPROVAL_STATES = ["pending", "approved", "denied", "expired"] as const;
export type TApprovalState = (typeof APPROVAL_STATES)[number];

export const ZApproval = z
  .strictObject({
    id: z.string(),
    status: z.enum(APPROVAL_STATES),
    execution_id: z.string().nullable(),
    task: z.string().nullable(),
    amount_usd: ZUsd,
    reason: z.string(),
    created_at: ZInstantOut,
    expires_at: ZInstantOut.describe("A pending ask expires here: ask again after it"),
    decided_at: ZInstantOut.nullable(),
    new_limit_usd: ZUsd.nullable().describe("Once approved: the execution's (or task's) limit now — the tightest BLOCK budget on it"),
  })
  .meta({ id: "Approval" });
export type TApprovalOut = z.infer<typeof ZApproval>;

export type TApprovalRow = {
  id: string;
  orgId: string;
  executionId: string | null;
  task: string | null;
  amountUsd: string;
  reason: string;
  status: "PENDING" | "APPROVED" | "DENIED" | "EXPIRED";
  requestedByKeyId: string;
  idempotencyKey: string | null;
  decidedByUserId: string | null;
  decidedAt: Date | null;
  newLimitUsd: string | null;
  expiresAt: Date;
  createdAt: Date;
  // Computed by the reading statement: pending and past its expiry.
  lapsed: boolean;
};

export const APPROVAL_COLUMNS = `a.id, a."orgId", a."executionId", a.task, a."amountUsd"::text AS "amountUsd", a.reason, a.status::text AS status,
  a."requestedByKeyId", a."idempotencyKey", a."decidedByUserId", a."decidedAt", a."newLimitUsd"::text AS "newLimitUsd", a."expiresAt",
  a."createdAt", (a.status = 'PENDING' AND a."expiresAt" <= now()) AS lapsed`;

export function approvalState(row: Pick<TApprovalRow, "status" | "lapsed">): TApprovalState {
  return row.lapsed ? "expired" : (row.status.toLowerCase() as TApprovalState);
}

export function approvalOut(row: TApprovalRow): TApprovalOut {
  return {
    id: row.id,
    status: approvalState(row),
    execution_id: row.executionId,
    task: row.task,
    amount_usd: formatUsd(row.amountUsd),
    reason: row.reason,
    created_at: new Date(row.createdAt).toISOString(),
    expires_at: new Date(row.expiresAt).toISOString(),
    decided_at: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
    new_limit_usd: row.newLimitUsd ? formatUsd(row.newLimitUsd) : null,
  };
}

// Another org's id reads as no approval at all.
export async function findApproval(orgId: string, id: string): Promise<TApprovalRow | null> {
  if (id.length > 64) return null;
  const { rows } = await pool().query<TApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM "Approval" a WHERE a."orgId" = $1 AND a.id = $2`, [orgId, id]);
  return rows[0] ?? null;
}
