// 服务订单: contract (generated, signed by both sides with their certificates, filed), delivery
// under the committed time limit in working days (yellow/red warnings, pauses 中止), acceptance or
// return, and the owner's evaluation (一事一评) that feeds the agency's credit.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import type { Pause, WorkCalendar } from '~/modules/clock/workdays';
import { notifyUsers } from '~/modules/notify/notify.server';
import { getRules, recomputeCredit } from '~/modules/credit/credit.server';
import type { CreditRules } from '~/modules/credit/rules';
import { loadWorkCalendar } from './calendar.server';
import { describeFee, METHOD_LABELS, type Method } from './constants';
import { renderContract, type ContractData } from './contract.server';
import { MarketError } from './errors.server';
import { readStoredBytes, storeBytes } from './files.server';

type User = { id: string; organizationId: string | null; displayName: string; role: string };

async function contractData(tx: Tx, order: { code: string; purchaseId: string | null; ownerOrgId: string; agencyId: string; itemId: string; feeFen: number; timeLimitDays: number; createdAt: Date }): Promise<ContractData> {
  const [purchase, owner, agency, item] = await Promise.all([
    order.purchaseId ? tx.purchase.findUnique({ where: { id: order.purchaseId } }) : null,
    tx.organization.findUniqueOrThrow({ where: { id: order.ownerOrgId } }),
    tx.agencyProfile.findUniqueOrThrow({ where: { id: order.agencyId } }),
    tx.serviceItem.findUniqueOrThrow({ where: { id: order.itemId } }),
  ]);
  return {
    orderCode: order.code,
    purchaseCode: purchase?.code ?? null,
    projectName: purchase?.projectName ?? '—',
    projectCode: purchase?.projectCode ?? '—',
    itemName: item.name,
    itemCode: item.code,
    serviceStandard: item.serviceStandard,
    modelContract: item.modelContract,
    feeBasis: describeFee(item),
    owner: { name: owner.name, creditCode: owner.creditCode, address: owner.address, contact: owner.contactName, phone: owner.phone },
    agency: { name: agency.name, creditCode: agency.creditCode, address: agency.address, legalRep: agency.legalRep, contact: agency.contactName, phone: agency.phone },
    feeFen: order.feeFen,
    timeLimitDays: order.timeLimitDays,
    method: purchase ? METHOD_LABELS[purchase.method as Method] : '—',
    createdAt: order.createdAt,
  };
}

/** Opens the order for an awarded purchase and generates its contract for signing. */
export async function createOrderForPurchase(tx: Tx, p: { id: string; code: string; ownerOrgId: string; winnerAgencyId: string | null; itemId: string; winningFeeFen: number | null; budgetFen: number }) {
  const existing = await tx.serviceOrder.findUnique({ where: { purchaseId: p.id } });
  if (existing) return existing;
  const item = await tx.serviceItem.findUniqueOrThrow({ where: { id: p.itemId } });
  const t = now();
  const order = await tx.serviceOrder.create({
    data: { code: `HT${p.code.replace(/^CG/, '')}`, purchaseId: p.id, ownerOrgId: p.ownerOrgId, agencyId: p.winnerAgencyId!, itemId: p.itemId, feeFen: p.winningFeeFen ?? p.budgetFen, timeLimitDays: item.timeLimitDays, status: 'contracting', createdAt: t },
  });
  const pdf = await renderContract(await contractData(tx, order));
  const file = await storeBytes(pdf, `${order.code}-合同.pdf`, 'application/pdf', p.ownerOrgId, tx);
  await tx.serviceOrder.update({ where: { id: order.id }, data: { contractFileId: file.id, contractSha256: file.sha256 } });
  await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.order.create', objectType: 'ServiceOrder', objectId: order.id, payload: { purchaseId: p.id, agencyId: order.agencyId, feeFen: order.feeFen, contractSha256: file.sha256 } });
  const agency = await tx.agencyProfile.findUniqueOrThrow({ where: { id: order.agencyId } });
  const users = await tx.user.findMany({ where: { organizationId: { in: [p.ownerOrgId, agency.orgId] }, active: true }, select: { id: true } });
  await notifyUsers(tx, users.map((u) => u.id), { title: `请签订合同：${order.code}`, body: `${p.code} 质疑期已结束，中选结果确定。请双方使用数字证书签署合同。`, link: `/market/orders/${order.id}`, kind: 'info' });
  return order;
}

