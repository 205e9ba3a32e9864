// The opening room (开标室): who may enter, check-in, the host's steps, objections, pauses and the
// host hand-over. Decryption lives in decrypt.server.ts, the record in record.server.ts.
// Every state change is a step (steps.server.ts): one transaction, one audit entry, one event.
import { fromBase64, sha256, toHex } from '../../../crypto/hash';
import { decodeShare } from '../../../crypto/shamir';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { challengeMessage } from '~/modules/pki/protocol';
import { consumeChallenge, verifyUserSignature } from '~/modules/pki/user-certs.server';
import { NoOp, runStep } from './steps.server';
import { CHECKIN_LEAD_MS, CHECKIN_PURPOSE, OpeningError, type OpeningState } from './types';

export interface RoomUser {
  id: string;
  role: string;
  organizationId: string | null;
  displayName: string;
}

/** What a person is in this room: decides which buttons exist and which steps are accepted. */
export type Seat = 'host' | 'agent' | 'bidder' | 'supervisor' | 'public';

const DEFAULT_WINDOW_MINUTES = 30;

// ---------------------------------------------------------------------------------------------
// creation

/**
 * The room of a tender, created on first use once the tender is published with an opening
 * certificate (idempotent: one room per tender). The first step records what the record needs
 * about the tender, so the record never depends on later edits of the tender row.
 */
export async function ensureOpening(tenderId: string, opts: { decryptWindowMinutes?: number; publicWatch?: boolean } = {}) {
  const prisma = await getPrisma();
  const existing = await prisma.opening.findUnique({ where: { tenderId } });
  if (existing && existing.lastSeq > 0) return existing;
  const tender = await prisma.tender.findUnique({ where: { id: tenderId }, include: { sections: { orderBy: { seq: 'asc' } }, holders: { orderBy: { shareIndex: 'asc' } } } });
  if (!tender || !['published', 'closed', 'opening', 'opened'].includes(tender.status) || !tender.openingCertPem) {
    throw new OpeningError('该项目尚未发布或没有开标证书，无法开标', 404, 'NO_TENDER');
  }
  const host = await prisma.user.findUnique({ where: { id: tender.createdById }, include: { organization: true } });
  const holderUsers = await prisma.user.findMany({ where: { id: { in: tender.holders.map((h) => h.userId) } }, select: { id: true, displayName: true } });
  const t = now();
  let created = existing;
  if (!created) try {
    created = await prisma.opening.create({
      data: {
        tenderId,
        state: 'checkin',
        hostUserId: tender.createdById,
        hostOrgId: tender.agentOrgId,
        publicWatch: opts.publicWatch ?? tender.method === 'open',
        decryptWindowMinutes: opts.decryptWindowMinutes ?? DEFAULT_WINDOW_MINUTES,
        createdAt: t,
        updatedAt: t,
      },
    });
  } catch {
    // a concurrent first visit created it
    created = await prisma.opening.findUniqueOrThrow({ where: { tenderId } });
  }
  const openingId = created.id;
  const windowMinutes = created.decryptWindowMinutes;
  const bidForm = Array.isArray(tender.bidForm) ? (tender.bidForm as { key: string; label: string; type: string }[]) : [];
  await runStep(openingId, SYSTEM_ACTOR, async (_tx, o) => {
    if (o.lastSeq > 0) throw new NoOp();
    return {
    action: 'opening.create',
    payload: {
      tender: {
        id: tender.id,
        code: tender.code,
        name: tender.name,
        tendererName: tender.tendererName,
        bidDeadline: tender.bidDeadline.toISOString(),
        threshold: tender.threshold,
        openingCertSha256: tender.openingCertSha256,
        sections: tender.sections.map((s) => ({ id: s.id, seq: s.seq, name: s.name })),
        bidForm: bidForm.map((f) => ({ key: f.key, label: f.label, type: f.type })),
      },
      host: { userId: host?.id ?? tender.createdById, name: host?.displayName ?? '', orgName: host?.organization?.name ?? null },
      holders: tender.holders.map((h) => ({ shareIndex: h.shareIndex, kind: h.kind, name: holderUsers.find((u) => u.id === h.userId)?.displayName ?? '' })),
      decryptWindowMinutes: windowMinutes,
    },
    };
  });
  return prisma.opening.findUniqueOrThrow({ where: { id: openingId } });
}

