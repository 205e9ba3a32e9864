// The app's side of Alipay (支付宝), around the official alipay-sdk v4. The same code talks to
// openapi.alipay.com or to the local gateway (app/modules/payments/gateway): only config differs.
// Money is integer fen (分) everywhere in our code and becomes a yuan string only at this boundary.
//
// Errors: a business refusal (code !== '10000') comes back as `{ ok: false, ... }`; a transport
// failure or a response whose signature does not verify throws AlipayRequestError from the SDK,
// because then we do not know what Alipay decided and must retry or query, never assume.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { AlipaySdk } from 'alipay-sdk';

// ---- money ------------------------------------------------------------------------------------

import { fenToYuan, yuanToFen } from './money';
export { fenToYuan, yuanToFen };

// ---- types ------------------------------------------------------------------------------------

export interface AlipayClientConfig {
  appId: string;
  /** Application private key: PEM (PKCS#1 or PKCS#8) or the bare base64 Alipay's key tool prints. */
  privateKeyPem: string;
  /** Alipay's public key (from the open platform, or the local gateway's publicKeyPem). */
  alipayPublicKeyPem: string;
  /** https://openapi.alipay.com/gateway.do, or the local gateway's gatewayUrl. */
  gatewayUrl: string;
  notifyUrl: string;
  returnUrl: string;
  /** Our merchant PID (2088…); when set, notifies for another seller are refused. */
  sellerId?: string;
  /** Per-request timeout of the SDK (ms, default 5000). */
  timeoutMs?: number;
}

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';
const TRADE_STATUSES: readonly string[] = ['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_SUCCESS', 'TRADE_FINISHED'];

/** Alipay refused the request; `subCode` (e.g. ACQ.TRADE_STATUS_ERROR) says why. */
export interface AlipayFailure {
  ok: false;
  code: string;
  msg: string;
  subCode: string;
  subMsg: string;
}

export type TradeQueryResult =
  | {
      ok: true;
      exists: true;
      outTradeNo: string;
      tradeNo: string;
      status: TradeStatus;
      amountFen: number;
      /** Beijing time `yyyy-MM-dd HH:mm:ss` as Alipay reports it, when paid. */
      paidAt: string | null;
      buyerLogonId: string | null;
    }
  /** ACQ.TRADE_NOT_EXIST: the buyer never opened the cashier (or the number is wrong). */
  | { ok: true; exists: false; outTradeNo: string }
  | AlipayFailure;

export type CloseResult = { ok: true; outTradeNo: string; tradeNo: string } | AlipayFailure;

export type RefundResult =
  | {
      ok: true;
      outTradeNo: string;
      tradeNo: string;
      /** false when Alipay had already executed this out_request_no: no money moved this time. */
      fundChange: boolean;
      /** Total refunded on the trade so far, this refund included. */
      refundedTotalFen: number;
      /** gmt_refund_pay: when Alipay executed the refund (Beijing time), as its bill will date it. */
      refundedAt: string | null;
    }
  | AlipayFailure;

export type RefundQueryResult =
  | { ok: true; found: true; outTradeNo: string; outRequestNo: string; amountFen: number; status: 'REFUND_SUCCESS' }
  | { ok: true; found: false; outTradeNo: string; outRequestNo: string }
  | AlipayFailure;

export interface BillRow {
  tradeNo: string;
  outTradeNo: string;
  /** 业务类型: '交易' (payment) or '退款' (refund) in trade bills. */
  kind: string;
  subject: string;
  createdAt: string;
  finishedAt: string;
  orderFen: number;
  /** 商家实收: positive for payments, negative for refunds. */
  receivedFen: number;
  outRequestNo: string;
  raw: Record<string, string>;
}

export interface ExpectedPayment {
  amountFen: number;
  sellerId?: string;
}

export type NotifyRejection =
  | 'bad-signature'
  | 'wrong-app-id'
  | 'malformed'
  | 'unknown-order'
  | 'amount-mismatch'
  | 'wrong-seller';

