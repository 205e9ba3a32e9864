// Payments end to end through the real alipay-sdk against the local gateway: paying, verified and
// idempotent notifies, lost notifies, refunds that are never doubled, deposits returned after an
// award, forfeiture, timeouts, reconciliation with the daily bill, and a ledger that always balances.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { createAlipayClient } from '~/modules/payments/alipay.server';
import { setAlipayClient } from '~/modules/payments/config.server';
import { closeExpiredOrders, queryPendingOrders, runPendingRefunds } from '~/modules/payments/jobs.server';
import { assertBalanced, post, trialBalance, UnbalancedPostingError } from '~/modules/payments/ledger.server';
import {
  createOrder, decideForfeiture, findPaidOrder, forfeitDeposit, requestForfeiture, requestRefund, scheduleDepositRefunds,
} from '~/modules/payments/orders.server';
import { createUser } from '../setup/fixtures';
import {
  APP_ID, SELLER_ID, appKeys, ledgerTotals, newOrder, orderRow, payAtCashier, payer, postNotify, rsaKeyPairForTest, signNotify,
  usePaymentsEnv, waitFor, waitForStatus,
} from './payments-harness';

const env = usePaymentsEnv();
const DAY = 86_400_000;

async function expectLedgerBalanced() {
  const t = await trialBalance();
  expect(t.unbalancedPostings).toEqual([]);
  expect(t.debitFen).toBe(t.creditFen);
}

function actorOf(u: { id: string; role: string; organizationId: string | null }) {
  return { ...SYSTEM_ACTOR, userId: u.id, role: u.role, orgId: u.organizationId, name: u.id };
}

describe('paying an order', () => {
  it('goes created → paying → paid on the verified notify, posts the deposit apart from fee income, tells the payer', async () => {
    const o = await newOrder({ amountFen: 12_345_67 });
    expect(o.status).toBe('created');
    expect(o.outTradeNo).toMatch(/^BD\d{8}\d{14}$/);
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    await waitForStatus(o.id, 'paid');
    const row = await orderRow(o.id);
    expect(row.settledBy).toBe('notify');
    expect(row.tradeNo).toBe(env.gateway.trade(o.outTradeNo)!.tradeNo);
    expect(await ledgerTotals()).toEqual({ alipay_clearing: 12_345_67, deposits_held: -12_345_67 });
    expect(await findPaidOrder({ purpose: 'bid_deposit', refType: 'tender', refId: 'T-1', payerOrgId: o.who.orgId })).toMatchObject({ id: o.id, amountFen: 12_345_67 });
    const prisma = await getPrisma();
    expect(await prisma.notification.count({ where: { userId: o.who.userId, title: { contains: '支付成功' } } })).toBe(1);
    await waitFor(() => env.gateway.deliveries({ outTradeNo: o.outTradeNo }).some((d) => d.outcome === 'success'), 5000, 'success answer');
    expect(env.gateway.deliveries({ outTradeNo: o.outTradeNo }).map((d) => d.responseText)).toEqual(['success']);
    await expectLedgerBalanced();
  });

  it('returns the same open order for the same payer and thing, and never a second order once paid', async () => {
    const who = await payer();
    const a = await newOrder({ who, purpose: 'document_fee', amountFen: 300_00 });
    const b = await newOrder({ who, purpose: 'document_fee', amountFen: 300_00 });
    expect(b.id).toBe(a.id);
    await payAtCashier(env.gateway, a.id, a.outTradeNo);
    await waitForStatus(a.id, 'paid');
    const c = await newOrder({ who, purpose: 'document_fee', amountFen: 300_00 });
    expect(c).toMatchObject({ id: a.id, status: 'paid' });
    expect(await ledgerTotals()).toEqual({ alipay_clearing: 300_00, fee_income: -300_00 });
  });

  it('refuses amounts that are not whole positive fen', async () => {
    const who = await payer();
    const prisma = await getPrisma();
    for (const amountFen of [0, -1, 1.5, Number.NaN]) {
      await expect(prisma.$transaction((tx) => createOrder(tx, { purpose: 'bid_deposit', refType: 'tender', refId: 'x', payerOrgId: who.orgId, payerUserId: who.userId, amountFen, subject: 's' }))).rejects.toThrow(/amount/);
    }
  });
});

