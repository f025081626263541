-- Hourly spend per single dimension (team, agent, model, user, repository, cost_center, key) on the
-- org's local hour, kept by ingest in the events' statement beside UsageDaily: an hourly chart
-- stacked by one dimension, and the whole hours at a range's edges, read a few rows per value per
-- hour instead of every attribution combination the hour saw.
CREATE TABLE "UsageHourly" (
    "orgId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheReadTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(38,12) NOT NULL DEFAULT 0,
    "unpricedCalls" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "UsageHourly_pkey" PRIMARY KEY ("orgId","dimension","hour","value")
);

-- From the hourly rollups already stored (their hours are the org's local hours already).
INSERT INTO "UsageHourly" ("orgId", "hour", "dimension", "value", "calls", "errors", "inputTokens", "outputTokens",
                           "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
SELECT r."orgId", r.hour, d.dimension, d.value, sum(r.calls), sum(r.errors),
       sum(r."inputTokens"), sum(r."outputTokens"), sum(r."cacheReadTokens"), sum(r."cacheWriteTokens"),
       sum(r."costUsd"), sum(r."unpricedCalls")
  FROM "UsageRollup" r
 CROSS JOIN LATERAL (VALUES ('team', r."teamId"), ('agent', r.agent), ('model', r.model), ('user', r."userId"),
                            ('repository', r.repository), ('cost_center', r."costCenterId"), ('key', r."keyId")) AS d(dimension, value)
 GROUP BY 1, 2, 3, 4;