export async function getOpening(openingId: string) {
  const prisma = await getPrisma();
  const o = await prisma.opening.findUnique({ where: { id: openingId } });
  if (!o) throw new OpeningError('开标室不存在', 404, 'NOT_FOUND');
  return o;
}

export async function openingByTender(tenderId: string) {
  const prisma = await getPrisma();
  return prisma.opening.findUnique({ where: { tenderId } });
}

// ---------------------------------------------------------------------------------------------
// seats

/** Which seat the user has in the room; null when they may not enter. */
export async function seatOf(user: RoomUser | null, opening: { id: string; tenderId: string; hostUserId: string; hostOrgId: string; publicWatch: boolean }): Promise<Seat | null> {
  if (user) {
    if (user.id === opening.hostUserId) return 'host';
    if (user.role === 'tenderer' && user.organizationId === opening.hostOrgId) return 'agent';
    if (user.role === 'supervisor' && can(user.role, 'attend:opening')) return 'supervisor';
    if (user.role === 'bidder' && user.organizationId && (await bidsOfOrg(opening, user.organizationId)) > 0) return 'bidder';
  }
  return opening.publicWatch ? 'public' : null;
}

async function bidsOfOrg(opening: { id: string; tenderId: string }, orgId: string) {
  const prisma = await getPrisma();
  const listed = await prisma.openingBid.count({ where: { openingId: opening.id, bidderOrgId: orgId } });
  if (listed > 0) return listed;
  return prisma.bid.count({ where: { tenderId: opening.tenderId, bidderOrgId: orgId, status: 'active' } });
}

export async function requireSeat(user: RoomUser | null, openingId: string, allowed: Seat[]) {
  const opening = await getOpening(openingId);
  const seat = await seatOf(user, opening);
  if (!seat || !allowed.includes(seat)) throw new OpeningError('您在本开标室没有此项权限', 403, 'FORBIDDEN');
  return { opening, seat };
}

function refuseWhenPaused(o: { paused: boolean; pauseReason: string | null }) {
  if (o.paused) throw new OpeningError(`开标已被监督人员暂停${o.pauseReason ? `（${o.pauseReason}）` : ''}，请等待恢复`, 409, 'PAUSED');
}

function requireState(o: { state: string }, ...states: OpeningState[]) {
  if (!states.includes(o.state as OpeningState)) throw new OpeningError('当前开标环节不能进行此操作', 409, 'WRONG_STATE');
}

async function deadlineOf(tx: Tx, tenderId: string) {
  return (await tx.tender.findUniqueOrThrow({ where: { id: tenderId }, select: { bidDeadline: true } })).bidDeadline;
}

// ---------------------------------------------------------------------------------------------
// check-in (签到): a signature over a fresh challenge with the person's own certificate

export async function checkIn(actor: Actor, user: RoomUser, openingId: string, input: { challengeId: string; signatureB64: string }) {
  const { opening, seat } = await requireSeat(user, openingId, ['host', 'agent', 'bidder', 'supervisor']);
  if (opening.state === 'closed') throw new OpeningError('开标已结束', 409, 'WRONG_STATE');
  const prisma = await getPrisma();
  const deadline = (await prisma.tender.findUniqueOrThrow({ where: { id: opening.tenderId }, select: { bidDeadline: true } })).bidDeadline;
  if (now().getTime() < deadline.getTime() - CHECKIN_LEAD_MS) throw new OpeningError('签到将于开标前30分钟开放', 409, 'TOO_EARLY');
  const challenge = await consumeChallenge(input.challengeId, CHECKIN_PURPOSE);
  if (challenge.userId !== user.id) throw new OpeningError('签到验证请求与当前用户不符', 400, 'CHALLENGE_INVALID');
  let verified;
  try {
    verified = await verifyUserSignature({ userId: user.id, signedData: fromBase64(input.signatureB64), content: challengeMessage(CHECKIN_PURPOSE, challenge.nonce) });
  } catch (e) {
    throw new OpeningError(`签到签名验证失败：${e instanceof Error ? e.message : String(e)}`, 400, 'SIGNATURE_INVALID');
  }
  const certRow = await prisma.certificate.findUniqueOrThrow({ where: { id: verified.certificateId }, select: { sha256: true } });
  const org = user.organizationId ? await prisma.organization.findUnique({ where: { id: user.organizationId }, select: { name: true } }) : null;
  const kind = seat === 'bidder' ? 'bidder' : seat === 'supervisor' ? 'supervisor' : 'agent';
  return runStep(openingId, actor, async (tx) => {
    const prior = await tx.openingAttendance.findUnique({ where: { openingId_userId: { openingId, userId: user.id } } });
    if (prior?.checkedInAt) throw new NoOp();
    const t = now();
    await tx.openingAttendance.upsert({
      where: { openingId_userId: { openingId, userId: user.id } },
      create: { openingId, userId: user.id, orgId: user.organizationId, kind, name: user.displayName, orgName: org?.name ?? null, certSha256: certRow.sha256, signature: input.signatureB64, checkedInAt: t },
      update: { certSha256: certRow.sha256, signature: input.signatureB64, checkedInAt: t },
    });
    return { action: 'opening.checkin', payload: { userId: user.id, name: user.displayName, orgName: org?.name ?? null, kind, certSha256: certRow.sha256 } };
  });
}

