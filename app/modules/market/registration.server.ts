// 中介机构入驻: the agency enters its data, licence, qualifications and practitioners; the center
// approves, returns it with one complete list of what is missing (一次性告知), or rejects it.
// One approved registration serves every purchase on the platform (一地入驻、全域通行).
import { z } from 'zod';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { notifyUsers } from '~/modules/notify/notify.server';
import { recomputeCredit, getRules } from '~/modules/credit/credit.server';
import { QUAL_LEVELS } from './constants';
import { MarketError } from './errors.server';

export const profileSchema = z.object({
  name: z.string({ required_error: '请填写机构名称' }).trim().min(2, '请填写机构名称').max(100),
  region: z.string({ required_error: '请填写所在区域' }).trim().min(2, '请填写所在区域').max(50),
  address: z.string({ required_error: '请填写办公地址' }).trim().min(4, '请填写办公地址').max(200),
  legalRep: z.string({ required_error: '请填写法定代表人' }).trim().min(2, '请填写法定代表人').max(30),
  contactName: z.string({ required_error: '请填写联系人' }).trim().min(2, '请填写联系人').max(30),
  phone: z.string({ required_error: '请填写联系电话' }).trim().regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, '请填写正确的手机号或固定电话'),
  intro: z.string().trim().max(2000).default(''),
  licenceNo: z.string().trim().max(50).optional(),
});
export type ProfileInput = z.infer<typeof profileSchema>;

export const qualificationSchema = z
  .object({
    type: z.string({ required_error: '请填写资质类别' }).trim().min(2, '请填写资质类别').max(100),
    level: z.enum(QUAL_LEVELS, { errorMap: () => ({ message: '请选择资质等级' }) }),
    number: z.string({ required_error: '请填写证书编号' }).trim().min(3, '请填写证书编号').max(60),
    validFrom: z.coerce.date({ errorMap: () => ({ message: '请填写发证日期' }) }),
    validUntil: z.coerce.date({ errorMap: () => ({ message: '请填写有效期至' }) }),
  })
  .refine((v) => v.validUntil > v.validFrom, { path: ['validUntil'], message: '有效期须晚于发证日期' });
export type QualificationInput = z.infer<typeof qualificationSchema>;

export const practitionerSchema = z.object({
  name: z.string({ required_error: '请填写姓名' }).trim().min(2, '请填写姓名').max(30),
  certType: z.string({ required_error: '请填写证书类别' }).trim().min(2, '请填写证书类别').max(60),
  certNo: z.string({ required_error: '请填写证书编号' }).trim().min(3, '请填写证书编号').max(60),
  certValidUntil: z.coerce.date({ errorMap: () => ({ message: '请填写证书有效期' }) }),
});
export type PractitionerInput = z.infer<typeof practitionerSchema>;

/** Standard items of the one-time notice; the reviewer ticks them and may add free text. */
export const MISSING_ITEMS = [
  '营业执照扫描件缺失或不清晰',
  '营业执照编号与扫描件不一致',
  '资质证书扫描件缺失或不清晰',
  '资质证书已过期或即将过期',
  '资质等级与证书不符',
  '执业人员证书缺失',
  '执业人员数量不满足资质标准要求',
  '法定代表人信息不完整',
  '办公地址信息不完整',
] as const;

const EDITABLE = ['draft', 'returned', 'approved', 'submitted'];

export async function agencyOfOrg(orgId: string) {
  const prisma = await getPrisma();
  return prisma.agencyProfile.findUnique({
    where: { orgId },
    include: { qualifications: { orderBy: { createdAt: 'asc' } }, practitioners: true, reviews: { orderBy: { at: 'desc' } } },
  });
}

export async function getAgency(id: string) {
  const prisma = await getPrisma();
  return prisma.agencyProfile.findUnique({
    where: { id },
    include: { qualifications: { orderBy: { createdAt: 'asc' } }, practitioners: true, reviews: { orderBy: { at: 'desc' } } },
  });
}