/** Which side of the order this user is on, or null. Supervisors read everything. */
export async function sideOf(tx: Tx, order: { ownerOrgId: string; agencyId: string }, user: User): Promise<'owner' | 'agency' | null> {
  if (!user.organizationId) return null;
  if (order.ownerOrgId === user.organizationId && user.role === 'owner') return 'owner';
  if (user.role === 'agency') {
    const a = await tx.agencyProfile.findUnique({ where: { id: order.agencyId }, select: { orgId: true } });
    if (a?.orgId === user.organizationId) return 'agency';
  }
  return null;
}

async function requireSide(tx: Tx, orderId: string, user: User, want?: 'owner' | 'agency') {
  const order = await tx.serviceOrder.findUnique({ where: { id: orderId } });
  if (!order) throw new MarketError('订单不存在', {}, 404);
  const side = await sideOf(tx, order, user);
  if (!side || (want && side !== want)) throw new MarketError('无权操作该订单', {}, 403);
  return { order, side };
}

export async function contractBytes(orderId: string): Promise<{ bytes: Buffer; sha256: string; code: string } | null> {
  const prisma = await getPrisma();
  const o = await prisma.serviceOrder.findUnique({ where: { id: orderId } });
  if (!o?.contractSha256) return null;
  return { bytes: readStoredBytes(o.contractSha256), sha256: o.contractSha256, code: o.code };
}

/**
 * Records one party's signature over the exact contract bytes. The signature is verified against
 * the user's own registered certificate (pki), and the contract is filed when both have signed.
 */
export async function signContract(actor: Actor, user: User, orderId: string, signatureB64: string) {
  const { verifyUserSignature } = await import('~/modules/pki/user-certs.server');
  const prisma = await getPrisma();
  const pre = await prisma.$transaction((tx) => requireSide(tx, orderId, user));
  if (pre.order.status !== 'contracting') throw new MarketError('合同已签订或订单已终止');
  const signed = pre.side === 'owner' ? pre.order.ownerSignature : pre.order.agencySignature;
  if (signed) throw new MarketError('本方已签署合同');
  const content = readStoredBytes(pre.order.contractSha256!);
  let signedData: Uint8Array;
  try {
    signedData = new Uint8Array(Buffer.from(signatureB64, 'base64'));
    if (signedData.length < 100 || signedData.length > 64 * 1024) throw new Error('size');
  } catch {
    throw new MarketError('签名数据格式有误');
  }
  let check: Awaited<ReturnType<typeof verifyUserSignature>>;
  try {
    check = await verifyUserSignature({ userId: user.id, signedData, content: new Uint8Array(content) });
  } catch (e) {
    const err = new MarketError(`签名验证未通过：${e instanceof Error ? e.message : String(e)}`);
    const { refuse } = await import('./errors.server');
    return refuse(actor, 'market.contract.sign', 'ServiceOrder', orderId, err);
  }
  const certSha = await prisma.certificate.findUnique({ where: { id: check.certificateId }, select: { sha256: true } });
  return prisma.$transaction(async (tx) => {
    const { order, side } = await requireSide(tx, orderId, user);
    if (order.status !== 'contracting') throw new MarketError('合同已签订或订单已终止');
    const t = now();
    const data =
      side === 'owner'
        ? { ownerSignature: signatureB64, ownerCertSha256: certSha?.sha256 ?? null, ownerSignedAt: t }
        : { agencySignature: signatureB64, agencyCertSha256: certSha?.sha256 ?? null, agencySignedAt: t };
    const updated = await tx.serviceOrder.update({ where: { id: order.id }, data });
    await appendAuditEntry(tx, actor, { action: 'market.contract.sign', objectType: 'ServiceOrder', objectId: order.id, payload: { side, contractSha256: order.contractSha256, certificateId: check.certificateId, signatureSha256: crypto.createHash('sha256').update(signatureB64).digest('hex') } });
    if (updated.ownerSignature && updated.agencySignature) {
      await tx.serviceOrder.update({ where: { id: order.id }, data: { status: 'in_progress', filedAt: t, startedAt: t } });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'market.contract.file', objectType: 'ServiceOrder', objectId: order.id, payload: { contractSha256: order.contractSha256 } });
      const agency = await tx.agencyProfile.findUniqueOrThrow({ where: { id: order.agencyId } });
      const users = await tx.user.findMany({ where: { organizationId: { in: [order.ownerOrgId, agency.orgId] }, active: true }, select: { id: true } });
      await notifyUsers(tx, users.map((u) => u.id), { title: `合同已签订备案：${order.code}`, body: `服务时限 ${order.timeLimitDays} 个工作日自今日起算。`, link: `/market/orders/${order.id}`, kind: 'success' });
    }
    return updated;
  });
}