// ---------------------------------------------------------------------------------------------
// start (开标): after the deadline by the trusted clock; the bids in the room are fixed here

export async function startOpening(actor: Actor, user: RoomUser, openingId: string) {
  await requireSeat(user, openingId, ['host']);
  return runStep(openingId, actor, async (tx, o) => {
    if (o.state !== 'checkin') throw new NoOp();
    refuseWhenPaused(o);
    const deadline = await deadlineOf(tx, o.tenderId);
    if (now() < deadline) throw new OpeningError('投标截止时间未到，不能开标', 409, 'TOO_EARLY');
    const bids = await tx.bid.findMany({ where: { tenderId: o.tenderId, status: 'active' }, include: { section: true, receipts: { where: { kind: { in: ['submit', 'replace'] } }, orderBy: { tsGenTime: 'desc' }, take: 1 } } });
    const orgs = await tx.organization.findMany({ where: { id: { in: bids.map((b) => b.bidderOrgId) } }, select: { id: true, name: true } });
    // Reading order: section, then time of receipt (earliest first), as the hall reads them.
    bids.sort((a, b) => a.section.seq - b.section.seq || (a.receipts[0]?.tsGenTime.getTime() ?? 0) - (b.receipts[0]?.tsGenTime.getTime() ?? 0) || a.id.localeCompare(b.id));
    const rows = bids.map((b, i) => ({
      bidId: b.id,
      position: i + 1,
      sectionId: b.sectionId,
      sectionSeq: b.section.seq,
      bidderOrgId: b.bidderOrgId,
      bidderName: orgs.find((x) => x.id === b.bidderOrgId)?.name ?? '',
      envelopeSha256: b.envelopeSha256,
      receiptNo: b.receipts[0]?.receiptNo ?? null,
      tsGenTime: b.receipts[0]?.tsGenTime.toISOString() ?? null,
    }));
    if (rows.length) {
      await tx.openingBid.createMany({
        data: rows.map((r) => ({ openingId, ...r, tsGenTime: r.tsGenTime ? new Date(r.tsGenTime) : null })),
      });
    }
    await tx.tender.update({ where: { id: o.tenderId }, data: { status: 'opening', updatedAt: now() } });
    return {
      action: 'opening.start',
      payload: { bids: rows.map(({ sectionId: _s, bidderOrgId: _o, ...r }) => r) },
      update: { state: 'ceremony', startedAt: now() },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// key ceremony (开标密钥恢复): holders decrypt their shares in their browsers and hand them in

export async function holderShareFor(user: RoomUser, openingId: string) {
  const opening = await getOpening(openingId);
  const prisma = await getPrisma();
  const h = await prisma.keyHolder.findUnique({ where: { tenderId_userId: { tenderId: opening.tenderId, userId: user.id } } });
  if (!h || !h.encryptedShare) return null;
  const submitted = await prisma.openingShare.findUnique({ where: { openingId_userId: { openingId, userId: user.id } } });
  return { shareIndex: h.shareIndex, holderCertSha256: h.holderCertSha256, encryptedShareB64: h.encryptedShare, submitted: !!submitted };
}

export async function submitShare(actor: Actor, user: RoomUser, openingId: string, shareB64: string) {
  const prisma = await getPrisma();
  const opening = await getOpening(openingId);
  const holder = await prisma.keyHolder.findUnique({ where: { tenderId_userId: { tenderId: opening.tenderId, userId: user.id } } });
  if (!holder) throw new OpeningError('您不是本项目的开标密钥持有人', 403, 'NOT_HOLDER');
  const tender = await prisma.tender.findUniqueOrThrow({ where: { id: opening.tenderId }, select: { openingKeyId: true, bidDeadline: true } });
  // Shares are accepted only after the deadline by the trusted clock and only in the ceremony:
  // before that nobody, the platform included, can gather k of them.
  if (now() < tender.bidDeadline) throw new OpeningError('投标截止时间未到，不能提交密钥份额', 409, 'TOO_EARLY');
  let share: Uint8Array;
  let problem: string | null = null;
  try {
    share = fromBase64(shareB64);
    const d = await decodeShare(share, '密钥份额');
    if (toHex(d.keyId) !== tender.openingKeyId) problem = '该份额不属于本项目的开标密钥';
    else if (d.index !== holder.shareIndex) problem = `该份额的序号为 ${d.index}，您持有的是第 ${holder.shareIndex} 份`;
  } catch (e) {
    share = new Uint8Array(0);
    problem = `份额格式错误：${e instanceof Error ? e.message : String(e)}`;
  }
  if (problem) {
    await runStep(openingId, actor, async (_tx, o) => {
      requireState(o, 'ceremony');
      return { action: 'opening.share.refuse', payload: { shareIndex: holder.shareIndex, name: user.displayName, reason: problem } };
    });
    throw new OpeningError(problem, 400, 'BAD_SHARE');
  }
  const shareSha256 = toHex(await sha256(share));
  await runStep(openingId, actor, async (tx, o) => {
    requireState(o, 'ceremony');
    refuseWhenPaused(o);
    const prior = await tx.openingShare.findUnique({ where: { openingId_userId: { openingId, userId: user.id } } });
    if (prior) throw new NoOp();
    await tx.openingShare.create({ data: { openingId, userId: user.id, shareIndex: holder.shareIndex, share: shareB64, shareSha256, submittedAt: now() } });
    const count = await tx.openingShare.count({ where: { openingId } });
    return { action: 'opening.share.submit', payload: { shareIndex: holder.shareIndex, name: user.displayName, shareSha256 }, view: { submitted: count } };
  });
  const { tryRebuildKey } = await import('./decrypt.server');
  return tryRebuildKey(openingId);
}

// ---------------------------------------------------------------------------------------------
// bid reading (唱标), objections (异议), confirmations (确认), pause (暂停), host hand-over

export async function readNext(actor: Actor, user: RoomUser, openingId: string) {
  await requireSeat(user, openingId, ['host']);
  return runStep(openingId, actor, async (tx, o) => {
    requireState(o, 'reading');
    refuseWhenPaused(o);
    const next = await tx.openingBid.findFirst({ where: { openingId, result: 'valid', readAt: null }, orderBy: { position: 'asc' } });
    if (!next) throw new OpeningError('所有有效投标均已唱标', 409, 'ALL_READ');
    await tx.openingBid.update({ where: { id: next.id }, data: { readAt: now() } });
    return {
      action: 'opening.bid.read',
      payload: { bidId: next.bidId, position: next.position, form: next.form },
      view: { bidderName: next.bidderName, sectionSeq: next.sectionSeq, depositStatus: next.depositStatus },
      update: { readCount: o.readCount + 1 },
    };
  });
}

export async function raiseObjection(actor: Actor, user: RoomUser, openingId: string, input: { text: string; bidId?: string | null }) {
  await requireSeat(user, openingId, ['bidder']);
  const text = input.text.trim();
  if (text.length < 2 || text.length > 1000) throw new OpeningError('异议内容须为2-1000字', 400, 'BAD_INPUT');
  const prisma = await getPrisma();
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: user.organizationId! }, select: { name: true } });
  return runStep(openingId, actor, async (tx, o) => {
    requireState(o, 'ceremony', 'decrypting', 'reading');
    const bid = input.bidId ? await tx.openingBid.findFirst({ where: { openingId, bidId: input.bidId } }) : null;
    const seq = (await tx.openingObjection.count({ where: { openingId } })) + 1;
    await tx.openingObjection.create({ data: { openingId, seq, userId: user.id, orgId: user.organizationId, orgName: org.name, openingBidId: bid?.id ?? null, text, createdAt: now() } });
    return { action: 'opening.objection', payload: { objectionSeq: seq, orgName: org.name, bidPosition: bid?.position ?? null, text } };
  });
}

export async function answerObjection(actor: Actor, user: RoomUser, openingId: string, input: { objectionSeq: number; answer: string }) {
  await requireSeat(user, openingId, ['host']);
  const answer = input.answer.trim();
  if (answer.length < 2 || answer.length > 2000) throw new OpeningError('答复内容须为2-2000字', 400, 'BAD_INPUT');
  return runStep(openingId, actor, async (tx, o) => {
    requireState(o, 'ceremony', 'decrypting', 'reading');
    const obj = await tx.openingObjection.findUnique({ where: { openingId_seq: { openingId, seq: input.objectionSeq } } });
    if (!obj) throw new OpeningError('异议不存在', 404, 'NOT_FOUND');
    if (obj.answeredAt) throw new OpeningError('该异议已答复', 409, 'ANSWERED');
    await tx.openingObjection.update({ where: { id: obj.id }, data: { answer, answeredById: user.id, answeredAt: now() } });
    return { action: 'opening.answer', payload: { objectionSeq: obj.seq, answer } };
  });
}

export async function confirmResult(actor: Actor, user: RoomUser, openingId: string) {
  await requireSeat(user, openingId, ['bidder']);
  const prisma = await getPrisma();
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: user.organizationId! }, select: { name: true } });
  return runStep(openingId, actor, async (tx, o) => {
    requireState(o, 'reading');
    const a = await tx.openingAttendance.findUnique({ where: { openingId_userId: { openingId, userId: user.id } } });
    if (!a?.checkedInAt) throw new OpeningError('请先签到', 409, 'NOT_CHECKED_IN');
    const already = await tx.openingAttendance.count({ where: { openingId, orgId: user.organizationId, confirmedAt: { not: null } } });
    if (already > 0) throw new NoOp();
    await tx.openingAttendance.update({ where: { id: a.id }, data: { confirmedAt: now() } });
    return { action: 'opening.confirm', payload: { orgName: org.name, name: user.displayName } };
  });
}

