-- DropIndex
DROP INDEX "AuditLog_orgId_createdAt_idx";

-- CreateIndex
CREATE INDEX "AuditLog_orgId_createdAt_id_idx" ON "AuditLog"("orgId", "createdAt" DESC, "id" DESC);
