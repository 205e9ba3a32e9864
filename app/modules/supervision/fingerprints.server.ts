// Hook for bidding (围标串标 signals): call recordSubmissionFingerprint(tx, ...) inside the bid
// submission transaction. It stores only what is visible from outside the sealed envelope — the
// network address, a device fingerprint hash computed in the browser, the signer certificate's
// SHA-256, the contact data, the SHA-256 of each plaintext file (hashed in the browser before
// sealing) and the documents' authoring metadata — never bid contents. The collusion rule compares
// these across the bidders of one tender.
import { Prisma } from '~/generated/prisma/client';
import type { Tx } from '~/db/db.server';
import { now } from '~/modules/clock/clock.server';

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