async function requireOwnAgency(tx: Tx, orgId: string) {
  const a = await tx.agencyProfile.findUnique({ where: { orgId } });
  if (!a) throw new MarketError('请先填写并保存机构基本信息');
  if (!EDITABLE.includes(a.status)) throw new MarketError(a.status === 'cleared' ? '贵机构已被清退，不能修改入驻信息' : '入驻申请不予通过，不能修改');
  return a;
}

/** After approval a change of qualifications or practitioners goes back to the center (变更审核). */
async function markChanged(tx: Tx, a: { id: string; status: string }) {
  if (a.status === 'approved') await tx.agencyProfile.update({ where: { id: a.id }, data: { status: 'submitted', submittedAt: now(), updatedAt: now() } });
}

export async function saveProfile(actor: Actor, orgId: string, input: ProfileInput & { licenceFileId?: string | null }) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const org = await tx.organization.findUnique({ where: { id: orgId } });
    if (!org || !org.roles.includes('agency')) throw new MarketError('只有中介机构可以办理入驻', {}, 403);
    const existing = await tx.agencyProfile.findUnique({ where: { orgId } });
    if (existing && !EDITABLE.includes(existing.status)) throw new MarketError('当前状态不能修改入驻信息');
    const data = {
      name: input.name,
      region: input.region,
      address: input.address,
      legalRep: input.legalRep,
      contactName: input.contactName,
      phone: input.phone,
      intro: input.intro ?? '',
      licenceNo: input.licenceNo || null,
      ...(input.licenceFileId ? { licenceFileId: input.licenceFileId } : {}),
      updatedAt: now(),
    };
    const a = existing
      ? await tx.agencyProfile.update({ where: { id: existing.id }, data })
      : await tx.agencyProfile.create({ data: { ...data, orgId, creditCode: org.creditCode, status: 'draft', createdAt: now() } });
    await tx.listing.updateMany({ where: { agencyId: a.id }, data: { agencyName: a.name, region: a.region } });
    await appendAuditEntry(tx, actor, { action: existing ? 'market.registration.update' : 'market.registration.create', objectType: 'AgencyProfile', objectId: a.id, payload: { ...data, updatedAt: undefined } });
    return a;
  });
}

export async function addQualification(actor: Actor, orgId: string, input: QualificationInput & { fileId?: string | null }) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const a = await requireOwnAgency(tx, orgId);
    if (input.validUntil <= now()) throw new MarketError('该资质证书已过期，不能登记', { validUntil: ['该资质证书已过期，不能登记'] });
    const dup = await tx.qualification.findFirst({ where: { agencyId: a.id, number: input.number } });
    if (dup) throw new MarketError('该证书编号已登记', { number: ['该证书编号已登记'] });
    const q = await tx.qualification.create({ data: { agencyId: a.id, type: input.type, level: input.level, number: input.number, validFrom: input.validFrom, validUntil: input.validUntil, fileId: input.fileId ?? null, createdAt: now() } });
    await markChanged(tx, a);
    await appendAuditEntry(tx, actor, { action: 'market.qualification.add', objectType: 'Qualification', objectId: q.id, payload: { agencyId: a.id, type: q.type, level: q.level, number: q.number, validUntil: q.validUntil } });
    return q;
  });
}

export async function removeQualification(actor: Actor, orgId: string, qualificationId: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const a = await requireOwnAgency(tx, orgId);
    const q = await tx.qualification.findFirst({ where: { id: qualificationId, agencyId: a.id }, include: { _count: { select: { listings: true } } } });
    if (!q) throw new MarketError('资质证书不存在', {}, 404);
    if (q._count.listings) throw new MarketError('该资质已用于挂牌服务，请先撤牌');
    await tx.qualification.delete({ where: { id: q.id } });
    await markChanged(tx, a);
    await appendAuditEntry(tx, actor, { action: 'market.qualification.remove', objectType: 'Qualification', objectId: q.id, payload: { number: q.number } });
  });
}

