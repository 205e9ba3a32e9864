// Demo payments: document fees and bid deposits for the demo tenders, paid yesterday through the
// real flow (cashier opened at the local gateway, 确认付款, settled by the signed alipay.trade.query),
// one deposit refunded after a withdrawal, yesterday's bill reconciled against the ledger, and one
// deposit left to pay so the demo (and the e2e test) can pay it at the cashier (bidder4, the first
// section of JC-2026-GC-0031). After the evaluation seed, seedDepositsToAward (below) prepares
// JC-2026-SZ-0019, whose award returns the losers' deposits.
import fs from 'node:fs';
import path from 'node:path';
import { signData } from '../../crypto/cms';
import { toBase64, utf8 } from '../../crypto/hash';
import { importPkcs12, importPrivateKeyPem } from '../../crypto/pki';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { decideGuarantee, depositState } from '~/modules/bidding/deposits.server';
import { publishCandidates } from '~/modules/evaluation/award.server';
import { acceptInvitation, aggregateAndReport, createEvaluationPlan, declarationFor, runExpertDraw, saveScore, signReport, submitScores, voteChair } from '~/modules/evaluation/evaluation.server';
import { reportStatement } from '~/modules/evaluation/types';
import { now, resetClock, setClock } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { localGateway } from '~/modules/payments/config.server';
import { createOrder, payUrlFor, performRefund, requestRefund, syncOrderWithAlipay, type OrderPurpose } from '~/modules/payments/orders.server';
import { beijingDate, reconcileDay } from '~/modules/payments/reconcile.server';
import { DEMO_PASSWORD } from './accounts';
import type { SeedContext } from './seed';
import { demoKeysDir } from './trust';

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

// ---------------------------------------------------------------------------------------------
// Deposits from payment to refund: JC-2026-SZ-0019, run after the evaluation seed (it needs the
// expert library and the experts' demo keys). Four bids were opened 8 days ago: 江城建工 backed its
// bid with a bank guarantee (保函, verified by the agent after the deadline), 楚天路桥 and 安泰智能
// paid their deposits online at the cashier, 众诚园林 paid none — its bid, the cheapest, is marked
// 未缴纳 in the opening list and the committee rejected it (否决投标). The committee (drawn, declared,
// signed with the experts' demo keys) reported; the candidate publicity ended two days ago. Left for
// the demo and test/e2e/payments.spec.ts: the agent (tenderer1) signs and issues the award, the
// losers' deposits go back through Alipay, and the tender's deposits held fall to zero.
// Like the evaluation seed's earlier tenders, the tender and its opening are recorded rows (the
// opening's cryptography is shown by the opening seed); money, guarantee verification, the whole
// evaluation and the publicity go through the real code paths at the time they happened.

export const DEPOSIT_DEMO_CODE = 'JC-2026-SZ-0019';
const DEPOSIT_DEMO_BIDS = [
  { bidder: 'bidder6', price: 11_980_000_00, days: 300, pm: '韩磊', deposit: 'none' },
  { bidder: 'bidder1', price: 12_360_000_00, days: 290, pm: '黄伟', deposit: 'guarantee' },
  { bidder: 'bidder4', price: 12_590_000_00, days: 300, pm: '邓强', deposit: 'paid' },
  { bidder: 'bidder2', price: 12_870_000_00, days: 280, pm: '何俊', deposit: 'paid' },
] as const;
const DEPOSIT_DEMO_FEN = 30_000_00;
const NO_DEPOSIT_REASON = '未按招标文件要求缴纳投标保证金或提交经核验的保函（开标记录：保证金未缴纳），依据招标文件第二章否决其投标';

type SeedUser = SeedContext['users'] extends Map<string, infer U> ? U : never;
type EvalActorUser = { id: string; displayName: string; organizationId: string | null; role: string };

function actorFor(u: EvalActorUser): Actor {
  return { userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'demo-seed' };
}

