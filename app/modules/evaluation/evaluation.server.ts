// 评标 (online evaluation) as a state machine, one per tender section (docs/decisions/110):
//   planned → (expert draw) drawn → (every member accepted and declared) evaluating
//   → (chair aggregates, report generated) reporting → (every member signed) reported
//   → publicity → awarded → closed   (award.server.ts)
// Every transition runs in one transaction with its audit entry. Who may see what is decided in
// access.server.ts; this file assumes the route has checked the permission and passes the user.
import { commitSeed, generateSeed, runDraw, verifyDraw, type DrawRecord } from '../../../crypto/draw';
import { CryptoVerifyError } from '../../../crypto/errors';
import { fromBase64, toHex, utf8 } from '../../../crypto/hash';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { Prisma } from '~/generated/prisma/client';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { avoidanceLookbackDays } from '~/modules/experts/experts.server';
import { deliverMails, notifyUsers } from '~/modules/notify/notify.server';
import { verifyUserSignature } from '~/modules/pki/user-certs.server';
import { openedBidsOfSection } from './opened-bids.server';
import { tallyChairElection } from './chair';
import { computeResults } from './results';
import { screenExperts, type ConflictParty, type ExpertForScreening } from './screening';
import { declarationText, parseCriteria, parsePoints, reportStatement, DEFAULT_PRICE_WEIGHT, DEPOSIT_UNPAID_CHECK, type Criterion } from './types';

export class EvaluationError extends Error {
  constructor(
    message: string,
    public status = 400,
    public fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export interface EvalUser {
  id: string;
  role: string;
  organizationId: string | null;
  displayName: string;
}

const HOUR_MS = 3600_000;
/** The draw runs this long before the committee convenes ("shortly before the evaluation"). */
export const DRAW_LEAD_MS = 2 * HOUR_MS;
/** Default time a bidder has to answer a clarification. */
export const CLARIFICATION_HOURS = 24;

async function lockEvaluation(tx: Tx, id: string) {
  await tx.$queryRaw`SELECT id FROM "TenderEvaluation" WHERE id = ${id} FOR UPDATE`;
  const ev = await tx.tenderEvaluation.findUnique({ where: { id } });
  if (!ev) throw new EvaluationError('评标项目不存在', 404);
  return ev;
}

export function criteriaOf(ev: { criteria: Prisma.JsonValue }): Criterion[] {
  return (Array.isArray(ev.criteria) ? ev.criteria : []) as unknown as Criterion[];
}

function parseBeijingLocal(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5]));
  return Number.isNaN(d.getTime()) ? null : d;
}

// ---------------------------------------------------------------------------------------------
// Plan (评标登记) and the seed commitment

export interface PlanInput {
  sectionId: string;
  method: 'comprehensive' | 'lowest_price';
  specialty: string;
  expertCount: number;
  scheduledAt: string;
  priceWeight?: number;
  criteriaText?: string;
}

/**
 * The agent registers the evaluation of an opened section. The draw's seed is generated and its
 * commitment fixed now, before the eligibility of any expert is decided (decision 111).
 */
