// A local stand-in for Alipay's OpenAPI gateway (openapi.alipay.com/gateway.do) that speaks the
// real protocol, so the app's code runs the real alipay-sdk end to end in tests and demos.
// Why it exists and what it checks: docs/decisions/030-local-alipay-gateway.md.
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildBillZip, type BillLine } from './bill.js';
import { renderCashier, renderMessage } from './cashier.js';
import {
  formatAmount, formatShanghai, parseAmountFen, parseShanghaiTimestamp, rsa2Sign, rsa2Verify,
  shanghaiDate, signContent, signedEnvelope,
} from './protocol.js';

/** Alipay retries an unanswered notify after 4m, 10m, 10m, 1h, 2h, 6h, 15h: 8 attempts in about 25 h. */
export const ALIPAY_NOTIFY_SCHEDULE_MS = [4, 10, 10, 60, 120, 360, 900].map((m) => m * 60_000);
/** Same shape, compressed for demos. */
export const FAST_NOTIFY_SCHEDULE_MS = [1_000, 2_000, 2_000, 5_000, 10_000, 30_000, 60_000];

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';

export interface RefundRecord {
  outRequestNo: string;
  amountFen: number;
  reason: string;
  at: string; // ISO
}

export interface TradeRecord {
  outTradeNo: string;
  tradeNo: string;
  method: 'alipay.trade.page.pay' | 'alipay.trade.wap.pay';
  productCode: string;
  subject: string;
  body: string;
  totalFen: number;
  status: TradeStatus;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
  closedAt: string | null;
  notifyUrl: string | null;
  returnUrl: string | null;
  quitUrl: string | null;
  passbackParams: string | null;
  buyerId: string;
  buyerLogonId: string;
  cashierToken: string;
  refunds: RefundRecord[];
}

export interface NotificationRecord {
  notifyId: string;
  outTradeNo: string;
  url: string;
  params: Record<string, string>; // without notify_time and sign, set at each attempt
  attempts: number;
  state: 'pending' | 'delivered' | 'gave_up' | 'dropped';
  nextAttemptAt: string | null;
}

export interface DeliveryRecord {
  notifyId: string;
  outTradeNo: string;
  attempt: number;
  at: string;
  outcome: 'success' | 'rejected' | 'error' | 'dropped';
  httpStatus?: number;
  responseText?: string;
  error?: string;
  params: Record<string, string>; // exactly what was posted (signed)
}

/** A difference injected into the bill, so reconciliation code can be shown to catch it. */
export type BillMismatch =
  | { kind: 'amount'; outTradeNo: string; receivedFen: number }
  | { kind: 'missing'; outTradeNo: string }
  | { kind: 'extra'; outTradeNo: string; amountFen: number; subject?: string; date: string };

export interface AlipayGatewayOptions {
  appId: string;
  /** The application public key registered with Alipay (verifies the app's request signatures). */
  appPublicKeyPem: string;
  /** Alipay's own key pair; generated (and kept in dataDir) when absent. */
  gatewayKeyPair?: { privateKeyPem: string; publicKeyPem: string };
  /** The merchant's PID (2088…, 16 digits), reported as seller_id. */
  sellerId: string;
  merchantName?: string;
  /** Keeps trades, notifies and the generated key in `<dataDir>/alipay-gateway.json`. */
  dataDir?: string;
  /** Delays between notify attempts; the first attempt is immediate. */
  notifySchedule?: number[];
  notifyTimeoutMs?: number;
  clock?: () => Date;
  host?: string;
  port?: number;
  testControls?: boolean;
  /** Reject request timestamps further than this from the gateway clock (off when undefined). */
  maxTimestampSkewMs?: number;
  /** Bills are ready the day after (real Alipay: after about 09:00); set true to serve today's too. */
  billsForToday?: boolean;
}

export interface AlipayGateway {
  url: string;
  gatewayUrl: string;
  publicKeyPem: string;
  appId: string;
  sellerId: string;
  trade(outTradeNo: string): TradeRecord | undefined;
  trades(): TradeRecord[];
  /** Same as trades(): every trade the gateway knows, newest state. */
  readonly orders: TradeRecord[];
  /** The buyer pays, as if 「确认付款」 were pressed. Returns the signed return-URL parameters. */
  confirmPayment(outTradeNo: string): { trade: TradeRecord; returnParams: Record<string, string> };
  /** Notifies matching the filter are lost on the way (never delivered, never retried). */
  dropNotifies(filter?: { outTradeNo?: string }): void;
  clearNotifyDrops(): void;
  pauseNotifies(): void;
  resumeNotifies(): void;
  deliveries(filter?: { outTradeNo?: string }): DeliveryRecord[];
  notifications(filter?: { outTradeNo?: string }): NotificationRecord[];
  injectBillMismatch(m: BillMismatch): void;
  close(): Promise<void>;
}

