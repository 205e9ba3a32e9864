// Key ceremony and decryption (开标密钥恢复、投标文件解密). docs/decisions/102-103.
//
// The opening key is rebuilt on the server, in memory only, and only after the deadline by the
// trusted clock: shares are refused before it, so nobody (the platform included) can hold k of
// them earlier. The rebuilt key is checked against the published opening certificate (inside
// combineShares). Shares stay in the database only until every bid is processed (a restart in
// between rebuilds the key from them), then they are wiped; their hashes stay in the log.
//
// Each bidder decrypts its own bid in its browser: it unwraps the AES content key from the
// envelope's header with its certificate key and hands back only that key. The server then
// decrypts and verifies the bid. The opening key is the record path (it must unwrap the very same
// content key) and the fallback when a bid could not be decrypted for reasons outside the bidder.
// Failures are classified as 《电子招标投标办法》第三十条 says: bidder's cause → deemed revoked
// (视为撤销); other causes → deemed withdrawn (视为撤回). The opening goes on for the others.
import { unwrapContentKey } from '../../../crypto/envelope';
import { CryptoVerifyError } from '../../../crypto/errors';
import { bytesEqual, fromBase64, fromHex, sha256, toBase64, toHex } from '../../../crypto/hash';
import { openBid } from '../../../crypto/seal';
import { combineShares } from '../../../crypto/shamir';
import { canonicalJson } from '../../../crypto/auditlog';
import { pemToDer } from '../../../crypto/pki';
import { verifyTimeStamp } from '../../../crypto/tsp';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { depositState } from '~/modules/bidding/deposits.server';
import { envelopeSkeleton } from '~/modules/bidding/inspect.server';
import { now } from '~/modules/clock/clock.server';
import { pathOf, readBytes } from '~/modules/files/store.server';
import { log } from '~/modules/log.server';
import { currentCrl, getPlatformPki } from '~/modules/pki/platform.server';
import type { OpeningBid } from '~/generated/prisma/client';
import { getOpening, requireSeat, type RoomUser } from './room.server';
import { recordDecryptedFiles, storeDecryptedFiles } from './plaintext.server';
import { readBidDocuments, recordOpenedBidDocuments } from '~/modules/supervision/fingerprints.server';
import { NoOp, runStep } from './steps.server';
import { OpeningError, type BidResult } from './types';

const OAEP = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;

interface OpeningKey {
  key: CryptoKey;
  cert: Uint8Array;
}

declare global {
  // eslint-disable-next-line no-var
  var __ggzyOpeningKeys: Map<string, OpeningKey> | undefined;
}
const keys = (globalThis.__ggzyOpeningKeys ??= new Map());

/** Forgets rebuilt keys (tests simulate a restart with it). */
export function forgetOpeningKeys() {
  keys.clear();
}

async function importOpeningKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, OAEP, false, ['decrypt']);
  } finally {
    pkcs8.fill(0);
  }
}

/** The opening key, rebuilt once per process from the stored shares (after a restart too). */
export async function openingKeyOf(openingId: string): Promise<OpeningKey | null> {
  const cached = keys.get(openingId);
  if (cached) return cached;
  const prisma = await getPrisma();
  const o = await prisma.opening.findUniqueOrThrow({ where: { id: openingId } });
  if (!o.keyRebuiltAt) return null;
  const shares = await prisma.openingShare.findMany({ where: { openingId, share: { not: null } }, orderBy: { shareIndex: 'asc' } });
  const tender = await prisma.tender.findUniqueOrThrow({ where: { id: o.tenderId }, select: { openingCertPem: true } });
  if (!tender.openingCertPem) return null;
  const cert = pemToDer(tender.openingCertPem);
  try {
    const pkcs8 = await combineShares(shares.map((s) => fromBase64(s.share!)), cert);
    const k = { key: await importOpeningKey(pkcs8), cert };
    keys.set(openingId, k);
    return k;
  } catch {
    return null;
  }
}

