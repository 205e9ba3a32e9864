-- The deferred balance trigger of 20261122003928_payments fires at COMMIT, and pglite-prisma-adapter
-- 0.6 swallows errors raised at COMMIT (the transaction is rolled back but Prisma reports success).
-- Check at the statement instead: the entries of a posting are inserted by one statement
-- (createMany), and every posting that statement touched must balance. Entries are append-only.
DROP TRIGGER "LedgerEntry_balanced" ON "LedgerEntry";
DROP FUNCTION ledger_posting_balanced();

CREATE FUNCTION ledger_postings_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
  SELECT e."postingId", SUM(e."debitFen") AS d, SUM(e."creditFen") AS c INTO bad
    FROM "LedgerEntry" e WHERE e."postingId" IN (SELECT DISTINCT "postingId" FROM new_entries)
    GROUP BY e."postingId" HAVING SUM(e."debitFen") <> SUM(e."creditFen") OR COUNT(*) < 2 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger posting % does not balance: debits % <> credits %', bad."postingId", bad.d, bad.c;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "LedgerEntry_balanced" AFTER INSERT ON "LedgerEntry"
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_balanced();

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries and postings are append-only (post a correcting entry instead)';
END $$;
CREATE TRIGGER "LedgerEntry_append_only" BEFORE UPDATE OR DELETE ON "LedgerEntry" FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER "LedgerPosting_append_only" BEFORE UPDATE OR DELETE ON "LedgerPosting" FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
