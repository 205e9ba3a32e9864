-- CreateTable
CREATE TABLE "Tender" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "agentOrgId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "tendererName" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "invitedOrgIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "summary" TEXT NOT NULL,
    "bidDeadline" TIMESTAMPTZ(3) NOT NULL,
    "depositFen" INTEGER NOT NULL DEFAULT 0,
    "documentFeeFen" INTEGER NOT NULL DEFAULT 0,
    "bidForm" JSONB NOT NULL,
    "threshold" INTEGER NOT NULL DEFAULT 2,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "openingCertPem" TEXT,
    "openingCertSha256" TEXT,
    "openingKeyId" TEXT,
    "ceremonyAt" TIMESTAMPTZ(3),
    "publishedAt" TIMESTAMPTZ(3),
    "announcementId" TEXT,
    "cancelledAt" TIMESTAMPTZ(3),
    "cancelReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Tender_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenderSection" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "budgetFen" INTEGER,

    CONSTRAINT "TenderSection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KeyHolder" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "shareIndex" INTEGER NOT NULL,
    "holderCertSha256" TEXT,
    "encryptedShare" BYTEA,
    "encryptedShareSha256" TEXT,

    CONSTRAINT "KeyHolder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenderDocument" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "amendmentId" TEXT,
    "name" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "mime" TEXT NOT NULL,
    "uploadedById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "TenderDocument_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenderAmendment" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "oldDeadline" TIMESTAMPTZ(3) NOT NULL,
    "newDeadline" TIMESTAMPTZ(3) NOT NULL,
    "announcementId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "TenderAmendment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DocumentHolder" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "orderId" TEXT,
    "obtainedAt" TIMESTAMPTZ(3) NOT NULL,
    "downloads" INTEGER NOT NULL DEFAULT 0,
    "lastDownloadAt" TIMESTAMPTZ(3),

    CONSTRAINT "DocumentHolder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BidUpload" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "submission" BYTEA NOT NULL,
    "envelopeSha256" TEXT NOT NULL,
    "envelopeSize" BIGINT NOT NULL,
    "signerCertSha256" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "bidId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BidUpload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Bid" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "submittedById" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "envelopeSha256" TEXT NOT NULL,
    "envelopeSize" BIGINT NOT NULL,
    "submission" BYTEA NOT NULL,
    "signerCertSha256" TEXT NOT NULL,
    "signerSubject" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL,
    "withdrawnAt" TIMESTAMPTZ(3),

    CONSTRAINT "Bid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BidReceipt" (
    "id" TEXT NOT NULL,
    "receiptNo" TEXT NOT NULL,
    "bidId" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "stampedSha256" TEXT NOT NULL,
    "tsToken" BYTEA NOT NULL,
    "tsGenTime" TIMESTAMPTZ(3) NOT NULL,
    "tsSerialHex" TEXT NOT NULL,
    "auditSeq" BIGINT NOT NULL,
    "statement" BYTEA,
    "pdfSha256" TEXT NOT NULL,
    "pdfSignature" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BidReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BidGuarantee" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "bank" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "amountFen" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "verifiedById" TEXT,
    "verifiedAt" TIMESTAMPTZ(3),
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BidGuarantee_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tender_code_key" ON "Tender"("code");

-- CreateIndex
CREATE INDEX "Tender_status_bidDeadline_idx" ON "Tender"("status", "bidDeadline");

-- CreateIndex
CREATE INDEX "Tender_agentOrgId_idx" ON "Tender"("agentOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "TenderSection_tenderId_seq_key" ON "TenderSection"("tenderId", "seq");

-- CreateIndex
CREATE INDEX "KeyHolder_userId_idx" ON "KeyHolder"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "KeyHolder_tenderId_userId_key" ON "KeyHolder"("tenderId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "KeyHolder_tenderId_shareIndex_key" ON "KeyHolder"("tenderId", "shareIndex");

-- CreateIndex
CREATE INDEX "TenderDocument_tenderId_idx" ON "TenderDocument"("tenderId");

-- CreateIndex
CREATE UNIQUE INDEX "TenderAmendment_tenderId_seq_key" ON "TenderAmendment"("tenderId", "seq");

-- CreateIndex
CREATE INDEX "DocumentHolder_orgId_idx" ON "DocumentHolder"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "DocumentHolder_tenderId_orgId_key" ON "DocumentHolder"("tenderId", "orgId");

-- CreateIndex
CREATE INDEX "BidUpload_status_updatedAt_idx" ON "BidUpload"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "BidUpload_tenderId_bidderOrgId_idx" ON "BidUpload"("tenderId", "bidderOrgId");

-- CreateIndex
CREATE INDEX "Bid_tenderId_status_idx" ON "Bid"("tenderId", "status");

-- CreateIndex
CREATE INDEX "Bid_bidderOrgId_idx" ON "Bid"("bidderOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "Bid_sectionId_bidderOrgId_version_key" ON "Bid"("sectionId", "bidderOrgId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "BidReceipt_receiptNo_key" ON "BidReceipt"("receiptNo");

-- CreateIndex
CREATE INDEX "BidReceipt_bidId_idx" ON "BidReceipt"("bidId");

-- CreateIndex
CREATE INDEX "BidReceipt_tenderId_bidderOrgId_idx" ON "BidReceipt"("tenderId", "bidderOrgId");

-- CreateIndex
CREATE INDEX "BidGuarantee_tenderId_idx" ON "BidGuarantee"("tenderId");

-- CreateIndex
CREATE UNIQUE INDEX "BidGuarantee_sectionId_bidderOrgId_key" ON "BidGuarantee"("sectionId", "bidderOrgId");

-- AddForeignKey
ALTER TABLE "TenderSection" ADD CONSTRAINT "TenderSection_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KeyHolder" ADD CONSTRAINT "KeyHolder_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TenderDocument" ADD CONSTRAINT "TenderDocument_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TenderAmendment" ADD CONSTRAINT "TenderAmendment_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DocumentHolder" ADD CONSTRAINT "DocumentHolder_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Bid" ADD CONSTRAINT "Bid_tenderId_fkey" FOREIGN KEY ("tenderId") REFERENCES "Tender"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Bid" ADD CONSTRAINT "Bid_sectionId_fkey" FOREIGN KEY ("sectionId") REFERENCES "TenderSection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BidReceipt" ADD CONSTRAINT "BidReceipt_bidId_fkey" FOREIGN KEY ("bidId") REFERENCES "Bid"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

