// Timed payment work. Each job reads the state and the clock and does what is due, so running one
// twice (or on two instances, which the scheduler's advisory lock prevents anyway) changes nothing.
import { getPrisma } from '~/db/index.server';
import type { Job } from '~/modules/clock/scheduler.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { getAlipay, paymentsConfigured } from './config.server';
import { markClosed, performRefund, raiseIssue, syncOrderWithAlipay } from './orders.server';
import { beijingDate, reconcileDay } from './reconcile.server';
import { fenToYuan } from './money';

const MINUTE = 60_000;
/** A notify normally arrives within seconds; after this we ask Alipay ourselves. */
export const NOTIFY_GRACE_MS = 2 * MINUTE;
const REQUERY_EVERY_MS = 3 * MINUTE;

function warn(what: string, id: string, e: unknown) {
  log.warn(what, { id, error: e instanceof Error ? e.message : String(e) });
}

/** Orders whose notify never came: alipay.trade.query (signed response) settles them. */
export async function queryPendingOrders(): Promise<number> {
  const prisma = await getPrisma();
  const t = now();
  const due = await prisma.paymentOrder.findMany({
    where: {
      status: 'paying',
      updatedAt: { lt: new Date(t.getTime() - NOTIFY_GRACE_MS) },
      OR: [{ lastQueriedAt: null }, { lastQueriedAt: { lt: new Date(t.getTime() - REQUERY_EVERY_MS) } }],
    },
    orderBy: { updatedAt: 'asc' },
    take: 100,
    select: { id: true },
  });
  let settled = 0;
  for (const o of due) {
    try {
      if ((await syncOrderWithAlipay(o.id)).changed) settled++;
    } catch (e) {
      warn('payments.query.failed', o.id, e);
    }
  }
  return settled;
}

/** Unpaid orders past their deadline: asked once more, then closed at Alipay (alipay.trade.close) and here. */
export async function closeExpiredOrders(): Promise<number> {
  const prisma = await getPrisma();
  const expired = await prisma.paymentOrder.findMany({
    where: { status: { in: ['created', 'paying'] }, expiresAt: { lt: now() } },
    orderBy: { expiresAt: 'asc' },
    take: 100,
    select: { id: true, status: true, outTradeNo: true },
  });
  let closed = 0;
  for (const o of expired) {
    try {
      if (o.status === 'created') {
        // No cashier URL was ever issued: nothing exists at Alipay.
        if (await prisma.$transaction((tx) => markClosed(tx, o.id, 'timeout'))) closed++;
        continue;
      }
      const synced = await syncOrderWithAlipay(o.id);
      if (synced.status === 'closed' && synced.changed) closed++; // Alipay had closed it itself
      if (synced.status !== 'paying' && synced.status !== 'created') continue;
      const r = await getAlipay().closeTrade(o.outTradeNo);
      if (r.ok || r.subCode === 'ACQ.TRADE_NOT_EXIST') {
        if (await prisma.$transaction((tx) => markClosed(tx, o.id, 'timeout'))) closed++;
      } else if (r.subCode === 'ACQ.TRADE_STATUS_ERROR') {
        await syncOrderWithAlipay(o.id); // paid or closed meanwhile: the query tells which
      }
    } catch (e) {
      warn('payments.close.failed', o.id, e);
    }
  }
  return closed;
}

/** Pending refunds whose time has come; a refund still pending after its due date raises a warning. */
export async function runPendingRefunds(): Promise<number> {
  const prisma = await getPrisma();
  const t = now();
  const due = await prisma.paymentRefund.findMany({ where: { status: 'pending', notBefore: { lte: t } }, orderBy: { dueAt: 'asc' }, take: 50, include: { order: { select: { outTradeNo: true } } } });
  let done = 0;
  for (const r of due) {
    try {
      if ((await performRefund(r.id)) === 'succeeded') done++;
      else if (r.dueAt < t) {
        await raiseIssue({
          kind: 'refund_overdue', dedupeKey: `refund-overdue:${r.id}`, outTradeNo: r.order.outTradeNo, outRequestNo: r.outRequestNo, expectedFen: r.amountFen,
          detail: `退款 ${fenToYuan(r.amountFen)} 元已超过应退期限仍未完成`,
        });
      }
    } catch (e) {
      warn('payments.refund.failed', r.id, e);
    }
  }
  return done;
}

/** Yesterday's bill (Beijing date), once it exists, unless already reconciled. */
export async function reconcileYesterday(): Promise<string | null> {
  const prisma = await getPrisma();
  const date = beijingDate(new Date(now().getTime() - 86_400_000));
  const done = await prisma.reconciliationRun.findUnique({ where: { billDate: date }, select: { status: true } });
  if (done && done.status !== 'failed') return null;
  const r = await reconcileDay(date);
  return r.status;
}

const whenConfigured = (fn: () => Promise<number>) => async () => ({ did: paymentsConfigured() ? await fn() : 0 });

export const PAYMENT_JOBS: Job[] = [
  { name: 'payments.query-pending', everyMs: 60_000, run: whenConfigured(queryPendingOrders) },
  { name: 'payments.close-expired', everyMs: 60_000, run: whenConfigured(closeExpiredOrders) },
  { name: 'payments.refunds', everyMs: 30_000, run: whenConfigured(runPendingRefunds) },
  { name: 'payments.reconcile', everyMs: 3_600_000, run: whenConfigured(async () => ((await reconcileYesterday()) ? 1 : 0)) },
];
