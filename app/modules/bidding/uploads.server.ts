// Sealed bid submission (投标文件递交). The browser seals; the server only ever receives
// ciphertext, in resumable chunks appended to DATA_DIR/files/tmp/<uploadId>.part.
//
//   start     verify the bidder-signed submission statement (binding tender/section/bidder and
//             the exact SHA-256 + size of the envelope to come); create the upload
//   chunk     append bytes at the offset the file has reached (the file on disk is the truth, so
//             a client resumes after any failure from GET status); capped at the declared size
//   complete  inspect the whole file (structure, recipients, digest), stamp its SHA-256 with the
//             TSA, move it into the content-addressed store (fsync'd), then in ONE transaction:
//             supersede the previous version, record the bid, the audit entry and the receipt.
//             So a receipt never exists without a complete stored envelope; a crash before the
//             commit leaves a stored file that no row references (harmless ciphertext) and an
//             upload still "receiving" whose bytes are all in the store: the client resumes it
//             straight to "complete" (receivedOf), or the sweeper expires it.
//
// The deadline is read from the platform clock (now()) at every step and from the TSA's genTime
// at completion: a bid not completely received by the deadline is not submitted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { verifySignedData } from '../../../crypto/cms';
import { CryptoVerifyError } from '../../../crypto/errors';
import { fromBase64, fromHex, fromUtf8, sha256, toBase64, toHex } from '../../../crypto/hash';
import { pemToDer } from '../../../crypto/pki';
import { canonicalJson, type SubmissionStatement } from '../../../crypto/seal';
import { newRowId } from '~/db/ids.server';
import { getDatabase, getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { recordSubmissionFingerprint } from '~/modules/supervision/fingerprints.server';
import { now } from '~/modules/clock/clock.server';
import { formatDateTime } from '~/modules/documents/datetime';
import { commitTempFile, ensureTempDir, fileSize, pathOf, sweepTempFiles, tempPath } from '~/modules/files/store.server';
import { log } from '~/modules/log.server';
import { currentCrl, getPlatformPki, timestampDigest } from '~/modules/pki/platform.server';
import { verifyUserSignature } from '~/modules/pki/user-certs.server';
import { BiddingError } from './errors';
import { releaseAffinity, runJobFor } from '~/modules/workers/pool.server';
import { withdrawalText } from './statements';
import { newReceiptNo, renderSignedReceipt, tsaName } from './receipts.server';
import { MAX_ENVELOPE_BYTES, UPLOAD_CHUNK_BYTES } from './types';
import { insertReceipt, insertUpload, readTenderForStart, readUpload, readUploadForCompletion, recordBid } from './upload-sql.server';

export interface BidderUser {
  id: string;
  role: string;
  organizationId: string | null;
  displayName: string;
  /** The organization as the session lookup read it (saves a query at completion when present). */
  organization?: { id: string; name: string; creditCode: string; phone: string | null; email: string | null } | null;
}

/** Abandoned uploads (no chunk for this long) are expired by the sweeper. */
export const UPLOAD_IDLE_MS = 30 * 60_000;
/** At most this many uploads are inspected (hashed from disk) at once: bounded memory and I/O. */
const MAX_PARALLEL_COMPLETIONS = 12;
/** At most this many starts (signature, chain and database checks) are processed at once. */
const MAX_PARALLEL_STARTS = 4;

const DEADLINE_MESSAGE = '投标截止时间已到，平台不再接收投标文件。截止时间前未完整送达的投标文件视为未提交。';

export function deadlineRefusal() {
  return new BiddingError(DEADLINE_MESSAGE, 409, {}, 'DEADLINE_PASSED');
}

function partPath(uploadId: string) {
  return tempPath(`${uploadId}.part`);
}

async function sizeOf(p: string): Promise<number> {
  try {
    return (await fsp.stat(p)).size;
  } catch {
    return -1;
  }
}

/**
 * Where the bytes of a receiving upload are. Normally its part file; but a crash between moving
 * the finished file into the store and committing the receipt leaves the upload "receiving" with
 * its part file gone and the envelope already stored under its SHA-256 (fsync'd, so complete).
 * Such an upload has received everything: the client resumes straight to "complete".
 */
async function receivedOf(u: { id: string; envelopeSha256: string; envelopeSize: bigint | number }): Promise<{ bytes: number; file: string; stored: boolean }> {
  const part = partPath(u.id);
  const at = await sizeOf(part);
  if (at >= 0) return { bytes: at, file: part, stored: false };
  const size = Number(u.envelopeSize);
  if ((await fileSize(u.envelopeSha256)) === size) return { bytes: size, file: pathOf(u.envelopeSha256), stored: true };
  return { bytes: -1, file: part, stored: false };
}

/** Everything a bidder must satisfy to hand in a bid for this section now (one query). */
async function loadBiddable(user: BidderUser, tenderId: string, sectionId: string) {
  if (!user.organizationId) throw new BiddingError('您的账号未关联投标单位', 403);
  const found = await readTenderForStart(tenderId, user.organizationId);
  if (!found) throw new BiddingError('招标项目不存在', 404);
  const { tender, holder } = found;
  const section = tender.sections.find((s) => s.id === sectionId);
  if (!section) throw new BiddingError('标段不存在', 404);
  if (tender.status === 'cancelled') throw new BiddingError('招标项目已终止，不再接收投标文件', 409);
  if (tender.status !== 'published' || now() >= tender.bidDeadline) throw deadlineRefusal();
  if (tender.method === 'invited' && !tender.invitedOrgIds.includes(user.organizationId)) throw new BiddingError('本项目为邀请招标，贵单位不在邀请范围内', 403);
  if (!tender.openingCertPem) throw new BiddingError('项目尚未生成开标证书', 409);
  if (!holder) throw new BiddingError('请先获取招标文件，再递交投标文件', 403);
  return { tender, section };
}

/** Parses and checks a bidder-signed submission statement. Throws BiddingError with a clear message. */
export async function verifySubmissionStatement(
  user: BidderUser,
  submission: Uint8Array,
  expect: { tenderId: string; sectionId: string; sections: { id: string; seq: number }[] },
) {
  let statement: SubmissionStatement;
  let signerCertSha256: string;
  let signerSubject: string;
  try {
    // Signature, chain, CRL at the platform clock, and the signer must be one of this user's own
    // registered, unrevoked certificates — one verification (each costs milliseconds of CPU, and a
    // hundred bidders may start at once before a deadline).
    const check = await verifyUserSignature({ userId: user.id, signedData: submission });
    const text = fromUtf8(check.content ?? new Uint8Array(0));
    statement = JSON.parse(text) as SubmissionStatement;
    if (canonicalJson(statement) !== text) throw new CryptoVerifyError('MALFORMED', 'submission statement is not canonical JSON');
    signerCertSha256 = toHex(await sha256(check.signerCert));
    signerSubject = check.signer.subject;
  } catch (e) {
    if (e instanceof SyntaxError) throw new BiddingError('递交声明格式不正确', 400, {}, 'MALFORMED');
    if (e instanceof CryptoVerifyError) {
      const why =
        e.code === 'CERT_UNTRUSTED' ? '签名证书不属于当前登录用户或不受信任' : e.code === 'CERT_REVOKED' ? '签名证书已注销' : e.code === 'CERT_EXPIRED' ? '签名证书已过期' : '签名无效';
      throw new BiddingError(`递交声明验证失败：${why}`, 400, {}, e.code);
    }
    throw e;
  }
  if (
    statement?.v !== 1 ||
    statement.kind !== 'sealed-bid-submission' ||
    !/^[0-9a-f]{64}$/.test(statement.envelopeSha256) ||
    !Number.isSafeInteger(statement.envelopeSize) ||
    statement.envelopeSize < 1
  ) {
    throw new BiddingError('递交声明格式不正确', 400, {}, 'MALFORMED');
  }
  if (statement.tenderId !== expect.tenderId) throw new BiddingError('该投标文件不是为本项目加密的，不能递交', 400, {}, 'BINDING_MISMATCH');
  if (statement.sectionId !== expect.sectionId) {
    const sealedFor = expect.sections.find((s) => s.id === statement.sectionId);
    const target = expect.sections.find((s) => s.id === expect.sectionId);
    throw new BiddingError(
      `该投标文件是为${sealedFor ? `第${sealedFor.seq}标段` : '其他标段'}加密的，不能递交到第${target?.seq ?? '?'}标段`,
      400,
      {},
      'BINDING_MISMATCH',
    );
  }
  if (statement.bidderId !== user.organizationId) throw new BiddingError('该投标文件不是以贵单位名义加密的', 400, {}, 'BINDING_MISMATCH');
  if (statement.envelopeSize > MAX_ENVELOPE_BYTES) throw new BiddingError('投标文件超过每标段 500 MB 的上限', 413, {}, 'TOO_LARGE');
  return { statement, signerCertSha256, signerSubject };
}

export async function startBidUpload(actor: Actor, user: BidderUser, input: { tenderId: string; sectionId: string; submission: Uint8Array }) {
  return withStartSlot(() => start(user, input));
}

async function start(user: BidderUser, input: { tenderId: string; sectionId: string; submission: Uint8Array }) {
  // Plain reads (no transaction): the insert below re-checks nothing that could race harmfully, and
  // completion re-reads the tender inside its own transaction.
  const { tender, section } = await loadBiddable(user, input.tenderId, input.sectionId);
  const v = await verifySubmissionStatement(user, input.submission, { tenderId: tender.id, sectionId: section.id, sections: tender.sections });
  await ensureTempDir();
  const t = now();
  const id = `bu_${crypto.randomBytes(12).toString('hex')}`;
  // One statement: a fresh start for the same section abandons any unfinished upload of the bidder.
  const superseded = await insertUpload({
    id,
    tenderId: tender.id,
    sectionId: section.id,
    bidderOrgId: user.organizationId!,
    userId: user.id,
    submission: toBase64(input.submission),
    envelopeSha256: v.statement.envelopeSha256,
    envelopeSize: v.statement.envelopeSize,
    signerCertSha256: v.signerCertSha256,
    at: t,
  });
  // The completion names the signer on the receipt: the subject just verified saves it a query.
  rememberSubject(v.signerCertSha256, v.signerSubject);
  for (const old of superseded) {
    abandonUpload(old);
    await fsp.rm(partPath(old), { force: true });
  }
  await fsp.writeFile(partPath(id), new Uint8Array(0), { flag: 'wx' });
  // The chunks that follow at once need the row and the tender just read: no query for them.
  const at = Date.now();
  pruneCaches(at);
  uploadCache.set(id, { at, orgId: user.organizationId!, status: 'receiving', size: v.statement.envelopeSize, sha256: v.statement.envelopeSha256, tenderId: tender.id, touchedAt: t.getTime() });
  if (!tenderCache.has(tender.id)) tenderCache.set(tender.id, { at, tender: Promise.resolve({ status: tender.status, bidDeadline: tender.bidDeadline }) });
  return { uploadId: id, received: 0, size: v.statement.envelopeSize, chunkBytes: UPLOAD_CHUNK_BYTES };
}

// One writer per upload in this process. Several app instances behind a balancer need sticky
// routing per upload id (or a row lock); see docs/decisions/071.
const busy = new Set<string>();

async function loadOwnUpload(user: BidderUser, uploadId: string) {
  const u = await readUpload(uploadId);
  if (!u || u.bidderOrgId !== user.organizationId) throw new BiddingError('上传任务不存在', 404);
  return u;
}

async function expireUpload(uploadId: string, reason: string) {
  abandonUpload(uploadId);
  const prisma = await getPrisma();
  await prisma.bidUpload.updateMany({ where: { id: uploadId, status: 'receiving' }, data: { status: 'expired', reason, updatedAt: now() } });
  await fsp.rm(partPath(uploadId), { force: true });
}

async function checkDeadline(tenderId: string, uploadId: string) {
  const prisma = await getPrisma();
  const t = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId }, select: { status: true, bidDeadline: true } });
  return refuseIfClosed(t, uploadId);
}

