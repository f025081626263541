-- Daily spend per single dimension (team, agent, model, user, repository, cost_center, key) on the
-- org's calendar day, kept by ingest in the events' statement: the dashboard's ranked breakdowns,
-- daily series and period totals read ~one row per value per day, whatever the event volume.
CREATE TABLE "UsageDaily" (
    "orgId" TEXT NOT NULL,
    "day" DATE NOT NULL,
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

    CONSTRAINT "UsageDaily_pkey" PRIMARY KEY ("orgId","dimension","day","value")
);

-- From the hourly rollups already stored: their hours are the org's local hours, so each belongs
-- to exactly one local day.
INSERT INTO "UsageDaily" ("orgId", "day", "dimension", "value", "calls", "errors", "inputTokens", "outputTokens",
                          "cacheReadTokens", "cacheWriteTokens", "costUsd", "unpricedCalls")
SELECT r."orgId", (r.hour AT TIME ZONE o.timezone)::date, d.dimension, d.value, sum(r.calls), sum(r.errors),
       sum(r."inputTokens"), sum(r."outputTokens"), sum(r."cacheReadTokens"), sum(r."cacheWriteTokens"),
       sum(r."costUsd"), sum(r."unpricedCalls")
  FROM "UsageRollup" r
  JOIN "Organization" o ON o.id = r."orgId"
 CROSS JOIN LATERAL (VALUES ('team', r."teamId"), ('agent', r.agent), ('model', r.model), ('user', r."userId"),
                            ('repository', r.repository), ('cost_center', r."costCenterId"), ('key', r."keyId")) AS d(dimension, value)
 GROUP BY 1, 2, 3, 4;