export async function addPractitioner(actor: Actor, orgId: string, input: PractitionerInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const a = await requireOwnAgency(tx, orgId);
    if (input.certValidUntil <= now()) throw new MarketError('该执业证书已过期', { certValidUntil: ['该执业证书已过期'] });
    const p = await tx.practitioner.create({ data: { agencyId: a.id, ...input } });
    await markChanged(tx, a);
    await appendAuditEntry(tx, actor, { action: 'market.practitioner.add', objectType: 'Practitioner', objectId: p.id, payload: { agencyId: a.id, name: p.name, certType: p.certType, certNo: p.certNo } });
    return p;
  });
}

export async function removePractitioner(actor: Actor, orgId: string, id: string) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const a = await requireOwnAgency(tx, orgId);
    const p = await tx.practitioner.findFirst({ where: { id, agencyId: a.id } });
    if (!p) throw new MarketError('执业人员不存在', {}, 404);
    await tx.practitioner.delete({ where: { id } });
    await markChanged(tx, a);
    await appendAuditEntry(tx, actor, { action: 'market.practitioner.remove', objectType: 'Practitioner', objectId: id, payload: { name: p.name } });
  });
}

/** What is still missing before the application can be sent: checked here so the agency hears it all at once. */
export function missingForSubmission(a: { licenceNo: string | null; licenceFileId: string | null; qualifications: { fileId: string | null }[]; practitioners: unknown[] }): string[] {
  const out: string[] = [];
  if (!a.licenceNo) out.push('营业执照编号');
  if (!a.licenceFileId) out.push('营业执照扫描件');
  if (a.qualifications.length === 0) out.push('至少一项资质证书');
  if (a.qualifications.some((q) => !q.fileId)) out.push('每项资质证书的扫描件');
  if (a.practitioners.length === 0) out.push('至少一名执业人员及其证书');
  return out;
}

export async function submitRegistration(actor: Actor, orgId: string) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const a = await tx.agencyProfile.findUnique({ where: { orgId }, include: { qualifications: true, practitioners: true } });
    if (!a) throw new MarketError('请先填写机构基本信息');
    if (!['draft', 'returned'].includes(a.status)) throw new MarketError('当前状态不能提交');
    const missing = missingForSubmission(a);
    if (missing.length) throw new MarketError(`尚缺以下材料：${missing.join('；')}`);
    await tx.agencyProfile.update({ where: { id: a.id }, data: { status: 'submitted', submittedAt: now(), updatedAt: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.registration.submit', objectType: 'AgencyProfile', objectId: a.id });
    const admins = await tx.user.findMany({ where: { role: 'admin', active: true }, select: { id: true } });
    await notifyUsers(tx, admins.map((u) => u.id), { title: `入驻申请待审核：${a.name}`, body: `${a.name} 提交了入驻申请，请在承诺时限内审核。`, link: `/admin/registrations/${a.id}` });
  });
}

export const reviewSchema = z
  .object({
    decision: z.enum(['approve', 'return', 'reject'], { errorMap: () => ({ message: '请选择审核结论' }) }),
    items: z.array(z.string().trim().min(1).max(200)).max(30).default([]),
    reason: z.string({ required_error: '请填写审核意见' }).trim().min(2, '请填写审核意见').max(2000),
  })
  .refine((v) => v.decision !== 'return' || v.items.length > 0, { path: ['items'], message: '退回补正须一次性列明全部需补正的材料' });
export type ReviewInput = z.infer<typeof reviewSchema>;

export async function listRegistrations(status?: string) {
  const prisma = await getPrisma();
  return prisma.agencyProfile.findMany({
    where: status ? { status } : { status: { not: 'draft' } },
    orderBy: [{ submittedAt: 'desc' }],
    take: 200,
    include: { _count: { select: { qualifications: true, practitioners: true } } },
  });
}

