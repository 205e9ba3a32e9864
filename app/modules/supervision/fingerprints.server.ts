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
import type { Tx } from '~/db/db.server';
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

export async function recordSubmissionFingerprint(tx: Tx, input: SubmissionFingerprintInput) {
  const docMeta = input.docMeta
    ? Object.fromEntries(Object.entries(input.docMeta).map(([k, v]) => [k.slice(0, 40), clean(v ?? null)]).filter(([, v]) => v))
    : null;
  const data = {
    sectionId: input.sectionId ?? null,
    bidderOrgId: input.bidderOrgId,
    bidderName: input.bidderName,
    ip: clean(input.ip, 64),
    deviceFingerprint: clean(input.deviceFingerprint, 128),
    certSha256: clean(input.certSha256, 64)?.toLowerCase() ?? null,
    contactPhone: clean(input.contactPhone, 32)?.replace(/[\s-]/g, '') ?? null,
    contactEmail: clean(input.contactEmail, 120)?.toLowerCase() ?? null,
    fileHashes: [...new Set((input.fileHashes ?? []).map((h) => h.trim().toLowerCase()).filter((h) => /^[0-9a-f]{64}$/.test(h)))].slice(0, 200),
    docMeta: docMeta && Object.keys(docMeta).length ? (docMeta as Prisma.InputJsonValue) : Prisma.JsonNull,
    submittedAt: input.submittedAt ?? now(),
  };
  return tx.submissionFingerprint.upsert({
    where: { tenderId_bidId: { tenderId: input.tenderId, bidId: input.bidId } },
    create: { tenderId: input.tenderId, bidId: input.bidId, ...data },
    update: data,
  });
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