export async function createEvaluationPlan(actor: Actor, user: EvalUser, input: PlanInput) {
  const prisma = await getPrisma();
  const section = await prisma.tenderSection.findUnique({ where: { id: input.sectionId }, include: { tender: true } });
  if (!section) throw new EvaluationError('标段不存在', 404, { sectionId: ['标段不存在'] });
  if (section.tender.agentOrgId !== user.organizationId) throw new EvaluationError('只能办理本单位的招标项目', 403);
  const opening = await openedBidsOfSection(section.tenderId, section.id);
  if (!opening?.closed) throw new EvaluationError('开标尚未结束，不能登记评标', 409, { sectionId: ['该标段开标尚未结束'] });
  const valid = opening.bids.filter((b) => b.result === 'valid');
  if (valid.length === 0) throw new EvaluationError('该标段没有有效投标', 409, { sectionId: ['该标段没有有效投标，无需评标'] });
  const scheduledAt = parseBeijingLocal(input.scheduledAt);
  if (!scheduledAt || scheduledAt.getTime() < now().getTime() + 10 * 60_000) throw new EvaluationError('评标时间有误', 400, { scheduledAt: ['评标时间须晚于当前时间至少10分钟'] });
  let criteria: Criterion[] = [];
  if (input.method === 'comprehensive') {
    const parsed = parseCriteria(input.priceWeight ?? DEFAULT_PRICE_WEIGHT, input.criteriaText ?? '');
    if ('error' in parsed) throw new EvaluationError(parsed.error, 400, { criteriaText: [parsed.error] });
    criteria = parsed.criteria;
  } else {
    criteria = [{ key: 'price', label: '评审价格', weight: 0, kind: 'price' }];
  }
  const seed = generateSeed();
  const at = now();
  try {
    return await prisma.$transaction(async (tx) => {
      const ev = await tx.tenderEvaluation.create({
        data: {
          tenderId: section.tenderId,
          sectionId: section.id,
          method: input.method,
          criteria: criteria as unknown as Prisma.InputJsonValue,
          specialty: input.specialty,
          expertCount: input.expertCount,
          reserveCount: input.expertCount,
          scheduledAt,
          drawSeed: toHex(seed),
          drawCommitment: commitSeed(seed),
          drawPurpose: `expert:${section.tender.code}:section-${section.seq}`,
          committedAt: at,
          createdById: user.id,
          createdAt: at,
          updatedAt: at,
          bids: {
            create: valid.map((b) => ({
              bidId: b.bidId,
              openingBidId: b.openingBidId,
              bidderOrgId: b.bidderOrgId,
              bidderName: b.bidderName,
              position: b.position,
              priceFen: BigInt(b.priceFen ?? 0),
              form: b.form as Prisma.InputJsonValue,
            })),
          },
        },
      });
      await appendAuditEntry(tx, actor, {
        action: 'evaluation.plan',
        objectType: 'evaluation',
        objectId: ev.id,
        payload: { tenderId: ev.tenderId, sectionId: ev.sectionId, method: ev.method, specialty: ev.specialty, expertCount: ev.expertCount, scheduledAt: scheduledAt.toISOString(), drawCommitment: ev.drawCommitment, drawPurpose: ev.drawPurpose, bids: valid.length },
      });
      return ev;
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') throw new EvaluationError('该标段已登记评标', 409, { sectionId: ['该标段已登记评标'] });
    throw e;
  } finally {
    seed.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Expert draw (专家抽取)

async function conflictParties(tx: Tx, ev: { tenderId: string; sectionId: string }): Promise<ConflictParty[]> {
  const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
  const opening = await openedBidsOfSection(ev.tenderId, ev.sectionId, tx);
  const bidderOrgIds = [...new Set((opening?.bids ?? []).map((b) => b.bidderOrgId))];
  const orgs = await tx.organization.findMany({ where: { id: { in: [...bidderOrgIds, tender.agentOrgId] } } });
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const parties: ConflictParty[] = bidderOrgIds.map((id) => {
    const o = byId.get(id);
    return { role: 'bidder', name: o?.name ?? '', creditCodes: o ? [o.creditCode, ...o.affiliates] : [] };
  });
  const agent = byId.get(tender.agentOrgId);
  if (agent) parties.push({ role: 'tenderer', name: agent.name, creditCodes: [agent.creditCode, ...agent.affiliates] });
  // The tenderer proper (the owner the agent acts for) is free text on the tender; registered
  // organizations of that exact name contribute their credit codes.
  const owners = await tx.organization.findMany({ where: { name: tender.tendererName } });
  parties.push({ role: 'tenderer', name: tender.tendererName, creditCodes: owners.flatMap((o) => [o.creditCode, ...o.affiliates]) });
  return parties;
}

async function expertsForScreening(tx: Tx): Promise<ExpertForScreening[]> {
  const experts = await tx.expert.findMany({ include: { relations: true } });
  const users = await tx.user.findMany({ where: { id: { in: experts.map((e) => e.userId) } }, select: { id: true, active: true } });
  const active = new Map(users.map((u) => [u.id, u.active]));
  return experts.map((e) => ({
    id: e.id,
    code: e.code,
    status: e.status,
    active: active.get(e.userId) ?? false,
    specialties: e.specialties,
    employerName: e.employerName,
    employerCreditCode: e.employerCreditCode,
    relations: e.relations.map((r) => ({ kind: r.kind, orgName: r.orgName, orgCreditCode: r.orgCreditCode, endedOn: r.endedOn })),
  }));
}

/** Runs the committed draw: eligibility decided and recorded, seed revealed, members invited. */
export async function runExpertDraw(actor: Actor, evaluationId: string) {
  const prisma = await getPrisma();
  const { mails } = await prisma.$transaction(
    async (tx) => {
      const ev = await lockEvaluation(tx, evaluationId);
      if (ev.state !== 'planned') throw new EvaluationError('专家已抽取', 409);
      const at = now();
      const candidates = await screenForDraw(tx, ev, at);
      const eligible = candidates.filter((c) => c.eligible).length;
      if (eligible < ev.expertCount) throw new EvaluationError(`符合条件的专家不足（需要${ev.expertCount}名，符合条件${eligible}名），请联系交易中心补充专家库`, 409);
      const record = drawOrFail('抽取', {
        seed: ev.drawSeed,
        commitment: ev.drawCommitment,
        candidates,
        count: ev.expertCount,
        reserveCount: Math.min(ev.reserveCount, eligible - ev.expertCount),
        purpose: ev.drawPurpose,
      });
      const experts = await tx.expert.findMany({ where: { id: { in: record.winners } } });
      const byId = new Map(experts.map((e) => [e.id, e]));
      for (const [i, id] of record.winners.entries()) {
        await tx.evaluationMember.create({ data: { evaluationId: ev.id, expertId: id, userId: byId.get(id)!.userId, seq: i + 1, createdAt: at } });
      }
      await tx.tenderEvaluation.update({
        where: { id: ev.id },
        data: { state: 'drawn', drawnAt: at, drawRecord: record as unknown as Prisma.InputJsonValue, updatedAt: at },
      });
      await appendAuditEntry(tx, actor, {
        action: 'evaluation.draw',
        objectType: 'evaluation',
        objectId: ev.id,
        // Hashes and counts only: the log is readable by more people than may know the names.
        payload: { purpose: record.purpose, commitment: record.commitment, candidatesHash: record.candidatesHash, outcomeSeed: record.outcomeSeed, pool: candidates.length, eligible, count: record.count, reserveCount: record.reserveCount },
      });
      const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
      return { mails: await inviteDrawnExperts(tx, ev, tender.code, experts, '评标邀请：您已被随机抽取为评标专家') };
    },
    { timeout: 60_000 },
  );
  await deliverMails(mails);
}

/** Evaluations whose draw is due (the job runs them; an admin may run one earlier). */
export async function dueDraws(at: Date) {
  const prisma = await getPrisma();
  return prisma.tenderEvaluation.findMany({ where: { state: 'planned', scheduledAt: { lte: new Date(at.getTime() + DRAW_LEAD_MS) } }, select: { id: true } });
}

/** Recomputes a stored draw from its record and the commitment published at planning. */
export function verifyStoredDraw(ev: { drawRecord: Prisma.JsonValue; drawCommitment: string; drawPurpose: string }) {
  return verifyDraw(ev.drawRecord, { commitment: ev.drawCommitment, purpose: ev.drawPurpose });
}

// ---------------------------------------------------------------------------------------------
// Committee: acceptance with a signed declaration, refusal and replacement

async function memberOf(tx: Tx, evaluationId: string, userId: string) {
  const m = await tx.evaluationMember.findFirst({ where: { evaluationId, userId, status: { not: 'declined' } } });
  if (!m) throw new EvaluationError('您不是本项目的评标专家', 403);
  return m;
}

export async function declarationFor(evaluationId: string, userId: string, db?: Tx) {
  const prisma = db ?? (await getPrisma());
  const ev = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: evaluationId }, include: { bids: { orderBy: { position: 'asc' } } } });
  const section = await prisma.tenderSection.findUniqueOrThrow({ where: { id: ev.sectionId }, include: { tender: true } });
  const expert = await prisma.expert.findUniqueOrThrow({ where: { userId } });
  const opening = await openedBidsOfSection(ev.tenderId, ev.sectionId, prisma);
  const bidders = [...new Set((opening?.bids ?? []).map((b) => b.bidderName))];
  return declarationText({
    evaluationId,
    tenderCode: section.tender.code,
    tenderName: section.tender.name,
    sectionName: section.name,
    tendererName: section.tender.tendererName,
    expertCode: expert.code,
    expertName: expert.name,
    bidders,
  });
}

async function certSha256Of(tx: Tx, certificateId: string) {
  const c = await tx.certificate.findUniqueOrThrow({ where: { id: certificateId }, select: { sha256: true } });
  return c.sha256;
}

async function verifySignature(userId: string, signatureB64: string, text: string) {
  let sig: Uint8Array;
  try {
    sig = fromBase64(signatureB64);
  } catch {
    throw new EvaluationError('签名数据格式不正确');
  }
  try {
    return await verifyUserSignature({ userId, signedData: sig, content: utf8(text) });
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw new EvaluationError(`签名验证未通过（${e.code}）：请使用本人有效的数字证书签名`, 400);
    throw e;
  }
}

/** The expert accepts and signs the no-conflict declaration; the last acceptance starts the evaluation. */
export async function acceptInvitation(actor: Actor, user: EvalUser, evaluationId: string, signatureB64: string) {
  const prisma = await getPrisma();
  const text = await declarationFor(evaluationId, user.id);
  const check = await verifySignature(user.id, signatureB64, text);
  await prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (!['drawn', 'evaluating'].includes(ev.state)) throw new EvaluationError('当前阶段不能确认参加', 409);
    const m = await memberOf(tx, evaluationId, user.id);
    if (m.status !== 'invited') throw new EvaluationError('您已确认参加', 409);
    const at = now();
    await tx.evaluationMember.update({
      where: { id: m.id },
      data: { status: 'accepted', acceptedAt: at, declaration: text, declarationSig: signatureB64, declarationCertSha256: await certSha256Of(tx, check.certificateId) },
    });
    await appendAuditEntry(tx, actor, { action: 'evaluation.member.accept', objectType: 'evaluation', objectId: ev.id, payload: { memberId: m.id, seq: m.seq, certificateId: check.certificateId } });
    const members = await tx.evaluationMember.findMany({ where: { evaluationId, status: { not: 'declined' } }, orderBy: { seq: 'asc' } });
    if (ev.state === 'drawn' && members.length === ev.expertCount && members.every((x) => x.status === 'accepted')) {
      // 组长 is elected by the members (voteChair), not appointed.
      await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { state: 'evaluating', startedAt: at, updatedAt: at } });
      await appendAuditEntry(tx, actor, { action: 'evaluation.start', objectType: 'evaluation', objectId: ev.id, payload: { members: members.length } });
      await notifyUsers(tx, members.map((x) => x.userId), { title: '评标开始', body: '评标委员会成员已全部确认，可以开始评审。请先在评标页面推选评标委员会组长。', link: `/evaluation/${ev.id}` });
    }
  });
}

