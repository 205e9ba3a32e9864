// Alipay's asynchronous notify (异步通知). The answer is the plain text `success` only once the
// change is committed; anything else makes Alipay retry (4m, 10m, 10m, 1h, 2h, 6h, 15h). Replays,
// duplicates and out-of-order deliveries are harmless: settlement is a conditional state change.
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { getAlipay } from './config.server';
import { fenToYuan } from './money';
import { completeRefund, markClosed, parseAlipayTime, raiseIssue, settlePayment } from './orders.server';

export type NotifyAnswer = 'success' | 'fail';

// A burst of notifies queues on the order rows (and, on PGlite, on the one connection): let them
// wait rather than answer `fail` and make Alipay come back later.
const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

export async function handleAlipayNotify(params: Record<string, string>): Promise<NotifyAnswer> {
  const prisma = await getPrisma();
  const check = await getAlipay().verifyNotify(params, {
    expected: async (outTradeNo) => {
      const o = await prisma.paymentOrder.findUnique({ where: { outTradeNo }, select: { amountFen: true } });
      return o ? { amountFen: o.amountFen } : null;
    },
  });
  if (!check.ok) {
    // Only what identifies the notify is logged, never the signature or the whole form.
    log.warn('alipay.notify.rejected', { reason: check.reason, outTradeNo: params.out_trade_no?.slice(0, 64), notifyId: params.notify_id?.slice(0, 64) });
    if (check.reason === 'amount-mismatch' || check.reason === 'wrong-seller') {
      // Signed by Alipay yet not what we asked for: money may be wrong somewhere. A person must look.
      const o = await prisma.paymentOrder.findUnique({ where: { outTradeNo: params.out_trade_no }, select: { amountFen: true } });
      const amount = /^\d+(\.\d{1,2})?$/.test(params.total_amount ?? '') ? Math.round(Number(params.total_amount) * 100) : undefined;
      await raiseIssue({
        kind: check.reason === 'amount-mismatch' ? 'notify_amount_mismatch' : 'notify_wrong_seller',
        dedupeKey: `notify:${check.reason}:${params.out_trade_no}:${params.total_amount}:${params.seller_id}`,
        outTradeNo: params.out_trade_no,
        expectedFen: o?.amountFen,
        actualFen: amount,
        detail:
          check.reason === 'amount-mismatch'
            ? `支付宝通知金额 ${params.total_amount} 元与订单金额 ${o ? fenToYuan(o.amountFen) : '?'} 元不符，已拒绝入账`
            : `支付宝通知的收款方 ${params.seller_id} 不是本平台，已拒绝入账`,
      });
      await prisma.alipayNotifyLog.create({
        data: { notifyId: params.notify_id ?? '', outTradeNo: params.out_trade_no ?? '', tradeStatus: params.trade_status ?? '', outBizNo: params.out_biz_no ?? null, outcome: `rejected:${check.reason}`, receivedAt: now() },
      });
    }
    return 'fail';
  }
  const outcome = await prisma.$transaction(async (tx) => {
    let result: string;
    if (check.refund) {
      const refund = await tx.paymentRefund.findUnique({ where: { outRequestNo: check.refund.outRequestNo } });
      if (!refund) result = 'unknown-refund';
      else result = (await completeRefund(tx, refund.id, { alipayRefundAt: check.refund.at?.slice(0, 19) ?? null, via: 'notify' })) ? 'applied' : 'duplicate';
    } else if (check.status === 'TRADE_SUCCESS' || check.status === 'TRADE_FINISHED') {
      result = await settlePayment(tx, check.outTradeNo, { tradeNo: check.tradeNo, amountFen: check.amountFen, paidAt: parseAlipayTime(check.paidAt), via: 'notify' });
    } else if (check.status === 'TRADE_CLOSED') {
      const o = await tx.paymentOrder.findUnique({ where: { outTradeNo: check.outTradeNo }, select: { id: true } });
      // A TRADE_CLOSED after a full refund arrives with the refund fields; without them it can only
      // close an unpaid order (markClosed never touches a paid one).
      result = o && (await markClosed(tx, o.id, 'alipay-notify')) ? 'applied' : 'duplicate';
    } else {
      result = 'duplicate';
    }
    await tx.alipayNotifyLog.create({
      data: { notifyId: check.notifyId, outTradeNo: check.outTradeNo, tradeStatus: check.status, outBizNo: check.refund?.outRequestNo ?? null, outcome: result, receivedAt: now() },
    });
    return result;
  }, TX_OPTIONS);
  if (outcome === 'unknown-refund') {
    await raiseIssue({
      kind: 'missing_in_ledger',
      dedupeKey: `notify-refund:${check.refund?.outRequestNo}`,
      outTradeNo: check.outTradeNo,
      outRequestNo: check.refund?.outRequestNo,
      detail: `支付宝通知了一笔本平台没有记录的退款（退款请求号 ${check.refund?.outRequestNo}）`,
    });
  }
  return 'success';
}

/** Reads a form body of at most maxBytes (the Express front leaves /api/alipay/ uncapped for us). */
export async function readNotifyForm(request: Request, maxBytes = 64 * 1024): Promise<Record<string, string> | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return null;
  if (!request.body) return {};
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const out: Record<string, string> = {};
  // The first value of a repeated field wins, as in the gateway and Alipay's own SDKs.
  for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
  return out;
}