/** After a share arrives: with k valid shares, rebuild the key and open the decryption window. */
export async function tryRebuildKey(openingId: string) {
  const prisma = await getPrisma();
  const o = await getOpening(openingId);
  if (o.state !== 'ceremony') return { rebuilt: o.keyRebuiltAt !== null };
  const tender = await prisma.tender.findUniqueOrThrow({ where: { id: o.tenderId }, select: { openingCertPem: true, threshold: true } });
  const shares = await prisma.openingShare.findMany({ where: { openingId }, orderBy: { shareIndex: 'asc' } });
  if (shares.length < tender.threshold || !tender.openingCertPem) return { rebuilt: false, missing: tender.threshold - shares.length };
  const cert = pemToDer(tender.openingCertPem);
  let pkcs8: Uint8Array;
  try {
    pkcs8 = await combineShares(shares.map((s) => fromBase64(s.share!)), cert);
  } catch (e) {
    // Name the bad share and drop it, so its holder can hand in the right one.
    const msg = e instanceof Error ? e.message : String(e);
    const idx = Number(/share index (\d+)/.exec(msg)?.[1] ?? 0);
    const bad = shares.find((s) => s.shareIndex === idx);
    const holder = bad ? await prisma.user.findUnique({ where: { id: bad.userId }, select: { displayName: true } }) : null;
    await runStep(openingId, SYSTEM_ACTOR, async (tx, cur) => {
      if (cur.state !== 'ceremony') throw new NoOp();
      if (bad) await tx.openingShare.delete({ where: { id: bad.id } });
      return { action: 'opening.share.refuse', payload: { shareIndex: idx, name: holder?.displayName ?? '', reason: `开标密钥恢复失败：${msg}` } };
    });
    return { rebuilt: false, error: msg };
  }
  const key = await importOpeningKey(pkcs8);
  const t = now();
  const decryptUntil = new Date(t.getTime() + o.decryptWindowMinutes * 60_000);
  await runStep(openingId, SYSTEM_ACTOR, async (_tx, cur) => {
    if (cur.state !== 'ceremony') throw new NoOp();
    return {
      action: 'opening.key.rebuilt',
      payload: { sharesUsed: shares.map((s) => s.shareIndex), decryptUntil: decryptUntil.toISOString() },
      update: { state: 'decrypting', keyRebuiltAt: t, decryptUntil },
    };
  });
  keys.set(openingId, { key, cert });
  return { rebuilt: true };
}

// ---------------------------------------------------------------------------------------------
// what the bidder's browser needs: the envelope header (recipient infos), never the ciphertext