/** The expert declines; the next reserve of the same draw (still available) is invited instead. */
export async function declineInvitation(actor: Actor, user: EvalUser, evaluationId: string, reason: string) {
  const why = reason.trim().slice(0, 200);
  if (why.length < 2) throw new EvaluationError('请填写不能参加的原因', 400, { reason: ['请填写不能参加的原因'] });
  const prisma = await getPrisma();
  const { mails } = await prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'drawn') throw new EvaluationError('当前阶段不能拒绝参加，请联系监督人员', 409);
    const m = await memberOf(tx, evaluationId, user.id);
    if (m.status !== 'invited') throw new EvaluationError('您已确认参加，不能拒绝', 409);
    const at = now();
    await tx.evaluationMember.update({ where: { id: m.id }, data: { status: 'declined', declineReason: why, declinedAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.member.decline', objectType: 'evaluation', objectId: ev.id, payload: { memberId: m.id, seq: m.seq, reason: why } });
    return { mails: await replaceFromReserves(tx, ev, m.id, at) };
  });
  await deliverMails(mails);
}

/** Takes the next usable reserve (候补) in record order; logs what was skipped and why. */
async function replaceFromReserves(tx: Tx, ev: { id: string; drawRecord: Prisma.JsonValue; reservesUsed: number; tenderId: string; drawPurpose: string }, replacedMemberId: string, at: Date) {
  const record = ev.drawRecord as unknown as DrawRecord;
  const taken = new Set((await tx.evaluationMember.findMany({ where: { evaluationId: ev.id }, select: { expertId: true } })).map((x) => x.expertId));
  let pos = ev.reservesUsed;
  const skipped: { position: number; reason: string }[] = [];
  for (; pos < record.reserves.length; pos++) {
    const id = record.reserves[pos];
    const e = await tx.expert.findUnique({ where: { id } });
    const u = e ? await tx.user.findUnique({ where: { id: e.userId }, select: { active: true } }) : null;
    const reason = !e ? '已移出专家库' : taken.has(id) ? '已在本项目委员会中' : !u?.active ? '账号已停用' : e.status !== 'available' ? '暂停抽取' : null;
    if (reason) {
      skipped.push({ position: pos + 1, reason });
      continue;
    }
    const seq = ((await tx.evaluationMember.aggregate({ where: { evaluationId: ev.id }, _max: { seq: true } }))._max.seq ?? 0) + 1;
    const member = await tx.evaluationMember.create({ data: { evaluationId: ev.id, expertId: id, userId: e!.userId, seq, replacesMemberId: replacedMemberId, createdAt: at } });
    await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { reservesUsed: pos + 1, updatedAt: at } });
    await appendAuditEntry(tx, { userId: null, name: '系统', orgId: null, role: 'system', ip: null, userAgent: null }, {
      action: 'evaluation.member.replace',
      objectType: 'evaluation',
      objectId: ev.id,
      payload: { replacedMemberId, memberId: member.id, seq, reservePosition: pos + 1, skipped },
    });
    const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
    return notifyUsers(tx, [e!.userId], {
      title: '评标邀请：您已被递补为评标专家',
      body: `项目 ${tender.code}。请登录平台确认是否参加，并签署回避声明。评标结束前请勿向任何人透露。`,
      link: `/evaluation/${ev.id}`,
      kind: 'warning',
      email: true,
    });
  }
  await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { reservesUsed: pos, updatedAt: at } });
  const system: Actor = { userId: null, name: '系统', orgId: null, role: 'system', ip: null, userAgent: null };
  await appendAuditEntry(tx, system, {
    action: 'evaluation.reserves-exhausted',
    objectType: 'evaluation',
    objectId: ev.id,
    payload: { replacedMemberId, skipped },
  });
  // 补抽: the seed of the next round is committed now, before anyone can act on the vacancy.
  const { round, created } = await commitRedrawRound(tx, ev, at);
  if (created) {
    await appendAuditEntry(tx, system, { action: 'evaluation.redraw.commit', objectType: 'evaluation', objectId: ev.id, payload: { round: round.round, commitment: round.commitment, purpose: round.purpose } });
  }
  const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId }, select: { agentOrgId: true } });
  const told = await tx.user.findMany({ where: { OR: [{ role: { in: ['admin', 'supervisor'] } }, { organizationId: tender.agentOrgId }], active: true }, select: { id: true } });
  return notifyUsers(tx, told.map((a) => a.id), {
    title: '专家候补已用尽，请补抽',
    body: `有专家拒绝参加且候补名单已用尽。平台已公布第${round.round}轮补抽的种子承诺值，请在评标页面进行补抽。`,
    link: `/evaluation/${ev.id}`,
    kind: 'danger',
  });
}

