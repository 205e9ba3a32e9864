-- AlterTable
ALTER TABLE "TenderEvaluation" ALTER COLUMN "awardAmountFen" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "EvaluationBid" ALTER COLUMN "priceFen" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "ContractFiling" ALTER COLUMN "amountFen" SET DATA TYPE BIGINT;

