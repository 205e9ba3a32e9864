// 采购公告 and selection: publication, amendments, cancellation, sign-up (with sealed quotes),
// the close of sign-up, random draw / price competition / comparison / direct selection, result
// announcement with an objection period, 流标 and re-publication.
//
// Timed steps (close, draw, award) run from the market job at their time; they are idempotent and
// guarded by the purchase status, so a second instance or a retry never runs a step twice.
import crypto from 'node:crypto';
import { z } from 'zod';
import { candidatesHash, canonicalCandidates, commitSeed, generateSeed, rotationWeights, runDraw, screenCandidates, type DrawCandidateInput, type DrawRecord } from '../../../crypto/draw';
import { toHex } from '../../../crypto/hash';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { notifyUsers } from '~/modules/notify/notify.server';
import { publishAnnouncement } from '~/modules/publish/announcements.server';
import { getRules } from '~/modules/credit/credit.server';
import type { CreditRules } from '~/modules/credit/rules';
import { loadWorkCalendar } from './calendar.server';
import { CRITERIA_KEYS, DEFAULT_CRITERIA, feeBounds, gradeRank, levelMeets, METHOD_LABELS, QUAL_LEVELS, yuan, type CriteriaKey, type Method } from './constants';
import { MarketError, refuse } from './errors.server';
import { createOrderForPurchase } from './orders.server';
import { quoteDigest, seal, unseal } from './seal.server';

type User = { id: string; organizationId: string | null; displayName: string };

/** 投资项目统一代码, e.g. 2026-420100-48-01-123456 (year, region, industry, type, serial). */
const PROJECT_CODE = /^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$/;

const dateTime = (msg: string) => z.coerce.date({ errorMap: () => ({ message: msg }) });

export const purchaseSchema = z
  .object({
    projectName: z.string({ required_error: '请填写项目名称' }).trim().min(4, '请填写项目名称').max(100),
    projectCode: z.string({ required_error: '请填写投资项目代码' }).trim().regex(PROJECT_CODE, '投资项目代码格式为 2026-420100-48-01-123456'),
    itemId: z.string({ required_error: '请选择服务事项' }).min(1, '请选择服务事项'),
    budgetFen: z.number({ required_error: '请填写预算金额', invalid_type_error: '请填写预算金额' }).int().positive('预算须大于0'),
    investmentFen: z.number().int().positive().nullable().default(null),
    requiredQualLevel: z.enum(QUAL_LEVELS).optional(),
    description: z.string({ required_error: '请填写服务内容及要求' }).trim().min(4, '请填写服务内容及要求').max(5000),
    method: z.enum(['draw', 'price', 'compare', 'direct'], { errorMap: () => ({ message: '请选择选取方式' }) }),
    signupEnd: dateTime('请填写报名截止时间').optional(),
    selectAt: dateTime('请填写选取时间').optional(),
    minSignups: z.number().int().min(1, '有效报名家数至少为1').max(20).default(3),
    rotation: z.boolean().default(false),
    criteria: z.record(z.enum(CRITERIA_KEYS), z.number().int().min(0).max(100)).optional(),
    directAgencyId: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.method !== 'direct') {
      if (!v.signupEnd) ctx.addIssue({ code: 'custom', path: ['signupEnd'], message: '请填写报名截止时间' });
      if (v.selectAt && v.signupEnd && v.selectAt < v.signupEnd) ctx.addIssue({ code: 'custom', path: ['selectAt'], message: '选取时间不得早于报名截止时间' });
    }
    if (v.method === 'direct' && !v.directAgencyId) ctx.addIssue({ code: 'custom', path: ['directAgencyId'], message: '直接选取须选择中介机构' });
    if (v.method === 'compare') {
      const c = { ...DEFAULT_CRITERIA, ...(v.criteria ?? {}) };
      const sum = CRITERIA_KEYS.reduce((s, k) => s + c[k], 0);
      if (sum !== 100) ctx.addIssue({ code: 'custom', path: ['criteria'], message: `评分因素权重合计须为100分（当前${sum}分）` });
    }
  });
export type PurchaseInput = z.infer<typeof purchaseSchema>;

function drawPurpose(p: { code: string; round: number }, what = 'round') {
  return `purchase:${p.code}:${what}-${p.round}`;
}