/** The pending redraw round of an evaluation, or a new one with a fresh committed seed. */
async function commitRedrawRound(tx: Tx, ev: { id: string; drawPurpose: string }, at: Date) {
  const pending = await tx.expertRedraw.findFirst({ where: { evaluationId: ev.id, drawnAt: null }, orderBy: { round: 'asc' } });
  if (pending) return { round: pending, created: false };
  const last = (await tx.expertRedraw.aggregate({ where: { evaluationId: ev.id }, _max: { round: true } }))._max.round ?? 0;
  const seed = generateSeed();
  try {
    const round = await tx.expertRedraw.create({
      data: { evaluationId: ev.id, round: last + 1, seed: toHex(seed), commitment: commitSeed(seed), purpose: `${ev.drawPurpose}:redraw-${last + 1}`, committedAt: at },
    });
    return { round, created: true };
  } finally {
    seed.fill(0);
  }
}

/** The library screened for this evaluation's draw (first draw or 补抽), recusals decided with reasons. */
async function screenForDraw(tx: Tx, ev: Awaited<ReturnType<typeof lockEvaluation>>, at: Date, excluded?: Map<string, string>) {
  return screenExperts(await expertsForScreening(tx), {
    specialty: ev.specialty,
    parties: await conflictParties(tx, ev),
    at,
    lookbackDays: await avoidanceLookbackDays(tx),
    excluded,
  });
}

