-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "organizationId" TEXT,
    "serialHex" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "pem" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "notBefore" TIMESTAMPTZ(3) NOT NULL,
    "notAfter" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "revocationReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Certificate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CertChallenge" (
    "id" TEXT NOT NULL,
    "userId" TEXT,
    "nonce" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CertChallenge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MerkleNode" (
    "level" INTEGER NOT NULL,
    "index" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "MerkleNode_pkey" PRIMARY KEY ("level","index")
);

-- CreateTable
CREATE TABLE "TreeHead" (
    "id" SERIAL NOT NULL,
    "treeSize" INTEGER NOT NULL,
    "rootHash" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "signature" JSONB NOT NULL,

    CONSTRAINT "TreeHead_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_serialHex_key" ON "Certificate"("serialHex");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_sha256_key" ON "Certificate"("sha256");

-- CreateIndex
CREATE INDEX "Certificate_userId_idx" ON "Certificate"("userId");

-- CreateIndex
CREATE INDEX "Certificate_organizationId_idx" ON "Certificate"("organizationId");

-- CreateIndex
CREATE INDEX "Certificate_revokedAt_idx" ON "Certificate"("revokedAt");

-- CreateIndex
CREATE INDEX "CertChallenge_expiresAt_idx" ON "CertChallenge"("expiresAt");

-- CreateIndex
CREATE INDEX "TreeHead_treeSize_idx" ON "TreeHead"("treeSize");

-- CreateIndex
CREATE INDEX "TreeHead_timestamp_idx" ON "TreeHead"("timestamp");