/** Expires the upload and throws when its tender no longer takes bids (cancelled, closed, deadline passed). */
async function refuseIfClosed<T extends { status: string; bidDeadline: Date }>(t: T, uploadId: string): Promise<T> {
  if (t.status !== 'published' || now() >= t.bidDeadline) {
    await expireUpload(uploadId, t.status === 'cancelled' ? '招标项目已终止' : DEADLINE_MESSAGE);
    throw t.status === 'cancelled' ? new BiddingError('招标项目已终止，不再接收投标文件', 409) : deadlineRefusal();
  }
  return t;
}

export async function uploadStatus(user: BidderUser, uploadId: string) {
  const u = await loadOwnUpload(user, uploadId);
  const received = u.status === 'receiving' ? Math.max(0, (await receivedOf(u)).bytes) : 0;
  return { uploadId, status: u.status, reason: u.reason, received, size: Number(u.envelopeSize), bidId: u.bidId };
}

// The chunk path runs once per 8 MB of every upload, up to hundreds at once near a deadline. On the
// embedded database every query costs event-loop time that the other uploads wait for, so the
// chunk path reads nothing from the database in the steady state:
// - the upload row (owner, declared size, status) is cached for UPLOAD_CACHE_MS. Its status only
//   changes in this process (completion, a fresh start of the same section, expiry), and each of
//   those drops the entry and removes the part file, which every chunk checks on disk anyway;
// - the tender's status and deadline are cached per tender for TENDER_CACHE_MS (a cancellation or
//   an extended deadline is seen within that time; the clock is read on every chunk, and a chunk
//   that looks late is judged against a fresh read; completion re-reads everything in its
//   transaction);
// - the idle timestamp is written at most once a minute;
// - nothing is hashed on the event loop: after each chunk a CPU worker thread advances the file's
//   running SHA-256 (running-hash.server.ts), and completion finishes it there
//   (docs/decisions/114-cpu-worker-threads.md).
// The route in front of it caches the session lookup the same way (upload-http.server.ts).
const UPLOAD_CACHE_MS = 30_000;
const TENDER_CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;
interface CachedUpload {
  at: number;
  orgId: string;
  status: string;
  size: number;
  sha256: string;
  tenderId: string;
  touchedAt: number;
}
const uploadCache = new Map<string, CachedUpload>();
const tenderCache = new Map<string, { at: number; tender: Promise<{ status: string; bidDeadline: Date }> }>();