function drawOrFail(label: string, input: Parameters<typeof runDraw>[0]): DrawRecord {
  try {
    return runDraw(input);
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw new EvaluationError(`${label}失败：${e.message}`, 500);
    throw e;
  }
}

/** Invites the drawn experts (in-app and by e-mail); their names stay sealed from everyone else. */
function inviteDrawnExperts(tx: Tx, ev: { id: string; scheduledAt: Date }, tenderCode: string, experts: { userId: string }[], title: string) {
  return notifyUsers(tx, experts.map((e) => e.userId), {
    title,
    body: `项目 ${tenderCode}，评标时间 ${ev.scheduledAt.toISOString()}。请登录平台确认是否参加，并签署回避声明。评标结束前请勿向任何人透露。`,
    link: `/evaluation/${ev.id}`,
    kind: 'warning',
    email: true,
  });
}

/**
 * 补抽: draws the vacancies left after the reserves ran out, from the round's seed committed when
 * they ran out, over the library as it is now (conflicts, suspensions and everyone already drawn
 * or declined for this evaluation excluded with reasons). The record verifies like the first draw:
 * verifyDraw(record, { commitment, purpose }). The agent of the tender or a centre administrator.
 */
export async function runRedraw(actor: Actor, user: EvalUser, evaluationId: string) {
  const prisma = await getPrisma();
  const { mails } = await prisma.$transaction(
    async (tx) => {
      const ev = await lockEvaluation(tx, evaluationId);
      const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
      const allowed = can(user.role, 'draw:experts') || (user.role === 'tenderer' && !!user.organizationId && tender.agentOrgId === user.organizationId);
      if (!allowed) throw new EvaluationError('无权补抽专家', 403);
      if (ev.state !== 'drawn') throw new EvaluationError('当前阶段不能补抽专家', 409);
      const round = await tx.expertRedraw.findFirst({ where: { evaluationId, drawnAt: null }, orderBy: { round: 'asc' } });
      if (!round) throw new EvaluationError('没有需要补抽的名额', 409);
      const members = await tx.evaluationMember.findMany({ where: { evaluationId }, orderBy: { seq: 'asc' } });
      const vacancies = ev.expertCount - members.filter((m) => m.status !== 'declined').length;
      if (vacancies <= 0) throw new EvaluationError('评标委员会人数已满，无需补抽', 409);
      const at = now();
      const excluded = new Map(members.map((m) => [m.expertId, m.status === 'declined' ? '已拒绝参加本项目评标' : '已被抽取为本项目评标专家']));
      const candidates = await screenForDraw(tx, ev, at, excluded);
      const eligible = candidates.filter((c) => c.eligible).length;
      if (eligible < vacancies) throw new EvaluationError(`符合条件的专家不足（需要补抽${vacancies}名，符合条件${eligible}名），请联系交易中心补充专家库`, 409);
      const record = drawOrFail('补抽', { seed: round.seed, commitment: round.commitment, candidates, count: vacancies, reserveCount: 0, purpose: round.purpose });
      // Each new member fills the place of a refusal nobody has replaced yet, in draw order.
      const replaced = new Set(members.map((m) => m.replacesMemberId).filter(Boolean));
      const open = members.filter((m) => m.status === 'declined' && !replaced.has(m.id));
      const experts = await tx.expert.findMany({ where: { id: { in: record.winners } } });
      const byId = new Map(experts.map((e) => [e.id, e]));
      let seq = Math.max(0, ...members.map((m) => m.seq));
      for (const [i, id] of record.winners.entries()) {
        await tx.evaluationMember.create({ data: { evaluationId: ev.id, expertId: id, userId: byId.get(id)!.userId, seq: ++seq, replacesMemberId: open[i]?.id ?? null, createdAt: at } });
      }
      await tx.expertRedraw.update({ where: { id: round.id }, data: { drawnAt: at, drawnById: user.id, record: record as unknown as Prisma.InputJsonValue, vacancies } });
      await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { updatedAt: at } });
      await appendAuditEntry(tx, actor, {
        action: 'evaluation.redraw',
        objectType: 'evaluation',
        objectId: ev.id,
        payload: { round: round.round, purpose: record.purpose, commitment: record.commitment, candidatesHash: record.candidatesHash, outcomeSeed: record.outcomeSeed, pool: candidates.length, eligible, count: record.count },
      });
      return { mails: await inviteDrawnExperts(tx, ev, tender.code, experts, '评标邀请：您已被补充抽取为评标专家') };
    },
    { timeout: 60_000 },
  );
  await deliverMails(mails);
}

