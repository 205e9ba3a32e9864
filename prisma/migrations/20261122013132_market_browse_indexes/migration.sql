-- DropIndex
DROP INDEX "Listing_status_creditScore_idx";

-- DropIndex
DROP INDEX "Listing_status_categoryId_creditScore_idx";

-- DropIndex
DROP INDEX "Listing_status_itemId_creditScore_idx";

-- DropIndex
DROP INDEX "Listing_status_region_creditScore_idx";

-- DropIndex
DROP INDEX "Listing_status_creditGrade_creditScore_idx";

-- DropIndex
DROP INDEX "Listing_status_completedOrders_idx";

-- DropIndex
DROP INDEX "Listing_status_ratingAvg_idx";

-- CreateIndex
CREATE INDEX "Listing_status_creditScore_id_idx" ON "Listing"("status", "creditScore" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_categoryId_creditScore_id_idx" ON "Listing"("status", "categoryId", "creditScore" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_itemId_creditScore_id_idx" ON "Listing"("status", "itemId", "creditScore" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_region_creditScore_id_idx" ON "Listing"("status", "region", "creditScore" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_completedOrders_id_idx" ON "Listing"("status", "completedOrders" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_ratingAvg_id_idx" ON "Listing"("status", "ratingAvg" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_createdAt_id_idx" ON "Listing"("status", "createdAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_status_categoryId_createdAt_id_idx" ON "Listing"("status", "categoryId", "createdAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Listing_agencyId_status_idx" ON "Listing"("agencyId", "status");

