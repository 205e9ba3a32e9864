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

const UPLOAD_COLUMNS =
  `u."id", u."tenderId", u."sectionId", u."bidderOrgId", u."userId", u."submission", u."envelopeSha256", u."envelopeSize"::text AS "envelopeSize", u."signerCertSha256", u."status", u."reason", u."bidId", ` +
  `${epochMs('u."createdAt"')} AS "createdMs", ${epochMs('u."updatedAt"')} AS "updatedMs"`;

function uploadOf(r: UploadRow): BidUpload {
  const { createdMs, updatedMs, envelopeSize, ...rest } = r;
  return { ...rest, envelopeSize: BigInt(envelopeSize), createdAt: new Date(Number(createdMs)), updatedAt: new Date(Number(updatedMs)) };
}

export async function readUpload(id: string): Promise<BidUpload | null> {
  const [r] = await query<UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM "BidUpload" u WHERE u."id" = $1`, [id]);
  return r ? uploadOf(r) : null;
}

/**
 * The upload row together with its tender (sections included) and the bidder's latest bid in
 * the section, for a completion: one query instead of two.
 */
export async function readUploadForCompletion(
  id: string,
): Promise<{ upload: BidUpload; tender: TenderForUpload | null; previous: { version: number; status: string } | null } | null> {
  const [r] = await query<UploadRow & { tender: unknown; previous: unknown }>(
    `SELECT ${UPLOAD_COLUMNS}, ` +
      `(SELECT row_to_json(x) FROM (SELECT ${TENDER_COLUMNS} FROM "Tender" t WHERE t."id" = u."tenderId") x) AS "tender", ` +
      `(SELECT json_build_object('version', b."version", 'status', b."status") FROM "Bid" b WHERE b."sectionId" = u."sectionId" AND b."bidderOrgId" = u."bidderOrgId" ORDER BY b."version" DESC LIMIT 1) AS "previous" ` +
      `FROM "BidUpload" u WHERE u."id" = $1`,
    [id],
  );
  if (!r) return null;
  const { tender, previous, ...row } = r;
  const t = json<TenderRow | null>(tender);
  return { upload: uploadOf(row), tender: t ? tenderOf(t) : null, previous: json<{ version: number; status: string } | null>(previous) };
}

// Inside the completion transaction (Database.transaction, which appendAuditEntry also takes).

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

/**
 * One statement for what a completion changes, and only if the tender still takes this bid (it is
 * published and its deadline is after the bid's timestamp) and the upload is still receiving:
 * the upload is claimed (a concurrent completion of the same upload finds it claimed), the bidder's
 * active bid in the section becomes "replaced" and the new one is inserted active. The sub-statements
 * share one snapshot, so "replaced" never touches the row inserted beside it. Returns the tender's
 * state as read and whether the upload was claimed; when it was not, nothing changed.
 */
export async function recordBid(tx: SqlRunner, b: NewBid, uploadId: string, at: Date): Promise<{ status: string; bidDeadline: Date; claimed: boolean }> {
  const [r] = await tx.query<{ status: string | null; deadlineMs: number | null; claimed: number }>(
    `WITH t AS (SELECT "status", "bidDeadline" FROM "Tender" WHERE "id" = $2), ` +
      `claim AS (UPDATE "BidUpload" SET "status" = 'complete', "bidId" = $1, "updatedAt" = $14::timestamptz ` +
      `WHERE "id" = $13 AND "status" = 'receiving' AND EXISTS (SELECT 1 FROM t WHERE t."status" = 'published' AND t."bidDeadline" > $12::timestamptz) RETURNING "id"), ` +
      `rep AS (UPDATE "Bid" SET "status" = 'replaced' WHERE "sectionId" = $3 AND "bidderOrgId" = $4 AND "status" = 'active' AND EXISTS (SELECT 1 FROM claim) RETURNING "id"), ` +
      `ins AS (INSERT INTO "Bid" ("id", "tenderId", "sectionId", "bidderOrgId", "submittedById", "version", "envelopeSha256", "envelopeSize", "submission", "signerCertSha256", "signerSubject", "status", "submittedAt") ` +
      `SELECT $1, $2, $3, $4, $5, $6::int, $7, $8::bigint, $9, $10, $11, 'active', $12::timestamptz WHERE EXISTS (SELECT 1 FROM claim) RETURNING "id") ` +
      `SELECT (SELECT "status" FROM t) AS "status", (SELECT ${epochMs('"bidDeadline"')} FROM t) AS "deadlineMs", (SELECT count(*) FROM ins)::int AS "claimed"`,
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
      uploadId,
      at.toISOString(),
    ],
  );
  if (!r || r.status === null) throw new Error(`tender ${b.tenderId} not found`);
  return { status: r.status, bidDeadline: new Date(Number(r.deadlineMs)), claimed: Number(r.claimed) === 1 };
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