/** Recomputes a redraw round from its record and the commitment published when the reserves ran out. */
export function verifyStoredRedraw(round: { record: Prisma.JsonValue; commitment: string; purpose: string }) {
  return verifyDraw(round.record, { commitment: round.commitment, purpose: round.purpose });
}

// ---------------------------------------------------------------------------------------------
// 组长推选: the committee elects its chair (chair.ts)

export async function voteChair(actor: Actor, user: EvalUser, evaluationId: string, candidateMemberId: string) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'evaluating') throw new EvaluationError('当前阶段不能推选组长', 409);
    const me = await activeMember(tx, evaluationId, user.id);
    if (ev.chairElectedAt) throw new EvaluationError('评标委员会组长已推选产生', 409);
    if (me.chairVotedAt) throw new EvaluationError('您已投票，不能更改', 409);
    const members = await tx.evaluationMember.findMany({ where: { evaluationId, status: 'accepted' }, orderBy: { seq: 'asc' } });
    const cand = members.find((m) => m.id === candidateMemberId);
    if (!cand) throw new EvaluationError('请选择一名评标委员会成员', 400, { candidate: ['请选择一名评标委员会成员'] });
    const at = now();
    await tx.evaluationMember.update({ where: { id: me.id }, data: { chairVoteMemberId: cand.id, chairVotedAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.chair.vote', objectType: 'evaluation', objectId: ev.id, payload: { memberId: me.id, seq: me.seq, forMemberId: cand.id, forSeq: cand.seq } });
    const election = tallyChairElection(members.map((m) => ({ id: m.id, seq: m.seq, voteFor: m.id === me.id ? cand.id : m.chairVoteMemberId })));
    if (election.chairMemberId) {
      await tx.evaluationMember.update({ where: { id: election.chairMemberId }, data: { isChair: true } });
      await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { chairElectedAt: at, chairElection: election as unknown as Prisma.InputJsonValue, updatedAt: at } });
      await appendAuditEntry(tx, actor, {
        action: 'evaluation.chair.elect',
        objectType: 'evaluation',
        objectId: ev.id,
        payload: { chairMemberId: election.chairMemberId, chairSeq: election.chairSeq, rule: election.rule, members: election.members, cast: election.cast, tally: election.tally.map((t) => ({ seq: t.seq, votes: t.votes })) },
      });
      await notifyUsers(tx, members.map((m) => m.userId), { title: '评标委员会组长已推选产生', body: `抽取顺序第${election.chairSeq}位的成员当选组长，由其汇总评分并生成评标报告。`, link: `/evaluation/${ev.id}` });
    }
    return election;
  });
}

// ---------------------------------------------------------------------------------------------
// Scoring (评分), rejection (否决投标), clarification (澄清)

async function activeMember(tx: Tx, evaluationId: string, userId: string) {
  const m = await memberOf(tx, evaluationId, userId);
  if (m.status !== 'accepted') throw new EvaluationError('请先确认参加并签署回避声明', 403);
  return m;
}

export interface ScoreInput {
  evaluationBidId: string;
  points: Record<string, string>;
  reject: boolean;
  rejectReason?: string;
  comment?: string;
}

export async function saveScore(actor: Actor, user: EvalUser, evaluationId: string, input: ScoreInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'evaluating') throw new EvaluationError('当前不在评标阶段', 409);
    const m = await activeMember(tx, evaluationId, user.id);
    if (m.submittedAt) throw new EvaluationError('您已提交评分，不能再修改', 409);
    const bid = await tx.evaluationBid.findUnique({ where: { id: input.evaluationBidId } });
    if (!bid || bid.evaluationId !== evaluationId) throw new EvaluationError('投标不存在', 404);
    const errors: Record<string, string[]> = {};
    const points: Record<string, number> = {};
    const rejectReason = (input.rejectReason ?? '').trim().slice(0, 300);
    if (input.reject && rejectReason.length < 4) errors.rejectReason = ['否决投标须写明理由及依据（至少4个字）'];
    // A bid counts only with its deposit paid or a verified bank guarantee (as checked at the
    // opening): the committee must reject it, and cannot score it as responsive.
    const opened = await tx.openingBid.findUnique({ where: { id: bid.openingBidId }, select: { depositStatus: true } });
    if (opened?.depositStatus === 'unpaid' && !input.reject) errors.rejectReason = [DEPOSIT_UNPAID_CHECK];
    if (ev.method === 'comprehensive' && !input.reject) {
      for (const c of criteriaOf(ev).filter((x) => x.kind === 'subjective')) {
        const p = parsePoints(input.points[c.key] ?? '', c.weight);
        if (typeof p === 'string') errors[`p_${c.key}`] = [p];
        else points[c.key] = p;
      }
    }
    if (Object.keys(errors).length) throw new EvaluationError('请检查评分', 400, errors);
    const data = { points, reject: input.reject, rejectReason: input.reject ? rejectReason : null, comment: input.comment?.trim().slice(0, 500) || null, updatedAt: now() };
    await tx.evaluationScore.upsert({
      where: { memberId_evaluationBidId: { memberId: m.id, evaluationBidId: bid.id } },
      create: { evaluationId, memberId: m.id, evaluationBidId: bid.id, ...data },
      update: data,
    });
    await appendAuditEntry(tx, actor, { action: 'evaluation.score.save', objectType: 'evaluation', objectId: evaluationId, payload: { memberId: m.id, evaluationBidId: bid.id, points, reject: input.reject, rejectReason: data.rejectReason } });
  });
}

