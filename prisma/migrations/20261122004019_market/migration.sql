-- CreateTable
CREATE TABLE "ServiceCategory" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sort" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ServiceCategory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceItem" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "categoryId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "approvalItem" TEXT NOT NULL,
    "qualificationType" TEXT NOT NULL,
    "qualificationLevel" TEXT NOT NULL,
    "feeKind" TEXT NOT NULL,
    "feeFixedFen" INTEGER,
    "feeMinFen" INTEGER,
    "feeMaxFen" INTEGER,
    "feeRatePpm" INTEGER,
    "timeLimitDays" INTEGER NOT NULL,
    "serviceStandard" TEXT NOT NULL,
    "modelContract" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CalendarDay" (
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CalendarDay_pkey" PRIMARY KEY ("day")
);

-- CreateTable
CREATE TABLE "AgencyProfile" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "creditCode" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "legalRep" TEXT NOT NULL,
    "contactName" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "intro" TEXT NOT NULL DEFAULT '',
    "licenceNo" TEXT,
    "licenceFileId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "returnedItems" JSONB,
    "reviewNote" TEXT,
    "submittedAt" TIMESTAMPTZ(3),
    "reviewedAt" TIMESTAMPTZ(3),
    "approvedAt" TIMESTAMPTZ(3),
    "creditScore" INTEGER NOT NULL DEFAULT 7500,
    "creditGrade" TEXT NOT NULL DEFAULT 'A',
    "blacklisted" BOOLEAN NOT NULL DEFAULT false,
    "ratingAvg" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "ratingCount" INTEGER NOT NULL DEFAULT 0,
    "completedOrders" INTEGER NOT NULL DEFAULT 0,
    "penaltyCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AgencyProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Qualification" (
    "id" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "validFrom" TIMESTAMPTZ(3) NOT NULL,
    "validUntil" TIMESTAMPTZ(3) NOT NULL,
    "fileId" TEXT,
    "remindedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Qualification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Practitioner" (
    "id" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "certType" TEXT NOT NULL,
    "certNo" TEXT NOT NULL,
    "certValidUntil" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Practitioner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarketFile" (
    "id" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "ownerOrgId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "MarketFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistrationReview" (
    "id" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "items" JSONB,
    "reason" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RegistrationReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Listing" (
    "id" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "qualificationId" TEXT NOT NULL,
    "discountPct" INTEGER NOT NULL DEFAULT 0,
    "note" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'active',
    "suspendReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "categoryId" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "levelRank" INTEGER NOT NULL,
    "creditGrade" TEXT NOT NULL,
    "creditScore" INTEGER NOT NULL,
    "ratingAvg" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "completedOrders" INTEGER NOT NULL DEFAULT 0,
    "agencyName" TEXT NOT NULL,

    CONSTRAINT "Listing_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Purchase" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "round" INTEGER NOT NULL DEFAULT 1,
    "previousId" TEXT,
    "ownerOrgId" TEXT NOT NULL,
    "ownerUserId" TEXT NOT NULL,
    "projectName" TEXT NOT NULL,
    "projectCode" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "budgetFen" INTEGER NOT NULL,
    "investmentFen" BIGINT,
    "requiredQualType" TEXT NOT NULL,
    "requiredQualLevel" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "criteria" JSONB,
    "minSignups" INTEGER NOT NULL DEFAULT 3,
    "rotation" BOOLEAN NOT NULL DEFAULT false,
    "signupStart" TIMESTAMPTZ(3) NOT NULL,
    "signupEnd" TIMESTAMPTZ(3) NOT NULL,
    "selectAt" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "drawCommitment" TEXT,
    "drawSeedSealed" TEXT,
    "drawSeed" TEXT,
    "candidatesHash" TEXT,
    "drawRecord" JSONB,
    "directAgencyId" TEXT,
    "winnerAgencyId" TEXT,
    "winningFeeFen" INTEGER,
    "resultAt" TIMESTAMPTZ(3),
    "objectionUntil" TIMESTAMPTZ(3),
    "failReason" TEXT,
    "cancelReason" TEXT,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Purchase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PurchaseAmendment" (
    "id" TEXT NOT NULL,
    "purchaseId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "byUserId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PurchaseAmendment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Signup" (
    "id" TEXT NOT NULL,
    "purchaseId" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "quoteSealed" TEXT,
    "quoteDigest" TEXT,
    "quoteFen" INTEGER,
    "eligible" BOOLEAN,
    "ineligibleReason" TEXT,

    CONSTRAINT "Signup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComparisonScore" (
    "id" TEXT NOT NULL,
    "purchaseId" TEXT NOT NULL,
    "signupId" TEXT NOT NULL,
    "scorerUserId" TEXT NOT NULL,
    "scorerName" TEXT NOT NULL,
    "price" DOUBLE PRECISION NOT NULL,
    "qualification" DOUBLE PRECISION NOT NULL,
    "experience" DOUBLE PRECISION NOT NULL,
    "credit" DOUBLE PRECISION NOT NULL,
    "total" DOUBLE PRECISION NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ComparisonScore_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PurchaseObjection" (
    "id" TEXT NOT NULL,
    "purchaseId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "reply" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "handledAt" TIMESTAMPTZ(3),

    CONSTRAINT "PurchaseObjection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceOrder" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "purchaseId" TEXT,
    "ownerOrgId" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "feeFen" INTEGER NOT NULL,
    "timeLimitDays" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "contractSha256" TEXT,
    "contractFileId" TEXT,
    "ownerSignature" TEXT,
    "ownerCertSha256" TEXT,
    "ownerSignedAt" TIMESTAMPTZ(3),
    "agencySignature" TEXT,
    "agencyCertSha256" TEXT,
    "agencySignedAt" TIMESTAMPTZ(3),
    "filedAt" TIMESTAMPTZ(3),
    "startedAt" TIMESTAMPTZ(3),
    "submittedAt" TIMESTAMPTZ(3),
    "acceptedAt" TIMESTAMPTZ(3),
    "returnReason" TEXT,
    "warnedLevel" TEXT NOT NULL DEFAULT 'normal',
    "overtime" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ServiceOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderPause" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "from" TIMESTAMPTZ(3) NOT NULL,
    "to" TIMESTAMPTZ(3),
    "reason" TEXT NOT NULL,
    "byUserId" TEXT NOT NULL,

    CONSTRAINT "OrderPause_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deliverable" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "fileId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Deliverable_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" TEXT NOT NULL,
    "orderId" TEXT,
    "agencyId" TEXT NOT NULL,
    "ownerOrgId" TEXT NOT NULL,
    "quality" INTEGER NOT NULL,
    "timeliness" INTEGER NOT NULL,
    "attitude" INTEGER NOT NULL,
    "feeCompliance" INTEGER NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "appealStatus" TEXT NOT NULL DEFAULT 'none',
    "appealText" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditEvent" (
    "id" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" DOUBLE PRECISION NOT NULL,
    "note" TEXT NOT NULL,
    "refType" TEXT,
    "refId" TEXT,
    "byUserId" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CreditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditHistory" (
    "id" TEXT NOT NULL,
    "agencyId" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "grade" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CreditHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditRuleSet" (
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "note" TEXT NOT NULL,
    "byUserId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CreditRuleSet_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ServiceCategory_code_key" ON "ServiceCategory"("code");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceCategory_name_key" ON "ServiceCategory"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceItem_code_key" ON "ServiceItem"("code");

-- CreateIndex
CREATE INDEX "ServiceItem_categoryId_idx" ON "ServiceItem"("categoryId");

-- CreateIndex
CREATE UNIQUE INDEX "AgencyProfile_orgId_key" ON "AgencyProfile"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "AgencyProfile_creditCode_key" ON "AgencyProfile"("creditCode");

-- CreateIndex
CREATE INDEX "AgencyProfile_status_idx" ON "AgencyProfile"("status");

-- CreateIndex
CREATE INDEX "Qualification_agencyId_idx" ON "Qualification"("agencyId");

-- CreateIndex
CREATE INDEX "Qualification_validUntil_idx" ON "Qualification"("validUntil");

-- CreateIndex
CREATE INDEX "Practitioner_agencyId_idx" ON "Practitioner"("agencyId");

-- CreateIndex
CREATE INDEX "MarketFile_sha256_idx" ON "MarketFile"("sha256");

-- CreateIndex
CREATE INDEX "RegistrationReview_agencyId_idx" ON "RegistrationReview"("agencyId");

-- CreateIndex
CREATE INDEX "Listing_status_creditScore_idx" ON "Listing"("status", "creditScore" DESC);

-- CreateIndex
CREATE INDEX "Listing_status_categoryId_creditScore_idx" ON "Listing"("status", "categoryId", "creditScore" DESC);

-- CreateIndex
CREATE INDEX "Listing_status_itemId_creditScore_idx" ON "Listing"("status", "itemId", "creditScore" DESC);

-- CreateIndex
CREATE INDEX "Listing_status_region_creditScore_idx" ON "Listing"("status", "region", "creditScore" DESC);

-- CreateIndex
CREATE INDEX "Listing_status_creditGrade_creditScore_idx" ON "Listing"("status", "creditGrade", "creditScore" DESC);

-- CreateIndex
CREATE INDEX "Listing_status_completedOrders_idx" ON "Listing"("status", "completedOrders" DESC);

-- CreateIndex
CREATE INDEX "Listing_status_ratingAvg_idx" ON "Listing"("status", "ratingAvg" DESC);

-- CreateIndex
CREATE INDEX "Listing_qualificationId_idx" ON "Listing"("qualificationId");

-- CreateIndex
CREATE UNIQUE INDEX "Listing_agencyId_itemId_key" ON "Listing"("agencyId", "itemId");

-- CreateIndex
CREATE UNIQUE INDEX "Purchase_code_key" ON "Purchase"("code");

-- CreateIndex
CREATE INDEX "Purchase_status_signupEnd_idx" ON "Purchase"("status", "signupEnd");

-- CreateIndex
CREATE INDEX "Purchase_status_selectAt_idx" ON "Purchase"("status", "selectAt");

-- CreateIndex
CREATE INDEX "Purchase_ownerOrgId_idx" ON "Purchase"("ownerOrgId");

-- CreateIndex
CREATE INDEX "Purchase_publishedAt_idx" ON "Purchase"("publishedAt");

-- CreateIndex
CREATE INDEX "PurchaseAmendment_purchaseId_idx" ON "PurchaseAmendment"("purchaseId");

-- CreateIndex
CREATE INDEX "Signup_agencyId_idx" ON "Signup"("agencyId");

-- CreateIndex
CREATE UNIQUE INDEX "Signup_purchaseId_agencyId_key" ON "Signup"("purchaseId", "agencyId");

-- CreateIndex
CREATE UNIQUE INDEX "ComparisonScore_purchaseId_signupId_scorerUserId_key" ON "ComparisonScore"("purchaseId", "signupId", "scorerUserId");

-- CreateIndex
CREATE INDEX "PurchaseObjection_purchaseId_idx" ON "PurchaseObjection"("purchaseId");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceOrder_code_key" ON "ServiceOrder"("code");

-- CreateIndex
CREATE UNIQUE INDEX "ServiceOrder_purchaseId_key" ON "ServiceOrder"("purchaseId");

-- CreateIndex
CREATE INDEX "ServiceOrder_agencyId_status_idx" ON "ServiceOrder"("agencyId", "status");

-- CreateIndex
CREATE INDEX "ServiceOrder_ownerOrgId_status_idx" ON "ServiceOrder"("ownerOrgId", "status");

-- CreateIndex
CREATE INDEX "ServiceOrder_status_idx" ON "ServiceOrder"("status");

-- CreateIndex
CREATE INDEX "OrderPause_orderId_idx" ON "OrderPause"("orderId");

-- CreateIndex
CREATE INDEX "Deliverable_orderId_idx" ON "Deliverable"("orderId");

-- CreateIndex
CREATE UNIQUE INDEX "Evaluation_orderId_key" ON "Evaluation"("orderId");

-- CreateIndex
CREATE INDEX "Evaluation_agencyId_at_idx" ON "Evaluation"("agencyId", "at");

-- CreateIndex
CREATE INDEX "CreditEvent_agencyId_at_idx" ON "CreditEvent"("agencyId", "at");

-- CreateIndex
CREATE INDEX "CreditHistory_agencyId_at_idx" ON "CreditHistory"("agencyId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "CreditRuleSet_version_key" ON "CreditRuleSet"("version");

-- AddForeignKey
ALTER TABLE "ServiceItem" ADD CONSTRAINT "ServiceItem_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "ServiceCategory"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Qualification" ADD CONSTRAINT "Qualification_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Practitioner" ADD CONSTRAINT "Practitioner_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegistrationReview" ADD CONSTRAINT "RegistrationReview_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Listing" ADD CONSTRAINT "Listing_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Listing" ADD CONSTRAINT "Listing_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "ServiceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Listing" ADD CONSTRAINT "Listing_qualificationId_fkey" FOREIGN KEY ("qualificationId") REFERENCES "Qualification"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Purchase" ADD CONSTRAINT "Purchase_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "ServiceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PurchaseAmendment" ADD CONSTRAINT "PurchaseAmendment_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signup" ADD CONSTRAINT "Signup_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signup" ADD CONSTRAINT "Signup_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ComparisonScore" ADD CONSTRAINT "ComparisonScore_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PurchaseObjection" ADD CONSTRAINT "PurchaseObjection_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderPause" ADD CONSTRAINT "OrderPause_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "ServiceOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deliverable" ADD CONSTRAINT "Deliverable_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "ServiceOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "ServiceOrder"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CreditEvent" ADD CONSTRAINT "CreditEvent_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CreditHistory" ADD CONSTRAINT "CreditHistory_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "AgencyProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