describe('notifies', () => {
  it('refuses a forged signature (changed field, or signed with another key) and changes nothing', async () => {
    const o = await newOrder();
    env.gateway.dropNotifies({ outTradeNo: o.outTradeNo });
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    const genuine = signNotify(env.gateway.notifications({ outTradeNo: o.outTradeNo })[0].params);
    const tampered = { ...genuine, buyer_logon_id: 'attacker@example.com' };
    const otherKey = signNotify(genuine, rsaKeyPairForTest().privateKeyPem);
    const noSign = { ...genuine, sign: '' };
    for (const forged of [tampered, otherKey, noSign]) {
      expect(await postNotify(env.app.url, forged)).toEqual({ status: 200, text: 'fail' });
    }
    expect((await orderRow(o.id)).status).toBe('paying');
    expect(await ledgerTotals()).toEqual({});
    // The genuine one is accepted.
    expect((await postNotify(env.app.url, genuine)).text).toBe('success');
    expect((await orderRow(o.id)).status).toBe('paid');
  });

  it('refuses a correctly signed notify whose amount differs from the order, and flags it to admins and supervisors', async () => {
    const admin = await createUser('admin');
    const sup = await createUser('supervisor');
    const o = await newOrder({ amountFen: 5_000_00 });
    env.gateway.dropNotifies({ outTradeNo: o.outTradeNo });
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    const params = { ...env.gateway.notifications({ outTradeNo: o.outTradeNo })[0].params, total_amount: '5.00', receipt_amount: '5.00' };
    for (let i = 0; i < 3; i++) expect((await postNotify(env.app.url, signNotify(params))).text).toBe('fail');
    expect((await orderRow(o.id)).status).toBe('paying');
    const prisma = await getPrisma();
    const issues = await prisma.reconciliationIssue.findMany();
    expect(issues).toHaveLength(1); // retried notifies do not raise it again
    expect(issues[0]).toMatchObject({ kind: 'notify_amount_mismatch', outTradeNo: o.outTradeNo, expectedFen: 5_000_00, actualFen: 500 });
    for (const u of [admin, sup]) expect(await prisma.notification.count({ where: { userId: u.id, title: '资金对账预警' } })).toBe(1);
    // A wrong app id or seller is refused too.
    expect((await postNotify(env.app.url, signNotify({ ...params, total_amount: '5000.00', app_id: '2021000000000001' }))).text).toBe('fail');
    expect((await postNotify(env.app.url, signNotify({ ...params, total_amount: '5000.00', seller_id: '2088000000000001' }))).text).toBe('fail');
    expect((await orderRow(o.id)).status).toBe('paying');
  });

  it('applies a duplicated notify once, and an old TRADE_SUCCESS replayed after a refund never moves the order back', async () => {
    const o = await newOrder({ amountFen: 800_00 });
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    await waitForStatus(o.id, 'paid');
    await waitFor(() => env.gateway.deliveries({ outTradeNo: o.outTradeNo }).some((d) => d.outcome === 'success'), 5000, 'delivery');
    const delivered = env.gateway.deliveries({ outTradeNo: o.outTradeNo }).find((d) => d.outcome === 'success')!.params;
    const answers = await Promise.all(Array.from({ length: 8 }, () => postNotify(env.app.url, delivered)));
    expect(answers.every((a) => a.text === 'success')).toBe(true);
    const prisma = await getPrisma();
    expect(await prisma.ledgerPosting.count({ where: { kind: 'payment' } })).toBe(1);
    expect(await prisma.alipayNotifyLog.count({ where: { outTradeNo: o.outTradeNo, outcome: 'applied' } })).toBe(1);
    expect(await prisma.alipayNotifyLog.count({ where: { outTradeNo: o.outTradeNo, outcome: 'duplicate' } })).toBe(8);

    await requestRefund(SYSTEM_ACTOR, { orderId: o.id, amountFen: 800_00, reason: '测试退款', kind: 'deposit_return' });
    await runPendingRefunds();
    expect((await orderRow(o.id)).status).toBe('refunded');
    expect((await postNotify(env.app.url, delivered)).text).toBe('success');
    expect((await orderRow(o.id)).status).toBe('refunded');
    await waitFor(() => env.gateway.deliveries({ outTradeNo: o.outTradeNo }).filter((d) => d.outcome === 'success').length >= 2, 5000, 'refund notify');
    expect((await orderRow(o.id)).status).toBe('refunded');
    expect(await ledgerTotals()).toEqual({ alipay_clearing: 0, deposits_held: 0, refunds_payable: 0 });
  });

  it('settles an order whose notify was lost through the query job (alipay.trade.query, signed response)', async () => {
    const o = await newOrder({ amountFen: 2_000_00 });
    env.gateway.dropNotifies({ outTradeNo: o.outTradeNo });
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    expect(await queryPendingOrders()).toBe(0); // too early: the notify may still come
    expect((await orderRow(o.id)).status).toBe('paying');
    advanceClock(3 * 60_000);
    expect(await queryPendingOrders()).toBe(1);
    const row = await orderRow(o.id);
    expect(row).toMatchObject({ status: 'paid', settledBy: 'query' });
    expect(env.gateway.deliveries({ outTradeNo: o.outTradeNo }).map((d) => d.outcome)).toEqual(['dropped']);
    expect(await queryPendingOrders()).toBe(0);
    await expectLedgerBalanced();
  });

  it('caps the notify body at 64 KB', async () => {
    const res = await postNotify(env.app.url, { junk: 'x'.repeat(70 * 1024) });
    expect(res).toEqual({ status: 413, text: 'fail' });
  });
});