export async function submitScores(actor: Actor, user: EvalUser, evaluationId: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'evaluating') throw new EvaluationError('当前不在评标阶段', 409);
    const m = await activeMember(tx, evaluationId, user.id);
    if (m.submittedAt) throw new EvaluationError('您已提交评分', 409);
    const bids = await tx.evaluationBid.findMany({ where: { evaluationId } });
    const scores = await tx.evaluationScore.findMany({ where: { memberId: m.id } });
    const missing = bids.filter((b) => !scores.some((s) => s.evaluationBidId === b.id));
    if (missing.length) throw new EvaluationError(`还有${missing.length}份投标未评审：${missing.map((b) => b.bidderName).join('、')}`, 409);
    await tx.evaluationMember.update({ where: { id: m.id }, data: { submittedAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.score.submit', objectType: 'evaluation', objectId: evaluationId, payload: { memberId: m.id, bids: bids.length } });
  });
}

export async function askClarification(actor: Actor, user: EvalUser, evaluationId: string, input: { evaluationBidId: string; question: string }) {
  const question = input.question.trim();
  if (question.length < 5 || question.length > 1000) throw new EvaluationError('请填写澄清问题（5-1000字）', 400, { question: ['请填写澄清问题（5-1000字）'] });
  const prisma = await getPrisma();
  const { mails } = await prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'evaluating') throw new EvaluationError('当前不在评标阶段', 409);
    const m = await activeMember(tx, evaluationId, user.id);
    const bid = await tx.evaluationBid.findUnique({ where: { id: input.evaluationBidId } });
    if (!bid || bid.evaluationId !== evaluationId) throw new EvaluationError('投标不存在', 404);
    const seq = ((await tx.clarification.aggregate({ where: { evaluationId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
    const at = now();
    const c = await tx.clarification.create({
      data: { evaluationId, evaluationBidId: bid.id, bidderOrgId: bid.bidderOrgId, seq, askedByMemberId: m.id, question, dueAt: new Date(at.getTime() + CLARIFICATION_HOURS * HOUR_MS), createdAt: at },
    });
    await appendAuditEntry(tx, actor, { action: 'evaluation.clarification.ask', objectType: 'evaluation', objectId: evaluationId, payload: { clarificationId: c.id, seq, bidderOrgId: bid.bidderOrgId, question } });
    const users = await tx.user.findMany({ where: { organizationId: bid.bidderOrgId, active: true }, select: { id: true } });
    // 实施条例 第五十二条: the committee asks in writing; it must not name who asked.
    const mails = await notifyUsers(tx, users.map((u) => u.id), {
      title: '评标委员会澄清要求',
      body: `评标委员会要求您单位对投标文件作出澄清，请于 ${c.dueAt.toISOString().slice(0, 16).replace('T', ' ')}（UTC）前在平台答复。澄清不得超出投标文件范围或改变实质性内容。`,
      link: '/evaluation/clarifications',
      kind: 'warning',
      email: true,
    });
    return { mails };
  });
  await deliverMails(mails);
}

export async function answerClarification(actor: Actor, user: EvalUser, clarificationId: string, answer: string) {
  const text = answer.trim();
  if (text.length < 2 || text.length > 2000) throw new EvaluationError('请填写澄清答复（2-2000字）', 400, { answer: ['请填写澄清答复（2-2000字）'] });
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const c = await tx.clarification.findUnique({ where: { id: clarificationId } });
    if (!c || !user.organizationId || c.bidderOrgId !== user.organizationId) throw new EvaluationError('澄清要求不存在', 404);
    const ev = await lockEvaluation(tx, c.evaluationId);
    if (ev.state !== 'evaluating') throw new EvaluationError('评标已结束，不能再答复', 409);
    if (c.answeredAt) throw new EvaluationError('已答复，不能修改', 409);
    const at = now();
    await tx.clarification.update({ where: { id: c.id }, data: { answer: text, answeredById: user.id, answeredAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.clarification.answer', objectType: 'evaluation', objectId: c.evaluationId, payload: { clarificationId: c.id, seq: c.seq, late: at > c.dueAt } });
    const members = await tx.evaluationMember.findMany({ where: { evaluationId: c.evaluationId, status: 'accepted' }, select: { userId: true } });
    await notifyUsers(tx, members.map((x) => x.userId), { title: '投标人已答复澄清', body: `澄清第${c.seq}号已答复。`, link: `/evaluation/${c.evaluationId}` });
  });
}

// ---------------------------------------------------------------------------------------------
// Aggregation (汇总), the report (评标报告) and its signatures

/** The chair aggregates once every member submitted: results computed, report PDF issued. */
export async function aggregateAndReport(actor: Actor, user: EvalUser, evaluationId: string) {
  const prisma = await getPrisma();
  const { buildReport } = await import('./report.server');
  // Checks before the PDF is rendered; repeated inside the transaction under the row lock.
  const pre = await prisma.tenderEvaluation.findUnique({ where: { id: evaluationId } });
  if (!pre) throw new EvaluationError('评标项目不存在', 404);
  const chair = await prisma.evaluationMember.findFirst({ where: { evaluationId, userId: user.id, status: 'accepted' } });
  if (!pre.chairElectedAt && chair) throw new EvaluationError('评标委员会尚未推选组长，请先完成组长推选', 409);
  if (!chair?.isChair) throw new EvaluationError('只有评标委员会组长可以汇总', 403);
  if (pre.state !== 'evaluating') throw new EvaluationError('当前不在评标阶段', 409);
  const members = await prisma.evaluationMember.findMany({ where: { evaluationId, status: 'accepted' }, orderBy: { seq: 'asc' } });
  const pending = members.filter((m) => !m.submittedAt);
  if (pending.length) throw new EvaluationError(`还有${pending.length}名专家未提交评分`, 409);
  const bids = await prisma.evaluationBid.findMany({ where: { evaluationId }, orderBy: { position: 'asc' } });
  const scores = await prisma.evaluationScore.findMany({ where: { evaluationId } });
  const results = computeResults(
    pre.method,
    criteriaOf(pre),
    bids.map((b) => ({ id: b.id, bidderName: b.bidderName, priceFen: Number(b.priceFen), position: b.position })),
    scores.map((s) => ({ memberId: s.memberId, bidId: s.evaluationBidId, points: (s.points ?? {}) as Record<string, number>, reject: s.reject, rejectReason: s.rejectReason })),
    members.map((m) => m.id),
  );
  const at = now();
  const report = await buildReport(pre, results, at);
  await prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'evaluating') throw new EvaluationError('当前不在评标阶段', 409);
    await tx.tenderEvaluation.update({
      where: { id: ev.id },
      data: { state: 'reporting', aggregatedAt: at, results: results as unknown as Prisma.InputJsonValue, reportPdfSha256: report.sha256, reportAt: at, reportPlatformSig: report.platformSignature, updatedAt: at },
    });
    await appendAuditEntry(tx, actor, {
      action: 'evaluation.aggregate',
      objectType: 'evaluation',
      objectId: ev.id,
      payload: { reportPdfSha256: report.sha256, ranking: results.map((r) => ({ bidId: r.bidId, rank: r.rank, totalCenti: r.totalCenti, rejected: r.rejected })) },
    });
    await notifyUsers(tx, members.map((m) => m.userId), { title: '请签署评标报告', body: '评标报告已生成，请审阅后使用数字证书签署。', link: `/evaluation/${ev.id}`, kind: 'warning' });
  });
}