async function nextPurchaseCode(tx: Tx): Promise<string> {
  const year = now().getFullYear();
  const prefix = `CG${year}-`;
  const last = await tx.purchase.findFirst({ where: { code: { startsWith: prefix } }, orderBy: { code: 'desc' }, select: { code: true } });
  const n = last ? Number(last.code.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(n).padStart(4, '0')}`;
}

/** Same credit code, or either side lists the other among its affiliates (关联关系). */
function conflicted(owner: { creditCode: string; affiliates: string[] }, agency: { creditCode: string; affiliates: string[] }): boolean {
  return owner.creditCode === agency.creditCode || owner.affiliates.includes(agency.creditCode) || agency.affiliates.includes(owner.creditCode);
}

/** The fee an agency's listing commits to for this purchase: the standard less its discount, never above the budget. */
export function listingFee(item: Parameters<typeof feeBounds>[0], investmentFen: bigint | number | null, discountPct: number, budgetFen: number): number {
  const b = feeBounds(item, investmentFen);
  if (!b) return budgetFen;
  const fee = Math.max(b.min, Math.round((b.max * (100 - discountPct)) / 100));
  return Math.min(fee, budgetFen);
}

async function ownerOrgOf(tx: Tx, user: User) {
  if (!user.organizationId) throw new MarketError('账号未关联单位', {}, 403);
  const org = await tx.organization.findUnique({ where: { id: user.organizationId } });
  if (!org || !org.roles.includes('owner')) throw new MarketError('只有项目业主可以发布采购公告', {}, 403);
  return org;
}

function announcementBody(p: { code: string; projectName: string; projectCode: string; description: string; budgetFen: number; method: string; signupEnd: Date; selectAt: Date; drawCommitment: string | null; minSignups: number }, item: { name: string; qualificationType: string; timeLimitDays: number }, level: string, ownerName: string) {
  const lines = [
    `项目名称：${p.projectName}（投资项目代码 ${p.projectCode}）`,
    `采购人：${ownerName}`,
    `服务事项：${item.name}；资质要求：${item.qualificationType}${level}及以上；承诺时限：${item.timeLimitDays}个工作日`,
    `预算金额：${yuan(p.budgetFen)}；选取方式：${METHOD_LABELS[p.method as Method]}`,
    p.method === 'direct' ? '' : `报名截止：${p.signupEnd.toISOString()}；选取时间：${p.selectAt.toISOString()}；有效报名不足${p.minSignups}家时流标`,
    p.drawCommitment ? `随机种子承诺值（SHA-256）：${p.drawCommitment}。选取时公开种子，任何人可按公开算法复核。` : '',
    `服务内容及要求：${p.description}`,
  ];
  return lines.filter(Boolean).join('\n');
}

export async function publishPurchase(actor: Actor, user: User, input: PurchaseInput) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  let attempt = 0;
  for (;;) {
    try {
      return await prisma.$transaction((tx) => publishInTx(tx, actor, user, input, rules));
    } catch (e) {
      // Two owners publishing in the same instant may pick the same code; try the next one.
      if (attempt++ < 3 && e instanceof Error && /Unique constraint/i.test(e.message) && /code/.test(e.message)) continue;
      if (e instanceof MarketError && e.status === 400 && e.fieldErrors.__logged) {
        delete e.fieldErrors.__logged;
        await refuse(actor, 'market.purchase.publish', 'Purchase', null, e);
      }
      throw e;
    }
  }
}

function loggedError(message: string, field: string) {
  // Marks refusals that supervision wants in the audit log (see publishPurchase).
  return new MarketError(message, { [field]: [message], __logged: [] });
}

async function publishInTx(tx: Tx, actor: Actor, user: User, input: PurchaseInput, rules: CreditRules, previous?: { id: string; round: number; code: string }) {
  const org = await ownerOrgOf(tx, user);
  const item = await tx.serviceItem.findUnique({ where: { id: input.itemId } });
  if (!item || !item.active) throw new MarketError('该服务事项不存在或已停用', { itemId: ['该服务事项不存在或已停用'] });
  if (item.feeKind === 'rate' && !input.investmentFen) throw new MarketError('该事项按投资额比例收费，请填写项目总投资', { investmentFen: ['该事项按投资额比例收费，请填写项目总投资'] });
  const bounds = feeBounds(item, input.investmentFen)!;
  if (input.budgetFen > bounds.max) throw new MarketError(`预算超出统一收费标准上限 ${yuan(bounds.max)}`, { budgetFen: [`预算超出统一收费标准上限 ${yuan(bounds.max)}`] });
  if (input.budgetFen < bounds.min) throw new MarketError(`预算低于统一收费标准下限 ${yuan(bounds.min)}`, { budgetFen: [`预算低于统一收费标准下限 ${yuan(bounds.min)}`] });
  const level = input.requiredQualLevel ?? item.qualificationLevel;
  if (!levelMeets(level, item.qualificationLevel)) throw new MarketError(`资质要求不得低于目录规定的${item.qualificationLevel}`, { requiredQualLevel: [`资质要求不得低于目录规定的${item.qualificationLevel}`] });
  const t = now();
  let signupEnd = input.signupEnd ?? t;
  let selectAt = input.selectAt ?? signupEnd;
  let directAgency: { id: string } | null = null;
  if (input.method === 'direct') {
    if (input.budgetFen >= rules.directMaxFen) throw loggedError(`预算达到 ${yuan(rules.directMaxFen)} 的项目不得直接选取，请采用随机抽取、竞价或比选`, 'method');
    const a = await tx.agencyProfile.findUnique({ where: { id: input.directAgencyId! } });
    if (!a || a.status !== 'approved' || a.blacklisted) throw new MarketError('所选中介机构不可选取', { directAgencyId: ['所选中介机构不可选取'] });
    const agencyOrg = await tx.organization.findUnique({ where: { id: a.orgId } });
    if (agencyOrg && conflicted(org, agencyOrg)) throw loggedError('所选中介机构与本单位统一社会信用代码相同或存在关联关系，应当回避', 'directAgencyId');
    const listing = await tx.listing.findUnique({ where: { agencyId_itemId: { agencyId: a.id, itemId: item.id } } });
    if (!listing || listing.status !== 'active') throw new MarketError('所选中介机构未挂牌该服务事项', { directAgencyId: ['所选中介机构未挂牌该服务事项'] });
    const q = await tx.qualification.findUnique({ where: { id: listing.qualificationId } });
    if (!q || q.validUntil <= t || !levelMeets(q.level, level)) throw loggedError('所选中介机构资质不满足要求或已过期', 'directAgencyId');
    directAgency = a;
    signupEnd = t;
    selectAt = t;
  } else {
    if (signupEnd.getTime() < t.getTime() + 30 * 60_000) throw new MarketError('报名截止时间须在发布后至少30分钟', { signupEnd: ['报名截止时间须在发布后至少30分钟'] });
  }
  const seed = input.method === 'direct' ? null : generateSeed();
  const code = previous ? `${previous.code.replace(/-R\d+$/, '')}-R${previous.round + 1}` : await nextPurchaseCode(tx);
  const criteria = input.method === 'compare' ? { ...DEFAULT_CRITERIA, ...(input.criteria ?? {}) } : undefined;
  const p = await tx.purchase.create({
    data: {
      code,
      round: previous ? previous.round + 1 : 1,
      previousId: previous?.id,
      ownerOrgId: org.id,
      ownerUserId: user.id,
      projectName: input.projectName,
      projectCode: input.projectCode,
      itemId: item.id,
      budgetFen: input.budgetFen,
      investmentFen: input.investmentFen == null ? null : BigInt(input.investmentFen),
      requiredQualType: item.qualificationType,
      requiredQualLevel: level,
      description: input.description,
      method: input.method,
      criteria,
      minSignups: input.method === 'direct' ? 1 : input.minSignups,
      rotation: input.method === 'draw' && input.rotation,
      signupStart: t,
      signupEnd,
      selectAt,
      status: 'published',
      drawCommitment: seed ? commitSeed(seed) : null,
      drawSeedSealed: null,
      directAgencyId: directAgency?.id,
      publishedAt: t,
      updatedAt: t,
    },
  });
  if (seed) await tx.purchase.update({ where: { id: p.id }, data: { drawSeedSealed: seal(`seed:${p.id}`, toHex(seed)) } });
  await appendAuditEntry(tx, actor, {
    action: 'market.purchase.publish',
    objectType: 'Purchase',
    objectId: p.id,
    payload: { code, method: p.method, itemId: item.id, budgetFen: p.budgetFen, signupEnd, selectAt, commitment: p.drawCommitment, previousId: previous?.id ?? null },
  });
  await publishAnnouncement(tx, {
    kind: 'purchase',
    market: 'market',
    title: `${p.projectName} ${item.name}采购公告（${code}）`,
    body: announcementBody(p, item, level, org.name),
    sourceType: 'Purchase',
    sourceId: p.id,
    publisherId: user.id,
  });
  if (directAgency) {
    const listing = await tx.listing.findUnique({ where: { agencyId_itemId: { agencyId: directAgency.id, itemId: item.id } } });
    await announceResult(tx, p.id, directAgency.id, listingFee(item, p.investmentFen, listing?.discountPct ?? 0, p.budgetFen), '采购人在限额以下直接选取', rules);
  }
  return p;
}

export const amendSchema = z.object({
  reason: z.string({ required_error: '请填写变更原因' }).trim().min(4, '请填写变更原因').max(1000),
  signupEnd: dateTime('请填写报名截止时间').optional(),
  selectAt: dateTime('请填写选取时间').optional(),
  description: z.string().trim().max(5000).optional(),
});

export async function amendPurchase(actor: Actor, user: User, purchaseId: string, input: z.infer<typeof amendSchema>) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const p = await ownPurchase(tx, user, purchaseId);
    if (p.status !== 'published') throw new MarketError('报名截止后不能变更公告');
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const data: { signupEnd?: Date; selectAt?: Date; description?: string } = {};
    if (input.signupEnd && input.signupEnd.getTime() !== p.signupEnd.getTime()) {
      if (input.signupEnd.getTime() < now().getTime() + 30 * 60_000) throw new MarketError('报名截止时间须在变更后至少30分钟', { signupEnd: ['报名截止时间须在变更后至少30分钟'] });
      data.signupEnd = input.signupEnd;
      changes.signupEnd = { from: p.signupEnd, to: input.signupEnd };
    }
    const selectAt = input.selectAt ?? (data.signupEnd && p.selectAt < data.signupEnd ? data.signupEnd : undefined);
    if (selectAt && selectAt.getTime() !== p.selectAt.getTime()) {
      if (selectAt < (data.signupEnd ?? p.signupEnd)) throw new MarketError('选取时间不得早于报名截止时间', { selectAt: ['选取时间不得早于报名截止时间'] });
      data.selectAt = selectAt;
      changes.selectAt = { from: p.selectAt, to: selectAt };
    }
    if (input.description && input.description !== p.description) {
      data.description = input.description;
      changes.description = { from: p.description, to: input.description };
    }
    if (Object.keys(changes).length === 0) throw new MarketError('没有需要变更的内容');
    await tx.purchase.update({ where: { id: p.id }, data: { ...data, updatedAt: now() } });
    await tx.purchaseAmendment.create({ data: { purchaseId: p.id, reason: input.reason, changes: JSON.parse(JSON.stringify(changes)), byUserId: user.id, at: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.purchase.amend', objectType: 'Purchase', objectId: p.id, payload: { reason: input.reason, changes } });
    const text = Object.entries(changes)
      .map(([k, v]) => `${{ signupEnd: '报名截止时间', selectAt: '选取时间', description: '服务内容及要求' }[k] ?? k}：由“${v.from instanceof Date ? v.from.toISOString() : String(v.from)}”变更为“${v.to instanceof Date ? v.to.toISOString() : String(v.to)}”`)
      .join('\n');
    await publishAnnouncement(tx, { kind: 'amendment', market: 'market', title: `${p.projectName}采购公告变更公告（${p.code}）`, body: `变更原因：${input.reason}\n${text}`, sourceType: 'Purchase', sourceId: p.id, publisherId: user.id });
    await notifySignedUp(tx, p.id, { title: `采购公告变更：${p.code}`, body: `变更原因：${input.reason}`, link: `/market/purchases/${p.id}` });
  });
}

export async function cancelPurchase(actor: Actor, user: User, purchaseId: string, reason: string) {
  if (reason.trim().length < 4) throw new MarketError('请填写终止原因', { reason: ['请填写终止原因'] });
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const p = await ownPurchase(tx, user, purchaseId);
    if (!['published', 'closed', 'scoring'].includes(p.status)) throw new MarketError('当前状态不能终止采购');
    await tx.purchase.update({ where: { id: p.id }, data: { status: 'cancelled', cancelReason: reason, updatedAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.purchase.cancel', objectType: 'Purchase', objectId: p.id, payload: { reason } });
    await publishAnnouncement(tx, { kind: 'cancellation', market: 'market', title: `${p.projectName}采购终止公告（${p.code}）`, body: `终止原因：${reason}`, sourceType: 'Purchase', sourceId: p.id, publisherId: user.id });
    await notifySignedUp(tx, p.id, { title: `采购已终止：${p.code}`, body: `终止原因：${reason}`, link: `/market/purchases/${p.id}`, kind: 'warning' });
  });
}

async function ownPurchase(tx: Tx, user: User, id: string) {
  const p = await tx.purchase.findUnique({ where: { id } });
  if (!p || p.ownerOrgId !== user.organizationId) throw new MarketError('采购项目不存在或不属于本单位', {}, 404);
  return p;
}

async function notifySignedUp(tx: Tx, purchaseId: string, msg: { title: string; body: string; link: string; kind?: 'info' | 'warning' | 'success' | 'danger' }) {
  const signups = await tx.signup.findMany({ where: { purchaseId }, select: { userId: true } });
  await notifyUsers(tx, [...new Set(signups.map((s) => s.userId))], msg);
}

// ---------------------------------------------------------------------------------------------
// Sign-up

export const signupSchema = z.object({ quoteFen: z.number().int().positive('报价须大于0').optional() });

/** Why an agency may not take part; checked at sign-up and again at the close. */
async function eligibilityProblem(tx: Tx, p: { requiredQualType: string; requiredQualLevel: string; itemId: string; ownerOrgId: string; method: string }, agencyId: string, rules: CreditRules, at: Date): Promise<string | null> {
  const a = await tx.agencyProfile.findUnique({ where: { id: agencyId }, include: { qualifications: true } });
  if (!a || !a.approvedAt || !['approved', 'submitted'].includes(a.status)) return '未入驻或已被清退';
  if (a.blacklisted) return '已列入黑名单';
  if (p.method === 'draw' && gradeRank(a.creditGrade) < gradeRank(rules.minDrawGrade)) return `信用等级${a.creditGrade}低于参与随机抽取的最低等级${rules.minDrawGrade}`;
  const quals = a.qualifications.filter((q) => q.type === p.requiredQualType && levelMeets(q.level, p.requiredQualLevel));
  if (quals.length === 0) return `不具备${p.requiredQualType}${p.requiredQualLevel}及以上资质`;
  if (!quals.some((q) => q.validUntil > at)) return `${p.requiredQualType}资质证书已过期`;
  const listing = await tx.listing.findUnique({ where: { agencyId_itemId: { agencyId, itemId: p.itemId } } });
  if (!listing || listing.status !== 'active') return listing?.status === 'suspended' ? `该服务挂牌已暂停（${listing.suspendReason ?? ''}）` : '未挂牌该服务事项';
  const [owner, agencyOrg] = await Promise.all([tx.organization.findUnique({ where: { id: p.ownerOrgId } }), tx.organization.findUnique({ where: { id: a.orgId } })]);
  if (owner && agencyOrg && conflicted(owner, agencyOrg)) return '与采购人统一社会信用代码相同或存在关联关系，应当回避';
  return null;
}

export async function signUp(actor: Actor, user: User, purchaseId: string, input: { quoteFen?: number }) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  try {
    return await prisma.$transaction(async (tx) => {
      const p = await tx.purchase.findUnique({ where: { id: purchaseId }, include: { item: true } });
      if (!p) throw new MarketError('采购项目不存在', {}, 404);
      if (p.method === 'direct') throw new MarketError('直接选取的项目不接受报名');
      const t = now();
      if (p.status !== 'published' || t >= p.signupEnd) throw new MarketError('报名已截止，不能报名');
      if (t < p.signupStart) throw new MarketError('报名尚未开始');
      const agency = await tx.agencyProfile.findUnique({ where: { orgId: user.organizationId ?? '' } });
      if (!agency) throw new MarketError('请先办理中介机构入驻');
      if (await tx.signup.findUnique({ where: { purchaseId_agencyId: { purchaseId, agencyId: agency.id } } })) throw new MarketError('贵机构已报名该项目，不能重复报名');
      const problem = await eligibilityProblem(tx, p, agency.id, rules, t);
      if (problem) throw new MarketError(`不符合报名条件：${problem}`);
      let quoteSealed: string | null = null;
      let digest: string | null = null;
      let nonce: string | null = null;
      if (p.method === 'price' || p.method === 'compare') {
        if (!input.quoteFen) throw new MarketError('请填写报价', { quoteFen: ['请填写报价'] });
        const b = feeBounds(p.item, p.investmentFen)!;
        const max = Math.min(b.max, p.budgetFen);
        if (input.quoteFen < b.min || input.quoteFen > max) {
          const msg = `报价须在统一收费标准范围内：${yuan(b.min)} 至 ${yuan(max)}`;
          throw new MarketError(msg, { quoteFen: [msg] });
        }
        nonce = crypto.randomBytes(16).toString('hex');
        digest = quoteDigest(p.id, agency.id, input.quoteFen, nonce);
        quoteSealed = seal(`quote:${p.id}:${agency.id}`, JSON.stringify({ fen: input.quoteFen, nonce }));
      }
      const s = await tx.signup.create({ data: { purchaseId, agencyId: agency.id, userId: user.id, at: t, quoteSealed, quoteDigest: digest } });
      // The quote itself is not logged: only its digest, which is published at the close.
      await appendAuditEntry(tx, actor, { action: 'market.signup.create', objectType: 'Purchase', objectId: purchaseId, payload: { signupId: s.id, agencyId: agency.id, quoteDigest: digest } });
      return { signup: s, receipt: digest ? { digest, nonce: nonce!, quoteFen: input.quoteFen! } : null };
    });
  } catch (e) {
    if (e instanceof MarketError && e.status === 400) await refuse(actor, 'market.signup', 'Purchase', purchaseId, e);
    if (e instanceof Error && /Unique constraint/i.test(e.message)) await refuse(actor, 'market.signup', 'Purchase', purchaseId, new MarketError('贵机构已报名该项目，不能重复报名'));
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Close of sign-up (job)

interface ClosedStage {
  stage: 'closed';
  candidates: DrawCandidateInput[];
}

export async function closeSignup(purchaseId: string) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  return prisma.$transaction(
    async (tx) => {
      const p = await tx.purchase.findUnique({ where: { id: purchaseId }, include: { signups: { include: { agency: true } }, item: true } });
      const t = now();
      if (!p || p.status !== 'published' || p.method === 'direct' || p.signupEnd > t) return false;
      const b = feeBounds(p.item, p.investmentFen);
      const rows: { id: string; label: string; agencyId: string; problem: string | null }[] = [];
      for (const s of p.signups) {
        let problem = await eligibilityProblem(tx, p, s.agencyId, rules, p.signupEnd);
        let quoteFen: number | null = null;
        if (s.quoteSealed) {
          const q = JSON.parse(unseal(`quote:${p.id}:${s.agencyId}`, s.quoteSealed)) as { fen: number; nonce: string };
          if (quoteDigest(p.id, s.agencyId, q.fen, q.nonce) !== s.quoteDigest) problem ??= '报价与回执不符';
          quoteFen = q.fen;
          if (b && (q.fen < b.min || q.fen > Math.min(b.max, p.budgetFen))) problem ??= '报价超出统一收费标准';
        }
        await tx.signup.update({ where: { id: s.id }, data: { eligible: !problem, ineligibleReason: problem, quoteFen } });
        rows.push({ id: s.agencyId, label: s.agency.name, agencyId: s.agencyId, problem });
      }
      let candidates = screenCandidates(rows, (r) => ({ id: r.id, label: r.label }), [(r) => r.problem]);
      if (p.rotation) {
        const since = new Date(t.getTime() - rules.rotationWindowDays * 86_400_000);
        const wins = await tx.purchase.groupBy({ by: ['winnerAgencyId'], where: { itemId: p.itemId, resultAt: { gte: since }, winnerAgencyId: { in: rows.map((r) => r.agencyId) } }, _count: true });
        candidates = rotationWeights(candidates, new Map(wins.map((w) => [w.winnerAgencyId!, w._count])));
      }
      const eligible = candidates.filter((c) => c.eligible).length;
      // Published now, before the seed is revealed: the platform can no longer change the list.
      const record = candidatesHash(canonicalCandidates(candidates));
      await tx.purchase.update({ where: { id: p.id }, data: { candidatesHash: record, drawRecord: { stage: 'closed', candidates } as object, updatedAt: t } });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.purchase.close', objectType: 'Purchase', objectId: p.id, payload: { signups: rows.length, eligible, candidatesHash: record, quoteDigests: p.signups.map((s) => s.quoteDigest).filter(Boolean) } });
      if (eligible < p.minSignups) {
        await failPurchase(tx, p, `有效报名${eligible}家，不足${p.minSignups}家`);
        return true;
      }
      await tx.purchase.update({ where: { id: p.id }, data: { status: p.method === 'compare' ? 'scoring' : 'closed' } });
      if (p.method === 'compare') {
        const owners = await tx.user.findMany({ where: { organizationId: p.ownerOrgId, active: true }, select: { id: true } });
        await notifyUsers(tx, owners.map((u) => u.id), { title: `比选评分：${p.code}`, body: `报名已截止，有效报名${eligible}家，请按公布的评分因素评分。`, link: `/market/purchases/${p.id}`, kind: 'info' });
      }
      return true;
    },
    { timeout: 60_000 },
  );
}

async function failPurchase(tx: Tx, p: { id: string; code: string; projectName: string; ownerOrgId: string }, reason: string) {
  await tx.purchase.update({ where: { id: p.id }, data: { status: 'failed', failReason: reason, updatedAt: now() } });
  await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.purchase.fail', objectType: 'Purchase', objectId: p.id, payload: { reason } });
  await publishAnnouncement(tx, { kind: 'result', market: 'market', title: `${p.projectName}流标公告（${p.code}）`, body: `本项目流标。原因：${reason}。采购人可重新发布采购公告。`, sourceType: 'Purchase', sourceId: p.id });
  const owners = await tx.user.findMany({ where: { organizationId: p.ownerOrgId, active: true }, select: { id: true } });
  await notifyUsers(tx, owners.map((u) => u.id), { title: `项目流标：${p.code}`, body: `${reason}。可在项目页面重新发布。`, link: `/market/purchases/${p.id}`, kind: 'warning' });
  await notifySignedUp(tx, p.id, { title: `项目流标：${p.code}`, body: reason, link: `/market/purchases/${p.id}`, kind: 'warning' });
}

// ---------------------------------------------------------------------------------------------
// Selection (job for draw and price; owner action for comparison)

function stagedCandidates(p: { drawRecord: unknown }): DrawCandidateInput[] {
  const r = p.drawRecord as ClosedStage | DrawRecord | null;
  if (!r || !('stage' in r)) throw new Error('purchase has no closed candidate list');
  return r.candidates;
}

function revealSeed(p: { id: string; drawSeedSealed: string | null }): string {
  if (!p.drawSeedSealed) throw new Error('purchase has no sealed seed');
  return unseal(`seed:${p.id}`, p.drawSeedSealed);
}

export async function runSelection(purchaseId: string) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  return prisma.$transaction(
    async (tx) => {
      const p = await tx.purchase.findUnique({ where: { id: purchaseId }, include: { item: true, signups: { include: { agency: true } } } });
      const t = now();
      if (!p || p.status !== 'closed' || p.selectAt > t) return false;
      const seed = revealSeed(p);
      if (p.method === 'draw') {
        const candidates = stagedCandidates(p);
        const eligible = candidates.filter((c) => c.eligible).length;
        const record = runDraw({ seed, commitment: p.drawCommitment!, candidates, count: 1, reserveCount: Math.min(2, eligible - 1), purpose: drawPurpose(p) });
        if (record.candidatesHash !== p.candidatesHash) throw new Error('candidate list changed after the close');
        const winnerId = record.winners[0];
        const listing = await tx.listing.findUnique({ where: { agencyId_itemId: { agencyId: winnerId, itemId: p.itemId } } });
        await tx.purchase.update({ where: { id: p.id }, data: { drawSeed: seed, drawRecord: record as unknown as object } });
        await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.purchase.draw', objectType: 'Purchase', objectId: p.id, payload: { seed, outcomeSeed: record.outcomeSeed, winners: record.winners, reserves: record.reserves } });
        await announceResult(tx, p.id, winnerId, listingFee(p.item, p.investmentFen, listing?.discountPct ?? 0, p.budgetFen), `随机抽取（备选：${record.reserves.map((id) => p.signups.find((s) => s.agencyId === id)?.agency.name ?? id).join('、') || '无'}）`, rules);
        return true;
      }
      if (p.method === 'price') {
        const valid = p.signups.filter((s) => s.eligible && s.quoteFen != null);
        const lowest = Math.min(...valid.map((s) => s.quoteFen!));
        const tied = valid.filter((s) => s.quoteFen === lowest);
        let winnerId = tied[0].agencyId;
        let record: DrawRecord | null = null;
        if (tied.length > 1) {
          record = runDraw({ seed, commitment: p.drawCommitment!, candidates: tied.map((s) => ({ id: s.agencyId, label: s.agency.name })), count: 1, purpose: drawPurpose(p, 'tie-break') });
          winnerId = record.winners[0];
        }
        await tx.purchase.update({ where: { id: p.id }, data: { drawSeed: seed, drawRecord: (record ?? { stage: 'no-tie', candidates: stagedCandidates(p) }) as object } });
        await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.purchase.price-select', objectType: 'Purchase', objectId: p.id, payload: { lowest, tied: tied.map((s) => s.agencyId), seed } });
        await announceResult(tx, p.id, winnerId, lowest, tied.length > 1 ? `竞价最低报价 ${yuan(lowest)}，${tied.length}家报价相同，经随机抽取确定` : `竞价最低有效报价 ${yuan(lowest)}`, rules);
        return true;
      }
      return false;
    },
    { timeout: 60_000 },
  );
}

export const scoreSchema = z.object({
  signupId: z.string().min(1),
  qualification: z.number().min(0),
  experience: z.number().min(0),
  credit: z.number().min(0),
  comment: z.string().trim().max(500).default(''),
});

/** 比选评分: the price score follows from the quotes (lowest quote / own quote × weight); the rest is scored. */
export async function submitScores(actor: Actor, user: User, purchaseId: string, scores: z.infer<typeof scoreSchema>[]) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const p = await ownPurchase(tx, user, purchaseId);
    if (p.status !== 'scoring') throw new MarketError('当前不在比选评分阶段');
    const criteria = { ...DEFAULT_CRITERIA, ...((p.criteria as Record<CriteriaKey, number>) ?? {}) };
    const signups = await tx.signup.findMany({ where: { purchaseId, eligible: true } });
    const lowest = Math.min(...signups.map((s) => s.quoteFen ?? Infinity));
    const problems: Record<string, string[]> = {};
    for (const s of signups) {
      const sc = scores.find((x) => x.signupId === s.id);
      if (!sc) {
        problems[`s-${s.id}`] = ['请为每家有效报名机构评分'];
        continue;
      }
      for (const k of ['qualification', 'experience', 'credit'] as const) {
        if (sc[k] > criteria[k]) problems[`${k}-${s.id}`] = [`${k === 'qualification' ? '资质' : k === 'experience' ? '业绩经验' : '信用'}得分不得超过${criteria[k]}分`];
      }
    }
    if (Object.keys(problems).length) throw new MarketError('评分有误，请按提示修改', problems);
    const t = now();
    for (const s of signups) {
      const sc = scores.find((x) => x.signupId === s.id)!;
      const price = s.quoteFen ? Math.round(((lowest / s.quoteFen) * criteria.price) * 100) / 100 : 0;
      const total = Math.round((price + sc.qualification + sc.experience + sc.credit) * 100) / 100;
      await tx.comparisonScore.upsert({
        where: { purchaseId_signupId_scorerUserId: { purchaseId, signupId: s.id, scorerUserId: user.id } },
        create: { purchaseId, signupId: s.id, scorerUserId: user.id, scorerName: user.displayName, price, qualification: sc.qualification, experience: sc.experience, credit: sc.credit, total, comment: sc.comment, at: t },
        update: { price, qualification: sc.qualification, experience: sc.experience, credit: sc.credit, total, comment: sc.comment, at: t },
      });
    }
    await appendAuditEntry(tx, actor, { action: 'market.purchase.score', objectType: 'Purchase', objectId: purchaseId, payload: { scores } });
  });
}

/** Closes the comparison: highest average total wins; ties are broken by the committed draw. */
export async function finalizeComparison(actor: Actor, user: User, purchaseId: string) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  return prisma.$transaction(async (tx) => {
    const p = await ownPurchase(tx, user, purchaseId);
    if (p.status !== 'scoring') throw new MarketError('当前不在比选评分阶段');
    const signups = await tx.signup.findMany({ where: { purchaseId, eligible: true }, include: { agency: true } });
    const scores = await tx.comparisonScore.findMany({ where: { purchaseId } });
    const totals = signups.map((s) => {
      const mine = scores.filter((x) => x.signupId === s.id);
      return { s, n: mine.length, avg: mine.length ? Math.round((mine.reduce((a, b) => a + b.total, 0) / mine.length) * 100) / 100 : 0 };
    });
    if (totals.some((x) => x.n === 0)) throw new MarketError('尚有报名机构未评分，不能确定比选结果');
    const best = Math.max(...totals.map((x) => x.avg));
    const tied = totals.filter((x) => x.avg === best);
    const seed = revealSeed(p);
    let winner = tied[0].s;
    let record: DrawRecord | null = null;
    if (tied.length > 1) {
      record = runDraw({ seed, commitment: p.drawCommitment!, candidates: tied.map((x) => ({ id: x.s.agencyId, label: x.s.agency.name })), count: 1, purpose: drawPurpose(p, 'tie-break') });
      winner = tied.find((x) => x.s.agencyId === record!.winners[0])!.s;
    }
    await tx.purchase.update({ where: { id: p.id }, data: { drawSeed: seed, drawRecord: (record ?? { stage: 'no-tie', candidates: stagedCandidates(p) }) as object } });
    await appendAuditEntry(tx, actor, { action: 'market.purchase.compare-select', objectType: 'Purchase', objectId: p.id, payload: { totals: totals.map((x) => ({ agencyId: x.s.agencyId, total: x.avg })), seed } });
    await announceResult(tx, p.id, winner.agencyId, winner.quoteFen ?? p.budgetFen, `比选综合得分最高（${best}分）${tied.length > 1 ? `，${tied.length}家得分相同，经随机抽取确定` : ''}`, rules);
  });
}

async function announceResult(tx: Tx, purchaseId: string, winnerAgencyId: string, feeFen: number, how: string, rules: CreditRules) {
  const p = await tx.purchase.findUniqueOrThrow({ where: { id: purchaseId }, include: { item: true } });
  const winner = await tx.agencyProfile.findUniqueOrThrow({ where: { id: winnerAgencyId } });
  const t = now();
  const cal = await loadWorkCalendar(tx);
  const objectionUntil = cal.addWorkdays(t, rules.objectionWorkdays);
  await tx.purchase.update({ where: { id: p.id }, data: { status: 'announced', winnerAgencyId, winningFeeFen: feeFen, resultAt: t, objectionUntil, updatedAt: t } });
  await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.purchase.result', objectType: 'Purchase', objectId: p.id, payload: { winnerAgencyId, feeFen, how, objectionUntil } });
  await publishAnnouncement(tx, {
    kind: 'result',
    market: 'market',
    title: `${p.projectName}中选公告（${p.code}）`,
    body: [
      `中选机构：${winner.name}（统一社会信用代码 ${winner.creditCode}）`,
      `服务事项：${p.item.name}；中选服务费：${yuan(feeFen)}；承诺时限：${p.item.timeLimitDays}个工作日`,
      `选取方式：${METHOD_LABELS[p.method as Method]}；${how}`,
      p.drawCommitment ? `随机种子承诺值：${p.drawCommitment}；报名名单哈希：${p.candidatesHash ?? '—'}。复核页面：/market/purchases/${p.id}/draw` : '',
      `质疑期至 ${objectionUntil.toISOString()}。对结果有异议的报名机构可在质疑期内通过平台提出质疑。`,
    ]
      .filter(Boolean)
      .join('\n'),
    sourceType: 'Purchase',
    sourceId: p.id,
  });
  const owners = await tx.user.findMany({ where: { organizationId: p.ownerOrgId, active: true }, select: { id: true } });
  const winners = await tx.user.findMany({ where: { organizationId: winner.orgId, active: true }, select: { id: true } });
  await notifyUsers(tx, owners.map((u) => u.id), { title: `中选结果已公示：${p.code}`, body: `中选机构：${winner.name}。质疑期结束后可签订合同。`, link: `/market/purchases/${p.id}`, kind: 'success' });
  await notifyUsers(tx, winners.map((u) => u.id), { title: `贵机构中选：${p.code}`, body: `${p.projectName}（${p.item.name}）。质疑期结束后签订合同。`, link: `/market/purchases/${p.id}`, kind: 'success' });
}

// ---------------------------------------------------------------------------------------------
// Objections (质疑) and award

export async function raiseObjection(actor: Actor, user: User, purchaseId: string, text: string) {
  const prisma = await getPrisma();
  try {
    return await prisma.$transaction(async (tx) => {
      if (text.trim().length < 10) throw new MarketError('请具体说明质疑事项和理由（至少10字）', { text: ['请具体说明质疑事项和理由（至少10字）'] });
      const p = await tx.purchase.findUnique({ where: { id: purchaseId } });
      if (!p) throw new MarketError('采购项目不存在', {}, 404);
      if (p.status !== 'announced' || !p.objectionUntil || now() > p.objectionUntil) throw new MarketError('不在质疑期内');
      const agency = await tx.agencyProfile.findUnique({ where: { orgId: user.organizationId ?? '' } });
      const signed = agency && (await tx.signup.findUnique({ where: { purchaseId_agencyId: { purchaseId, agencyId: agency.id } } }));
      if (!signed) throw new MarketError('只有报名本项目的机构可以提出质疑', {}, 403);
      const o = await tx.purchaseObjection.create({ data: { purchaseId, orgId: user.organizationId!, userId: user.id, text: text.trim(), at: now() } });
      await appendAuditEntry(tx, actor, { action: 'market.objection.raise', objectType: 'Purchase', objectId: purchaseId, payload: { objectionId: o.id, text: o.text } });
      const owners = await tx.user.findMany({ where: { OR: [{ organizationId: p.ownerOrgId }, { role: 'supervisor' }], active: true }, select: { id: true } });
      await notifyUsers(tx, owners.map((u) => u.id), { title: `收到质疑：${p.code}`, body: o.text.slice(0, 200), link: `/market/purchases/${p.id}`, kind: 'warning' });
      return o;
    });
  } catch (e) {
    if (e instanceof MarketError && e.status === 400 && !e.fieldErrors.text) await refuse(actor, 'market.objection', 'Purchase', purchaseId, e);
    throw e;
  }
}

export async function answerObjection(actor: Actor, user: User, objectionId: string, input: { decision: 'upheld' | 'dismissed'; reply: string }) {
  if (input.reply.trim().length < 4) throw new MarketError('请填写答复意见', { reply: ['请填写答复意见'] });
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const o = await tx.purchaseObjection.findUnique({ where: { id: objectionId }, include: { purchase: true } });
    if (!o || o.purchase.ownerOrgId !== user.organizationId) throw new MarketError('质疑不存在', {}, 404);
    if (o.status !== 'open') throw new MarketError('该质疑已答复');
    await tx.purchaseObjection.update({ where: { id: o.id }, data: { status: input.decision, reply: input.reply, handledAt: now() } });
    await appendAuditEntry(tx, actor, { action: `market.objection.${input.decision}`, objectType: 'Purchase', objectId: o.purchaseId, payload: { objectionId: o.id, reply: input.reply } });
    await notifyUsers(tx, [o.userId], { title: `质疑已答复：${o.purchase.code}`, body: `${input.decision === 'upheld' ? '质疑成立' : '质疑不成立'}。${input.reply}`, link: `/market/purchases/${o.purchaseId}` });
    // An upheld objection annuls the result: the purchase fails and may be published again.
    if (input.decision === 'upheld' && o.purchase.status === 'announced') await failPurchase(tx, o.purchase, `质疑成立，中选结果无效：${input.reply}`);
  });
}

/** After the objection period with no open objection: the winner is final and the order opens. */
export async function awardIfDue(purchaseId: string) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const p = await tx.purchase.findUnique({ where: { id: purchaseId }, include: { objections: true } });
    if (!p || p.status !== 'announced' || !p.objectionUntil || p.objectionUntil > now()) return false;
    if (p.objections.some((o) => o.status === 'open')) return false;
    await tx.purchase.update({ where: { id: p.id }, data: { status: 'awarded', updatedAt: now() } });
    await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.purchase.award', objectType: 'Purchase', objectId: p.id, payload: { winnerAgencyId: p.winnerAgencyId } });
    await createOrderForPurchase(tx, p);
    return true;
  });
}

export const republishSchema = z.object({
  signupEnd: dateTime('请填写报名截止时间'),
  selectAt: dateTime('请填写选取时间').optional(),
  minSignups: z.number().int().min(1).max(20).optional(),
});

/** 重新发布 after 流标: a new round with its own seed and sign-up period. */
export async function republishPurchase(actor: Actor, user: User, purchaseId: string, input: z.infer<typeof republishSchema>) {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  return prisma.$transaction(async (tx) => {
    const p = await ownPurchase(tx, user, purchaseId);
    if (p.status !== 'failed') throw new MarketError('只有流标的项目可以重新发布');
    if (await tx.purchase.findFirst({ where: { previousId: p.id } })) throw new MarketError('该项目已重新发布');
    return publishInTx(
      tx,
      actor,
      user,
      {
        projectName: p.projectName,
        projectCode: p.projectCode,
        itemId: p.itemId,
        budgetFen: p.budgetFen,
        investmentFen: p.investmentFen == null ? null : Number(p.investmentFen),
        requiredQualLevel: p.requiredQualLevel as PurchaseInput['requiredQualLevel'],
        description: p.description,
        method: p.method === 'direct' ? 'draw' : (p.method as PurchaseInput['method']),
        signupEnd: input.signupEnd,
        selectAt: input.selectAt ?? input.signupEnd,
        minSignups: input.minSignups ?? p.minSignups,
        rotation: p.rotation,
        criteria: (p.criteria as Record<CriteriaKey, number>) ?? undefined,
      },
      rules,
      { id: p.id, round: p.round, code: p.code },
    );
  });
}

/** Runs every timed purchase step that is due (the market job). */
export async function runDuePurchaseSteps() {
  const prisma = await getPrisma();
  const t = now();
  let did = 0;
  for (const p of await prisma.purchase.findMany({ where: { status: 'published', method: { not: 'direct' }, signupEnd: { lte: t } }, select: { id: true } })) if (await closeSignup(p.id)) did++;
  for (const p of await prisma.purchase.findMany({ where: { status: 'closed', selectAt: { lte: t } }, select: { id: true } })) if (await runSelection(p.id)) did++;
  for (const p of await prisma.purchase.findMany({ where: { status: 'announced', objectionUntil: { lte: t } }, select: { id: true } })) if (await awardIfDue(p.id)) did++;
  return did;
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listPurchases(opts: { status?: string; method?: string; ownerOrgId?: string; agencyId?: string; q?: string; page?: number; pageSize?: number }) {
  const prisma = await getPrisma();
  const pageSize = Math.min(opts.pageSize ?? 20, 50);
  const page = Math.max(opts.page ?? 1, 1);
  const where = {
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.ownerOrgId ? { ownerOrgId: opts.ownerOrgId } : {}),
    ...(opts.agencyId ? { signups: { some: { agencyId: opts.agencyId } } } : {}),
    ...(opts.q ? { OR: [{ projectName: { contains: opts.q } }, { code: { contains: opts.q } }] } : {}),
  };
  const [items, total] = await Promise.all([
    prisma.purchase.findMany({ where, orderBy: { publishedAt: 'desc' }, skip: (page - 1) * pageSize, take: pageSize, include: { item: { include: { category: true } } } }),
    prisma.purchase.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export async function getPurchase(id: string) {
  const prisma = await getPrisma();
  return prisma.purchase.findUnique({
    where: { id },
    include: {
      item: { include: { category: true } },
      signups: { include: { agency: { select: { id: true, name: true, creditGrade: true, creditScore: true } } }, orderBy: { at: 'asc' } },
      amendments: { orderBy: { at: 'asc' } },
      objections: { orderBy: { at: 'asc' } },
      scores: { orderBy: { at: 'asc' } },
    },
  });
}

/** The public draw record, once the draw has run (null before). */
export function publishedDrawRecord(p: { drawRecord: unknown; drawSeed: string | null }): DrawRecord | null {
  const r = p.drawRecord as Record<string, unknown> | null;
  if (!r || 'stage' in r || !p.drawSeed) return null;
  return r as unknown as DrawRecord;
}