// ---------------------------------------------------------------------------------------------
// Time limit

export function orderPauses(order: { status: string; submittedAt: Date | null }, pauses: { from: Date; to: Date | null }[]): Pause[] {
  const list: Pause[] = pauses.map((p) => ({ from: p.from, to: p.to }));
  // While results wait for the owner's acceptance the agency's clock stands still.
  if ((order.status === 'submitted' || order.status === 'accepted') && order.submittedAt) list.push({ from: order.submittedAt, to: null });
  return list;
}

export type WarnLevel = 'normal' | 'yellow' | 'red';

export function timeStatus(cal: WorkCalendar, rules: Pick<CreditRules, 'yellowFraction' | 'redFraction'>, order: { startedAt: Date | null; timeLimitDays: number; status: string; submittedAt: Date | null }, pauses: { from: Date; to: Date | null }[], at: Date) {
  if (!order.startedAt) return null;
  const ps = orderPauses(order, pauses);
  const fraction = cal.elapsedFraction(order.startedAt, order.timeLimitDays, at, ps);
  const level: WarnLevel = fraction >= rules.redFraction ? 'red' : fraction >= rules.yellowFraction ? 'yellow' : 'normal';
  const dueAt = cal.dueAt(order.startedAt, order.timeLimitDays, ps);
  const paused = ps.some((p) => p.to == null && p.from <= at);
  return { fraction, level, dueAt, paused, usedDays: Math.min(fraction, 9.99) * order.timeLimitDays };
}

const LEVEL_ORDER: Record<string, number> = { normal: 0, yellow: 1, red: 2 };

/** The warning job: notifies agency, owner and supervisors once per level; red records overtime. */
export async function checkDeliveryWarnings() {
  const prisma = await getPrisma();
  const [{ rules }, cal] = await Promise.all([getRules(), loadWorkCalendar()]);
  const t = now();
  const orders = await prisma.serviceOrder.findMany({ where: { status: 'in_progress' }, include: { pauses: true } });
  let did = 0;
  for (const o of orders) {
    const st = timeStatus(cal, rules, o, o.pauses, t);
    if (!st || LEVEL_ORDER[st.level] <= LEVEL_ORDER[o.warnedLevel]) continue;
    await prisma.$transaction(async (tx) => {
      const fresh = await tx.serviceOrder.findUniqueOrThrow({ where: { id: o.id } });
      if (LEVEL_ORDER[st.level] <= LEVEL_ORDER[fresh.warnedLevel]) return;
      await tx.serviceOrder.update({ where: { id: o.id }, data: { warnedLevel: st.level, ...(st.level === 'red' ? { overtime: true } : {}) } });
      await appendAuditEntry(tx, SYSTEM_ACTOR, { action: `market.order.warn.${st.level}`, objectType: 'ServiceOrder', objectId: o.id, payload: { fraction: Math.round(st.fraction * 1000) / 1000 } });
      const agency = await tx.agencyProfile.findUniqueOrThrow({ where: { id: o.agencyId } });
      const users = await tx.user.findMany({ where: { OR: [{ organizationId: { in: [o.ownerOrgId, agency.orgId] } }, { role: 'supervisor' }], active: true }, select: { id: true } });
      const pct = Math.round(st.fraction * 100);
      await notifyUsers(tx, users.map((u) => u.id), {
        title: st.level === 'red' ? `红色预警：${o.code} 已超过承诺时限` : `黄色预警：${o.code} 已用时限${pct}%`,
        body: `${agency.name} 承办的服务（承诺时限 ${o.timeLimitDays} 个工作日）已用去 ${pct}% 的时限。`,
        link: `/market/orders/${o.id}`,
        kind: st.level === 'red' ? 'danger' : 'warning',
      });
      if (st.level === 'red' && !fresh.overtime) {
        await tx.creditEvent.create({ data: { agencyId: o.agencyId, kind: 'overtime', points: -rules.overtimePoints, note: `订单${o.code}超过承诺时限`, refType: 'ServiceOrder', refId: o.id, at: t } });
        await recomputeCredit(tx, o.agencyId, `订单${o.code}超时`, rules);
      }
    });
    did++;
  }
  return did;
}

