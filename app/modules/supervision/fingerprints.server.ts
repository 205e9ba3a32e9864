// Hooks for the collusion rule (围标串标 signals), never bid contents:
// - bidding calls recordSubmissionFingerprint(tx, ...) inside the bid submission transaction with
//   what is visible from outside the sealed envelope: the network address, a device fingerprint
//   hash computed in the browser, the signer certificate's SHA-256, the contact data (and, if a
//   client supplies them, file hashes and authoring metadata it read before sealing);
// - the opening calls readBidDocuments(files) after a bid was decrypted and verified, and
//   recordOpenedBidDocuments(tx, ...) in the step that records the bid's result: the server's own
//   reading of each plaintext file's SHA-256 and metadata (docs/decisions/097).
// The collusion rule compares these across the bidders of one tender.
import { Prisma } from '~/generated/prisma/client';
import { sqlOf, type AnyTx, type Tx } from '~/db/db.server';
import { newRowId } from '~/db/ids.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { readDocumentFacts, type DocumentFacts } from './documents.server';

export interface SubmissionFingerprintInput {
  tenderId: string;
  sectionId?: string | null;
  bidId: string;
  bidderOrgId: string;
  bidderName: string;
  ip?: string | null;
  deviceFingerprint?: string | null;
  certSha256?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
  fileHashes?: string[];
  /** e.g. { author, company, lastModifiedBy, producer, createdAt } read from the files in the browser */
  docMeta?: Record<string, string | null | undefined> | null;
  submittedAt?: Date;
}

const clean = (s: string | null | undefined, max = 200) => {
  const t = s?.trim();
  return t ? t.slice(0, max) : null;
};

// Plain SQL: it runs inside every bid submission's transaction (see appendAuditEntry on why).
const UPSERT_SQL =
  'INSERT INTO "SubmissionFingerprint" ("id", "tenderId", "sectionId", "bidId", "bidderOrgId", "bidderName", "ip", "deviceFingerprint", "certSha256", "contactPhone", "contactEmail", "fileHashes", "docMeta", "submittedAt") ' +
  'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ARRAY(SELECT jsonb_array_elements_text($12::jsonb)), $13::jsonb, $14::timestamptz) ' +
  'ON CONFLICT ("tenderId", "bidId") DO UPDATE SET "sectionId" = EXCLUDED."sectionId", "bidderOrgId" = EXCLUDED."bidderOrgId", "bidderName" = EXCLUDED."bidderName", ' +
  '"ip" = EXCLUDED."ip", "deviceFingerprint" = EXCLUDED."deviceFingerprint", "certSha256" = EXCLUDED."certSha256", "contactPhone" = EXCLUDED."contactPhone", ' +
  '"contactEmail" = EXCLUDED."contactEmail", "fileHashes" = EXCLUDED."fileHashes", "docMeta" = EXCLUDED."docMeta", "submittedAt" = EXCLUDED."submittedAt"';

export async function recordSubmissionFingerprint(tx: AnyTx, input: SubmissionFingerprintInput): Promise<void> {
  const docMeta = input.docMeta
    ? Object.fromEntries(Object.entries(input.docMeta).map(([k, v]) => [k.slice(0, 40), clean(v ?? null)]).filter(([, v]) => v))
    : null;
  const fileHashes = [...new Set((input.fileHashes ?? []).map((h) => h.trim().toLowerCase()).filter((h) => /^[0-9a-f]{64}$/.test(h)))].slice(0, 200);
  await sqlOf(tx).query(UPSERT_SQL, [
    newRowId(),
    input.tenderId,
    input.sectionId ?? null,
    input.bidId,
    input.bidderOrgId,
    input.bidderName,
    clean(input.ip, 64),
    clean(input.deviceFingerprint, 128),
    clean(input.certSha256, 64)?.toLowerCase() ?? null,
    clean(input.contactPhone, 32)?.replace(/[\s-]/g, '') ?? null,
    clean(input.contactEmail, 120)?.toLowerCase() ?? null,
    JSON.stringify(fileHashes),
    docMeta && Object.keys(docMeta).length ? JSON.stringify(docMeta) : null,
    (input.submittedAt ?? now()).toISOString(),
  ]);
}

/**
 * Fingerprints of an opened bid's plaintext files (hashes and metadata only). Never throws: a
 * reading problem must not hold up the opening, it only leaves the signal out.
 */
export async function readBidDocuments(files: { name: string; bytes: Uint8Array; sha256?: string }[]): Promise<DocumentFacts[] | null> {
  try {
    return await readDocumentFacts(files);
  } catch (e) {
    log.warn('supervision.documents.read_failed', { error: e instanceof Error ? e.message : String(e) });
    return null;
  }
}

export interface OpenedBidDocumentsInput {
  tenderId: string;
  sectionId: string;
  bidId: string;
  bidderOrgId: string;
  bidderName: string;
  documents: DocumentFacts[];
}

/** In the opening step that records a valid bid: its files' hashes and metadata, read by the server. */
export async function recordOpenedBidDocuments(tx: Tx, input: OpenedBidDocumentsInput) {
  const hashes = [...new Set(input.documents.map((d) => d.sha256.toLowerCase()).filter((h) => /^[0-9a-f]{64}$/.test(h)))].slice(0, 1000);
  const at = now();
  const documents = JSON.parse(JSON.stringify(input.documents)) as Prisma.InputJsonValue;
  const existing = await tx.submissionFingerprint.findUnique({ where: { tenderId_bidId: { tenderId: input.tenderId, bidId: input.bidId } } });
  if (existing) {
    return tx.submissionFingerprint.update({
      where: { id: existing.id },
      // The verified hashes replace whatever a client reported at submission.
      data: { fileHashes: hashes, documents, openedAt: at },
    });
  }
  // A bid submitted before the submission hook existed: the opening still records its documents.
  const bid = await tx.bid.findUnique({ where: { id: input.bidId }, select: { submittedAt: true } });
  return tx.submissionFingerprint.create({
    data: {
      tenderId: input.tenderId,
      sectionId: input.sectionId,
      bidId: input.bidId,
      bidderOrgId: input.bidderOrgId,
      bidderName: input.bidderName,
      fileHashes: hashes,
      documents,
      openedAt: at,
      submittedAt: bid?.submittedAt ?? at,
    },
  });
}
