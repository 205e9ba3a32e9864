-- CreateTable
CREATE TABLE "PaymentOrder" (
    "id" TEXT NOT NULL,
    "outTradeNo" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "refType" TEXT NOT NULL,
    "refId" TEXT NOT NULL,
    "payerOrgId" TEXT NOT NULL,
    "payerUserId" TEXT NOT NULL,
    "payeeOrgId" TEXT,
    "amountFen" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "liveKey" TEXT,
    "refundedFen" INTEGER NOT NULL DEFAULT 0,
    "forfeitedFen" INTEGER NOT NULL DEFAULT 0,
    "tradeNo" TEXT,
    "buyerLogonId" TEXT,
    "settledBy" TEXT,
    "paidAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "lastQueriedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PaymentOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentRefund" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "outRequestNo" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amountFen" INTEGER NOT NULL,
    "interestFen" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "notBefore" TIMESTAMPTZ(3) NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "requestedById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "succeededAt" TIMESTAMPTZ(3),
    "alipayRefundAt" TEXT,

    CONSTRAINT "PaymentRefund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ForfeitureRequest" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "decisionNote" TEXT,

    CONSTRAINT "ForfeitureRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerPosting" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "orderId" TEXT,
    "refundId" TEXT,
    "memo" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "LedgerPosting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" TEXT NOT NULL,
    "postingId" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "refType" TEXT NOT NULL,
    "refId" TEXT NOT NULL,
    "partyOrgId" TEXT NOT NULL,
    "debitFen" INTEGER NOT NULL DEFAULT 0,
    "creditFen" INTEGER NOT NULL DEFAULT 0,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlipayNotifyLog" (
    "id" TEXT NOT NULL,
    "notifyId" TEXT NOT NULL,
    "outTradeNo" TEXT NOT NULL,
    "tradeStatus" TEXT NOT NULL,
    "outBizNo" TEXT,
    "outcome" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AlipayNotifyLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReconciliationRun" (
    "id" TEXT NOT NULL,
    "billDate" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "billRows" INTEGER NOT NULL DEFAULT 0,
    "matched" INTEGER NOT NULL DEFAULT 0,
    "mismatches" INTEGER NOT NULL DEFAULT 0,
    "billFenIn" INTEGER NOT NULL DEFAULT 0,
    "billFenOut" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "ranAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReconciliationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReconciliationIssue" (
    "id" TEXT NOT NULL,
    "runId" TEXT,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "outTradeNo" TEXT,
    "outRequestNo" TEXT,
    "expectedFen" INTEGER,
    "actualFen" INTEGER,
    "detail" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedById" TEXT,

    CONSTRAINT "ReconciliationIssue_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PaymentOrder_outTradeNo_key" ON "PaymentOrder"("outTradeNo");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentOrder_liveKey_key" ON "PaymentOrder"("liveKey");

-- CreateIndex
CREATE INDEX "PaymentOrder_purpose_refType_refId_idx" ON "PaymentOrder"("purpose", "refType", "refId");

-- CreateIndex
CREATE INDEX "PaymentOrder_payerOrgId_createdAt_idx" ON "PaymentOrder"("payerOrgId", "createdAt");

-- CreateIndex
CREATE INDEX "PaymentOrder_status_expiresAt_idx" ON "PaymentOrder"("status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentRefund_outRequestNo_key" ON "PaymentRefund"("outRequestNo");

-- CreateIndex
CREATE INDEX "PaymentRefund_status_notBefore_idx" ON "PaymentRefund"("status", "notBefore");

-- CreateIndex
CREATE INDEX "PaymentRefund_orderId_idx" ON "PaymentRefund"("orderId");

-- CreateIndex
CREATE INDEX "ForfeitureRequest_status_idx" ON "ForfeitureRequest"("status");

-- CreateIndex
CREATE INDEX "ForfeitureRequest_orderId_idx" ON "ForfeitureRequest"("orderId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerPosting_eventKey_key" ON "LedgerPosting"("eventKey");

-- CreateIndex
CREATE INDEX "LedgerPosting_orderId_idx" ON "LedgerPosting"("orderId");

-- CreateIndex
CREATE INDEX "LedgerPosting_at_idx" ON "LedgerPosting"("at");

-- CreateIndex
CREATE INDEX "LedgerEntry_account_refType_refId_idx" ON "LedgerEntry"("account", "refType", "refId");

-- CreateIndex
CREATE INDEX "LedgerEntry_partyOrgId_idx" ON "LedgerEntry"("partyOrgId");

-- CreateIndex
CREATE INDEX "LedgerEntry_postingId_idx" ON "LedgerEntry"("postingId");

-- CreateIndex
CREATE INDEX "AlipayNotifyLog_outTradeNo_idx" ON "AlipayNotifyLog"("outTradeNo");

-- CreateIndex
CREATE INDEX "AlipayNotifyLog_notifyId_idx" ON "AlipayNotifyLog"("notifyId");

-- CreateIndex
CREATE UNIQUE INDEX "ReconciliationRun_billDate_key" ON "ReconciliationRun"("billDate");

-- CreateIndex
CREATE UNIQUE INDEX "ReconciliationIssue_dedupeKey_key" ON "ReconciliationIssue"("dedupeKey");

-- CreateIndex
CREATE INDEX "ReconciliationIssue_status_createdAt_idx" ON "ReconciliationIssue"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "PaymentRefund" ADD CONSTRAINT "PaymentRefund_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PaymentOrder"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForfeitureRequest" ADD CONSTRAINT "ForfeitureRequest_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PaymentOrder"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_postingId_fkey" FOREIGN KEY ("postingId") REFERENCES "LedgerPosting"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReconciliationIssue" ADD CONSTRAINT "ReconciliationIssue_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ReconciliationRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Money invariants the database enforces whatever code writes (see docs/decisions/031-payments-ledger.md).
ALTER TABLE "PaymentOrder" ADD CONSTRAINT "PaymentOrder_amount_positive" CHECK ("amountFen" > 0);
ALTER TABLE "PaymentOrder" ADD CONSTRAINT "PaymentOrder_refunds_within_amount" CHECK ("refundedFen" >= 0 AND "forfeitedFen" >= 0 AND "refundedFen" + "forfeitedFen" <= "amountFen");
ALTER TABLE "PaymentRefund" ADD CONSTRAINT "PaymentRefund_amount_positive" CHECK ("amountFen" > 0 AND "interestFen" >= 0);
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_one_side" CHECK (("debitFen" > 0 AND "creditFen" = 0) OR ("creditFen" > 0 AND "debitFen" = 0));

-- A posting must balance when its transaction commits: a deferred constraint trigger sums its entries.
CREATE FUNCTION ledger_posting_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint; c bigint; n int;
BEGIN
  SELECT COALESCE(SUM("debitFen"), 0), COALESCE(SUM("creditFen"), 0), COUNT(*) INTO d, c, n
    FROM "LedgerEntry" WHERE "postingId" = NEW."postingId";
  IF n > 0 AND d <> c THEN
    RAISE EXCEPTION 'ledger posting % does not balance: debits % <> credits %', NEW."postingId", d, c;
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER "LedgerEntry_balanced" AFTER INSERT OR UPDATE ON "LedgerEntry"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_balanced();
