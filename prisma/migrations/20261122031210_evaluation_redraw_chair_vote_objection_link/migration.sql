-- AlterTable
ALTER TABLE "TenderEvaluation" ADD COLUMN     "chairElectedAt" TIMESTAMPTZ(3),
ADD COLUMN     "chairElection" JSONB;

-- AlterTable
ALTER TABLE "EvaluationMember" ADD COLUMN     "chairVoteMemberId" TEXT,
ADD COLUMN     "chairVotedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "AwardObjection" ADD COLUMN     "complaintId" TEXT;

-- CreateTable
CREATE TABLE "ExpertRedraw" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "seed" TEXT NOT NULL,
    "commitment" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "committedAt" TIMESTAMPTZ(3) NOT NULL,
    "drawnAt" TIMESTAMPTZ(3),
    "drawnById" TEXT,
    "record" JSONB,
    "vacancies" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ExpertRedraw_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ExpertRedraw_evaluationId_round_key" ON "ExpertRedraw"("evaluationId", "round");

-- AddForeignKey
ALTER TABLE "ExpertRedraw" ADD CONSTRAINT "ExpertRedraw_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

