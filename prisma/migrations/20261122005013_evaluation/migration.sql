-- CreateTable
CREATE TABLE "Expert" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "specialties" TEXT[],
    "region" TEXT NOT NULL,
    "employerName" TEXT NOT NULL,
    "employerCreditCode" TEXT NOT NULL,
    "phone" TEXT,
    "status" TEXT NOT NULL DEFAULT 'available',
    "statusReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Expert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExpertRelation" (
    "id" TEXT NOT NULL,
    "expertId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "orgName" TEXT NOT NULL,
    "orgCreditCode" TEXT NOT NULL,
    "endedOn" TIMESTAMPTZ(3),
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ExpertRelation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenderEvaluation" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "criteria" JSONB NOT NULL,
    "specialty" TEXT NOT NULL,
    "expertCount" INTEGER NOT NULL,
    "reserveCount" INTEGER NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'planned',
    "drawSeed" TEXT NOT NULL,
    "drawCommitment" TEXT NOT NULL,
    "drawPurpose" TEXT NOT NULL,
    "committedAt" TIMESTAMPTZ(3) NOT NULL,
    "drawnAt" TIMESTAMPTZ(3),
    "drawRecord" JSONB,
    "reservesUsed" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3),
    "aggregatedAt" TIMESTAMPTZ(3),
    "results" JSONB,
    "reportPdfSha256" TEXT,
    "reportAt" TIMESTAMPTZ(3),
    "reportPlatformSig" TEXT,
    "endedAt" TIMESTAMPTZ(3),
    "publicityDays" INTEGER NOT NULL DEFAULT 3,
    "publicityStart" TIMESTAMPTZ(3),
    "publicityEnd" TIMESTAMPTZ(3),
    "candidateAnnouncementId" TEXT,
    "awardedAt" TIMESTAMPTZ(3),
    "winnerOrgId" TEXT,
    "winnerName" TEXT,
    "awardAmountFen" INTEGER,
    "awardReason" TEXT,
    "awardManifest" TEXT,
    "awardSignature" TEXT,
    "awardCertSha256" TEXT,
    "awardAnnouncementId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "TenderEvaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvaluationMember" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "expertId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'invited',
    "declineReason" TEXT,
    "replacesMemberId" TEXT,
    "isChair" BOOLEAN NOT NULL DEFAULT false,
    "declaration" TEXT,
    "declarationSig" TEXT,
    "declarationCertSha256" TEXT,
    "acceptedAt" TIMESTAMPTZ(3),
    "declinedAt" TIMESTAMPTZ(3),
    "submittedAt" TIMESTAMPTZ(3),
    "reportSig" TEXT,
    "reportCertSha256" TEXT,
    "reportSignedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EvaluationMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvaluationBid" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "bidId" TEXT NOT NULL,
    "openingBidId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "bidderName" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "priceFen" INTEGER NOT NULL,
    "form" JSONB NOT NULL,

    CONSTRAINT "EvaluationBid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvaluationScore" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "evaluationBidId" TEXT NOT NULL,
    "points" JSONB NOT NULL,
    "reject" BOOLEAN NOT NULL DEFAULT false,
    "rejectReason" TEXT,
    "comment" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EvaluationScore_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Clarification" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "evaluationBidId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "askedByMemberId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "answer" TEXT,
    "answeredById" TEXT,
    "answeredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Clarification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AwardObjection" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "orgName" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "answer" TEXT,
    "answeredById" TEXT,
    "answeredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AwardObjection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AwardNotice" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "noticeNo" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "bidderName" TEXT NOT NULL,
    "pdfSha256" TEXT NOT NULL,
    "platformSignature" TEXT NOT NULL,
    "issuedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AwardNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContractFiling" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "fileSha256" TEXT,
    "fileName" TEXT,
    "fileSize" INTEGER,
    "amountFen" INTEGER,
    "partyAName" TEXT,
    "partyBName" TEXT,
    "partyBCreditCode" TEXT,
    "signedOn" TIMESTAMPTZ(3),
    "filedAt" TIMESTAMPTZ(3),
    "filedById" TEXT,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ContractFiling_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Expert_userId_key" ON "Expert"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Expert_code_key" ON "Expert"("code");

-- CreateIndex
CREATE INDEX "Expert_status_idx" ON "Expert"("status");

-- CreateIndex
CREATE INDEX "ExpertRelation_orgCreditCode_idx" ON "ExpertRelation"("orgCreditCode");

-- CreateIndex
CREATE INDEX "ExpertRelation_expertId_idx" ON "ExpertRelation"("expertId");

-- CreateIndex
CREATE UNIQUE INDEX "TenderEvaluation_sectionId_key" ON "TenderEvaluation"("sectionId");

-- CreateIndex
CREATE INDEX "TenderEvaluation_tenderId_idx" ON "TenderEvaluation"("tenderId");

-- CreateIndex
CREATE INDEX "TenderEvaluation_state_idx" ON "TenderEvaluation"("state");

-- CreateIndex
CREATE INDEX "EvaluationMember_userId_idx" ON "EvaluationMember"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "EvaluationMember_evaluationId_expertId_key" ON "EvaluationMember"("evaluationId", "expertId");

-- CreateIndex
CREATE UNIQUE INDEX "EvaluationMember_evaluationId_seq_key" ON "EvaluationMember"("evaluationId", "seq");

-- CreateIndex
CREATE INDEX "EvaluationBid_bidderOrgId_idx" ON "EvaluationBid"("bidderOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "EvaluationBid_evaluationId_bidId_key" ON "EvaluationBid"("evaluationId", "bidId");

-- CreateIndex
CREATE INDEX "EvaluationScore_evaluationId_idx" ON "EvaluationScore"("evaluationId");

-- CreateIndex
CREATE UNIQUE INDEX "EvaluationScore_memberId_evaluationBidId_key" ON "EvaluationScore"("memberId", "evaluationBidId");

-- CreateIndex
CREATE INDEX "Clarification_bidderOrgId_idx" ON "Clarification"("bidderOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "Clarification_evaluationId_seq_key" ON "Clarification"("evaluationId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AwardObjection_evaluationId_seq_key" ON "AwardObjection"("evaluationId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AwardNotice_noticeNo_key" ON "AwardNotice"("noticeNo");

-- CreateIndex
CREATE UNIQUE INDEX "AwardNotice_evaluationId_bidderOrgId_key" ON "AwardNotice"("evaluationId", "bidderOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "ContractFiling_evaluationId_key" ON "ContractFiling"("evaluationId");

-- AddForeignKey
ALTER TABLE "ExpertRelation" ADD CONSTRAINT "ExpertRelation_expertId_fkey" FOREIGN KEY ("expertId") REFERENCES "Expert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvaluationMember" ADD CONSTRAINT "EvaluationMember_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvaluationBid" ADD CONSTRAINT "EvaluationBid_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvaluationScore" ADD CONSTRAINT "EvaluationScore_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvaluationScore" ADD CONSTRAINT "EvaluationScore_evaluationBidId_fkey" FOREIGN KEY ("evaluationBidId") REFERENCES "EvaluationBid"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Clarification" ADD CONSTRAINT "Clarification_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Clarification" ADD CONSTRAINT "Clarification_evaluationBidId_fkey" FOREIGN KEY ("evaluationBidId") REFERENCES "EvaluationBid"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardObjection" ADD CONSTRAINT "AwardObjection_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AwardNotice" ADD CONSTRAINT "AwardNotice_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContractFiling" ADD CONSTRAINT "ContractFiling_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "TenderEvaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