export async function reviewRegistration(actor: Actor, agencyId: string, input: ReviewInput) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const a = await tx.agencyProfile.findUnique({ where: { id: agencyId } });
    if (!a) throw new MarketError('入驻申请不存在', {}, 404);
    if (a.status !== 'submitted') throw new MarketError('该申请当前不在待审核状态');
    const t = now();
    const status = input.decision === 'approve' ? 'approved' : input.decision === 'return' ? 'returned' : 'rejected';
    await tx.agencyProfile.update({
      where: { id: agencyId },
      data: {
        status,
        reviewNote: input.reason,
        returnedItems: input.decision === 'return' ? input.items : undefined,
        reviewedAt: t,
        ...(input.decision === 'approve' ? { approvedAt: a.approvedAt ?? t } : {}),
        updatedAt: t,
      },
    });
    await tx.registrationReview.create({ data: { agencyId, decision: input.decision, items: input.items, reason: input.reason, reviewerId: actor.userId ?? '', at: t } });
    await appendAuditEntry(tx, actor, { action: `market.registration.${input.decision}`, objectType: 'AgencyProfile', objectId: agencyId, payload: { items: input.items, reason: input.reason } });
    if (input.decision === 'approve' && !a.approvedAt) {
      const { rules } = await getRules(tx);
      await tx.creditHistory.create({ data: { agencyId, score: Math.round(rules.base * 100), grade: a.creditGrade, reason: '入驻初始信用', at: t } });
      await recomputeCredit(tx, agencyId, '入驻审核通过', rules);
    }
    const users = await tx.user.findMany({ where: { organizationId: a.orgId, active: true }, select: { id: true } });
    const title = input.decision === 'approve' ? '入驻申请已通过' : input.decision === 'return' ? '入驻申请退回补正（一次性告知）' : '入驻申请不予通过';
    const body = input.decision === 'return' ? `请一次性补正以下材料：${input.items.map((x, i) => `${i + 1}. ${x}`).join('；')}。审核意见：${input.reason}` : `审核意见：${input.reason}`;
    await notifyUsers(tx, users.map((u) => u.id), { title, body, link: '/market/registration', kind: input.decision === 'approve' ? 'success' : 'warning', email: true });
  });
}

/**
 * Daily: remind agencies of qualifications expiring soon (once), and suspend listings whose
 * qualification has expired.
 */
export async function checkQualificationExpiry() {
  const prisma = await getPrisma();
  const { rules } = await getRules();
  const t = now();
  const soon = new Date(t.getTime() + rules.qualificationReminderDays * 86_400_000);
  let did = 0;
  const expiring = await prisma.qualification.findMany({ where: { remindedAt: null, validUntil: { gt: t, lte: soon } }, include: { agency: true } });
  for (const q of expiring) {
    await prisma.$transaction(async (tx) => {
      await tx.qualification.update({ where: { id: q.id }, data: { remindedAt: t } });
      const users = await tx.user.findMany({ where: { organizationId: q.agency.orgId, active: true }, select: { id: true } });
      await notifyUsers(tx, users.map((u) => u.id), {
        title: `资质即将到期：${q.type}（${q.number}）`,
        body: `贵机构的 ${q.type}${q.level} 证书将于 ${q.validUntil.toISOString().slice(0, 10)} 到期。到期后使用该资质的挂牌服务将自动暂停，请及时办理延续并更新证书。`,
        link: '/market/registration',
        kind: 'warning',
        email: true,
      });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.qualification.remind', objectType: 'Qualification', objectId: q.id, payload: { validUntil: q.validUntil } });
    });
    did++;
  }
  const expired = await prisma.listing.findMany({ where: { status: 'active', qualification: { validUntil: { lte: t } } }, select: { id: true, agencyId: true, qualificationId: true } });
  for (const l of expired) {
    await prisma.$transaction(async (tx) => {
      await tx.listing.update({ where: { id: l.id }, data: { status: 'suspended', suspendReason: '资质证书已过期', updatedAt: t } });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.listing.suspend', objectType: 'Listing', objectId: l.id, payload: { reason: '资质证书已过期', qualificationId: l.qualificationId } });
    });
    did++;
  }
  return did;
}
