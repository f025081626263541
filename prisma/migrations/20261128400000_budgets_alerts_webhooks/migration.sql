-- DropIndex
DROP INDEX "BudgetAlert_orgId_budgetId_periodStart_itemKey_threshold_ki_key";

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "alertWebhookUrl" TEXT,
ADD COLUMN     "webhookSecret" TEXT;

-- AlterTable
ALTER TABLE "Budget" ADD COLUMN     "alertEpoch" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "createdBy" TEXT,
ADD COLUMN     "webhookUrl" TEXT;

-- AlterTable
ALTER TABLE "BudgetCounter" ADD COLUMN     "calls" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "unpricedCalls" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "BudgetAlert" ADD COLUMN     "epoch" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "limitUsd" DECIMAL(30,12) NOT NULL,
ADD COLUMN     "notified" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "EmailOutbox" ADD COLUMN     "alertId" TEXT;

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "alertId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "responseStatus" INTEGER,
    "idempotencyKey" TEXT NOT NULL,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_idempotencyKey_key" ON "WebhookDelivery"("idempotencyKey");

-- CreateIndex
CREATE INDEX "WebhookDelivery_orgId_alertId_idx" ON "WebhookDelivery"("orgId", "alertId");

-- CreateIndex
CREATE INDEX "BudgetAlert_orgId_createdAt_idx" ON "BudgetAlert"("orgId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "BudgetAlert_orgId_budgetId_periodStart_itemKey_threshold_ki_key" ON "BudgetAlert"("orgId", "budgetId", "periodStart", "itemKey", "threshold", "kind", "epoch");

-- CreateIndex
CREATE INDEX "EmailOutbox_orgId_alertId_idx" ON "EmailOutbox"("orgId", "alertId");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "BudgetAlert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The webhook sender's work queue: pending deliveries by due time (like EmailOutbox_pending_due_idx).
CREATE INDEX "WebhookDelivery_pending_due_idx" ON "WebhookDelivery"("nextAttemptAt") WHERE "status" = 'PENDING';