async function demoSigner(username: string) {
  const file = path.join(demoKeysDir(), `${username}.p12`);
  const { cert, keyPem } = await importPkcs12(new Uint8Array(fs.readFileSync(file)), DEMO_PASSWORD);
  const key = await importPrivateKeyPem(keyPem, 'sign', { alg: 'RSA-PSS' });
  return async (text: string) => toBase64(await signData({ content: utf8(text), signerCert: cert, signerKey: key, detached: true }));
}

export async function seedDepositsToAward(ctx: SeedContext) {
  const prisma = ctx.db.prisma;
  const experts = await prisma.expert.findMany({ where: { status: 'available', specialties: { has: 'A02' } }, select: { userId: true } });
  if (!localGateway() || experts.length < 5 || !fs.existsSync(path.join(demoKeysDir(), 'bidder1.p12'))) {
    log.info('seed.payments.award.skipped', { reason: 'no local gateway, expert library or demo keys' });
    return;
  }
  const T = now();
  const at = (ms: number) => setClock(new Date(T.getTime() + ms));
  const u = (name: string) => ctx.users.get(name)! as SeedUser;
  const org = (name: string) => ctx.orgs.get(name)!;
  const agent = u('tenderer1');
  const deadline = new Date(T.getTime() - 8 * DAY);
  try {
    at(-14 * DAY);
    const tender = await prisma.tender.create({
      data: {
        code: DEPOSIT_DEMO_CODE,
        name: '江城市沙湖路雨污分流改造工程施工',
        agentOrgId: agent.organizationId!,
        createdById: agent.id,
        tendererName: '江城市水务局',
        method: 'open',
        summary: '沙湖路（中北路至友谊大道段）雨污分流改造，新建污水管道2.6公里、雨水管道1.9公里及道路恢复。计划工期300日历天。',
        bidDeadline: deadline,
        depositFen: DEPOSIT_DEMO_FEN,
        bidForm: [
          { key: 'price', label: '投标报价', type: 'money', required: true },
          { key: 'durationDays', label: '工期（日历天）', type: 'days', required: true },
          { key: 'projectManager', label: '项目经理', type: 'text', required: true },
        ],
        status: 'published',
        publishedAt: now(),
        createdAt: now(),
        updatedAt: now(),
        sections: { create: [{ seq: 1, name: '施工总承包', budgetFen: 13_200_000_00 }] },
      },
      include: { sections: true },
    });
    const section = tender.sections[0];

    // Before the deadline: deposits paid at the cashier, one bank guarantee lodged.
    at(-11 * DAY);
    for (const b of DEPOSIT_DEMO_BIDS) {
      if (b.deposit === 'paid') {
        const o = await order(ctx, b.bidder, 'bid_deposit', 'tender_section', section.id, DEPOSIT_DEMO_FEN, `投标保证金 ${DEPOSIT_DEMO_CODE} 第1标段`);
        await payThroughGateway(o.id, o.outTradeNo);
      } else if (b.deposit === 'guarantee') {
        await prisma.bidGuarantee.create({
          data: { tenderId: tender.id, sectionId: section.id, bidderOrgId: org(b.bidder).id, userId: u(b.bidder).id, bank: '中国工商银行江城分行', reference: 'ICBC-JC-2026-03318', amountFen: DEPOSIT_DEMO_FEN, status: 'submitted', createdAt: now() },
        });
      }
      setClock(new Date(now().getTime() + 40 * 60_000));
    }

    // After the deadline: the agent verifies the guarantee with the bank; the bids are opened.
    at(-8 * DAY + 30 * 60_000);
    const g = await prisma.bidGuarantee.findFirstOrThrow({ where: { tenderId: tender.id } });
    await decideGuarantee(actorFor(agent), agent, { tenderId: tender.id, guaranteeId: g.id, verified: true, note: '经开立银行书面回函确认保函真实有效' });
    const started = new Date(deadline.getTime() + 3600_000);
    const opened = new Date(deadline.getTime() + 2 * 3600_000);
    const opening = await prisma.opening.create({ data: { tenderId: tender.id, state: 'closed', hostUserId: agent.id, hostOrgId: agent.organizationId!, startedAt: started, closedAt: opened, createdAt: deadline, updatedAt: opened } });
    for (const [i, b] of DEPOSIT_DEMO_BIDS.entries()) {
      const bidder = org(b.bidder);
      // The opening's own rule (opening/decrypt.server.ts): paid online, or a verified guarantee.
      const d = await depositState(bidder.id, tender, section.id);
      const depositStatus = !d.required ? 'none' : d.paid ? 'paid' : d.guarantee?.status === 'verified' ? 'guarantee' : 'unpaid';
      await prisma.openingBid.create({
        data: { openingId: opening.id, bidId: `${DEPOSIT_DEMO_CODE}-${i + 1}`, sectionId: section.id, sectionSeq: 1, bidderOrgId: bidder.id, bidderName: bidder.name, position: i + 1, envelopeSha256: '0'.repeat(64), result: 'valid', decryptedBy: 'bidder', form: { price: b.price, durationDays: b.days, projectManager: b.pm }, depositStatus, processedAt: started, readAt: started },
      });
    }
    await prisma.tender.update({ where: { id: tender.id }, data: { status: 'opened', updatedAt: opened } });

    // The evaluation: plan, draw, declarations, review (the bid without a deposit is rejected), report.
    at(-7 * DAY);
    const ev = await createEvaluationPlan(actorFor(agent), agent, { sectionId: section.id, method: 'lowest_price', specialty: 'A02', expertCount: 5, scheduledAt: new Date(T.getTime() - 6 * DAY + 8 * 3600_000).toISOString().slice(0, 16) });
    at(-6 * DAY - 3 * 3600_000);
    await runExpertDraw({ ...SYSTEM_ACTOR, role: 'admin', name: '交易中心管理员' }, ev.id);
    const invited = await prisma.evaluationMember.findMany({ where: { evaluationId: ev.id, status: 'invited' }, orderBy: { seq: 'asc' } });
    const users = await prisma.user.findMany({ where: { id: { in: invited.map((m) => m.userId) } } });
    const members = invited.map((m) => ({ member: m, user: users.find((x) => x.id === m.userId)! }));
    const signers = new Map<string, (text: string) => Promise<string>>();
    for (const { user } of members) signers.set(user.id, await demoSigner(user.username));
    for (const { user } of members) await acceptInvitation(actorFor(user), user, ev.id, await signers.get(user.id)!(await declarationFor(ev.id, user.id)));
    // The committee elects its chair: members vote for the first member until the election is decided.
    for (const { user } of members) {
      if (await prisma.evaluationMember.findFirst({ where: { evaluationId: ev.id, isChair: true } })) break;
      await voteChair(actorFor(user), user, ev.id, members[0].member.id);
    }
    at(-6 * DAY);
    const bids = await prisma.evaluationBid.findMany({ where: { evaluationId: ev.id }, orderBy: { position: 'asc' } });
    for (const { user } of members) {
      for (const b of bids) {
        const unpaid = b.bidderOrgId === org('bidder6').id;
        await saveScore(actorFor(user), user, ev.id, { evaluationBidId: b.id, points: {}, reject: unpaid, rejectReason: unpaid ? NO_DEPOSIT_REASON : undefined });
      }
      await submitScores(actorFor(user), user, ev.id);
    }
    at(-6 * DAY + 2 * 3600_000);
    const chairMember = await prisma.evaluationMember.findFirstOrThrow({ where: { evaluationId: ev.id, isChair: true } });
    const chair = members.find((m) => m.member.id === chairMember.id)!.user;
    await aggregateAndReport(actorFor(chair), chair, ev.id);
    const reported = await prisma.tenderEvaluation.findUniqueOrThrow({ where: { id: ev.id } });
    for (const { user } of members) await signReport(actorFor(user), user, ev.id, await signers.get(user.id)!(reportStatement(ev.id, reported.reportPdfSha256!)));

    // Candidates published for 3 days; the publicity ended two days ago, the award is not issued yet.
    at(-5 * DAY);
    await publishCandidates(actorFor(agent), agent, ev.id, 3);
    log.info('seed.payments.award', { tender: DEPOSIT_DEMO_CODE, evaluation: ev.id });
  } finally {
    resetClock();
  }
}
