-- Approvals (lib/approvals): an agent asks for more budget, an owner or admin decides from a signed
-- link; an approval (or a resume with a new limit) grants a per-item allowance on the TASK /
-- EXECUTION budgets that apply, added to the budget amount for that item and period.

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('PENDING', 'APPROVED', 'DENIED', 'EXPIRED');

-- CreateTable
CREATE TABLE "BudgetAllowance" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "budgetId" TEXT NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "itemKey" TEXT NOT NULL,
    "extraUsd" DECIMAL(38,12) NOT NULL,
    "approvalId" TEXT,
    "grantedBy" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BudgetAllowance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "executionId" TEXT,
    "task" TEXT,
    "amountUsd" DECIMAL(38,12) NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'PENDING',
    "requestedByKeyId" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "decidedByUserId" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "newLimitUsd" DECIMAL(38,12),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BudgetAllowance_orgId_budgetId_periodStart_itemKey_idx" ON "BudgetAllowance"("orgId", "budgetId", "periodStart", "itemKey");

-- CreateIndex
CREATE UNIQUE INDEX "Approval_orgId_idempotencyKey_key" ON "Approval"("orgId", "idempotencyKey");

-- AddForeignKey
ALTER TABLE "BudgetAllowance" ADD CONSTRAINT "BudgetAllowance_budgetId_fkey" FOREIGN KEY ("budgetId") REFERENCES "Budget"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One pending ask per execution, and per task: 20 identical POSTs at once make one row (the others
-- conflict and answer the pending one), so never two emails for one ask.
CREATE UNIQUE INDEX "Approval_pending_execution_key" ON "Approval"("orgId", "executionId") WHERE status = 'PENDING' AND "executionId" IS NOT NULL;
CREATE UNIQUE INDEX "Approval_pending_task_key" ON "Approval"("orgId", "task") WHERE status = 'PENDING' AND "task" IS NOT NULL;

-- The expiry job's queue (lib/approvals/expire.ts): pending asks by expiry, across orgs, like the
-- outbox's due index.
CREATE INDEX "Approval_pending_expiry_idx" ON "Approval"("expiresAt") WHERE status = 'PENDING';

