-- CreateTable
CREATE TABLE "OpeningBidFile" (
    "id" TEXT NOT NULL,
    "openingBidId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OpeningBidFile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OpeningBidFile_openingBidId_seq_key" ON "OpeningBidFile"("openingBidId", "seq");