// ---------------------------------------------------------------------------------------------
// Delivery

export async function pauseOrder(actor: Actor, user: User, orderId: string, reason: string) {
  if (reason.trim().length < 4) throw new MarketError('请填写中止原因', { reason: ['请填写中止原因'] });
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const { order, side } = await requireSide(tx, orderId, user);
    if (order.status !== 'in_progress') throw new MarketError('只有服务中的订单可以中止计时');
    if (await tx.orderPause.findFirst({ where: { orderId, to: null } })) throw new MarketError('计时已处于中止状态');
    const p = await tx.orderPause.create({ data: { orderId, from: now(), reason: reason.trim(), byUserId: user.id } });
    await appendAuditEntry(tx, actor, { action: 'market.order.pause', objectType: 'ServiceOrder', objectId: orderId, payload: { side, reason: p.reason } });
    await notifyOtherSide(tx, order, side, { title: `服务计时中止：${order.code}`, body: `中止原因：${p.reason}`, link: `/market/orders/${orderId}` });
    return p;
  });
}

export async function resumeOrder(actor: Actor, user: User, orderId: string) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const { order, side } = await requireSide(tx, orderId, user);
    const open = await tx.orderPause.findFirst({ where: { orderId, to: null } });
    if (!open) throw new MarketError('计时未中止');
    await tx.orderPause.update({ where: { id: open.id }, data: { to: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.order.resume', objectType: 'ServiceOrder', objectId: orderId, payload: { side, pauseId: open.id } });
    await notifyOtherSide(tx, order, side, { title: `服务计时恢复：${order.code}`, body: '中止事由已消除，承诺时限继续计算。', link: `/market/orders/${orderId}` });
  });
}

async function notifyOtherSide(tx: Tx, order: { ownerOrgId: string; agencyId: string }, side: 'owner' | 'agency', msg: { title: string; body: string; link: string; kind?: 'info' | 'warning' | 'success' | 'danger' }) {
  const agency = await tx.agencyProfile.findUniqueOrThrow({ where: { id: order.agencyId }, select: { orgId: true } });
  const orgId = side === 'owner' ? agency.orgId : order.ownerOrgId;
  const users = await tx.user.findMany({ where: { organizationId: orgId, active: true }, select: { id: true } });
  await notifyUsers(tx, users.map((u) => u.id), msg);
}