function forgetUpload(uploadId: string) {
  uploadCache.delete(uploadId);
}

/** An upload that will not complete: its running hash on the worker is dropped. */
function abandonUpload(uploadId: string) {
  forgetUpload(uploadId);
  void runJobFor(uploadId, 'dropRunningHash', uploadId)
    .catch(() => undefined)
    .finally(() => releaseAffinity(uploadId));
}

function pruneCaches(t: number) {
  if (uploadCache.size > 10_000) for (const [k, v] of uploadCache) if (t - v.at >= UPLOAD_CACHE_MS) uploadCache.delete(k);
  if (tenderCache.size > 1_000) for (const [k, v] of tenderCache) if (t - v.at >= TENDER_CACHE_MS) tenderCache.delete(k);
}

async function cachedTender(tenderId: string) {
  const t = Date.now();
  const hit = tenderCache.get(tenderId);
  if (hit && t - hit.at < TENDER_CACHE_MS) return hit.tender;
  const tender = getPrisma().then((prisma) => prisma.tender.findUniqueOrThrow({ where: { id: tenderId }, select: { status: true, bidDeadline: true } }));
  tenderCache.set(tenderId, { at: t, tender });
  tender.catch(() => tenderCache.delete(tenderId));
  return tender;
}

async function chunkContext(user: BidderUser, uploadId: string): Promise<CachedUpload & { tender: { status: string; bidDeadline: Date } }> {
  const t = Date.now();
  let u = uploadCache.get(uploadId);
  if (!u || t - u.at >= UPLOAD_CACHE_MS) {
    const row = await loadOwnUpload(user, uploadId);
    u = { at: t, orgId: row.bidderOrgId, status: row.status, size: Number(row.envelopeSize), sha256: row.envelopeSha256, tenderId: row.tenderId, touchedAt: u?.touchedAt ?? row.updatedAt.getTime() };
    pruneCaches(t);
    uploadCache.set(uploadId, u);
  } else if (u.orgId !== user.organizationId) throw new BiddingError('上传任务不存在', 404);
  return Object.assign(u, { tender: await cachedTender(u.tenderId) });
}