interface State {
  version: 1;
  gatewayKeyPair: { privateKeyPem: string; publicKeyPem: string } | null;
  trades: TradeRecord[];
  notifications: NotificationRecord[];
  deliveries: DeliveryRecord[];
  mismatches: BillMismatch[];
  drops: { outTradeNo?: string }[];
}

const EXEC_METHODS = new Set([
  'alipay.trade.query', 'alipay.trade.close', 'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query', 'alipay.data.dataservice.bill.downloadurl.query',
]);
const PAGE_METHODS = new Set(['alipay.trade.page.pay', 'alipay.trade.wap.pay']);

type Inner = Record<string, unknown>;
const OK = { code: '10000', msg: 'Success' } as const;
const fail = (code: string, msg: string, subCode: string, subMsg: string): Inner => ({
  code, msg, sub_code: subCode, sub_msg: subMsg,
});
const bizFail = (subCode: string, subMsg: string) => fail('40004', 'Business Failed', subCode, subMsg);
const argFail = (subCode: string, subMsg: string) => fail('40002', 'Invalid Arguments', subCode, subMsg);

const OUT_NO_RE = /^[A-Za-z0-9_\-]{1,64}$/;
const DAY_MS = 24 * 3600 * 1000;

function parseTimeout(s: string): number | null {
  const m = /^(\d+)([mhd])$/.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  const ms = n * (m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : DAY_MS);
  return n >= 1 && ms <= 15 * DAY_MS ? ms : null;
}

function digits(n: number): string {
  let s = '';
  while (s.length < n) s += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return s.slice(0, n);
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function formToRecord(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(s)) if (!(k in out)) out[k] = v;
  return out;
}

