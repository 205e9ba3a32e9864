// Faults and load on the notify path, through the real SDK and a real HTTP server of the route:
// the app is down while Alipay notifies (the gateway retries; after restart each order is settled
// exactly once), and 500 notifies for 100 orders arrive at once, shuffled, duplicates included.
import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { trialBalance } from '~/modules/payments/ledger.server';
import { newOrder, payAtCashier, postNotify, signNotify, usePaymentsEnv, waitFor } from './payments-harness';
import { usingPostgres } from '../setup/db';
import { formatShanghai } from '~/modules/payments/gateway/protocol';

const env = usePaymentsEnv({ schedule: [100, 200, 300, 300, 300, 300, 300] });

async function expectBooks(orders: number) {
  const prisma = await getPrisma();
  expect(await prisma.ledgerPosting.count({ where: { kind: 'payment' } })).toBe(orders);
  const t = await trialBalance();
  expect(t.unbalancedPostings).toEqual([]);
  expect(t.debitFen).toBe(t.creditFen);
}

describe(`notify faults (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('the app is down while notifies arrive: the gateway retries and each order is settled exactly once after restart', async () => {
    const orders: Awaited<ReturnType<typeof newOrder>>[] = [];
    await env.app.stop();
    const more: Awaited<ReturnType<typeof newOrder>>[] = [];
    for (let i = 0; i < 5; i++) more.push(await newOrder({ amountFen: 2000_00 + i }));
    for (const o of more) await payAtCashier(env.gateway, o.id, o.outTradeNo);
    await waitFor(() => more.every((o) => env.gateway.deliveries({ outTradeNo: o.outTradeNo }).filter((d) => d.outcome === 'error').length >= 2), 10_000, 'failed attempts');
    const prisma = await getPrisma();
    expect(await prisma.paymentOrder.count({ where: { id: { in: more.map((o) => o.id) }, status: 'paid' } })).toBe(0);
    await env.app.start();
    await waitFor(() => more.every((o) => env.gateway.deliveries({ outTradeNo: o.outTradeNo }).some((d) => d.outcome === 'success')), 15_000, 'delivery after restart');
    for (const o of [...orders, ...more]) {
      const row = await prisma.paymentOrder.findUniqueOrThrow({ where: { id: o.id } });
      expect(row.status).toBe('paid');
      expect(await prisma.ledgerPosting.count({ where: { orderId: o.id, kind: 'payment' } })).toBe(1);
    }
    for (const o of more) {
      const outcomes = env.gateway.deliveries({ outTradeNo: o.outTradeNo }).map((d) => d.outcome);
      expect(outcomes.at(-1)).toBe('success');
      expect(outcomes.filter((x) => x === 'success')).toHaveLength(1);
    }
    await expectBooks(5);
  });

  it('500 notifies for 100 orders, concurrent and shuffled with duplicates: every order paid once, the ledger balanced', async () => {
    const orders = [];
    for (let i = 0; i < 100; i++) orders.push(await newOrder({ amountFen: 100_00 + i, refId: `T-${i % 7}` }));
    env.gateway.pauseNotifies(); // we deliver them ourselves, all at once
    for (const o of orders) await payAtCashier(env.gateway, o.id, o.outTradeNo);
    const notifies: Record<string, string>[] = [];
    for (const o of orders) {
      const base = env.gateway.notifications({ outTradeNo: o.outTradeNo })[0].params;
      const first = signNotify(base);
      // Byte-identical replays and retries re-signed later (a new notify_time), as Alipay sends them.
      notifies.push(first, first, first);
      for (const s of [1, 2]) notifies.push(signNotify({ ...base, notify_time: formatShanghai(new Date(Date.now() + s * 60_000)) }));
    }
    for (let i = notifies.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [notifies[i], notifies[j]] = [notifies[j], notifies[i]];
    }
    const t0 = performance.now();
    const answers = await Promise.all(notifies.map((n) => postNotify(env.app.url, n)));
    const ms = performance.now() - t0;
    console.log(`500 concurrent notifies settled in ${Math.round(ms)} ms (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`);
    expect(answers.filter((a) => a.text !== 'success')).toEqual([]);
    const prisma = await getPrisma();
    expect(await prisma.paymentOrder.count({ where: { id: { in: orders.map((o) => o.id) }, status: 'paid' } })).toBe(100);
    expect(await prisma.alipayNotifyLog.count({ where: { outcome: 'applied' } })).toBe(100);
    expect(await prisma.alipayNotifyLog.count({ where: { outcome: 'duplicate' } })).toBe(400);
    await expectBooks(100);
    const held = await prisma.ledgerEntry.aggregate({ where: { account: 'deposits_held' }, _sum: { creditFen: true, debitFen: true } });
    expect((held._sum.creditFen ?? 0) - (held._sum.debitFen ?? 0)).toBe(orders.reduce((a, o, i) => a + 100_00 + i, 0));
  }, 120_000);
});
