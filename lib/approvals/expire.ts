import { pool } from "../db";

// A job (lib/jobs/registry.ts): pending asks past their expiry become EXPIRED — across orgs, through
// the pending-expiry partial index, a bounded batch per run. Reads never wait for it (a pending ask
// past its expiry already reads as expired, and cannot be decided: ./decide.ts checks the time in
// its UPDATE); it makes the stored status true and frees the execution's one pending place.
const BATCH = 1000;

export async function expireApprovals(): Promise<{ expired: number }> {
  const { rowCount } = await pool().query(
    `UPDATE "Approval" SET status = 'EXPIRED'
      WHERE id IN (SELECT id FROM "Approval" WHERE status = 'PENDING' AND "expiresAt" <= now() ORDER BY "expiresAt" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        AND status = 'PENDING'`,
  );
  return { expired: rowCount ?? 0 };
}
