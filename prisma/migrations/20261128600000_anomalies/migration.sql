-- Runaway detection (lib/anomalies): per-org settings, anomalies with their subject and lifecycle,
-- agent baselines, execution columns the detectors read, and anomaly alerts on the same outboxes
-- as budget alerts. No code wrote "Anomaly" before this migration, so the table is empty.

-- The two unused single-purpose settings give way to one validated settings document.
ALTER TABLE "Organization" DROP COLUMN "blockRetryLoops",
DROP COLUMN "velocityLimitUsdPerMin",
ADD COLUMN     "anomalySettings" JSONB;

ALTER TABLE "WebhookDelivery" ADD COLUMN     "anomalyId" TEXT,
ALTER COLUMN "alertId" DROP NOT NULL;

ALTER TABLE "EmailOutbox" ADD COLUMN     "anomalyId" TEXT;

-- Existing executions keep 0: context growth is measured only from a first call this version saw.
ALTER TABLE "Execution" ADD COLUMN     "firstInputTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "firstLlmAt" TIMESTAMPTZ(3),
ADD COLUMN     "resumedAt" TIMESTAMPTZ(3);

DROP INDEX "Anomaly_orgId_kind_executionId_key";
DELETE FROM "Anomaly";
ALTER TABLE "Anomaly" ADD COLUMN     "agent" TEXT,
ADD COLUMN     "blocked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "costUsd" DECIMAL(38,12) NOT NULL DEFAULT 0,
ADD COLUMN     "resolvedAt" TIMESTAMPTZ(3),
ADD COLUMN     "resolvedBy" TEXT,
ADD COLUMN     "subject" TEXT NOT NULL,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE TABLE "AgentBaseline" (
    "orgId" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "medianExecutionCostUsd" DECIMAL(38,12) NOT NULL,
    "finishedExecutions" INTEGER NOT NULL,
    "usualModel" TEXT,
    "usualModelShare" DOUBLE PRECISION,
    "computedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentBaseline_pkey" PRIMARY KEY ("orgId","agent")
);

CREATE INDEX "WebhookDelivery_orgId_anomalyId_idx" ON "WebhookDelivery"("orgId", "anomalyId");

CREATE INDEX "Anomaly_orgId_executionId_idx" ON "Anomaly"("orgId", "executionId");

-- One open anomaly per (kind, subject); resolved ones stay as history. The detector's upsert
-- conflicts on it (ON CONFLICT … WHERE "resolvedAt" IS NULL).
CREATE UNIQUE INDEX "Anomaly_open_key" ON "Anomaly"("orgId", "kind", "subject") WHERE "resolvedAt" IS NULL;

ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_anomalyId_fkey" FOREIGN KEY ("anomalyId") REFERENCES "Anomaly"("id") ON DELETE CASCADE ON UPDATE CASCADE;
