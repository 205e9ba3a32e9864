-- CreateTable
CREATE TABLE "TenderDocumentFingerprint" (
    "tenderId" TEXT NOT NULL,
    "documents" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "TenderDocumentFingerprint_pkey" PRIMARY KEY ("tenderId")
);

