-- CreateTable
CREATE TABLE "Opening" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'waiting',
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "pauseReason" TEXT,
    "hostUserId" TEXT NOT NULL,
    "hostOrgId" TEXT NOT NULL,
    "publicWatch" BOOLEAN NOT NULL DEFAULT true,
    "decryptWindowMinutes" INTEGER NOT NULL DEFAULT 30,
    "decryptUntil" TIMESTAMPTZ(3),
    "keyRebuiltAt" TIMESTAMPTZ(3),
    "readCount" INTEGER NOT NULL DEFAULT 0,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "recordJson" TEXT,
    "recordSha256" TEXT,
    "recordPdfSha256" TEXT,
    "platformSignature" TEXT,
    "recordTsToken" TEXT,
    "treeHead" JSONB,
    "announcementId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Opening_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningEvent" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "auditSeq" BIGINT,

    CONSTRAINT "OpeningEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningAttendance" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "orgId" TEXT,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "orgName" TEXT,
    "certSha256" TEXT,
    "signature" TEXT,
    "checkedInAt" TIMESTAMPTZ(3),
    "confirmedAt" TIMESTAMPTZ(3),

    CONSTRAINT "OpeningAttendance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningShare" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "shareIndex" INTEGER NOT NULL,
    "share" TEXT,
    "shareSha256" TEXT NOT NULL,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OpeningShare_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningBid" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "bidId" TEXT NOT NULL,
    "sectionId" TEXT NOT NULL,
    "sectionSeq" INTEGER NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "bidderName" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "envelopeSha256" TEXT NOT NULL,
    "receiptNo" TEXT,
    "tsGenTime" TIMESTAMPTZ(3),
    "contentKey" TEXT,
    "bidderDecryptAt" TIMESTAMPTZ(3),
    "fallbackReason" TEXT,
    "result" TEXT,
    "cause" TEXT,
    "reasonCode" TEXT,
    "reason" TEXT,
    "decryptedBy" TEXT,
    "form" JSONB,
    "signerSubject" TEXT,
    "signerCertSha256" TEXT,
    "depositStatus" TEXT,
    "processedAt" TIMESTAMPTZ(3),
    "readAt" TIMESTAMPTZ(3),

    CONSTRAINT "OpeningBid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningObjection" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "orgId" TEXT,
    "orgName" TEXT NOT NULL,
    "openingBidId" TEXT,
    "text" TEXT NOT NULL,
    "answer" TEXT,
    "answeredById" TEXT,
    "answeredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OpeningObjection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningSignature" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "certSha256" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "signedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OpeningSignature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OpeningVideoChunk" (
    "id" TEXT NOT NULL,
    "openingId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "mime" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OpeningVideoChunk_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Opening_tenderId_key" ON "Opening"("tenderId");

-- CreateIndex
CREATE INDEX "Opening_state_idx" ON "Opening"("state");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningEvent_openingId_seq_key" ON "OpeningEvent"("openingId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningAttendance_openingId_userId_key" ON "OpeningAttendance"("openingId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningShare_openingId_userId_key" ON "OpeningShare"("openingId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningShare_openingId_shareIndex_key" ON "OpeningShare"("openingId", "shareIndex");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningBid_bidId_key" ON "OpeningBid"("bidId");

-- CreateIndex
CREATE INDEX "OpeningBid_openingId_idx" ON "OpeningBid"("openingId");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningBid_openingId_position_key" ON "OpeningBid"("openingId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningObjection_openingId_seq_key" ON "OpeningObjection"("openingId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningSignature_openingId_userId_key" ON "OpeningSignature"("openingId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "OpeningVideoChunk_openingId_seq_key" ON "OpeningVideoChunk"("openingId", "seq");

-- AddForeignKey
ALTER TABLE "OpeningEvent" ADD CONSTRAINT "OpeningEvent_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OpeningAttendance" ADD CONSTRAINT "OpeningAttendance_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OpeningShare" ADD CONSTRAINT "OpeningShare_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OpeningBid" ADD CONSTRAINT "OpeningBid_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OpeningObjection" ADD CONSTRAINT "OpeningObjection_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OpeningSignature" ADD CONSTRAINT "OpeningSignature_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OpeningVideoChunk" ADD CONSTRAINT "OpeningVideoChunk_openingId_fkey" FOREIGN KEY ("openingId") REFERENCES "Opening"("id") ON DELETE CASCADE ON UPDATE CASCADE;

