-- AlterTable
ALTER TABLE "TenderSection" ALTER COLUMN "budgetFen" SET DATA TYPE BIGINT;

