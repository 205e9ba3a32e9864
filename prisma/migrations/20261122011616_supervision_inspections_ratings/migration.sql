-- AlterTable
ALTER TABLE "Inspection" ADD COLUMN     "agencyCandidates" JSONB,
ADD COLUMN     "agencyCandidatesHash" TEXT,
ADD COLUMN     "categoryId" TEXT,
ADD COLUMN     "drawAt" TIMESTAMPTZ(3),
ADD COLUMN     "includeExperts" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "region" TEXT,
ADD COLUMN     "resultAnnouncementId" TEXT;

-- AlterTable
ALTER TABLE "InspectionTarget" ADD COLUMN     "agencyId" TEXT,
ADD COLUMN     "checkedById" TEXT,
ADD COLUMN     "creditCode" TEXT,
ADD COLUMN     "inspectorNames" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "rectifyDueAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Inspection_status_idx" ON "Inspection"("status");

-- CreateIndex
CREATE INDEX "InspectionTarget_orgId_checkedAt_idx" ON "InspectionTarget"("orgId", "checkedAt");

