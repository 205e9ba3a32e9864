-- AlterTable
ALTER TABLE "SubmissionFingerprint" ADD COLUMN     "documents" JSONB,
ADD COLUMN     "openedAt" TIMESTAMPTZ(3);