export async function pauseOpening(actor: Actor, user: RoomUser, openingId: string, reason: string) {
  await requireSeat(user, openingId, ['supervisor']);
  const why = reason.trim();
  if (why.length < 2 || why.length > 500) throw new OpeningError('请填写暂停原因（2-500字）', 400, 'BAD_INPUT');
  return runStep(openingId, actor, async (_tx, o) => {
    if (o.state === 'closed' || o.state === 'signing') throw new OpeningError('开标已结束，不能暂停', 409, 'WRONG_STATE');
    if (o.paused) throw new NoOp();
    return { action: 'opening.pause', payload: { reason: why }, update: { paused: true, pauseReason: why } };
  });
}

export async function resumeOpening(actor: Actor, user: RoomUser, openingId: string) {
  await requireSeat(user, openingId, ['supervisor']);
  return runStep(openingId, actor, async (_tx, o) => {
    if (!o.paused) throw new NoOp();
    return { action: 'opening.resume', payload: {}, update: { paused: false, pauseReason: null } };
  });
}

/** Another agent of the host's organization takes over (the host dropped out). */
export async function takeOverHost(actor: Actor, user: RoomUser, openingId: string, reason: string) {
  await requireSeat(user, openingId, ['agent']);
  const why = reason.trim() || '原主持人掉线';
  return runStep(openingId, actor, async (tx, o) => {
    if (o.state === 'closed') throw new OpeningError('开标已结束', 409, 'WRONG_STATE');
    const from = await tx.user.findUnique({ where: { id: o.hostUserId }, select: { displayName: true } });
    return {
      action: 'opening.host.replace',
      payload: { fromUserId: o.hostUserId, fromName: from?.displayName ?? '', toUserId: user.id, toName: user.displayName, reason: why.slice(0, 200) },
      update: { hostUserId: user.id },
    };
  });
}
