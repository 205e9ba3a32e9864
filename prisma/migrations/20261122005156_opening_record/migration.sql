-- AlterTable
ALTER TABLE "Opening" ADD COLUMN     "closeTreeHead" JSONB,
ADD COLUMN     "recordPdfSignature" TEXT;