/** A request body: a web stream (Remix, tests) or a Node stream (the Express route). */
export type ChunkBody = ReadableStream<Uint8Array> | NodeJS.ReadableStream;

function nodeStreamOf(body: ChunkBody): Readable {
  if (typeof (body as ReadableStream).getReader === 'function') return Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  return body as Readable;
}

class Overflow extends Error {}

/**
 * Appends one chunk. `offset` must equal the bytes already on disk; otherwise 409 with the real
 * offset so the client re-syncs. Never writes past the declared size: a body that announces more
 * (`declaredLength`) is refused before it is read, one that sends more is cut off and its bytes
 * dropped. The body is piped to the file with backpressure (the socket is paused while the disk
 * catches up), so memory stays flat however many uploads run. A body cut off by the network
 * leaves what arrived in the file; the client asks for the size and resumes from there.
 */
export async function appendChunk(user: BidderUser, uploadId: string, offset: number, body: ChunkBody | null, declaredLength?: number) {
  if (!body) throw new BiddingError('缺少上传内容', 400);
  const u = await chunkContext(user, uploadId);
  if (u.status !== 'receiving') {
    forgetUpload(uploadId);
    const row = await loadOwnUpload(user, uploadId);
    throw new BiddingError(row.reason ?? '该上传任务已结束', 409, {}, 'UPLOAD_CLOSED');
  }
  if (u.tender.status !== 'published' || now() >= u.tender.bidDeadline) {
    tenderCache.delete(u.tenderId);
    await checkDeadline(u.tenderId, uploadId);
  }
  if (busy.has(uploadId)) throw new BiddingError('该上传任务正在接收数据', 409, {}, 'BUSY');
  busy.add(uploadId);
  const file = partPath(uploadId);
  try {
    const at = await sizeOf(file);
    if (at < 0) {
      forgetUpload(uploadId);
      // Everything already arrived and sits in the store (see receivedOf): tell the client to complete.
      if ((await fileSize(u.sha256)) === u.size) return { received: u.size, conflict: true as const };
      throw new BiddingError('上传任务已失效，请重新递交', 409, {}, 'UPLOAD_CLOSED');
    }
    if (offset !== at) return { received: at, conflict: true as const };
    const limit = u.size - at;
    if (declaredLength !== undefined && declaredLength > limit) throw new BiddingError('上传内容超过声明的文件大小', 413, {}, 'TOO_LARGE');
    const out = fs.createWriteStream(file, { flags: 'a' });
    let written = 0;
    try {
      // A Transform, not an async generator: at 64 KB a piece, the generator's promise per piece
      // cost about 40 % more CPU than the write itself (100 × 16 MB measured side by side).
      await pipeline(
        nodeStreamOf(body),
        new Transform({
          transform(buf: Buffer, _enc, done) {
            if (written + buf.length > limit) return done(new Overflow());
            written += buf.length;
            done(null, buf);
          },
        }),
        out,
      );
    } catch (e) {
      // The file must be quiet before the next chunk may look at its size.
      if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
      if (e instanceof Overflow) {
        await fsp.truncate(file, at);
        throw new BiddingError('上传内容超过声明的文件大小', 413, {}, 'TOO_LARGE');
      }
      throw e;
    }
    // The worker hashes what arrived while the rest is still coming (running-hash.server.ts).
    // Not awaited: the answer to this chunk does not depend on it.
    void runJobFor(uploadId, 'hashPartFile', uploadId, file, at + written).catch((e: Error) => log.warn('bid.upload.running-hash-failed', { uploadId, error: e.message }));
    if (Date.now() - u.touchedAt > TOUCH_EVERY_MS) {
      u.touchedAt = Date.now();
      const prisma = await getPrisma();
      await prisma.bidUpload.update({ where: { id: uploadId }, data: { updatedAt: now() } });
    }
    return { received: at + written, conflict: false as const };
  } finally {
    busy.delete(uploadId);
  }
}

