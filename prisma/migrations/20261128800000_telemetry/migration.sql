-- OpenTelemetry ingest (lib/otlp): which signal counts a session, cumulative series already
-- counted, and when each source last sent data.

-- CreateEnum
CREATE TYPE "TelemetrySignal" AS ENUM ('LOGS', 'METRICS', 'TRACES');

-- CreateTable
CREATE TABLE "TelemetrySession" (
    "orgId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "countedFrom" "TelemetrySignal" NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TelemetrySession_pkey" PRIMARY KEY ("orgId","source","sessionId")
);

-- CreateTable
CREATE TABLE "TelemetrySeries" (
    "orgId" TEXT NOT NULL,
    "seriesKey" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "startTimeUnixNano" TEXT NOT NULL,
    "countedValue" DECIMAL(38,12) NOT NULL,
    "countedTimeUnixNano" TEXT NOT NULL DEFAULT '0',
    "resets" INTEGER NOT NULL DEFAULT 0,
    "pendingValue" DECIMAL(38,12),
    "pendingTimeUnixNano" TEXT,
    "pendingEventId" TEXT,
    "pendingReset" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TelemetrySeries_pkey" PRIMARY KEY ("orgId","seriesKey")
);

-- CreateTable
CREATE TABLE "TelemetryReceipt" (
    "orgId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "signal" "TelemetrySignal" NOT NULL,
    "lastReceivedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastKeyId" TEXT,

    CONSTRAINT "TelemetryReceipt_pkey" PRIMARY KEY ("orgId","source","signal")
);

-- AddForeignKey
ALTER TABLE "TelemetrySession" ADD CONSTRAINT "TelemetrySession_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TelemetrySeries" ADD CONSTRAINT "TelemetrySeries_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TelemetryReceipt" ADD CONSTRAINT "TelemetryReceipt_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