describe('refunds', () => {
  it('a retried refund is not doubled: the first attempt executes at Alipay but its answer is lost', async () => {
    const o = await newOrder({ amountFen: 1_000_00 });
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    await waitForStatus(o.id, 'paid');
    await requestRefund(SYSTEM_ACTOR, { orderId: o.id, amountFen: 400_00, reason: '部分退款', kind: 'deposit_return' });
    // A client that cannot check Alipay's response signature: the refund reaches Alipay and is
    // executed, but we cannot trust the answer, so the outcome is unknown.
    setAlipayClient(createAlipayClient({
      appId: APP_ID, privateKeyPem: appKeys.privateKeyPem, alipayPublicKeyPem: rsaKeyPairForTest().publicKeyPem,
      gatewayUrl: env.gateway.gatewayUrl, sellerId: SELLER_ID, notifyUrl: env.app.url, returnUrl: 'http://127.0.0.1/r',
    }), SELLER_ID);
    expect(await runPendingRefunds()).toBe(0);
    const prisma = await getPrisma();
    const pending = await prisma.paymentRefund.findFirstOrThrow({ where: { orderId: o.id } });
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(env.gateway.trade(o.outTradeNo)!.refunds.map((r) => r.amountFen)).toEqual([400_00]);

    setAlipayClient(env.client, SELLER_ID);
    expect(await runPendingRefunds()).toBe(1);
    expect(await runPendingRefunds()).toBe(0);
    expect(env.gateway.trade(o.outTradeNo)!.refunds.map((r) => r.outRequestNo)).toEqual([pending.outRequestNo]);
    const row = await orderRow(o.id);
    expect(row).toMatchObject({ status: 'partially_refunded', refundedFen: 400_00 });
    expect(await ledgerTotals()).toEqual({ alipay_clearing: 600_00, deposits_held: -600_00, refunds_payable: 0 });
    await expect(requestRefund(SYSTEM_ACTOR, { orderId: o.id, amountFen: 600_01, reason: '超额', kind: 'deposit_return' })).rejects.toThrow(/超过可退金额/);
    await expectLedgerBalanced();
  });

  it('returns the losers’ deposits after the award, then the winner’s; the tender’s ledger ends at zero', async () => {
    const bidders = await Promise.all([payer(), payer(), payer()]);
    const orders: Awaited<ReturnType<typeof newOrder>>[] = [];
    for (const who of bidders) {
      const o = await newOrder({ who, refId: 'T-AWARD', amountFen: 20_000_00 });
      await payAtCashier(env.gateway, o.id, o.outTradeNo);
      orders.push(o);
    }
    for (const o of orders) await waitForStatus(o.id, 'paid');
    const other = await newOrder({ refId: 'T-OTHER', amountFen: 10_000_00 });
    await payAtCashier(env.gateway, other.id, other.outTradeNo);
    await waitForStatus(other.id, 'paid');

    const awardAt = now();
    const n = await scheduleDepositRefunds(SYSTEM_ACTOR, { refType: 'tender', refId: 'T-AWARD', keepPayerOrgIds: [bidders[0].orgId], dueAt: new Date(awardAt.getTime() + 5 * DAY), reason: '未中标，退还投标保证金' });
    expect(n).toBe(2);
    expect(await scheduleDepositRefunds(SYSTEM_ACTOR, { refType: 'tender', refId: 'T-AWARD', keepPayerOrgIds: [bidders[0].orgId], dueAt: new Date(awardAt.getTime() + 5 * DAY), reason: '重复' })).toBe(0);
    advanceClock(60 * 60_000);
    expect(await runPendingRefunds()).toBe(2);
    for (const o of orders.slice(1)) {
      expect((await orderRow(o.id)).status).toBe('refunded');
      expect(env.gateway.trade(o.outTradeNo)).toMatchObject({ status: 'TRADE_CLOSED', refunds: [{ amountFen: 20_000_00 }] });
      expect(await ledgerTotals({ refType: 'tender', refId: 'T-AWARD', partyOrgId: o.who.orgId })).toEqual({ alipay_clearing: 0, deposits_held: 0, refunds_payable: 0 });
    }
    expect(await ledgerTotals({ refType: 'tender', refId: 'T-AWARD' })).toEqual({ alipay_clearing: 20_000_00, deposits_held: -20_000_00, refunds_payable: 0 });
    // After the contract is signed, the winner's deposit goes back too.
    await requestRefund(SYSTEM_ACTOR, { orderId: orders[0].id, amountFen: 20_000_00, reason: '合同已签订，退还中标人保证金', kind: 'deposit_return' });
    expect(await runPendingRefunds()).toBe(1);
    expect(await ledgerTotals({ refType: 'tender', refId: 'T-AWARD' })).toEqual({ alipay_clearing: 0, deposits_held: 0, refunds_payable: 0 });
    expect(await ledgerTotals({ refType: 'tender', refId: 'T-OTHER' })).toEqual({ alipay_clearing: 10_000_00, deposits_held: -10_000_00 });
    // The refund notifies that follow are harmless.
    await waitFor(() => orders.every((o) => env.gateway.deliveries({ outTradeNo: o.outTradeNo }).filter((d) => d.outcome === 'success').length === 2), 5000, 'refund notifies');
    expect(await (await getPrisma()).ledgerPosting.count({ where: { kind: 'refund_paid' } })).toBe(3);
    await expectLedgerBalanced();
  });

  it('forfeits a deposit only with a supervisor’s recorded approval', async () => {
    const admin = await createUser('admin');
    const sup = await createUser('supervisor');
    const o = await newOrder({ refId: 'T-F', amountFen: 30_000_00 });
    await payAtCashier(env.gateway, o.id, o.outTradeNo);
    await waitForStatus(o.id, 'paid');
    await expect(forfeitDeposit(actorOf(admin), { orderId: o.id, reason: '中标后拒签合同', approvedBySupervisorId: sup.id })).rejects.toThrow(/批准记录/);
    await expect(forfeitDeposit(actorOf(admin), { orderId: o.id, reason: 'x', approvedBySupervisorId: admin.id })).rejects.toThrow(/监督人员/);
    const req = await requestForfeiture(actorOf(admin), { orderId: o.id, reason: '中标后无正当理由拒签合同' });
    await expect(decideForfeiture(actorOf(admin), { requestId: req.id, approve: true, note: '' })).rejects.toThrow(/监督人员/);
    await decideForfeiture(actorOf(sup), { requestId: req.id, approve: true, note: '经核实属实' });
    const row = await orderRow(o.id);
    expect(row).toMatchObject({ status: 'forfeited', forfeitedFen: 30_000_00 });
    expect(await ledgerTotals({ refId: 'T-F' })).toEqual({ alipay_clearing: 30_000_00, deposits_held: 0, forfeited_deposits: -30_000_00 });
    await expect(requestRefund(SYSTEM_ACTOR, { orderId: o.id, amountFen: 1, reason: '试图退款', kind: 'deposit_return' })).rejects.toThrow();
    await expect(decideForfeiture(actorOf(sup), { requestId: req.id, approve: true, note: '' })).rejects.toThrow(/已处理/);
  });
});

