// The database work of a sealed-bid upload's start and completion, as plain SQL. A hundred bidders
// may hand in within the last minutes before a deadline, and on the embedded database every query
// runs on the event loop that also receives their bytes: through Prisma's query compiler a model
// query cost about 1.5 ms there against 0.3–0.5 ms for the same SQL, and several reads merge into
// one statement here (docs/decisions/113-upload-hot-path-and-benchmark.md). Everything else about
// uploads stays on Prisma. Timestamps travel as ISO strings in and epoch milliseconds out, which
// reads the same through PGlite, node-postgres and Prisma's adapters whatever the process' TZ.
import type { SqlRunner } from '~/db/db.server';
import { getDatabase } from '~/db/index.server';
import type { BidUpload } from '~/generated/prisma/client';

const epochMs = (col: string) => `(EXTRACT(EPOCH FROM ${col}) * 1000)::float8`;

async function query<T>(text: string, params: unknown[]): Promise<T[]> {
  return (await getDatabase()).sql.query<T>(text, params);
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export interface TenderForUpload {
  id: string;
  code: string;
  name: string;
  status: string;
  method: string;
  invitedOrgIds: string[];
  openingCertPem: string | null;
  bidDeadline: Date;
  sections: { id: string; seq: number; name: string }[];
}

const TENDER_COLUMNS =
  `t."id", t."code", t."name", t."status", t."method", t."invitedOrgIds", t."openingCertPem", ${epochMs('t."bidDeadline"')} AS "bidDeadlineMs", ` +
  `(SELECT json_agg(json_build_object('id', s."id", 'seq', s."seq", 'name', s."name") ORDER BY s."seq") FROM "TenderSection" s WHERE s."tenderId" = t."id") AS "sections"`;

type TenderRow = Omit<TenderForUpload, 'bidDeadline' | 'sections'> & { bidDeadlineMs: number; sections: unknown };

function tenderOf(r: TenderRow): TenderForUpload {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    status: r.status,
    method: r.method,
    invitedOrgIds: r.invitedOrgIds ?? [],
    openingCertPem: r.openingCertPem,
    bidDeadline: new Date(Number(r.bidDeadlineMs)),
    sections: json<TenderForUpload['sections'] | null>(r.sections) ?? [],
  };
}

/** The tender with its sections, and whether the organization holds its documents: one query. */
export async function readTenderForStart(tenderId: string, orgId: string): Promise<{ tender: TenderForUpload; holder: boolean } | null> {
  const [r] = await query<TenderRow & { holder: boolean }>(
    `SELECT ${TENDER_COLUMNS}, EXISTS (SELECT 1 FROM "DocumentHolder" h WHERE h."tenderId" = t."id" AND h."orgId" = $2) AS "holder" FROM "Tender" t WHERE t."id" = $1`,
    [tenderId, orgId],
  );
  return r ? { tender: tenderOf(r), holder: r.holder === true } : null;
}

/** The tender with its sections, and the bidder's latest bid version in the section: one query. */
export async function readTenderForCompletion(
  tenderId: string,
  sectionId: string,
  orgId: string,
): Promise<{ tender: TenderForUpload; previous: { version: number; status: string } | null } | null> {
  const [r] = await query<TenderRow & { previous: unknown }>(
    `SELECT ${TENDER_COLUMNS}, ` +
      `(SELECT json_build_object('version', b."version", 'status', b."status") FROM "Bid" b WHERE b."sectionId" = $2 AND b."bidderOrgId" = $3 ORDER BY b."version" DESC LIMIT 1) AS "previous" ` +
      `FROM "Tender" t WHERE t."id" = $1`,
    [tenderId, sectionId, orgId],
  );
  return r ? { tender: tenderOf(r), previous: json<{ version: number; status: string } | null>(r.previous) } : null;
}

export interface NewUpload {
  id: string;
  tenderId: string;
  sectionId: string;
  bidderOrgId: string;
  userId: string;
  submission: string;
  envelopeSha256: string;
  envelopeSize: number;
  signerCertSha256: string;
  at: Date;
}

/**
 * Records a new upload and, in the same statement, abandons the bidder's unfinished uploads for the
 * section (a fresh start replaces them). Returns the ids abandoned.
 */
export async function insertUpload(u: NewUpload): Promise<string[]> {
  const rows = await query<{ id: string }>(
    `WITH old AS (UPDATE "BidUpload" SET "status" = 'expired', "reason" = '已重新开始递交', "updatedAt" = $10::timestamptz ` +
      `WHERE "sectionId" = $3 AND "bidderOrgId" = $4 AND "status" = 'receiving' RETURNING "id"), ` +
      `ins AS (INSERT INTO "BidUpload" ("id", "tenderId", "sectionId", "bidderOrgId", "userId", "submission", "envelopeSha256", "envelopeSize", "signerCertSha256", "status", "createdAt", "updatedAt") ` +
      `VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9, 'receiving', $10::timestamptz, $10::timestamptz) RETURNING "id") ` +
      `SELECT "id" FROM old`,
    [u.id, u.tenderId, u.sectionId, u.bidderOrgId, u.userId, u.submission, u.envelopeSha256, String(u.envelopeSize), u.signerCertSha256, u.at.toISOString()],
  );
  return rows.map((r) => r.id);
}

