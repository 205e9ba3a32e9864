// Orders (订单) and their money: created by the context that charges (bidding, market), paid at
// Alipay's cashier, settled by a verified notify or a signed query, refunded with a stable
// out_request_no, forfeited only with a supervisor's approval. Every change posts to the ledger and
// appends an audit entry in the same transaction.
//
// State machine: created → paying → paid → refunding → partially_refunded | refunded
//                created|paying → closed (timeout, alipay.trade.close); paid… → forfeited.
// An order never moves backwards: every transition is a conditional UPDATE on the current state,
// which is also what makes duplicated and concurrent notifies harmless.
import { randomInt } from 'node:crypto';
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, type Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { notifyUsers } from '~/modules/notify/notify.server';
import { getAlipay, paymentSettings } from './config.server';
import { ORDER_PURPOSES, PURPOSE_LABELS, type OrderPurpose } from './labels';
import { post, type Account } from './ledger.server';
import { fenToYuan } from './money';

export type { OrderPurpose } from './labels';

export class PaymentError extends Error {
  constructor(message: string, readonly code: string = 'invalid') {
    super(message);
  }
}

const MAX_AMOUNT_FEN = 10_000_000_000; // 1 亿元: Alipay's page-pay ceiling
const DAY_MS = 86_400_000;

function beijingStamp(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

function serial(prefix: string): string {
  // 2 + 8 + 14 characters: readable on the phone with a bidder, unique enough with the unique index.
  return `${prefix}${beijingStamp(now())}${String(randomInt(0, 1e7)).padStart(7, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`;
}

const PREFIX: Record<OrderPurpose, string> = { document_fee: 'DF', bid_deposit: 'BD', service_fee: 'SF', platform_fee: 'PF' };

/** Alipay's Beijing-time `yyyy-MM-dd HH:mm:ss` → Date. */
export function parseAlipayTime(s: string | null | undefined): Date | null {
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,3})?$/.exec(s);
  return m ? new Date(`${m[1]}T${m[2]}${m[3] ?? ''}+08:00`) : null;
}

const incomeAccount = (purpose: string): Account => (purpose === 'bid_deposit' ? 'deposits_held' : 'fee_income');

async function staffToWarn(tx: Tx): Promise<string[]> {
  const users = await tx.user.findMany({ where: { role: { in: ['admin', 'supervisor'] }, active: true }, select: { id: true } });
  return users.map((u) => u.id);
}

// ---- creating and paying ----------------------------------------------------------------------

export interface CreateOrderInput {
  purpose: OrderPurpose;
  refType: string;
  refId: string;
  payerOrgId: string;
  payerUserId: string;
  amountFen: number;
  subject: string;
  payeeOrgId?: string;
}

/**
 * Creates the order for (purpose, refType, refId, payer), or returns the one that already exists
 * (open or paid): one payer pays one deposit or fee for one thing, never twice. Only a closed
 * (unpaid, timed-out) order makes room for a new one. Amount and subject come from the caller's
 * server-side rules, never from the browser.
 */
