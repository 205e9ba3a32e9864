-- AlterTable
ALTER TABLE "KeyHolder" ALTER COLUMN "encryptedShare" SET DATA TYPE TEXT;

-- AlterTable
ALTER TABLE "BidUpload" ALTER COLUMN "submission" SET DATA TYPE TEXT;

-- AlterTable
ALTER TABLE "Bid" ALTER COLUMN "submission" SET DATA TYPE TEXT;

-- AlterTable
ALTER TABLE "BidReceipt" ALTER COLUMN "tsToken" SET DATA TYPE TEXT,
ALTER COLUMN "statement" SET DATA TYPE TEXT,
ALTER COLUMN "pdfSignature" SET DATA TYPE TEXT;