export async function envelopeHeadsFor(user: RoomUser, openingId: string) {
  const { opening } = await requireSeat(user, openingId, ['bidder']);
  const prisma = await getPrisma();
  const rows = await prisma.openingBid.findMany({ where: { openingId: opening.id, bidderOrgId: user.organizationId! }, orderBy: { position: 'asc' } });
  return Promise.all(
    rows.map(async (r) => {
      let headB64: string | null = null;
      try {
        headB64 = toBase64((await envelopeSkeleton(pathOf(r.envelopeSha256))).skeleton);
      } catch {
        headB64 = null;
      }
      return { bidId: r.bidId, position: r.position, sectionSeq: r.sectionSeq, headB64, result: r.result, decrypted: !!r.contentKey || r.result !== null };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// one bid

export interface Outcome {
  result: BidResult;
  cause: 'bidder' | 'other' | null;
  reasonCode: string | null;
  reason: string | null;
  decryptedBy: 'bidder' | 'opening-key' | null;
  form?: Record<string, unknown>;
  signerSubject?: string;
  signerCertSha256?: string;
  /** The decrypted files of a valid bid, kept for the evaluation (plaintext.server.ts). */
  files?: { name: string; bytes: Uint8Array }[];
}

const REASONS: Record<string, string> = {
  SIGNATURE_INVALID: '投标文件的数字签名无效（签名与内容不符）',
  DIGEST_MISMATCH: '投标文件内容与其签名摘要不符',
  CERT_EXPIRED: '签名证书在递交时已过期',
  CERT_NOT_YET_VALID: '签名证书在递交时尚未生效',
  CERT_REVOKED: '签名证书已被注销',
  CERT_UNTRUSTED: '签名证书不受信任',
  CERT_SIGNATURE_INVALID: '签名证书不是由受信任的CA签发',
  CERT_INVALID: '签名证书无效',
  KEY_USAGE_MISSING: '签名证书不能用于签名',
  BINDING_MISMATCH: '投标文件所属项目、标段或投标人与本次开标不符',
  SIGNER_MISMATCH: '投标文件与递交声明不是同一证书签名',
  MALFORMED: '投标文件格式错误',
  WRONG_SIGNER_COUNT: '投标文件签名数量不正确',
  SIGNER_CERT_MISSING: '投标文件缺少签名证书',
  ATTRIBUTE_MISSING: '投标文件签名缺少必要属性',
  UNSUPPORTED_ALGORITHM: '投标文件使用了不支持的算法',
};

function rejected(code: string, detail: string): Outcome {
  // The library's detail is English; the room and the record show the Chinese reason, and the
  // detail only where no Chinese reason exists.
  return { result: 'rejected', cause: 'bidder', reasonCode: code, reason: REASONS[code] ?? `投标文件验证未通过（${detail.slice(0, 200)}）`, decryptedBy: null };
}

export interface BidContext {
  tenderId: string;
  bidDeadline: Date;
  depositFen: number;
  trustAnchors: Uint8Array[];
  crls: Uint8Array[];
}

export async function bidContextOf(tenderId: string): Promise<BidContext> {
  const prisma = await getPrisma();
  const t = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId }, select: { id: true, bidDeadline: true, depositFen: true } });
  const pki = await getPlatformPki();
  return { tenderId: t.id, bidDeadline: t.bidDeadline, depositFen: t.depositFen, trustAnchors: pki.trustAnchors, crls: [await currentCrl()] };
}

/**
 * Decrypts and verifies one bid: stored ciphertext intact, receipt time-stamp valid and before the
 * deadline, content decrypted (bidder's content key, or the opening key), inner signature,
 * certificate at the time of receipt, binding to tender/section/bidder, file digests, and the
 * record path (the opening key unwraps the same content key). Returns `keyRejected` when the
 * bidder's content key does not open the envelope (the bidder may try again within the window).
 */
export async function evaluateBid(
  ctx: BidContext,
  ob: Pick<OpeningBid, 'bidId' | 'sectionId' | 'bidderOrgId' | 'envelopeSha256'>,
  source: { contentKey: Uint8Array; openingKey?: OpeningKey | null } | { openingKey: OpeningKey },
  envelopeBytes?: Uint8Array,
): Promise<Outcome | { keyRejected: string }> {
  const prisma = await getPrisma();
  const bid = await prisma.bid.findUniqueOrThrow({ where: { id: ob.bidId } });
  const receipt = await prisma.bidReceipt.findFirst({ where: { bidId: ob.bidId, kind: { in: ['submit', 'replace'] } }, orderBy: { tsGenTime: 'desc' } });
  let envelope: Uint8Array;
  try {
    envelope = envelopeBytes ?? (await readBytes(ob.envelopeSha256));
  } catch {
    return { result: 'withdrawn', cause: 'other', reasonCode: 'ENVELOPE_MISSING', reason: '平台存储的密文投标文件缺失', decryptedBy: null };
  }
  if (toHex(await sha256(envelope)) !== ob.envelopeSha256) {
    return { result: 'withdrawn', cause: 'other', reasonCode: 'ENVELOPE_CORRUPT', reason: '平台存储的密文投标文件已损坏（摘要不符）', decryptedBy: null };
  }
  if (!receipt) return { result: 'withdrawn', cause: 'other', reasonCode: 'RECEIPT_MISSING', reason: '缺少投标回执及可信时间戳', decryptedBy: null };
  let genTime: Date;
  try {
    genTime = (await verifyTimeStamp({ token: fromBase64(receipt.tsToken), digest: fromHex(ob.envelopeSha256), trustAnchors: ctx.trustAnchors })).genTime;
  } catch (e) {
    return { result: 'withdrawn', cause: 'other', reasonCode: 'TIMESTAMP_INVALID', reason: `投标回执时间戳无效：${e instanceof Error ? e.message : String(e)}`, decryptedBy: null };
  }
  if (genTime >= ctx.bidDeadline) return { result: 'rejected', cause: 'other', reasonCode: 'LATE', reason: '投标文件的可信时间晚于投标截止时间', decryptedBy: null };

  const decryptedBy = 'contentKey' in source ? 'bidder' : 'opening-key';
  let opened;
  try {
    opened = await openBid({
      envelope,
      ...('contentKey' in source ? { contentKey: source.contentKey } : { recipientCert: source.openingKey.cert, recipientKey: source.openingKey.key }),
      trustAnchors: ctx.trustAnchors,
      crls: ctx.crls,
      at: genTime,
      expect: { tenderId: ctx.tenderId, sectionId: ob.sectionId, bidderId: ob.bidderOrgId },
      signerCertSha256: bid.signerCertSha256,
      submission: fromBase64(bid.submission),
    });
  } catch (e) {
    const code = e instanceof CryptoVerifyError ? e.code : 'MALFORMED';
    const msg = e instanceof Error ? e.message : String(e);
    if (code === 'DECRYPT_FAILED' || code === 'WRONG_RECIPIENT') {
      if (decryptedBy === 'bidder') return { keyRejected: '提交的密钥无法解开该投标文件，请确认使用的是投标时的数字证书' };
      return { result: 'withdrawn', cause: 'other', reasonCode: 'OPENING_KEY_FAILED', reason: `开标密钥无法解密该投标文件：${msg.slice(0, 160)}`, decryptedBy: null };
    }
    return { ...rejected(code, msg), decryptedBy };
  }
  // The record path: the opening key must unwrap the very key the bidder handed back.
  if ('contentKey' in source && source.openingKey) {
    let same = false;
    try {
      const cek = await unwrapContentKey({ envelope, recipientCert: source.openingKey.cert, recipientKey: source.openingKey.key });
      same = bytesEqual(cek, source.contentKey);
      cek.fill(0);
    } catch {
      same = false;
    }
    if (!same) return { result: 'rejected', cause: 'bidder', reasonCode: 'RECORD_PATH_MISMATCH', reason: '投标文件对开标证书的加密与对投标人证书的加密不一致', decryptedBy };
  }
  return { result: 'valid', cause: null, reasonCode: null, reason: null, decryptedBy, form: opened.manifest.form, signerSubject: opened.signer.subject, signerCertSha256: opened.signer.sha256, files: opened.files };
}

async function depositLabel(ctx: BidContext, ob: Pick<OpeningBid, 'bidderOrgId' | 'sectionId'>) {
  try {
    const d = await depositState(ob.bidderOrgId, { id: ctx.tenderId, depositFen: ctx.depositFen }, ob.sectionId);
    return !d.required ? 'none' : d.paid ? 'paid' : d.guarantee?.status === 'verified' ? 'guarantee' : 'unpaid';
  } catch {
    return 'unpaid';
  }
}

async function commitOutcome(openingId: string, actor: Actor, ob: OpeningBid, out: Outcome, extra: { contentKeyB64?: string } = {}) {
  const ctx = await bidContextOf((await getOpening(openingId)).tenderId);
  const deposit = out.result === 'valid' ? await depositLabel(ctx, ob) : null;
  const formSha256 = out.form ? toHex(await sha256(new TextEncoder().encode(canonicalJson(out.form)))) : null;
  const plainFiles = out.result === 'valid' && out.files ? await storeDecryptedFiles(out.files) : [];
  // 围标串标 signals: the files' hashes and authoring metadata (never contents), read by supervision.
  const documents = out.result === 'valid' && out.files ? await readBidDocuments(out.files.map((f, i) => ({ ...f, sha256: plainFiles[i]?.sha256 }))) : null;
  return runStep(openingId, actor, async (tx) => {
    const cur = await tx.openingBid.findUniqueOrThrow({ where: { id: ob.id } });
    if (cur.result) throw new NoOp();
    const t = now();
    await tx.openingBid.update({
      where: { id: ob.id },
      data: {
        result: out.result,
        cause: out.cause,
        reasonCode: out.reasonCode,
        reason: out.reason,
        decryptedBy: out.decryptedBy,
        form: out.form ? (JSON.parse(JSON.stringify(out.form)) as object) : undefined,
        signerSubject: out.signerSubject ?? null,
        signerCertSha256: out.signerCertSha256 ?? null,
        depositStatus: deposit,
        processedAt: t,
        ...(extra.contentKeyB64 ? { contentKey: extra.contentKeyB64, bidderDecryptAt: t } : {}),
      },
    });
    await recordDecryptedFiles(tx, ob.id, plainFiles);
    if (documents) await recordOpenedBidDocuments(tx, { tenderId: ctx.tenderId, sectionId: ob.sectionId, bidId: ob.bidId, bidderOrgId: ob.bidderOrgId, bidderName: ob.bidderName, documents });
    const total = await tx.openingBid.count({ where: { openingId } });
    const done = await tx.openingBid.count({ where: { openingId, result: { not: null } } });
    return {
      action: 'opening.bid.result',
      payload: {
        bidId: ob.bidId,
        position: ob.position,
        result: out.result,
        cause: out.cause,
        reasonCode: out.reasonCode,
        reason: out.reason,
        decryptedBy: out.decryptedBy,
        signerSubject: out.signerSubject ?? null,
        signerCertSha256: out.signerCertSha256 ?? null,
        depositStatus: deposit,
        formSha256,
      },
      view: { bidderName: ob.bidderName, sectionSeq: ob.sectionSeq, done, total },
    };
  });
}

/** The bidder hands back the content key it unwrapped in its browser (never the plaintext). */
export async function submitContentKey(actor: Actor, user: RoomUser, openingId: string, input: { bidId: string; contentKeyB64: string }) {
  const { opening } = await requireSeat(user, openingId, ['bidder']);
  if (opening.state !== 'decrypting') throw new OpeningError('当前不在解密环节', 409, 'WRONG_STATE');
  if (opening.paused) throw new OpeningError('开标已被监督人员暂停，请等待恢复', 409, 'PAUSED');
  if (opening.decryptUntil && now() > opening.decryptUntil) throw new OpeningError('解密时限已过', 409, 'WINDOW_CLOSED');
  const prisma = await getPrisma();
  const ob = await prisma.openingBid.findFirst({ where: { openingId, bidId: input.bidId, bidderOrgId: user.organizationId! } });
  if (!ob) throw new OpeningError('投标文件不存在', 404, 'NOT_FOUND');
  if (ob.result) return { result: ob.result };
  let key: Uint8Array;
  try {
    key = fromBase64(input.contentKeyB64);
  } catch {
    throw new OpeningError('密钥格式错误', 400, 'BAD_INPUT');
  }
  if (key.length !== 32) throw new OpeningError('密钥长度错误', 400, 'BAD_INPUT');
  const ctx = await bidContextOf(opening.tenderId);
  const out = await evaluateBid(ctx, ob, { contentKey: key, openingKey: await openingKeyOf(openingId) });
  if ('keyRejected' in out) {
    await runStep(openingId, actor, async () => ({ action: 'opening.bid.decrypt.fail', payload: { bidId: ob.bidId, position: ob.position, reason: out.keyRejected } }));
    throw new OpeningError(out.keyRejected, 400, 'KEY_REJECTED');
  }
  await commitOutcome(openingId, actor, ob, out, { contentKeyB64: input.contentKeyB64 });
  return { result: out.result };
}

/** The bidder's browser could not unwrap its key (wrong certificate, …): logged for the record. */
export async function reportDecryptFailure(actor: Actor, user: RoomUser, openingId: string, input: { bidId: string; reason: string }) {
  await requireSeat(user, openingId, ['bidder']);
  const prisma = await getPrisma();
  const ob = await prisma.openingBid.findFirst({ where: { openingId, bidId: input.bidId, bidderOrgId: user.organizationId! } });
  if (!ob) throw new OpeningError('投标文件不存在', 404, 'NOT_FOUND');
  // A cap keeps a looping client from flooding the log; the attempts before it are on record.
  const prior = await prisma.openingEvent.count({ where: { openingId, type: 'bid.decrypt.fail', data: { path: ['bidId'], equals: ob.bidId } } });
  if (prior >= 10) return;
  await runStep(openingId, actor, async (_tx, o) => {
    if (o.state !== 'decrypting') throw new OpeningError('当前不在解密环节', 409, 'WRONG_STATE');
    const cur = await _tx.openingBid.findUniqueOrThrow({ where: { id: ob.id } });
    if (cur.result) throw new NoOp();
    return { action: 'opening.bid.decrypt.fail', payload: { bidId: ob.bidId, position: ob.position, reason: `投标人端：${input.reason.slice(0, 200)}` }, view: { bidderName: ob.bidderName } };
  });
}

/** The host has a bid opened with the opening key because its bidder could not for others' reasons. */
export async function grantFallback(actor: Actor, user: RoomUser, openingId: string, input: { bidId: string; reason: string }) {
  await requireSeat(user, openingId, ['host']);
  const reason = input.reason.trim();
  if (reason.length < 4 || reason.length > 300) throw new OpeningError('请说明非投标人原因（4-300字）', 400, 'BAD_INPUT');
  const prisma = await getPrisma();
  await runStep(openingId, actor, async (tx, o) => {
    if (o.state !== 'decrypting') throw new OpeningError('当前不在解密环节', 409, 'WRONG_STATE');
    const ob = await tx.openingBid.findFirst({ where: { openingId, bidId: input.bidId } });
    if (!ob) throw new OpeningError('投标文件不存在', 404, 'NOT_FOUND');
    if (ob.result || ob.fallbackReason) throw new NoOp();
    await tx.openingBid.update({ where: { id: ob.id }, data: { fallbackReason: reason } });
    return { action: 'opening.bid.fallback', payload: { bidId: ob.bidId, position: ob.position, reason }, view: { bidderName: ob.bidderName } };
  });
  const ob = await prisma.openingBid.findFirstOrThrow({ where: { openingId, bidId: input.bidId } });
  await processOne(openingId, ob);
}

async function processOne(openingId: string, ob: OpeningBid) {
  if (ob.result) return;
  const o = await getOpening(openingId);
  const ctx = await bidContextOf(o.tenderId);
  let out: Outcome;
  if (ob.fallbackReason) {
    const key = await openingKeyOf(openingId);
    if (!key) out = { result: 'withdrawn', cause: 'other', reasonCode: 'OPENING_KEY_UNAVAILABLE', reason: '开标密钥未能恢复，无法解密', decryptedBy: null };
    else {
      const r = await evaluateBid(ctx, ob, { openingKey: key });
      out = 'keyRejected' in r ? { result: 'withdrawn', cause: 'other', reasonCode: 'OPENING_KEY_FAILED', reason: r.keyRejected, decryptedBy: null } : r;
    }
  } else {
    const prisma = await getPrisma();
    const failed = await prisma.openingEvent.count({ where: { openingId, type: 'bid.decrypt.fail', data: { path: ['bidId'], equals: ob.bidId } } });
    const reason = failed ? `投标人未在解密时限内完成解密（期间解密失败 ${failed} 次）` : '投标人未在解密时限内完成解密';
    out = { result: 'revoked', cause: 'bidder', reasonCode: 'NOT_DECRYPTED', reason, decryptedBy: null };
  }
  await commitOutcome(openingId, SYSTEM_ACTOR, ob, out);
}

/** Ends the decryption window (host, or the job once the window has passed). */
export async function endDecryption(actor: Actor, user: RoomUser | null, openingId: string) {
  if (user) await requireSeat(user, openingId, ['host']);
  await runStep(openingId, actor, async (tx, o) => {
    if (o.state !== 'decrypting') throw new NoOp();
    if (o.paused) throw new OpeningError('开标已被监督人员暂停，请等待恢复', 409, 'PAUSED');
    const pending = await tx.openingBid.count({ where: { openingId, result: null } });
    if (pending > 0 && o.decryptUntil && now() < o.decryptUntil) {
      throw new OpeningError(`解密时限未到，仍有 ${pending} 份投标文件未解密`, 409, 'WINDOW_OPEN');
    }
    return { action: 'opening.decrypt.end', payload: { pending }, update: { state: 'processing' } };
  });
  return processRemaining(openingId);
}

const running = new Map<string, Promise<void>>();

/** Processes every bid still without a result, then moves to bid reading. Resumable, idempotent. */
export function processRemaining(openingId: string, opts: { concurrency?: number } = {}): Promise<void> {
  let p = running.get(openingId);
  if (!p) {
    p = (async () => {
      const prisma = await getPrisma();
      const o = await getOpening(openingId);
      if (o.state !== 'processing') return;
      const todo = await prisma.openingBid.findMany({ where: { openingId, result: null }, orderBy: { position: 'asc' } });
      let next = 0;
      const worker = async () => {
        while (next < todo.length) {
          const ob = todo[next++];
          await processOne(openingId, ob);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
      await runStep(openingId, SYSTEM_ACTOR, async (tx, cur) => {
        if (cur.state !== 'processing') throw new NoOp();
        const left = await tx.openingBid.count({ where: { openingId, result: null } });
        if (left > 0) throw new NoOp();
        const counts = await tx.openingBid.groupBy({ by: ['result'], where: { openingId }, _count: true });
        // The key is not needed any more: wipe the shares (their hashes are in the log).
        await tx.openingShare.updateMany({ where: { openingId }, data: { share: null } });
        return {
          action: 'opening.decrypt.finish',
          payload: { counts: Object.fromEntries(counts.map((c) => [c.result ?? 'none', c._count])) },
          update: { state: 'reading' },
        };
      });
      keys.delete(openingId);
    })()
      .catch((e) => log.warn('opening.process_failed', { openingId, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => running.delete(openingId));
    running.set(openingId, p);
  }
  return p;
}