/**
 * At most `n` of the wrapped operations run at once; the rest wait in arrival order. When a
 * hundred bidders start (or complete) together, interleaving all of them on the one event loop
 * would make every one of them finish only at the end of the batch (measured: the first of 100
 * starts answered after 4.3 s, so no bid byte moved for 4 s). In order, the first answer comes
 * after one operation and its upload streams while the others are still being checked.
 */
function limiter(n: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    else running++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line (running stays the same), or is freed.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
const withCompletionSlot = limiter(MAX_PARALLEL_COMPLETIONS);
const withStartSlot = limiter(MAX_PARALLEL_STARTS);

export async function completeBidUpload(actor: Actor, user: BidderUser, uploadId: string) {
  // The upload, its tender and the bidder's previous bid in the section: one query.
  const found = await readUploadForCompletion(uploadId);
  if (!found || found.upload.bidderOrgId !== user.organizationId) throw new BiddingError('上传任务不存在', 404);
  const u = found.upload;
  if (u.status === 'complete' && u.bidId) {
    // a retried "complete" after a lost response: answer with the same receipt
    const prisma = await getPrisma();
    const r = await prisma.bidReceipt.findFirst({ where: { bidId: u.bidId }, orderBy: { createdAt: 'desc' } });
    return { bidId: u.bidId, receiptId: r!.id, receiptNo: r!.receiptNo, replayed: true };
  }
  if (u.status !== 'receiving') throw new BiddingError(u.reason ?? '该上传任务已结束', 409, {}, 'UPLOAD_CLOSED');
  if (busy.has(uploadId)) throw new BiddingError('该上传任务正在接收数据', 409, {}, 'BUSY');
  busy.add(uploadId);
  try {
    return await withCompletionSlot(() => finish(actor, user, found));
  } finally {
    busy.delete(uploadId);
  }
}

async function finish(actor: Actor, user: BidderUser, ctx: NonNullable<Awaited<ReturnType<typeof readUploadForCompletion>>>) {
  const prisma = await getPrisma();
  const u = ctx.upload;
  const size = Number(u.envelopeSize);
  const { bytes, file, stored } = await receivedOf(u);
  if (bytes !== size) throw new BiddingError('投标文件尚未上传完整', 409, {}, 'INCOMPLETE');
  if (!ctx.tender) throw new BiddingError('招标项目不存在', 404);
  const { previous } = ctx;
  const full = await refuseIfClosed(ctx.tender, u.id);
  const tender = full;
  const section = full.sections.find((s) => s.id === u.sectionId)!;
  try {
    // Parsing the envelope and finishing its SHA-256 (running since the first chunk, see
    // appendChunk) run on the worker thread that holds the running hash.
    await runJobFor(u.id, 'inspectSealedBidFile', file, {
      openingCert: pemToDer(full.openingCertPem!),
      expectSha256: u.envelopeSha256,
      expectSize: size,
      maxSize: MAX_ENVELOPE_BYTES,
      runningHashKey: stored ? undefined : u.id,
    });
    releaseAffinity(u.id);
  } catch (e) {
    const code = e instanceof CryptoVerifyError ? e.code : 'MALFORMED';
    const msg =
      code === 'WRONG_RECIPIENT'
        ? '投标文件未加密至本项目开标证书，平台拒收'
        : code === 'DIGEST_MISMATCH'
          ? '收到的文件与签名的递交声明不一致（可能在传输中损坏），请重新递交'
          : code === 'TOO_LARGE'
            ? '投标文件超过每标段 500 MB 的上限'
            : '投标文件格式不正确，平台拒收';
    abandonUpload(u.id);
    await prisma.bidUpload.update({ where: { id: u.id }, data: { status: 'refused', reason: msg, updatedAt: now() } });
    if (!stored) await fsp.rm(file, { force: true });
    log.warn('bid.upload.refused', { uploadId: u.id, code });
    throw new BiddingError(msg, 400, {}, code);
  }

  // Trusted time for the receipt; the TSA's time is the one the deadline is judged by.
  const ts = await timestampDigest(fromHex(u.envelopeSha256));
  if (ts.genTime >= tender.bidDeadline) {
    await expireUpload(u.id, DEADLINE_MESSAGE);
    throw deadlineRefusal();
  }
  if (!stored) await commitTempFile(file, u.envelopeSha256);

  const org = user.organization?.id === u.bidderOrgId ? user.organization : await prisma.organization.findUniqueOrThrow({ where: { id: u.bidderOrgId } });
  const kind: 'submit' | 'replace' = previous && previous.status === 'active' ? 'replace' : 'submit';
  const version = (previous?.version ?? 0) + 1;
  const receiptNo = newReceiptNo(ts.genTime);
  const signer = await signerOf(u.signerCertSha256, fromBase64(u.submission));
  const { pdfSha256, signature } = await renderSignedReceipt({
    receiptNo,
    kind,
    tender: { id: full.id, code: full.code, name: full.name, bidDeadline: full.bidDeadline },
    section: { seq: section.seq, name: section.name },
    bidder: { name: org.name, creditCode: org.creditCode },
    submitter: user.displayName,
    signerSubject: signer,
    signerCertSha256: u.signerCertSha256,
    envelopeSha256: u.envelopeSha256,
    envelopeSize: size,
    version,
    stampedSha256: u.envelopeSha256,
    tsGenTime: ts.genTime,
    tsSerialHex: ts.serialHex,
    tsaName: await tsaName(),
  });

  const bidId = newRowId();
  const receiptId = newRowId();
  // Plain SQL in one transaction; the audit entry and fingerprint join it (see upload-sql.server.ts).
  return (await getDatabase()).transaction(async (tx) => {
    // Re-checked in the same statement that records the bid: an amendment, cancellation or the
    // deadline may have come; and a concurrent completion of the same upload finds it claimed, so
    // its whole transaction rolls back.
    forgetUpload(u.id);
    const recorded = await recordBid(
      tx,
      {
        id: bidId,
        tenderId: u.tenderId,
        sectionId: u.sectionId,
        bidderOrgId: u.bidderOrgId,
        submittedById: user.id,
        version,
        envelopeSha256: u.envelopeSha256,
        envelopeSize: size,
        submission: u.submission,
        signerCertSha256: u.signerCertSha256,
        signerSubject: signer,
        submittedAt: ts.genTime,
      },
      u.id,
      now(),
    );
    if (recorded.status !== 'published' || ts.genTime >= recorded.bidDeadline) throw deadlineRefusal();
    if (!recorded.claimed) throw new BiddingError('该上传任务已结束', 409, {}, 'UPLOAD_CLOSED');
    const entry = await appendAuditEntry(tx, actor, {
      action: kind === 'replace' ? 'bid.replace' : 'bid.submit',
      objectType: 'bid',
      objectId: bidId,
      payload: { tenderId: u.tenderId, sectionId: u.sectionId, version, envelopeSha256: u.envelopeSha256, envelopeSize: size, tsSerialHex: ts.serialHex, tsGenTime: ts.genTime.toISOString(), receiptNo },
    });
    // What the submission looked like from outside, for the collusion rules (围标串标): same
    // address, certificate or contact data across bidders of one tender. Never bid contents.
    await recordSubmissionFingerprint(tx, {
      tenderId: u.tenderId,
      sectionId: u.sectionId,
      bidId,
      bidderOrgId: u.bidderOrgId,
      bidderName: org.name,
      ip: actor.ip,
      certSha256: u.signerCertSha256,
      contactPhone: org.phone ?? null,
      contactEmail: org.email ?? null,
      submittedAt: ts.genTime,
    });
    await insertReceipt(tx, {
      id: receiptId,
      receiptNo,
      bidId,
      tenderId: u.tenderId,
      sectionId: u.sectionId,
      bidderOrgId: u.bidderOrgId,
      kind,
      stampedSha256: u.envelopeSha256,
      tsToken: toBase64(ts.token),
      tsGenTime: ts.genTime,
      tsSerialHex: ts.serialHex,
      auditSeq: entry.seq,
      pdfSha256,
      pdfSignature: toBase64(signature),
      createdAt: now(),
    });
    return { bidId, receiptId, receiptNo, replayed: false };
  });
}

/** The signer's subject, from the registered certificate (verified at start) or, failing that, the statement. */
// A certificate's subject is part of its bytes, so it never changes for a given SHA-256.
const subjects = new Map<string, string>();
function rememberSubject(certSha256: string, subject: string) {
  if (subjects.size >= 10_000) subjects.clear();
  subjects.set(certSha256, subject);
}
async function signerOf(certSha256: string, submission: Uint8Array): Promise<string> {
  const known = subjects.get(certSha256);
  if (known) return known;
  const prisma = await getPrisma();
  const cert = await prisma.certificate.findUnique({ where: { sha256: certSha256 }, select: { subject: true } });
  if (cert) {
    rememberSubject(certSha256, cert.subject);
    return cert.subject;
  }
  const pki = await getPlatformPki();
  const check = await verifySignedData({ signedData: submission, trustAnchors: pki.trustAnchors });
  return check.signer.subject;
}

/** The exact bytes a bidder signs to withdraw (撤回) its bid. */
export const withdrawalStatement = withdrawalText;

export async function withdrawBid(actor: Actor, user: BidderUser, input: { bidId: string; statement: Uint8Array }) {
  const prisma = await getPrisma();
  const bid = await prisma.bid.findUnique({ where: { id: input.bidId }, include: { tender: true, section: true } });
  if (!bid || bid.bidderOrgId !== user.organizationId) throw new BiddingError('投标文件不存在', 404);
  if (bid.status !== 'active') throw new BiddingError('该投标文件已被替换或撤回', 409);
  if (bid.tender.status !== 'published' || now() >= bid.tender.bidDeadline) throw new BiddingError('投标截止时间已到，不能撤回投标文件', 409, {}, 'DEADLINE_PASSED');
  let content: string;
  try {
    const check = await verifyUserSignature({ userId: user.id, signedData: input.statement });
    content = fromUtf8(check.content ?? new Uint8Array(0));
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw new BiddingError('撤回声明签名无效或证书不属于当前用户', 400, {}, e.code);
    throw e;
  }
  let parsed: { v?: number; kind?: string; tenderId?: string; sectionId?: string; bidderId?: string; envelopeSha256?: string; at?: string };
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new BiddingError('撤回声明格式不正确', 400);
  }
  if (
    parsed.kind !== 'sealed-bid-withdrawal' ||
    parsed.tenderId !== bid.tenderId ||
    parsed.sectionId !== bid.sectionId ||
    parsed.bidderId !== bid.bidderOrgId ||
    parsed.envelopeSha256 !== bid.envelopeSha256 ||
    typeof parsed.at !== 'string' ||
    withdrawalStatement(parsed as Parameters<typeof withdrawalStatement>[0]) !== content
  ) {
    throw new BiddingError('撤回声明与该投标文件不符', 400, {}, 'BINDING_MISMATCH');
  }
  const stamped = toHex(await sha256(input.statement));
  const ts = await timestampDigest(fromHex(stamped));
  if (ts.genTime >= bid.tender.bidDeadline) throw new BiddingError('投标截止时间已到，不能撤回投标文件', 409, {}, 'DEADLINE_PASSED');
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: bid.bidderOrgId } });
  const receiptNo = newReceiptNo(ts.genTime);
  const { pdfSha256, signature } = await renderSignedReceipt({
    receiptNo,
    kind: 'withdraw',
    tender: { id: bid.tender.id, code: bid.tender.code, name: bid.tender.name, bidDeadline: bid.tender.bidDeadline },
    section: { seq: bid.section.seq, name: bid.section.name },
    bidder: { name: org.name, creditCode: org.creditCode },
    submitter: user.displayName,
    signerSubject: bid.signerSubject,
    signerCertSha256: bid.signerCertSha256,
    envelopeSha256: bid.envelopeSha256,
    envelopeSize: Number(bid.envelopeSize),
    version: bid.version,
    stampedSha256: stamped,
    tsGenTime: ts.genTime,
    tsSerialHex: ts.serialHex,
    tsaName: await tsaName(),
  });
  return prisma.$transaction(async (tx) => {
    const done = await tx.bid.updateMany({ where: { id: bid.id, status: 'active' }, data: { status: 'withdrawn', withdrawnAt: ts.genTime } });
    if (done.count !== 1) throw new BiddingError('该投标文件已被替换或撤回', 409);
    const entry = await appendAuditEntry(tx, actor, {
      action: 'bid.withdraw',
      objectType: 'bid',
      objectId: bid.id,
      payload: { tenderId: bid.tenderId, sectionId: bid.sectionId, version: bid.version, envelopeSha256: bid.envelopeSha256, statementSha256: stamped, tsSerialHex: ts.serialHex, receiptNo },
    });
    const receipt = await tx.bidReceipt.create({
      data: {
        receiptNo,
        bidId: bid.id,
        tenderId: bid.tenderId,
        sectionId: bid.sectionId,
        bidderOrgId: bid.bidderOrgId,
        kind: 'withdraw',
        stampedSha256: stamped,
        tsToken: toBase64(ts.token),
        tsGenTime: ts.genTime,
        tsSerialHex: ts.serialHex,
        auditSeq: entry.seq,
        statement: toBase64(input.statement),
        pdfSha256,
        pdfSignature: toBase64(signature),
        createdAt: now(),
      },
    });
    return { receiptId: receipt.id, receiptNo };
  });
}