export async function createOrder(tx: Tx, input: CreateOrderInput): Promise<{ id: string; outTradeNo: string; status: string }> {
  if (!(ORDER_PURPOSES as readonly string[]).includes(input.purpose)) throw new PaymentError(`unknown purpose ${input.purpose}`);
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1 || input.amountFen > MAX_AMOUNT_FEN)
    throw new PaymentError(`amount must be 1..${MAX_AMOUNT_FEN} fen, got ${input.amountFen}`);
  const subject = input.subject.trim().slice(0, 128);
  if (!subject) throw new PaymentError('subject is required');
  if (!input.refType || !input.refId || !input.payerOrgId || !input.payerUserId) throw new PaymentError('refType, refId, payerOrgId and payerUserId are required');
  const liveKey = `${input.purpose}|${input.refType}|${input.refId}|${input.payerOrgId}`;
  const at = now();
  const id = `po_${crypto.randomUUID().replaceAll('-', '')}`;
  const outTradeNo = serial(PREFIX[input.purpose]);
  const expiresAt = new Date(at.getTime() + paymentSettings().orderTimeoutMinutes * 60_000);
  // ON CONFLICT rather than find-then-create: two tabs (or two app instances) asking at once get one order.
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "PaymentOrder" (id, "outTradeNo", purpose, "refType", "refId", "payerOrgId", "payerUserId", "payeeOrgId",
      "amountFen", subject, status, "liveKey", "expiresAt", "createdAt", "updatedAt")
    VALUES (${id}, ${outTradeNo}, ${input.purpose}, ${input.refType}, ${input.refId}, ${input.payerOrgId}, ${input.payerUserId},
      ${input.payeeOrgId ?? null}, ${input.amountFen}, ${subject}, 'created', ${liveKey}, ${expiresAt}, ${at}, ${at})
    ON CONFLICT ("liveKey") DO NOTHING RETURNING id`;
  if (inserted.length === 0) {
    const existing = await tx.paymentOrder.findUniqueOrThrow({ where: { liveKey }, select: { id: true, outTradeNo: true, status: true } });
    return existing;
  }
  await appendAuditEntry(tx, { ...SYSTEM_ACTOR, userId: input.payerUserId, orgId: input.payerOrgId, role: 'payer' }, {
    action: 'payment.order.create',
    objectType: 'PaymentOrder',
    objectId: id,
    payload: { outTradeNo, purpose: input.purpose, refType: input.refType, refId: input.refId, amountFen: input.amountFen },
  });
  return { id, outTradeNo, status: 'created' };
}

/** The payer's paid order for this thing (paid at some time; later refunds do not undo that). */
export async function findPaidOrder(q: { purpose: OrderPurpose; refType: string; refId: string; payerOrgId: string }): Promise<{ id: string; amountFen: number; paidAt: Date } | null> {
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findFirst({
    where: { purpose: q.purpose, refType: q.refType, refId: q.refId, payerOrgId: q.payerOrgId, paidAt: { not: null } },
    orderBy: { paidAt: 'desc' },
    select: { id: true, amountFen: true, paidAt: true },
  });
  return o && o.paidAt ? { id: o.id, amountFen: o.amountFen, paidAt: o.paidAt } : null;
}

/** Alipay's cashier URL for an open order (PC page pay, or WAP pay on a phone). */
export async function payUrlFor(orderId: string, opts: { mobile?: boolean } = {}): Promise<string> {
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findUnique({ where: { id: orderId } });
  if (!o) throw new PaymentError('订单不存在', 'not-found');
  if (o.status !== 'created' && o.status !== 'paying') throw new PaymentError(o.paidAt ? '该订单已支付，请勿重复付款' : '订单已关闭，无法支付', 'not-payable');
  const left = o.expiresAt.getTime() - now().getTime();
  if (left < 60_000) throw new PaymentError('订单已超时，请重新下单', 'expired');
  if (o.status === 'created') {
    await prisma.paymentOrder.updateMany({ where: { id: o.id, status: 'created' }, data: { status: 'paying', updatedAt: now() } });
  }
  return getAlipay().pagePayUrl({
    outTradeNo: o.outTradeNo,
    amountFen: o.amountFen,
    subject: o.subject,
    mobile: opts.mobile,
    // Relative to when the buyer opens the cashier; never beyond the order's own deadline.
    timeoutMinutes: Math.max(1, Math.floor(left / 60_000)),
    body: PURPOSE_LABELS[o.purpose as OrderPurpose],
  });
}

// ---- settlement (notify, query, return) ---------------------------------------------------------

export interface PaymentFacts {
  tradeNo: string;
  amountFen: number;
  paidAt: Date | null;
  buyerLogonId?: string | null;
  via: 'notify' | 'query' | 'return';
}

export type SettleOutcome = 'applied' | 'duplicate' | 'unknown-order' | 'amount-mismatch';

/**
 * Records that Alipay holds the payment for this order. Idempotent: only the first caller moves the
 * order to paid and posts Dr alipay_clearing / Cr deposits_held or fee_income; concurrent callers
 * wait on the row lock and see it already paid.
 */
export async function settlePayment(tx: Tx, outTradeNo: string, facts: PaymentFacts): Promise<SettleOutcome> {
  const o = await tx.paymentOrder.findUnique({ where: { outTradeNo } });
  if (!o) return 'unknown-order';
  if (o.amountFen !== facts.amountFen) return 'amount-mismatch';
  const paidAt = facts.paidAt ?? now();
  // A payment that reaches a closed order (the buyer paid just as it timed out) is still money we
  // hold: record it and return it at once.
  const moved = await tx.paymentOrder.updateMany({
    where: { id: o.id, status: { in: ['created', 'paying', 'closed'] }, paidAt: null },
    data: { status: 'paid', paidAt, tradeNo: facts.tradeNo, buyerLogonId: facts.buyerLogonId ?? null, settledBy: facts.via, updatedAt: now() },
  });
  if (moved.count === 0) return 'duplicate';
  const account = incomeAccount(o.purpose);
  await post(tx, {
    kind: 'payment',
    eventKey: `pay:${o.id}`,
    orderId: o.id,
    memo: `${PURPOSE_LABELS[o.purpose as OrderPurpose]} ${o.outTradeNo} 支付宝到账`,
    refType: o.refType,
    refId: o.refId,
    partyOrgId: o.payerOrgId,
    entries: [
      { account: 'alipay_clearing', debitFen: o.amountFen },
      { account, creditFen: o.amountFen },
    ],
  });
  await appendAuditEntry(tx, SYSTEM_ACTOR, {
    action: 'payment.order.paid',
    objectType: 'PaymentOrder',
    objectId: o.id,
    payload: { outTradeNo, tradeNo: facts.tradeNo, amountFen: o.amountFen, via: facts.via, lateAfterClose: o.status === 'closed' },
  });
  await notifyUsers(tx, [o.payerUserId], {
    title: `支付成功：${o.subject}`,
    body: `订单 ${o.outTradeNo} 已支付 ${fenToYuan(o.amountFen)} 元。`,
    link: `/payments/orders/${o.id}`,
    kind: 'success',
  });
  if (o.status === 'closed') {
    await tx.paymentOrder.update({ where: { id: o.id }, data: { liveKey: null } });
    await requestRefundTx(tx, SYSTEM_ACTOR, {
      orderId: o.id,
      amountFen: o.amountFen,
      reason: '订单关闭后到账，自动原路退回',
      kind: o.purpose === 'bid_deposit' ? 'deposit_return' : 'fee_refund',
    });
  }
  return 'applied';
}

/** Closes an unpaid order (timeout or Alipay closed it). Never closes a paid one. */
export async function markClosed(tx: Tx, orderId: string, why: string): Promise<boolean> {
  const moved = await tx.paymentOrder.updateMany({
    where: { id: orderId, status: { in: ['created', 'paying'] }, paidAt: null },
    data: { status: 'closed', closedAt: now(), liveKey: null, updatedAt: now() },
  });
  if (moved.count === 0) return false;
  await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'payment.order.close', objectType: 'PaymentOrder', objectId: orderId, payload: { why } });
  return true;
}

/** Asks Alipay (signed response) and settles or closes accordingly; what the jobs and the return page use. */
export async function syncOrderWithAlipay(orderId: string, via: 'query' | 'return' = 'query'): Promise<{ status: string; changed: boolean }> {
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findUniqueOrThrow({ where: { id: orderId } });
  const r = await getAlipay().queryTrade(o.outTradeNo);
  await prisma.paymentOrder.update({ where: { id: o.id }, data: { lastQueriedAt: now() } });
  if (!r.ok || !r.exists) return { status: o.status, changed: false };
  if (r.status === 'TRADE_SUCCESS' || r.status === 'TRADE_FINISHED') {
    const outcome = await prisma.$transaction((tx) =>
      settlePayment(tx, o.outTradeNo, { tradeNo: r.tradeNo, amountFen: r.amountFen, paidAt: parseAlipayTime(r.paidAt), buyerLogonId: r.buyerLogonId, via }),
    );
    if (outcome === 'amount-mismatch') await raiseIssue({ kind: 'notify_amount_mismatch', dedupeKey: `query-amount:${o.outTradeNo}:${r.amountFen}`, outTradeNo: o.outTradeNo, expectedFen: o.amountFen, actualFen: r.amountFen, detail: `交易查询金额 ${fenToYuan(r.amountFen)} 元与订单金额 ${fenToYuan(o.amountFen)} 元不符` });
    const after = await prisma.paymentOrder.findUniqueOrThrow({ where: { id: o.id }, select: { status: true } });
    return { status: after.status, changed: outcome === 'applied' };
  }
  if (r.status === 'TRADE_CLOSED' && !o.paidAt) {
    const changed = await prisma.$transaction((tx) => markClosed(tx, o.id, 'alipay-closed'));
    return { status: changed ? 'closed' : o.status, changed };
  }
  return { status: o.status, changed: false };
}

// ---- refunds ----------------------------------------------------------------------------------

export interface RefundInput {
  orderId: string;
  amountFen: number;
  reason: string;
  kind: 'deposit_return' | 'fee_refund';
}

async function lockOrder(tx: Tx, orderId: string) {
  await tx.$queryRaw`SELECT id FROM "PaymentOrder" WHERE id = ${orderId} FOR UPDATE`;
  const o = await tx.paymentOrder.findUnique({ where: { id: orderId } });
  if (!o) throw new PaymentError('订单不存在', 'not-found');
  return o;
}

/** What is still held on an order: paid minus refunded, refunds under way and forfeited. */
async function refundableFen(tx: Tx, o: { id: string; amountFen: number; refundedFen: number; forfeitedFen: number }) {
  const pending = await tx.paymentRefund.aggregate({ where: { orderId: o.id, status: 'pending' }, _sum: { amountFen: true } });
  return o.amountFen - o.refundedFen - o.forfeitedFen - (pending._sum.amountFen ?? 0);
}

function interestFor(kind: RefundInput['kind'], amountFen: number, paidAt: Date): number {
  const rate = paymentSettings().depositInterestRate;
  if (kind !== 'deposit_return' || rate <= 0) return 0;
  const days = Math.max(0, Math.floor((now().getTime() - paidAt.getTime()) / DAY_MS));
  // Simple interest on the days held, rounded down to the fen (the payer never gets more than earned).
  return Math.floor((amountFen * rate * days) / 365);
}

/** requestRefund inside the caller's transaction (e.g. with the award that causes it). */
export async function requestRefundTx(tx: Tx, actor: Actor, input: RefundInput & { notBefore?: Date; dueAt?: Date }): Promise<{ refundId: string; outRequestNo: string }> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1) throw new PaymentError('退款金额须为正整数（分）');
  const reason = input.reason.trim().slice(0, 200);
  if (!reason) throw new PaymentError('请填写退款原因');
  const o = await lockOrder(tx, input.orderId);
  if (!o.paidAt || !['paid', 'refunding', 'partially_refunded'].includes(o.status)) throw new PaymentError('订单未支付或已全部退款/没收，不能退款', 'not-refundable');
  if (input.kind === 'deposit_return' && o.purpose !== 'bid_deposit') throw new PaymentError('只有投标保证金可以“退还保证金”');
  if (input.kind === 'fee_refund' && o.purpose === 'bid_deposit') throw new PaymentError('保证金请使用“退还保证金”');
  const left = await refundableFen(tx, o);
  if (input.amountFen > left) throw new PaymentError(`退款金额超过可退金额（可退 ${fenToYuan(left)} 元）`, 'too-much');
  const at = now();
  const interestFen = interestFor(input.kind, input.amountFen, o.paidAt);
  const refund = await tx.paymentRefund.create({
    data: {
      orderId: o.id,
      outRequestNo: serial('RF'),
      kind: input.kind,
      amountFen: input.amountFen,
      interestFen,
      reason,
      status: 'pending',
      notBefore: input.notBefore ?? at,
      dueAt: input.dueAt ?? new Date(at.getTime() + 5 * DAY_MS),
      requestedById: actor.userId,
      createdAt: at,
    },
  });
  await tx.paymentOrder.update({ where: { id: o.id }, data: { status: 'refunding', updatedAt: at } });
  await post(tx, {
    kind: 'refund_due',
    eventKey: `refund-due:${refund.id}`,
    orderId: o.id,
    refundId: refund.id,
    memo: `${reason}（${o.outTradeNo}）`,
    refType: o.refType,
    refId: o.refId,
    partyOrgId: o.payerOrgId,
    entries: [
      { account: incomeAccount(o.purpose), debitFen: input.amountFen },
      { account: 'refunds_payable', creditFen: input.amountFen },
    ],
  });
  if (interestFen > 0) {
    await post(tx, {
      kind: 'interest',
      eventKey: `interest:${refund.id}`,
      orderId: o.id,
      refundId: refund.id,
      memo: `保证金利息（${o.outTradeNo}）`,
      refType: o.refType,
      refId: o.refId,
      partyOrgId: o.payerOrgId,
      entries: [
        { account: 'interest_expense', debitFen: interestFen },
        { account: 'interest_payable', creditFen: interestFen },
      ],
    });
  }
  await appendAuditEntry(tx, actor, {
    action: 'payment.refund.request',
    objectType: 'PaymentOrder',
    objectId: o.id,
    payload: { refundId: refund.id, outRequestNo: refund.outRequestNo, amountFen: input.amountFen, interestFen, kind: input.kind, reason },
  });
  return { refundId: refund.id, outRequestNo: refund.outRequestNo };
}

/** Records a refund request; the refunds job performs alipay.trade.refund with its stable out_request_no. */
export async function requestRefund(actor: Actor, input: RefundInput): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction((tx) => requestRefundTx(tx, actor, input));
}

/**
 * For an award: refunds every paid deposit of refType/refId except the kept payers' (the winner's,
 * returned later via requestRefund after the contract). Due by dueAt (within 5 days of the award
 * notice). Idempotent: a deposit already being refunded in full is skipped. Returns how many
 * refunds were scheduled.
 */
export async function scheduleDepositRefunds(actor: Actor, input: { refType: string; refId: string; keepPayerOrgIds: string[]; dueAt: Date; reason: string }): Promise<number> {
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const orders = await tx.paymentOrder.findMany({
      where: { purpose: 'bid_deposit', refType: input.refType, refId: input.refId, status: { in: ['paid', 'refunding', 'partially_refunded'] }, payerOrgId: { notIn: input.keepPayerOrgIds } },
      orderBy: { paidAt: 'asc' },
    });
    let n = 0;
    for (const o of orders) {
      const left = await refundableFen(tx, o);
      if (left <= 0) continue;
      await requestRefundTx(tx, actor, { orderId: o.id, amountFen: left, reason: input.reason, kind: 'deposit_return', dueAt: input.dueAt });
      n++;
    }
    await appendAuditEntry(tx, actor, {
      action: 'payment.deposits.schedule-refunds',
      objectType: input.refType,
      objectId: input.refId,
      payload: { scheduled: n, kept: input.keepPayerOrgIds, dueAt: input.dueAt.toISOString() },
    });
    return n;
  }, { timeout: 60_000 });
}

/** Marks a refund done at Alipay (refund response, refund notify or refund query); idempotent. */
export async function completeRefund(tx: Tx, refundId: string, facts: { alipayRefundAt?: string | null; via: string }): Promise<boolean> {
  const r = await tx.paymentRefund.findUniqueOrThrow({ where: { id: refundId } });
  const at = now();
  const moved = await tx.paymentRefund.updateMany({
    where: { id: refundId, status: { in: ['pending', 'failed'] } },
    data: { status: 'succeeded', succeededAt: at, alipayRefundAt: facts.alipayRefundAt ?? null, lastError: null },
  });
  if (moved.count === 0) return false;
  const o = await lockOrder(tx, r.orderId);
  const refundedFen = o.refundedFen + r.amountFen;
  const pending = await tx.paymentRefund.count({ where: { orderId: o.id, status: 'pending' } });
  const status = refundedFen + o.forfeitedFen >= o.amountFen ? (o.forfeitedFen > 0 ? 'forfeited' : 'refunded') : pending > 0 ? 'refunding' : 'partially_refunded';
  await tx.paymentOrder.update({ where: { id: o.id }, data: { refundedFen, status, updatedAt: at } });
  await post(tx, {
    kind: 'refund_paid',
    eventKey: `refund-paid:${r.id}`,
    orderId: o.id,
    refundId: r.id,
    memo: `原路退回 ${r.outRequestNo}`,
    refType: o.refType,
    refId: o.refId,
    partyOrgId: o.payerOrgId,
    entries: [
      { account: 'refunds_payable', debitFen: r.amountFen },
      { account: 'alipay_clearing', creditFen: r.amountFen },
    ],
  });
  await appendAuditEntry(tx, SYSTEM_ACTOR, {
    action: 'payment.refund.succeeded',
    objectType: 'PaymentOrder',
    objectId: o.id,
    payload: { refundId: r.id, outRequestNo: r.outRequestNo, amountFen: r.amountFen, via: facts.via },
  });
  await notifyUsers(tx, [o.payerUserId], {
    title: `退款到账：${o.subject}`,
    body: `订单 ${o.outTradeNo} 已原路退回 ${fenToYuan(r.amountFen)} 元${r.interestFen > 0 ? `，利息 ${fenToYuan(r.interestFen)} 元另行支付` : ''}。`,
    link: `/payments/orders/${o.id}`,
    kind: 'success',
  });
  return true;
}

/**
 * Performs one pending refund at Alipay. The out_request_no was fixed when the refund was
 * requested, so a retry after a timeout is answered by Alipay with fund_change=N, never paid twice.
 */
export async function performRefund(refundId: string): Promise<'succeeded' | 'retry' | 'failed' | 'skipped'> {
  const prisma = await getPrisma();
  const r = await prisma.paymentRefund.findUniqueOrThrow({ where: { id: refundId }, include: { order: true } });
  if (r.status !== 'pending') return 'skipped';
  await prisma.paymentRefund.update({ where: { id: r.id }, data: { attempts: { increment: 1 } } });
  let result;
  try {
    result = await getAlipay().refund({ outTradeNo: r.order.outTradeNo, outRequestNo: r.outRequestNo, amountFen: r.amountFen, reason: r.reason });
  } catch (e) {
    // Unknown outcome: the next round asks again with the same out_request_no.
    await prisma.paymentRefund.update({ where: { id: r.id }, data: { lastError: e instanceof Error ? e.message.slice(0, 300) : String(e) } });
    return 'retry';
  }
  if (result.ok) {
    await prisma.$transaction((tx) => completeRefund(tx, r.id, { alipayRefundAt: result.ok ? result.refundedAt : null, via: 'refund' }));
    return 'succeeded';
  }
  if (result.subCode.startsWith('isp.') || result.code === '20000') {
    await prisma.paymentRefund.update({ where: { id: r.id }, data: { lastError: `${result.subCode} ${result.subMsg}` } });
    return 'retry';
  }
  // Alipay refused for a business reason: a person must look at it.
  await prisma.$transaction(async (tx) => {
    await tx.paymentRefund.update({ where: { id: r.id }, data: { status: 'failed', lastError: `${result.subCode} ${result.subMsg}` } });
    await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'payment.refund.failed', objectType: 'PaymentOrder', objectId: r.orderId, payload: { refundId: r.id, subCode: result.subCode } });
    await raiseIssueTx(tx, {
      kind: 'refund_failed',
      dedupeKey: `refund-failed:${r.id}`,
      outTradeNo: r.order.outTradeNo,
      outRequestNo: r.outRequestNo,
      expectedFen: r.amountFen,
      detail: `支付宝拒绝退款：${result.subCode} ${result.subMsg}`,
    });
  });
  return 'failed';
}

// ---- forfeiture (没收) --------------------------------------------------------------------------

/** Anyone managing the tender (or the center) asks; only a supervisor's approval lets it happen. */
export async function requestForfeiture(actor: Actor, input: { orderId: string; reason: string }): Promise<{ id: string }> {
  const reason = input.reason.trim();
  if (reason.length < 4) throw new PaymentError('请写明没收理由（不少于4个字）');
  const prisma = await getPrisma();
  return prisma.$transaction(async (tx) => {
    const o = await lockOrder(tx, input.orderId);
    if (o.purpose !== 'bid_deposit') throw new PaymentError('只能没收投标保证金');
    if ((await refundableFen(tx, o)) <= 0) throw new PaymentError('该保证金已无可没收余额');
    if (await tx.forfeitureRequest.findFirst({ where: { orderId: o.id, status: 'pending' } })) throw new PaymentError('该保证金已有待审批的没收申请');
    const req = await tx.forfeitureRequest.create({
      data: { orderId: o.id, reason: reason.slice(0, 500), status: 'pending', requestedById: actor.userId ?? 'system', requestedAt: now() },
    });
    await appendAuditEntry(tx, actor, { action: 'payment.forfeit.request', objectType: 'PaymentOrder', objectId: o.id, payload: { requestId: req.id, reason } });
    await notifyUsers(tx, (await tx.user.findMany({ where: { role: 'supervisor', active: true }, select: { id: true } })).map((u) => u.id), {
      title: '保证金没收申请待审批',
      body: `订单 ${o.outTradeNo}（${fenToYuan(o.amountFen)} 元）：${reason}`,
      link: '/payments/forfeitures',
      kind: 'warning',
    });
    return { id: req.id };
  });
}

/** A supervisor approves (and the deposit is forfeited at once) or rejects a request. */
export async function decideForfeiture(actor: Actor, input: { requestId: string; approve: boolean; note: string }): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    if (actor.role !== 'supervisor' || !actor.userId) throw new PaymentError('只有监督人员可以审批没收申请', 'forbidden');
    const req = await tx.forfeitureRequest.findUnique({ where: { id: input.requestId } });
    if (!req) throw new PaymentError('申请不存在', 'not-found');
    if (req.requestedById === actor.userId) throw new PaymentError('不能审批自己提出的申请', 'forbidden');
    const moved = await tx.forfeitureRequest.updateMany({
      where: { id: req.id, status: 'pending' },
      data: { status: input.approve ? 'approved' : 'rejected', decidedById: actor.userId, decidedAt: now(), decisionNote: input.note.trim().slice(0, 500) || null },
    });
    if (moved.count === 0) throw new PaymentError('该申请已处理', 'conflict');
    await appendAuditEntry(tx, actor, { action: input.approve ? 'payment.forfeit.approve' : 'payment.forfeit.reject', objectType: 'PaymentOrder', objectId: req.orderId, payload: { requestId: req.id, note: input.note } });
    if (input.approve) await forfeitTx(tx, actor, { orderId: req.orderId, reason: req.reason, approvedBySupervisorId: actor.userId });
  });
}

async function forfeitTx(tx: Tx, actor: Actor, input: { orderId: string; reason: string; approvedBySupervisorId: string }) {
  const approver = await tx.user.findUnique({ where: { id: input.approvedBySupervisorId }, select: { role: true, active: true } });
  if (!approver || approver.role !== 'supervisor' || !approver.active) throw new PaymentError('没收须经监督人员批准', 'forbidden');
  const approval = await tx.forfeitureRequest.findFirst({
    where: { orderId: input.orderId, status: 'approved', decidedById: input.approvedBySupervisorId },
    orderBy: { decidedAt: 'desc' },
  });
  if (!approval) throw new PaymentError('没有该监督人员对此保证金的批准记录', 'forbidden');
  const o = await lockOrder(tx, input.orderId);
  if (o.purpose !== 'bid_deposit') throw new PaymentError('只能没收投标保证金');
  const left = await refundableFen(tx, o);
  if (left <= 0) throw new PaymentError('该保证金已无可没收余额');
  const status = o.refundedFen > 0 || (await tx.paymentRefund.count({ where: { orderId: o.id, status: 'pending' } })) > 0 ? o.status : 'forfeited';
  await tx.paymentOrder.update({ where: { id: o.id }, data: { forfeitedFen: o.forfeitedFen + left, status, updatedAt: now() } });
  await tx.forfeitureRequest.update({ where: { id: approval.id }, data: { status: 'executed' } });
  await post(tx, {
    kind: 'forfeit',
    eventKey: `forfeit:${approval.id}`,
    orderId: o.id,
    memo: `没收保证金：${input.reason}`,
    refType: o.refType,
    refId: o.refId,
    partyOrgId: o.payerOrgId,
    entries: [
      { account: 'deposits_held', debitFen: left },
      { account: 'forfeited_deposits', creditFen: left },
    ],
  });
  await appendAuditEntry(tx, actor, {
    action: 'payment.forfeit',
    objectType: 'PaymentOrder',
    objectId: o.id,
    payload: { amountFen: left, reason: input.reason, approvedBy: input.approvedBySupervisorId, requestId: approval.id },
  });
  await notifyUsers(tx, [o.payerUserId], {
    title: `保证金已没收：${o.subject}`,
    body: `经监督人员批准，订单 ${o.outTradeNo} 的保证金 ${fenToYuan(left)} 元已依法没收。理由：${input.reason}`,
    link: `/payments/orders/${o.id}`,
    kind: 'danger',
  });
}

/** 没收: only with a supervisor's recorded approval (an approved ForfeitureRequest by that supervisor). */
export async function forfeitDeposit(actor: Actor, input: { orderId: string; reason: string; approvedBySupervisorId: string }): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction((tx) => forfeitTx(tx, actor, input));
}

// ---- warnings -----------------------------------------------------------------------------------

export interface IssueInput {
  kind: string;
  dedupeKey: string;
  runId?: string;
  outTradeNo?: string;
  outRequestNo?: string;
  expectedFen?: number;
  actualFen?: number;
  detail: string;
}

/** Records a money discrepancy once and warns admins and supervisors through the inbox. */
export async function raiseIssueTx(tx: Tx, input: IssueInput): Promise<boolean> {
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "ReconciliationIssue" (id, "runId", kind, "dedupeKey", "outTradeNo", "outRequestNo", "expectedFen", "actualFen", detail, status, "createdAt")
    VALUES (${'ri_' + crypto.randomUUID().replaceAll('-', '')}, ${input.runId ?? null}, ${input.kind}, ${input.dedupeKey}, ${input.outTradeNo ?? null},
      ${input.outRequestNo ?? null}, ${input.expectedFen ?? null}, ${input.actualFen ?? null}, ${input.detail}, 'open', ${now()})
    ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id`;
  if (inserted.length === 0) return false;
  await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'payment.issue.raise', objectType: 'ReconciliationIssue', objectId: inserted[0].id, payload: { kind: input.kind, outTradeNo: input.outTradeNo ?? null } });
  await notifyUsers(tx, await staffToWarn(tx), {
    title: '资金对账预警',
    body: `${input.detail}${input.outTradeNo ? `（订单号 ${input.outTradeNo}）` : ''}`,
    link: '/finance',
    kind: 'danger',
  });
  return true;
}

