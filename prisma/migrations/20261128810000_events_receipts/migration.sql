-- The events API leaves a receipt too (lib/ingest/receipts.ts), so the integrations page tells
-- its "last data received" from an OpenTelemetry export's.

-- AlterEnum
ALTER TYPE "TelemetrySignal" ADD VALUE 'EVENTS';