export type NotifyCheck =
  | {
      ok: true;
      outTradeNo: string;
      tradeNo: string;
      amountFen: number;
      status: TradeStatus;
      /** Same across Alipay's retries of one notification: use it to recognise a replay. */
      notifyId: string;
      notifyTime: string;
      paidAt: string | null;
      /** Present on refund notifies: out_request_no and the trade's refunded total so far. */
      refund: { outRequestNo: string; refundedTotalFen: number; at: string | null } | null;
    }
  | { ok: false; reason: NotifyRejection };

export type ReturnCheck =
  | { ok: true; outTradeNo: string; tradeNo: string; amountFen: number }
  | { ok: false; reason: 'bad-signature' | 'wrong-app-id' | 'malformed' };

export interface AlipayClient {
  readonly sdk: AlipaySdk;
  /** The URL that opens Alipay's cashier (PC page pay, or WAP pay when mobile). */
  pagePayUrl(input: { outTradeNo: string; amountFen: number; subject: string; mobile?: boolean; timeoutMinutes?: number; body?: string; quitUrl?: string }): string;
  queryTrade(outTradeNo: string): Promise<TradeQueryResult>;
  closeTrade(outTradeNo: string): Promise<CloseResult>;
  refund(input: { outTradeNo: string; outRequestNo: string; amountFen: number; reason?: string }): Promise<RefundResult>;
  queryRefund(input: { outTradeNo: string; outRequestNo: string }): Promise<RefundQueryResult>;
  /** bill_type 'trade' for a Beijing date `YYYY-MM-DD`; Alipay's link expires after 30 s. */
  billDownloadUrl(date: string): Promise<{ ok: true; url: string } | AlipayFailure>;
  downloadBill(url: string): Promise<{ fileName: string | null; rows: BillRow[] }>;
  /** Checks an async notify (the POSTed form fields). The app answers `success` only when ok. */
  verifyNotify(
    params: Record<string, string>,
    opts: { expected: (outTradeNo: string) => ExpectedPayment | null | Promise<ExpectedPayment | null> },
  ): Promise<NotifyCheck>;
  /** Checks the synchronous return (query string of return_url). Display only: money moves on notify. */
  verifyReturn(params: Record<string, string>): ReturnCheck;
}

// ---- keys -------------------------------------------------------------------------------------