export async function raiseIssue(input: IssueInput): Promise<boolean> {
  const prisma = await getPrisma();
  return prisma.$transaction((tx) => raiseIssueTx(tx, input));
}

/** Finance staff mark a difference as explained (the note is kept in the audit log). */
export async function resolveIssue(actor: Actor, input: { issueId: string; note: string }): Promise<void> {
  const note = input.note.trim();
  if (note.length < 2) throw new PaymentError('请填写处理说明');
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const moved = await tx.reconciliationIssue.updateMany({ where: { id: input.issueId, status: 'open' }, data: { status: 'resolved', resolvedAt: now(), resolvedById: actor.userId } });
    if (moved.count === 0) throw new PaymentError('该差异不存在或已处理', 'conflict');
    await appendAuditEntry(tx, actor, { action: 'payment.issue.resolve', objectType: 'ReconciliationIssue', objectId: input.issueId, payload: { note: note.slice(0, 500) } });
  });
}

/** A refund Alipay refused goes back to the queue with the same out_request_no (never a new one). */
export async function retryRefund(actor: Actor, refundId: string): Promise<void> {
  const prisma = await getPrisma();
  await prisma.$transaction(async (tx) => {
    const moved = await tx.paymentRefund.updateMany({ where: { id: refundId, status: 'failed' }, data: { status: 'pending', notBefore: now() } });
    if (moved.count === 0) throw new PaymentError('该退款不是失败状态', 'conflict');
    await appendAuditEntry(tx, actor, { action: 'payment.refund.retry', objectType: 'PaymentRefund', objectId: refundId });
  });
}