/**
 * Expires uploads that can no longer finish (deadline passed, tender closed or cancelled, idle
 * too long) and deletes their partial files, plus any temporary file no live upload owns (the
 * leftovers of a crash). Safe to run on every instance at any time.
 */
export async function sweepUploads(opts: { idleMs?: number } = {}) {
  const prisma = await getPrisma();
  const t = now();
  const live = await prisma.bidUpload.findMany({ where: { status: 'receiving' }, select: { id: true, tenderId: true, updatedAt: true } });
  const tenders = await prisma.tender.findMany({ where: { id: { in: [...new Set(live.map((l) => l.tenderId))] } }, select: { id: true, status: true, bidDeadline: true } });
  const byId = new Map(tenders.map((x) => [x.id, x]));
  let expired = 0;
  for (const l of live) {
    const tender = byId.get(l.tenderId);
    const reason =
      !tender || tender.status !== 'published' || t >= tender.bidDeadline
        ? DEADLINE_MESSAGE
        : t.getTime() - l.updatedAt.getTime() > (opts.idleMs ?? UPLOAD_IDLE_MS)
          ? '长时间未收到数据，上传任务已失效，请重新递交'
          : null;
    if (reason) {
      await expireUpload(l.id, reason);
      expired++;
    }
  }
  const keep = new Set((await prisma.bidUpload.findMany({ where: { status: 'receiving' }, select: { id: true } })).map((l) => `${l.id}.part`));
  // Other temporary files (store writes in flight) are left alone for a minute.
  const removed = await sweepTempFiles({ keep, minAgeMs: 60_000 });
  return { expired, removedFiles: removed.length };
}