type UploadRow = Omit<BidUpload, 'envelopeSize' | 'createdAt' | 'updatedAt'> & { envelopeSize: string; createdMs: number; updatedMs: number };

export async function readUpload(id: string): Promise<BidUpload | null> {
  const [r] = await query<UploadRow>(
    `SELECT "id", "tenderId", "sectionId", "bidderOrgId", "userId", "submission", "envelopeSha256", "envelopeSize"::text AS "envelopeSize", "signerCertSha256", "status", "reason", "bidId", ` +
      `${epochMs('"createdAt"')} AS "createdMs", ${epochMs('"updatedAt"')} AS "updatedMs" FROM "BidUpload" WHERE "id" = $1`,
    [id],
  );
  if (!r) return null;
  const { createdMs, updatedMs, envelopeSize, ...rest } = r;
  return { ...rest, envelopeSize: BigInt(envelopeSize), createdAt: new Date(Number(createdMs)), updatedAt: new Date(Number(updatedMs)) };
}

// Inside the completion transaction (Database.transaction, which appendAuditEntry also takes).

export async function tenderStateIn(tx: SqlRunner, tenderId: string): Promise<{ status: string; bidDeadline: Date }> {
  const [r] = await tx.query<{ status: string; deadlineMs: number }>(`SELECT "status", ${epochMs('"bidDeadline"')} AS "deadlineMs" FROM "Tender" WHERE "id" = $1`, [tenderId]);
  if (!r) throw new Error(`tender ${tenderId} not found`);
  return { status: r.status, bidDeadline: new Date(Number(r.deadlineMs)) };
}

export interface NewBid {
  id: string;
  tenderId: string;
  sectionId: string;
  bidderOrgId: string;
  submittedById: string;
  version: number;
  envelopeSha256: string;
  envelopeSize: number;
  submission: string;
  signerCertSha256: string;
  signerSubject: string;
  submittedAt: Date;
}

/** The bidder's active bid in the section becomes "replaced" and the new one is inserted active. */
export async function insertBidReplacingActive(tx: SqlRunner, b: NewBid): Promise<void> {
  await tx.query(`UPDATE "Bid" SET "status" = 'replaced' WHERE "sectionId" = $1 AND "bidderOrgId" = $2 AND "status" = 'active'`, [b.sectionId, b.bidderOrgId]);
  await tx.query(
    `INSERT INTO "Bid" ("id", "tenderId", "sectionId", "bidderOrgId", "submittedById", "version", "envelopeSha256", "envelopeSize", "submission", "signerCertSha256", "signerSubject", "status", "submittedAt") ` +
      `VALUES ($1, $2, $3, $4, $5, $6::int, $7, $8::bigint, $9, $10, $11, 'active', $12::timestamptz)`,
    [
      b.id,
      b.tenderId,
      b.sectionId,
      b.bidderOrgId,
      b.submittedById,
      b.version,
      b.envelopeSha256,
      String(b.envelopeSize),
      b.submission,
      b.signerCertSha256,
      b.signerSubject,
      b.submittedAt.toISOString(),
    ],
  );
}

/** Marks the upload complete if it is still receiving; false when another completion got there first. */
export async function claimUpload(tx: SqlRunner, uploadId: string, bidId: string, at: Date): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE "BidUpload" SET "status" = 'complete', "bidId" = $2, "updatedAt" = $3::timestamptz WHERE "id" = $1 AND "status" = 'receiving' RETURNING "id"`,
    [uploadId, bidId, at.toISOString()],
  );
  return rows.length === 1;
}

export interface NewReceipt {
  id: string;
  receiptNo: string;
  bidId: string;
  tenderId: string;
  sectionId: string;
  bidderOrgId: string;
  kind: string;
  stampedSha256: string;
  tsToken: string;
  tsGenTime: Date;
  tsSerialHex: string;
  auditSeq: bigint;
  pdfSha256: string;
  pdfSignature: string;
  createdAt: Date;
}

export async function insertReceipt(tx: SqlRunner, r: NewReceipt): Promise<void> {
  await tx.query(
    `INSERT INTO "BidReceipt" ("id", "receiptNo", "bidId", "tenderId", "sectionId", "bidderOrgId", "kind", "stampedSha256", "tsToken", "tsGenTime", "tsSerialHex", "auditSeq", "pdfSha256", "pdfSignature", "createdAt") ` +
      `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11, $12::bigint, $13, $14, $15::timestamptz)`,
    [
      r.id,
      r.receiptNo,
      r.bidId,
      r.tenderId,
      r.sectionId,
      r.bidderOrgId,
      r.kind,
      r.stampedSha256,
      r.tsToken,
      r.tsGenTime.toISOString(),
      r.tsSerialHex,
      r.auditSeq.toString(),
      r.pdfSha256,
      r.pdfSignature,
      r.createdAt.toISOString(),
    ],
  );
}