export async function createAlipayGateway(opts: AlipayGatewayOptions): Promise<AlipayGateway> {
  const clock = opts.clock ?? (() => new Date());
  const schedule = opts.notifySchedule ?? ALIPAY_NOTIFY_SCHEDULE_MS;
  const notifyTimeoutMs = opts.notifyTimeoutMs ?? 5_000;
  const merchantName = opts.merchantName ?? '测试商户';
  const stateFile = opts.dataDir ? path.join(opts.dataDir, 'alipay-gateway.json') : null;

  let state: State = {
    version: 1, gatewayKeyPair: null, trades: [], notifications: [], deliveries: [], mismatches: [], drops: [],
  };
  if (stateFile && existsSync(stateFile)) state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  const keyPair = opts.gatewayKeyPair ?? state.gatewayKeyPair ?? (() => {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKeyPem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  })();
  // Only a generated key is stored: a key handed in by the caller is the caller's to keep.
  state.gatewayKeyPair = opts.gatewayKeyPair ? null : keyPair;

  const trades = new Map(state.trades.map((t) => [t.outTradeNo, t]));
  const timers = new Map<string, NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  const running = new Set<string>(); // notify ids with an attempt under way
  let paused = false;
  let closed = false;
  const billTokens = new Map<string, { date: string; expiresAt: number }>();

  function persist(): void {
    if (!stateFile) return;
    state.trades = [...trades.values()];
    state.deliveries = state.deliveries.slice(-2000);
    mkdirSync(path.dirname(stateFile), { recursive: true });
    const tmp = `${stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 1));
    renameSync(tmp, stateFile);
  }

  const now = () => clock();
  const ts = (d: Date | string) => formatShanghai(typeof d === 'string' ? new Date(d) : d);

  /** A trade whose time limit passed is closed, as Alipay's own timeout job would. */
  function current(t: TradeRecord): TradeRecord {
    if (t.status === 'WAIT_BUYER_PAY' && now().getTime() > Date.parse(t.expiresAt)) {
      t.status = 'TRADE_CLOSED';
      t.closedAt = t.expiresAt;
      persist();
    }
    return t;
  }

  function findTrade(biz: Inner): TradeRecord | undefined {
    if (typeof biz.out_trade_no === 'string') {
      const t = trades.get(biz.out_trade_no);
      if (t && (typeof biz.trade_no !== 'string' || biz.trade_no === t.tradeNo)) return current(t);
      return undefined;
    }
    if (typeof biz.trade_no === 'string') {
      for (const t of trades.values()) if (t.tradeNo === biz.trade_no) return current(t);
    }
    return undefined;
  }

  const refundedFen = (t: TradeRecord) => t.refunds.reduce((a, r) => a + r.amountFen, 0);

  // ---- notifies -------------------------------------------------------------------------------

  function tradeNotifyParams(t: TradeRecord, refund?: RefundRecord): Record<string, string> {
    const p: Record<string, string> = {
      notify_type: 'trade_status_sync',
      notify_id: `${shanghaiDate(now()).replaceAll('-', '')}${digits(26)}`,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      app_id: opts.appId,
      auth_app_id: opts.appId,
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      buyer_id: t.buyerId,
      buyer_logon_id: t.buyerLogonId,
      seller_id: opts.sellerId,
      trade_status: t.status,
      total_amount: formatAmount(t.totalFen),
      subject: t.subject,
      gmt_create: ts(t.createdAt),
    };
    if (t.body) p.body = t.body;
    if (t.passbackParams) p.passback_params = t.passbackParams;
    if (t.paidAt) {
      const paid = formatAmount(t.totalFen);
      Object.assign(p, {
        receipt_amount: paid, invoice_amount: paid, buyer_pay_amount: paid, point_amount: '0.00',
        gmt_payment: ts(t.paidAt),
        fund_bill_list: JSON.stringify([{ amount: paid, fundChannel: 'ALIPAYACCOUNT' }]),
      });
    }
    if (refund) {
      Object.assign(p, {
        out_biz_no: refund.outRequestNo,
        refund_fee: formatAmount(refundedFen(t)),
        gmt_refund: `${ts(refund.at)}.${String(new Date(refund.at).getUTCMilliseconds()).padStart(3, '0')}`,
      });
    }
    if (t.closedAt) p.gmt_close = ts(t.closedAt);
    return p;
  }

  function enqueueNotify(t: TradeRecord, refund?: RefundRecord): void {
    if (!t.notifyUrl) return;
    const params = tradeNotifyParams(t, refund);
    const n: NotificationRecord = {
      notifyId: params.notify_id, outTradeNo: t.outTradeNo, url: t.notifyUrl, params,
      attempts: 0, state: 'pending', nextAttemptAt: now().toISOString(),
    };
    state.notifications.push(n);
    persist();
    schedule_(n, 0);
  }

  function schedule_(n: NotificationRecord, delayMs: number): void {
    if (closed) return;
    clearTimeout(timers.get(n.notifyId));
    const t = setTimeout(() => {
      timers.delete(n.notifyId);
      if (paused) return; // picked up again by resumeNotifies()
      running.add(n.notifyId);
      const p = attempt(n).finally(() => {
        inflight.delete(p);
        running.delete(n.notifyId);
      });
      inflight.add(p);
    }, Math.max(0, delayMs));
    timers.set(n.notifyId, t);
  }

  async function attempt(n: NotificationRecord): Promise<void> {
    if (n.state !== 'pending') return;
    n.attempts += 1;
    const params: Record<string, string> = { ...n.params, notify_time: formatShanghai(now()) };
    params.sign = rsa2Sign(signContent(params, ['sign', 'sign_type']), keyPair.privateKeyPem);
    const rec: DeliveryRecord = {
      notifyId: n.notifyId, outTradeNo: n.outTradeNo, attempt: n.attempts, at: now().toISOString(),
      outcome: 'error', params,
    };
    if (state.drops.some((d) => !d.outTradeNo || d.outTradeNo === n.outTradeNo)) {
      rec.outcome = 'dropped';
      n.state = 'dropped';
      n.nextAttemptAt = null;
      state.deliveries.push(rec);
      persist();
      return;
    }
    try {
      const res = await fetch(n.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(params).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(notifyTimeoutMs),
      });
      const text = await res.text();
      rec.httpStatus = res.status;
      rec.responseText = text.slice(0, 200);
      // Alipay stops only on the exact body `success`; anything else (HTML, "ok", a newline) is a failure.
      rec.outcome = text === 'success' ? 'success' : 'rejected';
    } catch (e) {
      rec.error = e instanceof Error ? `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}` : String(e);
    }
    if (closed) return;
    state.deliveries.push(rec);
    if (rec.outcome === 'success') {
      n.state = 'delivered';
      n.nextAttemptAt = null;
    } else if (n.attempts > schedule.length) {
      n.state = 'gave_up';
      n.nextAttemptAt = null;
    } else {
      const delay = schedule[n.attempts - 1];
      n.nextAttemptAt = new Date(now().getTime() + delay).toISOString();
      schedule_(n, delay);
    }
    persist();
  }

  // ---- trades ---------------------------------------------------------------------------------

  function returnParams(t: TradeRecord): Record<string, string> {
    const p: Record<string, string> = {
      charset: 'utf-8',
      out_trade_no: t.outTradeNo,
      method: `${t.method}.return`,
      total_amount: formatAmount(t.totalFen),
      trade_no: t.tradeNo,
      auth_app_id: opts.appId,
      version: '1.0',
      app_id: opts.appId,
      sign_type: 'RSA2',
      seller_id: opts.sellerId,
      timestamp: formatShanghai(now()),
    };
    if (t.passbackParams) p.passback_params = t.passbackParams;
    p.sign = rsa2Sign(signContent(p, ['sign', 'sign_type']), keyPair.privateKeyPem);
    return p;
  }

  function pay(t: TradeRecord): void {
    t.status = 'TRADE_SUCCESS';
    t.paidAt = now().toISOString();
    persist();
    enqueueNotify(t);
  }

  function confirmPayment(outTradeNo: string) {
    const t = trades.get(outTradeNo);
    if (!t) throw new Error(`no trade ${outTradeNo}`);
    if (current(t).status !== 'WAIT_BUYER_PAY') throw new Error(`trade ${outTradeNo} is ${t.status}`);
    pay(t);
    return { trade: t, returnParams: returnParams(t) };
  }

  type PageResult = { ok: true; trade: TradeRecord } | { ok: false; subCode: string; message: string };

  function openTrade(method: string, params: Record<string, string>, biz: Inner): PageResult {
    const outTradeNo = biz.out_trade_no;
    const totalFen = parseAmountFen(biz.total_amount);
    const subject = biz.subject;
    const wantProduct = method === 'alipay.trade.page.pay' ? 'FAST_INSTANT_TRADE_PAY' : 'QUICK_WAP_WAY';
    if (typeof outTradeNo !== 'string' || !OUT_NO_RE.test(outTradeNo))
      return { ok: false, subCode: 'isv.invalid-parameter', message: '商户订单号 out_trade_no 缺失或格式错误' };
    if (totalFen === null || totalFen < 1 || totalFen > 100_000_000_00)
      return { ok: false, subCode: 'ACQ.TOTAL_FEE_EXCEED', message: '订单金额 total_amount 不合法（0.01～100000000.00 元）' };
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256)
      return { ok: false, subCode: 'isv.invalid-parameter', message: '订单标题 subject 缺失或过长' };
    if (biz.product_code !== undefined && biz.product_code !== wantProduct)
      return { ok: false, subCode: 'ACQ.PRODUCT_AMOUNT_LIMIT_ERROR', message: `产品码 product_code 应为 ${wantProduct}` };
    let timeoutMs = 15 * DAY_MS;
    let expiresAt: Date | null = null;
    if (typeof biz.time_expire === 'string') {
      expiresAt = parseShanghaiTimestamp(biz.time_expire);
      if (!expiresAt) return { ok: false, subCode: 'isv.invalid-parameter', message: 'time_expire 格式错误' };
    } else if (typeof biz.timeout_express === 'string') {
      const ms = parseTimeout(biz.timeout_express);
      if (ms === null) return { ok: false, subCode: 'isv.invalid-parameter', message: 'timeout_express 格式错误（1m～15d）' };
      timeoutMs = ms;
    }
    const existing = trades.get(outTradeNo);
    if (existing) {
      current(existing);
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED')
        return { ok: false, subCode: 'ACQ.TRADE_HAS_SUCCESS', message: '该订单已支付，请勿重复付款' };
      if (existing.status === 'TRADE_CLOSED')
        return { ok: false, subCode: 'ACQ.TRADE_HAS_CLOSE', message: '交易已关闭' };
      if (existing.totalFen !== totalFen || existing.subject !== subject)
        return { ok: false, subCode: 'ACQ.CONTEXT_INCONSISTENT', message: '交易信息被篡改：同一订单号的金额或标题与首次请求不一致' };
      existing.notifyUrl = params.notify_url || existing.notifyUrl;
      existing.returnUrl = params.return_url || existing.returnUrl;
      persist();
      return { ok: true, trade: existing };
    }
    const created = now();
    const t: TradeRecord = {
      outTradeNo, tradeNo: `${shanghaiDate(created).replaceAll('-', '')}22001${digits(15)}`,
      method: method as TradeRecord['method'], productCode: wantProduct, subject,
      body: typeof biz.body === 'string' ? biz.body : '', totalFen, status: 'WAIT_BUYER_PAY',
      createdAt: created.toISOString(),
      expiresAt: (expiresAt ?? new Date(created.getTime() + timeoutMs)).toISOString(),
      paidAt: null, closedAt: null,
      notifyUrl: params.notify_url || null, returnUrl: params.return_url || null,
      quitUrl: typeof biz.quit_url === 'string' ? biz.quit_url : null,
      passbackParams: typeof biz.passback_params === 'string' ? biz.passback_params : null,
      buyerId: `2088${digits(12)}`, buyerLogonId: `${digits(3)}***@example.com`,
      cashierToken: randomBytes(16).toString('hex'), refunds: [],
    };
    trades.set(outTradeNo, t);
    persist();
    return { ok: true, trade: t };
  }

  function tradeSummary(t: TradeRecord): Inner {
    return { trade_no: t.tradeNo, out_trade_no: t.outTradeNo };
  }

  function execMethod(method: string, biz: Inner): Inner {
    switch (method) {
      case 'alipay.trade.query': {
        const t = findTrade(biz);
        if (!t) return bizFail('ACQ.TRADE_NOT_EXIST', '交易不存在');
        const paid = t.paidAt ? formatAmount(t.totalFen) : '0.00';
        return {
          ...OK, ...tradeSummary(t), buyer_logon_id: t.buyerLogonId, trade_status: t.status,
          total_amount: formatAmount(t.totalFen), receipt_amount: paid, buyer_pay_amount: paid,
          point_amount: '0.00', invoice_amount: paid,
          ...(t.paidAt ? { send_pay_date: ts(t.paidAt) } : {}),
          buyer_user_id: t.buyerId,
        };
      }
      case 'alipay.trade.close': {
        const t = findTrade(biz);
        if (!t) return bizFail('ACQ.TRADE_NOT_EXIST', '交易不存在');
        if (t.status !== 'WAIT_BUYER_PAY') return bizFail('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        t.status = 'TRADE_CLOSED';
        t.closedAt = now().toISOString();
        persist();
        enqueueNotify(t);
        return { ...OK, ...tradeSummary(t) };
      }
      case 'alipay.trade.refund': {
        const t = findTrade(biz);
        if (!t) return bizFail('ACQ.TRADE_NOT_EXIST', '交易不存在');
        const amountFen = parseAmountFen(biz.refund_amount);
        if (amountFen === null || amountFen < 1) return bizFail('ACQ.INVALID_PARAMETER', '参数无效：refund_amount');
        const outRequestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : t.outTradeNo;
        if (!OUT_NO_RE.test(outRequestNo)) return bizFail('ACQ.INVALID_PARAMETER', '参数无效：out_request_no');
        const done = t.refunds.find((r) => r.outRequestNo === outRequestNo);
        const reply = (fundChange: 'Y' | 'N', r: RefundRecord): Inner => ({
          ...OK, ...tradeSummary(t), buyer_logon_id: t.buyerLogonId, fund_change: fundChange,
          refund_fee: formatAmount(refundedFen(t)), send_back_fee: formatAmount(r.amountFen),
          gmt_refund_pay: ts(r.at), buyer_user_id: t.buyerId,
        });
        if (done) {
          // A retried request (same out_request_no) is answered, not executed again.
          if (done.amountFen !== amountFen)
            return bizFail('ACQ.DISCORDANT_REPEAT_REQUEST', '退款请求号对应的退款金额与之前请求不一致');
          return reply('N', done);
        }
        if (t.status !== 'TRADE_SUCCESS') return bizFail('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        if (refundedFen(t) + amountFen > t.totalFen) return bizFail('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
        const r: RefundRecord = {
          outRequestNo, amountFen, reason: typeof biz.refund_reason === 'string' ? biz.refund_reason : '',
          at: now().toISOString(),
        };
        t.refunds.push(r);
        if (refundedFen(t) === t.totalFen) {
          t.status = 'TRADE_CLOSED';
          t.closedAt = r.at;
        }
        persist();
        enqueueNotify(t, r);
        return reply('Y', r);
      }
      case 'alipay.trade.fastpay.refund.query': {
        const t = findTrade(biz);
        if (!t) return bizFail('ACQ.TRADE_NOT_EXIST', '交易不存在');
        if (typeof biz.out_request_no !== 'string') return argFail('isv.missing-parameter', '缺少必选参数 out_request_no');
        const r = t.refunds.find((x) => x.outRequestNo === biz.out_request_no);
        // Alipay answers 10000 without refund fields when no such refund exists.
        if (!r) return { ...OK, ...tradeSummary(t), out_request_no: biz.out_request_no };
        return {
          ...OK, ...tradeSummary(t), out_request_no: r.outRequestNo, total_amount: formatAmount(t.totalFen),
          refund_amount: formatAmount(r.amountFen), refund_status: 'REFUND_SUCCESS', refund_reason: r.reason,
          gmt_refund_pay: ts(r.at),
        };
      }
      case 'alipay.data.dataservice.bill.downloadurl.query': {
        const date = biz.bill_date;
        if (biz.bill_type !== 'trade') return bizFail('isv.invalid-arguments', '本地网关只提供 trade 类型账单');
        if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !parseShanghaiTimestamp(`${date} 00:00:00`))
          return bizFail('isv.invalid-arguments', 'bill_date 格式应为 yyyy-MM-dd');
        const today = shanghaiDate(now());
        if (date > today || (date === today && !opts.billsForToday)) return bizFail('isp.bill_not_exist', '账单不存在');
        const token = randomBytes(16).toString('hex');
        billTokens.set(token, { date, expiresAt: now().getTime() + 30_000 });
        return { ...OK, bill_download_url: `${baseUrl}/downloadBillFile.resource?bizType=trade&bizDates=${date.replaceAll('-', '')}&fileType=csv.zip&token=${token}` };
      }
    }
    return argFail('isv.invalid-method', '不存在的方法名');
  }

  function billLines(date: string): BillLine[] {
    const lines: BillLine[] = [];
    const missing = new Set(state.mismatches.filter((m) => m.kind === 'missing').map((m) => m.outTradeNo));
    for (const t of trades.values()) {
      if (missing.has(t.outTradeNo)) continue;
      const base = { tradeNo: t.tradeNo, outTradeNo: t.outTradeNo, subject: t.subject, createdAt: new Date(t.createdAt), buyerLogonId: t.buyerLogonId, orderFen: t.totalFen };
      if (t.paidAt && shanghaiDate(new Date(t.paidAt)) === date) {
        const amount = state.mismatches.find((m) => m.kind === 'amount' && m.outTradeNo === t.outTradeNo);
        lines.push({ ...base, kind: '交易', finishedAt: new Date(t.paidAt), receivedFen: amount?.kind === 'amount' ? amount.receivedFen : t.totalFen, outRequestNo: '' });
      }
      for (const r of t.refunds) {
        if (shanghaiDate(new Date(r.at)) === date)
          lines.push({ ...base, kind: '退款', finishedAt: new Date(r.at), receivedFen: -r.amountFen, outRequestNo: r.outRequestNo });
      }
    }
    for (const m of state.mismatches) {
      if (m.kind === 'extra' && m.date === date) {
        const at = new Date(Date.parse(`${date}T12:00:00+08:00`));
        lines.push({
          tradeNo: `${date.replaceAll('-', '')}22001${digits(15)}`, outTradeNo: m.outTradeNo, kind: '交易',
          subject: m.subject ?? '未知交易', createdAt: at, finishedAt: at, buyerLogonId: '***', orderFen: m.amountFen,
          receivedFen: m.amountFen, outRequestNo: '',
        });
      }
    }
    return lines.sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(body);
  }
  const sendJson = (res: ServerResponse, body: unknown, status = 200) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
  const sendHtml = (res: ServerResponse, status: number, html: string) => send(res, status, 'text/html; charset=utf-8', html);

  /** Common-parameter checks in the order Alipay applies them; null when the request is authentic. */
  function checkCommon(params: Record<string, string>): Inner | null {
    const missing: [string, string][] = [
      ['method', 'isv.missing-method'], ['app_id', 'isv.missing-app-id'], ['sign_type', 'isv.missing-signature-type'],
      ['sign', 'isv.missing-signature'], ['timestamp', 'isv.missing-timestamp'], ['version', 'isv.missing-version'],
    ];
    for (const [k, sub] of missing) if (!params[k]) return fail('40001', 'Missing Required Arguments', sub, `缺少必选参数 ${k}`);
    if (params.app_id !== opts.appId) return argFail('isv.invalid-app-id', '无效的AppID参数');
    if (params.format && params.format.toUpperCase() !== 'JSON') return argFail('isv.invalid-format', '无效的数据格式');
    if (params.charset && params.charset.toLowerCase() !== 'utf-8') return argFail('isv.invalid-charset', '字符集错误（本地网关只接受 utf-8）');
    if (params.sign_type !== 'RSA2') return argFail('isv.invalid-signature-type', '无效的签名类型（只接受 RSA2）');
    if (params.version !== '1.0') return argFail('isv.invalid-version', '无效的版本号');
    const at = parseShanghaiTimestamp(params.timestamp);
    if (!at) return argFail('isv.invalid-timestamp', '非法的时间戳参数（格式应为 yyyy-MM-dd HH:mm:ss）');
    if (opts.maxTimestampSkewMs !== undefined && Math.abs(at.getTime() - now().getTime()) > opts.maxTimestampSkewMs)
      return argFail('isv.invalid-timestamp', `时间戳与网关时间相差过大（网关北京时间 ${formatShanghai(now())}，请检查时区）`);
    const content = signContent(params, ['sign']);
    if (!rsa2Verify(content, params.sign, opts.appPublicKeyPem)) {
      return argFail('isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`);
    }
    return null;
  }

  function parseBiz(params: Record<string, string>): Inner | null {
    try {
      const v: unknown = JSON.parse(params.biz_content ?? '{}');
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Inner) : null;
    } catch {
      return null;
    }
  }

  async function handleGateway(req: IncomingMessage, res: ServerResponse, u: URL): Promise<void> {
    const params: Record<string, string> = {};
    for (const [k, v] of u.searchParams) if (!(k in params)) params[k] = v;
    if (req.method === 'POST') {
      const type = req.headers['content-type'] ?? '';
      const body = await readBody(req);
      if (type.includes('application/x-www-form-urlencoded') || (type === '' && body.includes('='))) {
        for (const [k, v] of Object.entries(formToRecord(body))) if (!(k in params)) params[k] = v;
      }
    }
    const method = params.method ?? '';
    const isPage = PAGE_METHODS.has(method);
    if (!isPage && !EXEC_METHODS.has(method)) {
      // Alipay answers unknown methods with an unsigned error_response.
      const inner = method ? argFail('isv.invalid-method', '不存在的方法名') : fail('40001', 'Missing Required Arguments', 'isv.missing-method', '缺少方法名参数');
      return send(res, 200, 'text/plain; charset=utf-8', JSON.stringify({ error_response: inner }));
    }
    const bad = checkCommon(params);
    const biz = bad ? null : parseBiz(params);
    const error = bad ?? (biz ? null : argFail('isv.invalid-parameter', 'biz_content 不是合法的 JSON 对象'));
    if (isPage) {
      if (error) {
        return sendHtml(res, 400, renderMessage('支付请求错误', `错误代码：${String(error.sub_code)}`, String(error.sub_msg)));
      }
      const opened = openTrade(method, params, biz!);
      if (!opened.ok) return sendHtml(res, 400, renderMessage('支付请求错误', `错误代码：${opened.subCode}`, opened.message));
      const t = opened.trade;
      return sendHtml(res, 200, renderCashier({
        merchantName, subject: t.subject, totalFen: t.totalFen, outTradeNo: t.outTradeNo, token: t.cashierToken,
        mobile: method === 'alipay.trade.wap.pay',
      }));
    }
    const inner = error ?? execMethod(method, biz!);
    send(res, 200, 'text/plain; charset=utf-8', signedEnvelope(method, inner, keyPair.privateKeyPem));
  }

  function tradeByToken(token: string): TradeRecord | undefined {
    for (const t of trades.values()) if (t.cashierToken === token) return current(t);
    return undefined;
  }

  async function handleCashier(req: IncomingMessage, res: ServerResponse, token: string, action: string): Promise<void> {
    await readBody(req);
    const t = tradeByToken(token);
    if (!t) return sendHtml(res, 404, renderMessage('交易不存在', '该收银台链接无效或已过期。'));
    if (action === 'cancel') {
      const link = t.quitUrl ? { href: t.quitUrl, text: '返回商户' } : undefined;
      return sendHtml(res, 200, renderMessage('已取消付款', '您已取消本次付款，订单仍可在有效期内重新支付。', undefined, link));
    }
    if (t.status !== 'WAIT_BUYER_PAY') {
      const msg = t.status === 'TRADE_CLOSED' ? '交易已关闭，无法付款。' : '该订单已支付，请勿重复付款。';
      return sendHtml(res, 409, renderMessage('无法付款', msg));
    }
    pay(t);
    if (t.returnUrl) {
      const target = new URL(t.returnUrl);
      for (const [k, v] of Object.entries(returnParams(t))) target.searchParams.set(k, v);
      res.writeHead(302, { location: target.toString() });
      return void res.end();
    }
    sendHtml(res, 200, renderMessage('支付成功', `已向 ${merchantName} 支付 ${formatAmount(t.totalFen)} 元。`));
  }

  async function handleTest(req: IncomingMessage, res: ServerResponse, u: URL): Promise<void> {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    const route = `${req.method} ${u.pathname.slice('/__test'.length)}`;
    switch (route) {
      case 'POST /pay': {
        const r = confirmPayment(str('out_trade_no') ?? '');
        return sendJson(res, { trade_no: r.trade.tradeNo, return_params: r.returnParams });
      }
      case 'POST /notify/drop':
        api.dropNotifies({ outTradeNo: str('out_trade_no') });
        return sendJson(res, { ok: true });
      case 'POST /notify/drop/clear':
        api.clearNotifyDrops();
        return sendJson(res, { ok: true });
      case 'POST /notify/pause':
        api.pauseNotifies();
        return sendJson(res, { ok: true });
      case 'POST /notify/resume':
        api.resumeNotifies();
        return sendJson(res, { ok: true });
      case 'GET /deliveries':
        return sendJson(res, api.deliveries({ outTradeNo: u.searchParams.get('out_trade_no') ?? undefined }));
      case 'GET /trades':
        return sendJson(res, api.trades());
      case 'POST /bill/mismatch':
        api.injectBillMismatch(body as unknown as BillMismatch);
        return sendJson(res, { ok: true });
    }
    sendJson(res, { error: 'not found' }, 404);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://gateway.local');
    if (u.pathname === '/gateway.do') return handleGateway(req, res, u);
    const cashier = /^\/cashier\/([0-9a-f]{32})\/(confirm|cancel)$/.exec(u.pathname);
    if (cashier && req.method === 'POST') return handleCashier(req, res, cashier[1], cashier[2]);
    if (u.pathname === '/downloadBillFile.resource') {
      const entry = billTokens.get(u.searchParams.get('token') ?? '');
      if (!entry || now().getTime() > entry.expiresAt) return send(res, 410, 'text/plain; charset=utf-8', '下载链接已失效（有效期 30 秒），请重新获取');
      const { fileName, zip } = buildBillZip(opts.sellerId, entry.date, billLines(entry.date), now());
      return send(res, 200, 'application/zip', zip, {
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      });
    }
    if (opts.testControls && u.pathname.startsWith('/__test/')) {
      return handleTest(req, res, u).catch((e: unknown) => sendJson(res, { error: e instanceof Error ? e.message : String(e) }, 400));
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;

  persist();
  // Notifies still pending from before a restart resume where they left off.
  for (const n of state.notifications) {
    if (n.state === 'pending') schedule_(n, n.nextAttemptAt ? Date.parse(n.nextAttemptAt) - now().getTime() : 0);
  }

  const api: AlipayGateway = {
    url: baseUrl,
    gatewayUrl: `${baseUrl}/gateway.do`,
    publicKeyPem: keyPair.publicKeyPem,
    appId: opts.appId,
    sellerId: opts.sellerId,
    trade: (no) => {
      const t = trades.get(no);
      return t ? current(t) : undefined;
    },
    trades: () => [...trades.values()].map(current),
    get orders() {
      return [...trades.values()].map(current);
    },
    confirmPayment,
    dropNotifies(filter = {}) {
      state.drops.push({ outTradeNo: filter.outTradeNo });
      persist();
    },
    clearNotifyDrops() {
      state.drops = [];
      persist();
    },
    pauseNotifies() {
      paused = true;
    },
    resumeNotifies() {
      paused = false;
      for (const n of state.notifications) if (n.state === 'pending' && !timers.has(n.notifyId) && !running.has(n.notifyId)) schedule_(n, 0);
    },
    deliveries: (f = {}) => state.deliveries.filter((d) => !f.outTradeNo || d.outTradeNo === f.outTradeNo),
    notifications: (f = {}) => state.notifications.filter((n) => !f.outTradeNo || n.outTradeNo === f.outTradeNo),
    injectBillMismatch(m) {
      state.mismatches.push(m);
      persist();
    },
    async close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inflight]);
      persist();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
