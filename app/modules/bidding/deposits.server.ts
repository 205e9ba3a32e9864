// 投标保证金: a bid counts only when its section's deposit is paid online (payments context) or a
// bank guarantee (保函) reference has been verified by the agent. The agent sees guarantees only
// after the bid deadline, because before it the list would tell who is bidding (docs/decisions/072).
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { createOrder, findPaidOrder, payUrlFor } from '~/modules/payments/orders.server';
import { BiddingError } from './errors';
import { loadOwnTender, type AgentUser } from './tenders.server';

export interface DepositState {
  required: boolean;
  amountFen: number;
  paid: boolean;
  guarantee: { id: string; bank: string; reference: string; status: string } | null;
  /** paid, or a verified guarantee, or none required */
  satisfied: boolean;
}

export async function depositState(orgId: string, tender: { id: string; depositFen: number }, sectionId: string): Promise<DepositState> {
  if (tender.depositFen <= 0) return { required: false, amountFen: 0, paid: false, guarantee: null, satisfied: true };
  const prisma = await getPrisma();
  const [paid, g] = await Promise.all([
    findPaidOrder({ purpose: 'bid_deposit', refType: 'tender_section', refId: sectionId, payerOrgId: orgId }),
    prisma.bidGuarantee.findUnique({ where: { sectionId_bidderOrgId: { sectionId, bidderOrgId: orgId } } }),
  ]);
  const guarantee = g ? { id: g.id, bank: g.bank, reference: g.reference, status: g.status } : null;
  return { required: true, amountFen: tender.depositFen, paid: !!paid, guarantee, satisfied: !!paid || g?.status === 'verified' };
}

async function openSection(orgId: string | null, tenderId: string, sectionId: string) {
  if (!orgId) throw new BiddingError('您的账号未关联投标单位', 403);
  const prisma = await getPrisma();
  const tender = await prisma.tender.findUnique({ where: { id: tenderId }, include: { sections: true } });
  const section = tender?.sections.find((s) => s.id === sectionId);
  if (!tender || !section || tender.status === 'draft') throw new BiddingError('标段不存在', 404);
  if (tender.status !== 'published' || now() >= tender.bidDeadline) throw new BiddingError('投标截止时间已到', 409);
  if (tender.depositFen <= 0) throw new BiddingError('本项目不收取投标保证金', 400);
  const holder = await prisma.documentHolder.findUnique({ where: { tenderId_orgId: { tenderId, orgId } } });
  if (!holder) throw new BiddingError('请先获取招标文件', 403);
  return { tender, section };
}

export async function payDeposit(user: { id: string; organizationId: string | null }, tenderId: string, sectionId: string) {
  const { tender, section } = await openSection(user.organizationId, tenderId, sectionId);
  const prisma = await getPrisma();
  const order = await prisma.$transaction((tx) =>
    createOrder(tx, {
      purpose: 'bid_deposit',
      refType: 'tender_section',
      refId: sectionId,
      payerOrgId: user.organizationId!,
      payerUserId: user.id,
      amountFen: tender.depositFen,
      subject: `投标保证金 ${tender.code} 第${section.seq}标段`,
    }),
  );
  if (order.status === 'paid') return { paid: true as const };
  return { paid: false as const, payUrl: await payUrlFor(order.id) };
}

export async function submitGuarantee(actor: Actor, user: { id: string; organizationId: string | null }, input: { tenderId: string; sectionId: string; bank: string; reference: string }) {
  const { tender } = await openSection(user.organizationId, input.tenderId, input.sectionId);
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const existing = await tx.bidGuarantee.findUnique({ where: { sectionId_bidderOrgId: { sectionId: input.sectionId, bidderOrgId: user.organizationId! } } });
    if (existing?.status === 'verified') throw new BiddingError('保函已核验，无需重复提交', 409);
    const row = existing
      ? await tx.bidGuarantee.update({ where: { id: existing.id }, data: { bank: input.bank, reference: input.reference, status: 'submitted', note: null, verifiedById: null, verifiedAt: null } })
      : await tx.bidGuarantee.create({
          data: { tenderId: input.tenderId, sectionId: input.sectionId, bidderOrgId: user.organizationId!, userId: user.id, bank: input.bank, reference: input.reference, amountFen: tender.depositFen, status: 'submitted', createdAt: now() },
        });
    await appendAuditEntry(tx, actor, { action: 'bid.guarantee.submit', objectType: 'bid-guarantee', objectId: row.id, payload: { tenderId: input.tenderId, sectionId: input.sectionId, bank: input.bank, reference: input.reference } });
  });
}

/** After the deadline only: the agent records the bank's confirmation (or refusal) of a guarantee. */
export async function decideGuarantee(actor: Actor, user: AgentUser, input: { tenderId: string; guaranteeId: string; verified: boolean; note: string }) {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const tender = await loadOwnTender(tx, user, input.tenderId);
    if (now() < tender.bidDeadline) throw new BiddingError('投标截止前不能查看或核验保函', 409);
    const g = await tx.bidGuarantee.findFirst({ where: { id: input.guaranteeId, tenderId: tender.id } });
    if (!g) throw new BiddingError('保函不存在', 404);
    await tx.bidGuarantee.update({ where: { id: g.id }, data: { status: input.verified ? 'verified' : 'rejected', note: input.note, verifiedById: user.id, verifiedAt: now() } });
    await appendAuditEntry(tx, actor, { action: input.verified ? 'bid.guarantee.verify' : 'bid.guarantee.reject', objectType: 'bid-guarantee', objectId: g.id, payload: { tenderId: tender.id, note: input.note } });
  });
}

export async function listGuaranteesAfterDeadline(user: AgentUser, tenderId: string) {
  const prisma = await getPrisma();
  const tender = await prisma.$transaction((tx) => loadOwnTender(tx, user, tenderId));
  if (now() < tender.bidDeadline) return null;
  const rows = await prisma.bidGuarantee.findMany({ where: { tenderId }, orderBy: { createdAt: 'asc' } });
  const orgs = await prisma.organization.findMany({ where: { id: { in: rows.map((r) => r.bidderOrgId) } }, select: { id: true, name: true } });
  return rows.map((r) => ({ ...r, orgName: orgs.find((o) => o.id === r.bidderOrgId)?.name ?? '' }));
}