export async function submitResult(actor: Actor, user: User, orderId: string, input: { fileId: string | null; note: string }) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const { order } = await requireSide(tx, orderId, user, 'agency');
    if (order.status !== 'in_progress') throw new MarketError('当前状态不能提交成果');
    if (!input.fileId) throw new MarketError('请上传成果文件', { file: ['请上传成果文件'] });
    const file = await tx.marketFile.findUnique({ where: { id: input.fileId } });
    if (!file) throw new MarketError('请上传成果文件', { file: ['请上传成果文件'] });
    if (await tx.orderPause.findFirst({ where: { orderId, to: null } })) throw new MarketError('计时中止期间不能提交成果，请先恢复计时');
    const t = now();
    await tx.deliverable.create({ data: { orderId, fileId: file.id, name: file.name, note: input.note, at: t } });
    await tx.serviceOrder.update({ where: { id: orderId }, data: { status: 'submitted', submittedAt: t, returnReason: null } });
    await appendAuditEntry(tx, actor, { action: 'market.order.submit', objectType: 'ServiceOrder', objectId: orderId, payload: { fileId: file.id, sha256: file.sha256, name: file.name } });
    await notifyOtherSide(tx, order, 'agency', { title: `成果待验收：${order.code}`, body: input.note || '中介机构已提交服务成果，请验收。', link: `/market/orders/${orderId}` });
  });
}

export async function acceptResult(actor: Actor, user: User, orderId: string) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const { order } = await requireSide(tx, orderId, user, 'owner');
    if (order.status !== 'submitted') throw new MarketError('没有待验收的成果');
    await tx.serviceOrder.update({ where: { id: orderId }, data: { status: 'accepted', acceptedAt: now() } });
    const a = await tx.agencyProfile.update({ where: { id: order.agencyId }, data: { completedOrders: { increment: 1 } } });
    await tx.listing.updateMany({ where: { agencyId: order.agencyId }, data: { completedOrders: a.completedOrders } });
    await appendAuditEntry(tx, actor, { action: 'market.order.accept', objectType: 'ServiceOrder', objectId: orderId });
    await notifyOtherSide(tx, order, 'owner', { title: `成果已验收：${order.code}`, body: '采购人已验收通过。', link: `/market/orders/${orderId}`, kind: 'success' });
  });
}

export async function returnResult(actor: Actor, user: User, orderId: string, reason: string) {
  if (reason.trim().length < 4) throw new MarketError('请填写退回原因', { reason: ['请填写退回原因'] });
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const { order } = await requireSide(tx, orderId, user, 'owner');
    if (order.status !== 'submitted' || !order.submittedAt) throw new MarketError('没有待验收的成果');
    const t = now();
    // The review period stays out of the agency's time limit.
    await tx.orderPause.create({ data: { orderId, from: order.submittedAt, to: t, reason: '成果验收审查期间', byUserId: user.id } });
    await tx.serviceOrder.update({ where: { id: orderId }, data: { status: 'in_progress', submittedAt: null, returnReason: reason.trim() } });
    await appendAuditEntry(tx, actor, { action: 'market.order.return', objectType: 'ServiceOrder', objectId: orderId, payload: { reason } });
    await notifyOtherSide(tx, order, 'owner', { title: `成果被退回：${order.code}`, body: `退回原因：${reason}`, link: `/market/orders/${orderId}`, kind: 'warning' });
  });
}

export const evaluationSchema = z.object({
  quality: z.number({ invalid_type_error: '请评分' }).int().min(1, '请选择1-5分').max(5, '请选择1-5分'),
  timeliness: z.number({ invalid_type_error: '请评分' }).int().min(1, '请选择1-5分').max(5, '请选择1-5分'),
  attitude: z.number({ invalid_type_error: '请评分' }).int().min(1, '请选择1-5分').max(5, '请选择1-5分'),
  feeCompliance: z.number({ invalid_type_error: '请评分' }).int().min(1, '请选择1-5分').max(5, '请选择1-5分'),
  comment: z.string().trim().max(1000).default(''),
});

export async function evaluateOrder(actor: Actor, user: User, orderId: string, input: z.infer<typeof evaluationSchema>) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const { order } = await requireSide(tx, orderId, user, 'owner');
    if (order.status !== 'accepted') throw new MarketError('验收通过后方可评价');
    if (await tx.evaluation.findUnique({ where: { orderId } })) throw new MarketError('该订单已评价，评价提交后不可修改');
    const e = await tx.evaluation.create({ data: { orderId, agencyId: order.agencyId, ownerOrgId: order.ownerOrgId, ...input, at: now() } });
    await appendAuditEntry(tx, actor, { action: 'market.evaluation.create', objectType: 'ServiceOrder', objectId: orderId, payload: { evaluationId: e.id, ...input } });
    const credit = await recomputeCredit(tx, order.agencyId, `订单${order.code}服务评价`);
    return { evaluation: e, credit };
  });
}