/** At the deadline: close bidding and refuse every unfinished upload. */
export async function closeDueTenders() {
  const prisma = await getPrisma();
  const t = now();
  const due = await prisma.tender.findMany({ where: { status: 'published', bidDeadline: { lte: t } }, select: { id: true, code: true, bidDeadline: true } });
  for (const d of due) {
    await prisma.$transaction(async (tx) => {
      const n = await tx.tender.updateMany({ where: { id: d.id, status: 'published', bidDeadline: { lte: t } }, data: { status: 'closed', updatedAt: t } });
      if (n.count !== 1) return;
      await appendAuditEntry(tx, SYSTEM_ACTOR, {
        action: 'tender.bidding-closed',
        objectType: 'tender',
        objectId: d.id,
        payload: { code: d.code, deadline: d.bidDeadline.toISOString(), closedAt: t.toISOString(), clock: formatDateTime(t) },
      });
    });
  }
  await sweepUploads();
  return { did: due.length };
}

export function decodeSubmission(b64: string): Uint8Array {
  try {
    const b = fromBase64(b64);
    if (b.length < 100 || b.length > 64 * 1024) throw new Error('size');
    return b;
  } catch {
    throw new BiddingError('递交声明格式不正确', 400, {}, 'MALFORMED');
  }
}
