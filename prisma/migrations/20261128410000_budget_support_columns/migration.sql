-- AlterTable
ALTER TABLE "UsageRollup" ADD COLUMN     "unpricedCalls" BIGINT NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Execution_orgId_task_idx" ON "Execution"("orgId", "task");

-- Existing rollups learn how many of their calls were unpriced (same hour bucketing as ingest:
-- the start of the org-local hour, lib/rollups/buckets.ts).
UPDATE "UsageRollup" r SET "unpricedCalls" = x.n
  FROM (
    SELECT e."orgId",
           (e."occurredAt" - ((e."occurredAt" AT TIME ZONE o.timezone) - date_trunc('hour', e."occurredAt" AT TIME ZONE o.timezone))) AS hour,
           e."keyId", coalesce(e."teamId", '') AS "teamId", coalesce(e."costCenterId", '') AS "costCenterId",
           coalesce(e.agent, '') AS agent, coalesce(e.model, '') AS model, coalesce(e."userId", '') AS "userId",
           coalesce(e.repository, '') AS repository, count(*) AS n
      FROM "UsageEvent" e JOIN "Organization" o ON o.id = e."orgId"
     WHERE e."costSource" = 'UNPRICED'
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ) x
 WHERE r."orgId" = x."orgId" AND r.hour = x.hour AND r."keyId" = x."keyId" AND r."teamId" = x."teamId"
   AND r."costCenterId" = x."costCenterId" AND r.agent = x.agent AND r.model = x.model AND r."userId" = x."userId"
   AND r.repository = x.repository;