export async function signReport(actor: Actor, user: EvalUser, evaluationId: string, signatureB64: string) {
  const prisma = await getPrisma();
  const pre = await prisma.tenderEvaluation.findUnique({ where: { id: evaluationId } });
  if (!pre?.reportPdfSha256) throw new EvaluationError('评标报告尚未生成', 409);
  const check = await verifySignature(user.id, signatureB64, reportStatement(evaluationId, pre.reportPdfSha256));
  await prisma.$transaction(async (tx) => {
    const ev = await lockEvaluation(tx, evaluationId);
    if (ev.state !== 'reporting' || ev.reportPdfSha256 !== pre.reportPdfSha256) throw new EvaluationError('当前不能签署评标报告', 409);
    const m = await activeMember(tx, evaluationId, user.id);
    if (m.reportSignedAt) throw new EvaluationError('您已签署评标报告', 409);
    const at = now();
    await tx.evaluationMember.update({ where: { id: m.id }, data: { reportSig: signatureB64, reportCertSha256: await certSha256Of(tx, check.certificateId), reportSignedAt: at } });
    await appendAuditEntry(tx, actor, { action: 'evaluation.report.sign', objectType: 'evaluation', objectId: ev.id, payload: { memberId: m.id, reportPdfSha256: ev.reportPdfSha256, certificateId: check.certificateId } });
    const left = await tx.evaluationMember.count({ where: { evaluationId, status: 'accepted', reportSignedAt: null } });
    if (left === 0) {
      await tx.tenderEvaluation.update({ where: { id: ev.id }, data: { state: 'reported', endedAt: at, updatedAt: at } });
      await appendAuditEntry(tx, actor, { action: 'evaluation.end', objectType: 'evaluation', objectId: ev.id, payload: { reportPdfSha256: ev.reportPdfSha256 } });
      const tender = await tx.tender.findUniqueOrThrow({ where: { id: ev.tenderId } });
      const agents = await tx.user.findMany({ where: { organizationId: tender.agentOrgId, active: true }, select: { id: true } });
      await notifyUsers(tx, agents.map((a) => a.id), { title: '评标结束', body: `项目 ${tender.code} 评标报告已由全体评标专家签署，请公示中标候选人。`, link: `/award/${ev.id}` });
    }
  });
}
