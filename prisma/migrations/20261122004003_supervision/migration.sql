-- CreateTable
CREATE TABLE "Warning" (
    "id" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "subjectLabel" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "facts" JSONB,
    "link" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "assigneeId" TEXT,
    "openKey" TEXT,
    "raisedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "escalatedAt" TIMESTAMPTZ(3),
    "clearedAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "closedById" TEXT,
    "conclusion" TEXT,
    "closeReason" TEXT,

    CONSTRAINT "Warning_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WarningEvent" (
    "id" TEXT NOT NULL,
    "warningId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "kind" TEXT NOT NULL,
    "note" TEXT,

    CONSTRAINT "WarningEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Complaint" (
    "id" TEXT NOT NULL,
    "no" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT,
    "subjectLabel" TEXT NOT NULL,
    "respondentOrgId" TEXT,
    "respondentName" TEXT,
    "complainantUserId" TEXT NOT NULL,
    "complainantOrgId" TEXT,
    "complainantName" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "facts" TEXT NOT NULL,
    "demands" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'submitted',
    "outcome" TEXT,
    "handlerId" TEXT,
    "handlerName" TEXT,
    "acceptNote" TEXT,
    "decisionReason" TEXT,
    "filedAt" TIMESTAMPTZ(3) NOT NULL,
    "acceptDueAt" TIMESTAMPTZ(3),
    "answerDueAt" TIMESTAMPTZ(3) NOT NULL,
    "acceptedAt" TIMESTAMPTZ(3),
    "decidedAt" TIMESTAMPTZ(3),
    "publishOutcome" BOOLEAN NOT NULL DEFAULT false,
    "announcementId" TEXT,

    CONSTRAINT "Complaint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComplaintEvent" (
    "id" TEXT NOT NULL,
    "complaintId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "kind" TEXT NOT NULL,
    "note" TEXT,

    CONSTRAINT "ComplaintEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubmissionFingerprint" (
    "id" TEXT NOT NULL,
    "tenderId" TEXT NOT NULL,
    "sectionId" TEXT,
    "bidId" TEXT NOT NULL,
    "bidderOrgId" TEXT NOT NULL,
    "bidderName" TEXT NOT NULL,
    "ip" TEXT,
    "deviceFingerprint" TEXT,
    "certSha256" TEXT,
    "contactPhone" TEXT,
    "contactEmail" TEXT,
    "fileHashes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "docMeta" JSONB,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SubmissionFingerprint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Inspection" (
    "id" TEXT NOT NULL,
    "no" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "agencyCount" INTEGER NOT NULL,
    "inspectorCount" INTEGER NOT NULL,
    "commitment" TEXT NOT NULL,
    "seedHex" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'committed',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "drawnAt" TIMESTAMPTZ(3),
    "publishedAt" TIMESTAMPTZ(3),
    "agencyDraw" JSONB,
    "inspectorDraw" JSONB,
    "announcementId" TEXT,

    CONSTRAINT "Inspection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InspectionTarget" (
    "id" TEXT NOT NULL,
    "inspectionId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "orgName" TEXT NOT NULL,
    "inspectorIds" TEXT[],
    "result" TEXT,
    "findings" TEXT,
    "checkedAt" TIMESTAMPTZ(3),

    CONSTRAINT "InspectionTarget_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceRating" (
    "id" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "subjectLabel" TEXT NOT NULL,
    "raterUserId" TEXT NOT NULL,
    "raterOrgId" TEXT,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "agencyOrgId" TEXT,
    "department" TEXT,
    "window" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceRating_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Warning_openKey_key" ON "Warning"("openKey");

-- CreateIndex
CREATE INDEX "Warning_status_level_idx" ON "Warning"("status", "level");

-- CreateIndex
CREATE INDEX "Warning_ruleId_idx" ON "Warning"("ruleId");

-- CreateIndex
CREATE INDEX "Warning_subjectType_subjectId_idx" ON "Warning"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "Warning_assigneeId_idx" ON "Warning"("assigneeId");

-- CreateIndex
CREATE INDEX "Warning_raisedAt_idx" ON "Warning"("raisedAt");

-- CreateIndex
CREATE INDEX "WarningEvent_warningId_at_idx" ON "WarningEvent"("warningId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Complaint_no_key" ON "Complaint"("no");

-- CreateIndex
CREATE INDEX "Complaint_status_answerDueAt_idx" ON "Complaint"("status", "answerDueAt");

-- CreateIndex
CREATE INDEX "Complaint_complainantUserId_idx" ON "Complaint"("complainantUserId");

-- CreateIndex
CREATE INDEX "Complaint_complainantOrgId_idx" ON "Complaint"("complainantOrgId");

-- CreateIndex
CREATE INDEX "Complaint_respondentOrgId_idx" ON "Complaint"("respondentOrgId");

-- CreateIndex
CREATE INDEX "Complaint_subjectType_subjectId_idx" ON "Complaint"("subjectType", "subjectId");

-- CreateIndex
CREATE INDEX "ComplaintEvent_complaintId_at_idx" ON "ComplaintEvent"("complaintId", "at");

-- CreateIndex
CREATE INDEX "SubmissionFingerprint_tenderId_idx" ON "SubmissionFingerprint"("tenderId");

-- CreateIndex
CREATE UNIQUE INDEX "SubmissionFingerprint_tenderId_bidId_key" ON "SubmissionFingerprint"("tenderId", "bidId");

-- CreateIndex
CREATE UNIQUE INDEX "Inspection_no_key" ON "Inspection"("no");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionTarget_inspectionId_orgId_key" ON "InspectionTarget"("inspectionId", "orgId");

-- CreateIndex
CREATE INDEX "ServiceRating_agencyOrgId_idx" ON "ServiceRating"("agencyOrgId");

-- CreateIndex
CREATE INDEX "ServiceRating_department_idx" ON "ServiceRating"("department");

-- CreateIndex
CREATE INDEX "ServiceRating_createdAt_idx" ON "ServiceRating"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceRating_subjectType_subjectId_raterUserId_key" ON "ServiceRating"("subjectType", "subjectId", "raterUserId");

-- AddForeignKey
ALTER TABLE "WarningEvent" ADD CONSTRAINT "WarningEvent_warningId_fkey" FOREIGN KEY ("warningId") REFERENCES "Warning"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ComplaintEvent" ADD CONSTRAINT "ComplaintEvent_complaintId_fkey" FOREIGN KEY ("complaintId") REFERENCES "Complaint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionTarget" ADD CONSTRAINT "InspectionTarget_inspectionId_fkey" FOREIGN KEY ("inspectionId") REFERENCES "Inspection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

