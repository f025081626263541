-- AlterTable
ALTER TABLE "Execution" ADD COLUMN     "endedAt" TIMESTAMPTZ(3);