function privateKeyObject(key: string): KeyObject {
  const k = key.trim();
  if (k.startsWith('-----BEGIN')) return createPrivateKey(k);
  const der = Buffer.from(k.replace(/\s+/g, ''), 'base64');
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

function publicKeyPem(key: string): string {
  const k = key.trim();
  const obj = k.startsWith('-----BEGIN')
    ? createPublicKey(k)
    : createPublicKey({ key: Buffer.from(k.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  // The SDK re-wraps keys line by line and breaks on a trailing newline: hand it a trimmed PEM.
  return obj.export({ type: 'spki', format: 'pem' }).toString().trim();
}

// ---- bills ------------------------------------------------------------------------------------

/** Reads the entries of a PKZIP archive through its central directory (Java's zips use data descriptors). */
function unzip(buf: Buffer): { name: string; data: Buffer }[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('bill archive: no zip end record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bill archive: bad central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    // Alipay names its files in GBK without the UTF-8 flag.
    const name = new TextDecoder(flags & 0x0800 ? 'utf-8' : 'gbk').decode(nameBytes);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const comp = buf.subarray(start, start + compSize);
    if (method !== 0 && method !== 8) throw new Error(`bill archive: unsupported compression ${method}`);
    out.push({ name, data: method === 8 ? inflateRawSync(comp) : Buffer.from(comp) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function decodeText(data: Buffer): string {
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return data.subarray(3).toString('utf8');
  return new TextDecoder('gbk').decode(data); // Alipay's own bills are GBK
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((v) => v.trim()); // values carry a padding tab in real bills
}

export function parseTradeBill(csv: string): BillRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines.shift();
  if (!header) return [];
  const cols = splitCsvLine(header);
  return lines.map((line) => {
    const vals = splitCsvLine(line);
    const raw: Record<string, string> = {};
    cols.forEach((c, i) => (raw[c] = vals[i] ?? ''));
    return {
      tradeNo: raw['支付宝交易号'],
      outTradeNo: raw['商户订单号'],
      kind: raw['业务类型'],
      subject: raw['商品名称'],
      createdAt: raw['创建时间'],
      finishedAt: raw['完成时间'],
      orderFen: yuanToFen(raw['订单金额（元）']),
      receivedFen: yuanToFen(raw['商家实收（元）']),
      outRequestNo: raw['退款批次号/请求号'] ?? '',
      raw,
    };
  });
}

// ---- client -----------------------------------------------------------------------------------

type AlipayResponse = Record<string, string | undefined>;

function failure(r: AlipayResponse): AlipayFailure {
  return { ok: false, code: r.code ?? '', msg: r.msg ?? '', subCode: r.sub_code ?? '', subMsg: r.sub_msg ?? '' };
}

export function createAlipayClient(config: AlipayClientConfig): AlipayClient {
  const sdk = new AlipaySdk({
    appId: config.appId,
    privateKey: privateKeyObject(config.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }).toString().trim(),
    keyType: 'PKCS8',
    alipayPublicKey: publicKeyPem(config.alipayPublicKeyPem),
    gateway: config.gatewayUrl,
    timeout: config.timeoutMs ?? 5000,
    camelcase: false, // keep Alipay's documented snake_case field names
  });

  async function exec(method: string, bizContent: Record<string, unknown>): Promise<AlipayResponse> {
    // validateSign: the SDK only checks Alipay's response signature when asked to.
    const r = await sdk.exec(method, { bizContent }, { validateSign: true });
    return r as unknown as AlipayResponse;
  }

  return {
    sdk,

    pagePayUrl({ outTradeNo, amountFen, subject, mobile = false, timeoutMinutes, body, quitUrl }) {
      const bizContent: Record<string, string> = {
        out_trade_no: outTradeNo,
        total_amount: fenToYuan(amountFen),
        subject,
        product_code: mobile ? 'QUICK_WAP_WAY' : 'FAST_INSTANT_TRADE_PAY',
      };
      if (timeoutMinutes !== undefined) bizContent.timeout_express = `${timeoutMinutes}m`;
      if (body) bizContent.body = body;
      if (mobile && quitUrl) bizContent.quit_url = quitUrl;
      return sdk.pageExecute(mobile ? 'alipay.trade.wap.pay' : 'alipay.trade.page.pay', 'GET', {
        bizContent,
        returnUrl: config.returnUrl,
        notifyUrl: config.notifyUrl,
      });
    },

    async queryTrade(outTradeNo) {
      const r = await exec('alipay.trade.query', { out_trade_no: outTradeNo });
      if (r.code !== '10000') {
        if (r.sub_code === 'ACQ.TRADE_NOT_EXIST') return { ok: true, exists: false, outTradeNo };
        return failure(r);
      }
      if (!TRADE_STATUSES.includes(r.trade_status ?? '')) throw new Error(`unknown trade_status ${r.trade_status}`);
      return {
        ok: true,
        exists: true,
        outTradeNo: r.out_trade_no ?? outTradeNo,
        tradeNo: r.trade_no ?? '',
        status: r.trade_status as TradeStatus,
        amountFen: yuanToFen(r.total_amount ?? ''),
        paidAt: r.send_pay_date ?? null,
        buyerLogonId: r.buyer_logon_id ?? null,
      };
    },

    async closeTrade(outTradeNo) {
      const r = await exec('alipay.trade.close', { out_trade_no: outTradeNo });
      if (r.code !== '10000') return failure(r);
      return { ok: true, outTradeNo: r.out_trade_no ?? outTradeNo, tradeNo: r.trade_no ?? '' };
    },

    async refund({ outTradeNo, outRequestNo, amountFen, reason }) {
      const biz: Record<string, string> = {
        out_trade_no: outTradeNo,
        refund_amount: fenToYuan(amountFen),
        out_request_no: outRequestNo,
      };
      if (reason) biz.refund_reason = reason;
      const r = await exec('alipay.trade.refund', biz);
      if (r.code !== '10000') return failure(r);
      return {
        ok: true,
        outTradeNo: r.out_trade_no ?? outTradeNo,
        tradeNo: r.trade_no ?? '',
        fundChange: r.fund_change === 'Y',
        refundedTotalFen: yuanToFen(r.refund_fee ?? '0'),
        refundedAt: r.gmt_refund_pay ?? null,
      };
    },

    async queryRefund({ outTradeNo, outRequestNo }) {
      const r = await exec('alipay.trade.fastpay.refund.query', { out_trade_no: outTradeNo, out_request_no: outRequestNo });
      if (r.code !== '10000') return failure(r);
      // Alipay: data present with refund_status empty or REFUND_SUCCESS means refunded; no data means not.
      if (!r.refund_amount) return { ok: true, found: false, outTradeNo, outRequestNo };
      return { ok: true, found: true, outTradeNo, outRequestNo, amountFen: yuanToFen(r.refund_amount), status: 'REFUND_SUCCESS' };
    },

    async billDownloadUrl(date) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`bill date must be YYYY-MM-DD, got ${date}`);
      const r = await exec('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: date });
      if (r.code !== '10000' || !r.bill_download_url) return failure(r);
      return { ok: true, url: r.bill_download_url };
    },

    async downloadBill(url) {
      const res = await fetch(url, { signal: AbortSignal.timeout(config.timeoutMs ?? 30_000) });
      if (!res.ok) throw new Error(`bill download failed: HTTP ${res.status} ${await res.text()}`);
      const buf = Buffer.from(await res.arrayBuffer());
      if (buf.readUInt32LE(0) === 0x04034b50) {
        const entry = unzip(buf).find((e) => e.name.includes('业务明细') && !e.name.includes('汇总'));
        if (!entry) throw new Error('bill archive holds no 业务明细 file');
        return { fileName: entry.name, rows: parseTradeBill(decodeText(entry.data)) };
      }
      return { fileName: null, rows: parseTradeBill(decodeText(buf)) };
    },

    async verifyNotify(params, { expected }) {
      if (!sdk.checkNotifySignV2(params)) return { ok: false, reason: 'bad-signature' };
      if (params.app_id !== config.appId) return { ok: false, reason: 'wrong-app-id' };
      const { out_trade_no: outTradeNo, trade_no: tradeNo, trade_status: status, total_amount: total } = params;
      if (!outTradeNo || !tradeNo || !status || !TRADE_STATUSES.includes(status) || !total || !params.notify_id)
        return { ok: false, reason: 'malformed' };
      let amountFen: number;
      let refundedTotalFen: number | null = null;
      try {
        amountFen = yuanToFen(total);
        if (params.refund_fee) refundedTotalFen = yuanToFen(params.refund_fee);
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const want = await expected(outTradeNo);
      if (!want) return { ok: false, reason: 'unknown-order' };
      if (want.amountFen !== amountFen) return { ok: false, reason: 'amount-mismatch' };
      const seller = want.sellerId ?? config.sellerId;
      if (seller && params.seller_id !== seller) return { ok: false, reason: 'wrong-seller' };
      return {
        ok: true,
        outTradeNo,
        tradeNo,
        amountFen,
        status: status as TradeStatus,
        notifyId: params.notify_id,
        notifyTime: params.notify_time ?? '',
        paidAt: params.gmt_payment ?? null,
        refund:
          params.out_biz_no && refundedTotalFen !== null
            ? { outRequestNo: params.out_biz_no, refundedTotalFen, at: params.gmt_refund ?? null }
            : null,
      };
    },

    verifyReturn(params) {
      if (!sdk.checkNotifySignV2(params)) return { ok: false, reason: 'bad-signature' };
      if (params.app_id !== config.appId) return { ok: false, reason: 'wrong-app-id' };
      try {
        return { ok: true, outTradeNo: params.out_trade_no, tradeNo: params.trade_no, amountFen: yuanToFen(params.total_amount ?? '') };
      } catch {
        return { ok: false, reason: 'malformed' };
      }
    },
  };
}
