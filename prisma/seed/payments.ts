// Demo payments: document fees and bid deposits for the demo tenders, paid yesterday through the
// real flow (cashier opened at the local gateway, 确认付款, settled by the signed alipay.trade.query),
// one deposit refunded after a withdrawal, yesterday's bill reconciled against the ledger, and one
// deposit left to pay so the demo (and the e2e test) can pay it at the cashier.
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { now, resetClock, setClock } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { localGateway } from '~/modules/payments/config.server';
import { createOrder, payUrlFor, performRefund, requestRefund, syncOrderWithAlipay, type OrderPurpose } from '~/modules/payments/orders.server';
import { beijingDate, reconcileDay } from '~/modules/payments/reconcile.server';
import type { SeedContext } from './seed';

const DAY = 86_400_000;

interface Target {
  tenderId: string;
  tenderName: string;
  sectionId: string;
  sectionName: string;
  depositFen: number;
  documentFeeFen: number;
}

async function targets(): Promise<Target[]> {
  const prisma = await getPrisma();
  const tenders = await prisma.tender.findMany({
    where: { status: { in: ['published', 'closed'] }, depositFen: { gt: 0 } },
    include: { sections: { orderBy: { seq: 'asc' }, take: 1 } },
    orderBy: { createdAt: 'asc' },
    take: 3,
  });
  const found = tenders.filter((t) => t.sections.length).map((t) => ({
    tenderId: t.id, tenderName: t.name, sectionId: t.sections[0].id, sectionName: t.sections[0].name, depositFen: t.depositFen, documentFeeFen: t.documentFeeFen,
  }));
  if (found.length) return found;
  // No demo tenders (bidding not seeded): a realistic stand-in so the payment pages are not empty.
  return [{ tenderId: 'demo-tender', tenderName: '江城市滨江大道综合改造工程施工', sectionId: 'demo-section-1', sectionName: '第一标段', depositFen: 80_000_00, documentFeeFen: 500_00 }];
}

async function order(ctx: SeedContext, bidderKey: string, purpose: OrderPurpose, refType: string, refId: string, amountFen: number, subject: string) {
  const org = ctx.orgs.get(bidderKey)!;
  const user = ctx.users.get(bidderKey)!;
  const prisma = await getPrisma();
  return prisma.$transaction((tx) => createOrder(tx, { purpose, refType, refId, payerOrgId: org.id, payerUserId: user.id, amountFen, subject }));
}

async function payThroughGateway(orderId: string, outTradeNo: string) {
  const gateway = localGateway()!;
  const res = await fetch(await payUrlFor(orderId)); // opens the cashier: the trade now exists at "Alipay"
  await res.text();
  gateway.confirmPayment(outTradeNo); // 确认付款
  await syncOrderWithAlipay(orderId, 'query');
}

export async function seedPayments(ctx: SeedContext) {
  if (!localGateway()) {
    log.info('seed.payments.skipped', { reason: 'no local Alipay gateway' });
    return;
  }
  const list = await targets();
  const yesterday = new Date(now().getTime() - DAY);
  try {
    // Yesterday, 10:00 Beijing time: bidders buy documents and pay deposits.
    setClock(new Date(`${beijingDate(yesterday)}T10:00:00+08:00`));
    for (const t of list) {
      for (const bidder of ['bidder1', 'bidder2', 'bidder3', 'bidder5']) {
        if (t.documentFeeFen > 0) {
          const f = await order(ctx, bidder, 'document_fee', 'tender', t.tenderId, t.documentFeeFen, `${t.tenderName} 招标文件费`);
          await payThroughGateway(f.id, f.outTradeNo);
        }
        const d = await order(ctx, bidder, 'bid_deposit', 'tender_section', t.sectionId, t.depositFen, `${t.tenderName}（${t.sectionName}）投标保证金`);
        await payThroughGateway(d.id, d.outTradeNo);
        setClock(new Date(now().getTime() + 17 * 60_000));
      }
    }
    // 15:30: bidder5 withdraws before the deadline; its deposit goes back the same day.
    setClock(new Date(`${beijingDate(yesterday)}T15:30:00+08:00`));
    const prisma = await getPrisma();
    const withdrawn = await prisma.paymentOrder.findFirst({ where: { purpose: 'bid_deposit', payerOrgId: ctx.orgs.get('bidder5')!.id, refId: list[0].sectionId } });
    if (withdrawn) {
      await requestRefund(SYSTEM_ACTOR, { orderId: withdrawn.id, amountFen: withdrawn.amountFen, reason: '投标截止前撤回投标文件，退还投标保证金', kind: 'deposit_return' });
      const r = await prisma.paymentRefund.findFirstOrThrow({ where: { orderId: withdrawn.id } });
      await performRefund(r.id);
    }
  } finally {
    resetClock();
  }
  // Today: yesterday's bill is available; reconcile it with the ledger.
  await reconcileDay(beijingDate(yesterday));
  // Still to pay today (the demo walks through the cashier with it).
  const t = list[0];
  if (t.documentFeeFen > 0) await order(ctx, 'bidder4', 'document_fee', 'tender', t.tenderId, t.documentFeeFen, `${t.tenderName} 招标文件费`);
  await order(ctx, 'bidder4', 'bid_deposit', 'tender_section', t.sectionId, t.depositFen, `${t.tenderName}（${t.sectionName}）投标保证金`);
}
