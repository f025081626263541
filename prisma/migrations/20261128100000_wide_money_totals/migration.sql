-- Money totals numeric(30,12) -> numeric(38,12), so no sum of accepted events can overflow them (see
-- schema.prisma). Only the precision grows: Postgres rewrites neither the tables nor their indexes.

-- AlterTable
ALTER TABLE "BudgetCounter" ALTER COLUMN "spentUsd" SET DATA TYPE DECIMAL(38,12),
ALTER COLUMN "reservedUsd" SET DATA TYPE DECIMAL(38,12);

-- AlterTable
ALTER TABLE "BudgetAlert" ALTER COLUMN "spentUsd" SET DATA TYPE DECIMAL(38,12);

-- AlterTable
ALTER TABLE "Execution" ALTER COLUMN "costUsd" SET DATA TYPE DECIMAL(38,12),
ALTER COLUMN "retryCostUsd" SET DATA TYPE DECIMAL(38,12);

-- AlterTable
ALTER TABLE "UsageRollup" ALTER COLUMN "costUsd" SET DATA TYPE DECIMAL(38,12);