describe('timeouts', () => {
  it('closes an unpaid order at Alipay and here after its deadline; a new order can then be made', async () => {
    const who = await payer();
    const o = await newOrder({ who, refId: 'T-TIMEOUT' });
    await fetch(await (await import('~/modules/payments/orders.server')).payUrlFor(o.id)).then((r) => r.text());
    expect(env.gateway.trade(o.outTradeNo)!.status).toBe('WAIT_BUYER_PAY');
    expect(await closeExpiredOrders()).toBe(0);
    advanceClock(121 * 60_000);
    expect(await closeExpiredOrders()).toBe(1);
    expect((await orderRow(o.id)).status).toBe('closed');
    expect(env.gateway.trade(o.outTradeNo)!.status).toBe('TRADE_CLOSED');
    const again = await newOrder({ who, refId: 'T-TIMEOUT' });
    expect(again.id).not.toBe(o.id);
    expect(await ledgerTotals()).toEqual({});
  });
});

describe('ledger', () => {
  it('refuses unbalanced postings in code and in the database', async () => {
    expect(() => assertBalanced([{ account: 'alipay_clearing', debitFen: 100 }, { account: 'fee_income', creditFen: 99 }])).toThrow(UnbalancedPostingError);
    expect(() => assertBalanced([{ account: 'alipay_clearing', debitFen: 100 }])).toThrow(UnbalancedPostingError);
    expect(() => assertBalanced([{ account: 'alipay_clearing', debitFen: 100, creditFen: 100 }, { account: 'fee_income', creditFen: 0 }])).toThrow(UnbalancedPostingError);
    expect(() => assertBalanced([{ account: 'alipay_clearing', debitFen: 0.5 }, { account: 'fee_income', creditFen: 0.5 }])).toThrow(UnbalancedPostingError);
    const prisma = await getPrisma();
    await expect(prisma.$transaction((tx) => post(tx, { kind: 'payment', eventKey: 'x', memo: 'm', refType: 't', refId: 'r', partyOrgId: 'o', entries: [{ account: 'alipay_clearing', debitFen: 1 }, { account: 'fee_income', creditFen: 2 }] }))).rejects.toThrow(UnbalancedPostingError);
    // Bypassing the code: the database refuses an unbalanced statement, and any edit of the books.
    const entry = (postingId: string, debitFen: number, creditFen: number) => ({ postingId, account: 'alipay_clearing', refType: 't', refId: 'r', partyOrgId: 'o', debitFen, creditFen, at: now() });
    await expect(prisma.$transaction(async (tx) => {
      const p = await tx.ledgerPosting.create({ data: { kind: 'payment', eventKey: 'raw', memo: 'm', at: now() } });
      await tx.ledgerEntry.createMany({ data: [entry(p.id, 5, 0), entry(p.id, 0, 4)] });
    })).rejects.toThrow(/does not balance/);
    expect(await prisma.ledgerPosting.count()).toBe(0);
    const p = await prisma.ledgerPosting.create({ data: { kind: 'payment', eventKey: 'ok', memo: 'm', at: now() } });
    await prisma.ledgerEntry.createMany({ data: [entry(p.id, 5, 0), entry(p.id, 0, 5)] });
    await expect(prisma.ledgerEntry.updateMany({ where: { postingId: p.id }, data: { debitFen: 6 } })).rejects.toThrow(/append-only/);
    await expect(prisma.ledgerEntry.deleteMany({ where: { postingId: p.id } })).rejects.toThrow(/append-only/);
    await expectLedgerBalanced();
  });
});