/** The agency may appeal an evaluation once; the center decides (an upheld appeal removes it from the score). */
export async function appealEvaluation(actor: Actor, user: User, orderId: string, text: string) {
  if (text.trim().length < 10) throw new MarketError('请具体说明申诉理由（至少10字）', { text: ['请具体说明申诉理由（至少10字）'] });
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    await requireSide(tx, orderId, user, 'agency');
    const e = await tx.evaluation.findUnique({ where: { orderId } });
    if (!e) throw new MarketError('该订单尚无评价');
    if (e.appealStatus !== 'none') throw new MarketError('每项评价只能申诉一次');
    await tx.evaluation.update({ where: { id: e.id }, data: { appealStatus: 'pending', appealText: text.trim() } });
    await appendAuditEntry(tx, actor, { action: 'market.evaluation.appeal', objectType: 'ServiceOrder', objectId: orderId, payload: { text } });
    const staff = await tx.user.findMany({ where: { role: { in: ['admin', 'supervisor'] }, active: true }, select: { id: true } });
    await notifyUsers(tx, staff.map((u) => u.id), { title: '服务评价申诉待处理', body: text.slice(0, 200), link: `/market/orders/${orderId}` });
  });
}

export async function decideAppeal(actor: Actor, orderId: string, upheld: boolean, note: string) {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const e = await tx.evaluation.findUnique({ where: { orderId } });
    if (!e || e.appealStatus !== 'pending') throw new MarketError('没有待处理的申诉');
    await tx.evaluation.update({ where: { id: e.id }, data: { appealStatus: upheld ? 'upheld' : 'dismissed' } });
    await appendAuditEntry(tx, actor, { action: `market.evaluation.appeal.${upheld ? 'upheld' : 'dismissed'}`, objectType: 'ServiceOrder', objectId: orderId, payload: { note } });
    if (upheld) await recomputeCredit(tx, e.agencyId, '评价申诉成立，该评价不计入信用');
  });
}

export async function listOrders(opts: { ownerOrgId?: string; agencyOrgId?: string; status?: string; page?: number }) {
  const prisma = await getPrisma();
  const page = Math.max(opts.page ?? 1, 1);
  const where = {
    ...(opts.ownerOrgId ? { ownerOrgId: opts.ownerOrgId } : {}),
    ...(opts.agencyOrgId ? { agencyId: (await prisma.agencyProfile.findUnique({ where: { orgId: opts.agencyOrgId }, select: { id: true } }))?.id ?? '-' } : {}),
    ...(opts.status ? { status: opts.status } : {}),
  };
  const [items, total] = await Promise.all([
    prisma.serviceOrder.findMany({ where, orderBy: { createdAt: 'desc' }, skip: (page - 1) * 20, take: 20, include: { pauses: true } }),
    prisma.serviceOrder.count({ where }),
  ]);
  return { items, total, page, pageSize: 20 };
}

export async function getOrderDetail(orderId: string) {
  const prisma = await getPrisma();
  const o = await prisma.serviceOrder.findUnique({ where: { id: orderId }, include: { pauses: { orderBy: { from: 'asc' } }, deliverables: { orderBy: { at: 'asc' } }, evaluation: true } });
  if (!o) return null;
  const [agency, owner, item, purchase] = await Promise.all([
    prisma.agencyProfile.findUnique({ where: { id: o.agencyId }, select: { id: true, name: true, orgId: true, creditGrade: true } }),
    prisma.organization.findUnique({ where: { id: o.ownerOrgId }, select: { id: true, name: true } }),
    prisma.serviceItem.findUnique({ where: { id: o.itemId }, select: { name: true, code: true } }),
    o.purchaseId ? prisma.purchase.findUnique({ where: { id: o.purchaseId }, select: { id: true, code: true, projectName: true } }) : null,
  ]);
  return { order: o, agency, owner, item, purchase };
}
