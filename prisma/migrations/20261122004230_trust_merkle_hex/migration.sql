-- AlterTable: bytea -> lowercase hex text (bytea parameters do not survive the PGlite driver adapter)
ALTER TABLE "MerkleNode" ALTER COLUMN "hash" SET DATA TYPE TEXT USING encode("hash", 'hex');

-- Merkle nodes and signed tree heads are append-only like the audit log itself.
CREATE FUNCTION trust_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "MerkleNode_append_only"
  BEFORE UPDATE OR DELETE ON "MerkleNode"
  FOR EACH ROW EXECUTE FUNCTION trust_append_only();

CREATE TRIGGER "TreeHead_append_only"
  BEFORE UPDATE OR DELETE ON "TreeHead"
  FOR EACH ROW EXECUTE FUNCTION trust_append_only();
