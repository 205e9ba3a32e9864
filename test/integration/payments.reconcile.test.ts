// Reconciliation (对账) with Alipay's daily bill, through the real SDK: its own gateway, so the bill
// holds only this file's trades.
import { expect, it, describe } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { advanceClock, now } from '~/modules/clock/clock.server';
import { reconcileYesterday, runPendingRefunds } from '~/modules/payments/jobs.server';
import { requestRefund } from '~/modules/payments/orders.server';
import { createUser } from '../setup/fixtures';
import { newOrder, payAtCashier, usePaymentsEnv, waitForStatus } from './payments-harness';

const env = usePaymentsEnv();
const DAY = 86_400_000;

describe('reconciliation', () => {
  it('matches a clean day, and reports an injected amount difference, a missing line and an unknown one', async () => {
    const admin = await createUser('admin');
    const a = await newOrder({ amountFen: 1_111_11 });
    const b = await newOrder({ amountFen: 2_222_22, purpose: 'service_fee', refType: 'purchase', refId: 'P-1' });
    const c = await newOrder({ amountFen: 3_333_33, refId: 'T-9' });
    for (const o of [a, b, c]) await payAtCashier(env.gateway, o.id, o.outTradeNo);
    for (const o of [a, b, c]) await waitForStatus(o.id, 'paid');
    await requestRefund(SYSTEM_ACTOR, { orderId: c.id, amountFen: 333_33, reason: '部分退还', kind: 'deposit_return' });
    expect(await runPendingRefunds()).toBe(1);
    advanceClock(DAY);
    expect(await reconcileYesterday()).toBe('matched');
    expect(await reconcileYesterday()).toBeNull(); // done once

    const d = await newOrder({ amountFen: 4_444_44 });
    const e = await newOrder({ amountFen: 5_555_55 });
    for (const o of [d, e]) await payAtCashier(env.gateway, o.id, o.outTradeNo);
    for (const o of [d, e]) await waitForStatus(o.id, 'paid');
    env.gateway.injectBillMismatch({ kind: 'amount', outTradeNo: d.outTradeNo, receivedFen: 4_444_00 });
    env.gateway.injectBillMismatch({ kind: 'missing', outTradeNo: e.outTradeNo });
    const day = new Date(now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    env.gateway.injectBillMismatch({ kind: 'extra', outTradeNo: 'XX20260101000000000001', amountFen: 99_00, date: day });
    advanceClock(DAY);
    expect(await reconcileYesterday()).toBe('mismatched');
    const prisma = await getPrisma();
    const run = await prisma.reconciliationRun.findUniqueOrThrow({ where: { billDate: day }, include: { issues: true } });
    expect(run).toMatchObject({ status: 'mismatched', mismatches: 3, matched: 0 });
    expect(run.issues.map((i) => [i.kind, i.outTradeNo, i.expectedFen, i.actualFen]).sort()).toEqual([
      ['amount_mismatch', d.outTradeNo, 4_444_44, 4_444_00],
      ['missing_in_bill', e.outTradeNo, 5_555_55, null],
      ['missing_in_ledger', 'XX20260101000000000001', null, 99_00],
    ].sort());
    expect(await prisma.notification.count({ where: { userId: admin.id, title: '资金对账预警' } })).toBe(3);
  });
});

