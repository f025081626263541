-- The executions list (lib/executions/list.ts) is keyset-paginated on (sort value, id) for each of
-- its sorts: every index below is (orgId, <sort value> DESC, id DESC), so a page — the first or the
-- thousandth — is one index range scan starting at the cursor, read forwards for descending order
-- and backwards for ascending. The two older indexes without the id tiebreak are replaced by their
-- extended versions, which serve the same queries (overview top executions, GET /api/v1/executions).

-- DropIndex
DROP INDEX "Execution_orgId_costUsd_idx";

-- DropIndex
DROP INDEX "Execution_orgId_lastSeenAt_idx";

-- CreateIndex: list sorted by cost; overview top executions; GET /api/v1/executions?order=cost.
CREATE INDEX "Execution_orgId_costUsd_id_idx" ON "Execution"("orgId", "costUsd" DESC, "id" DESC);

-- CreateIndex: list sorted by last seen; executions active in a range, newest first (?order=recent).
CREATE INDEX "Execution_orgId_lastSeenAt_id_idx" ON "Execution"("orgId", "lastSeenAt" DESC, "id" DESC);

-- CreateIndex: list sorted by first seen.
CREATE INDEX "Execution_orgId_firstSeenAt_id_idx" ON "Execution"("orgId", "firstSeenAt" DESC, "id" DESC);

-- CreateIndex: list sorted by calls.
CREATE INDEX "Execution_orgId_calls_id_idx" ON "Execution"("orgId", "calls" DESC, "id" DESC);

-- CreateIndex: list sorted by retries.
CREATE INDEX "Execution_orgId_retries_id_idx" ON "Execution"("orgId", "retries" DESC, "id" DESC);

-- CreateIndex: list sorted by retry cost.
CREATE INDEX "Execution_orgId_retryCostUsd_id_idx" ON "Execution"("orgId", "retryCostUsd" DESC, "id" DESC);

-- CreateIndex: list filtered by state (running / idle / blocked are a few among many done ones).
CREATE INDEX "Execution_orgId_status_lastSeenAt_idx" ON "Execution"("orgId", "status", "lastSeenAt" DESC);

-- CreateIndex: list sorted by duration (first call to last call). Hand-written: schema.prisma cannot
-- express an index on an expression; lib/db/migrate.test.ts lists it as migration-only. The query
-- must spell the expression exactly for the planner to use it: ("lastSeenAt" - "firstSeenAt").
CREATE INDEX "Execution_orgId_duration_id_idx" ON "Execution"("orgId", ("lastSeenAt" - "firstSeenAt") DESC, "id" DESC);
