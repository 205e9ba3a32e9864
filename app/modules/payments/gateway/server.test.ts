// The local gateway at the protocol level: request authentication, response signatures (checked
// with OpenSSL too), test hooks, persistence across a restart, bills, time limits.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlipayClient, type AlipayClient } from '../alipay.server';
import { formatShanghai, parseShanghaiTimestamp, shanghaiDate } from './protocol';
import { createAlipayGateway, type AlipayGateway } from './server';
import { rsaKeyPair, startNotifyReceiver, waitFor, type NotifyReceiver } from './test-helpers';

const APP_ID = '2021000117600002';
const SELLER_ID = '2088621000000002';
const FAST = [50, 100, 100, 150, 200, 250, 300];
const appKeys = rsaKeyPair();
const DAY = 24 * 3600 * 1000;
const hasOpenssl = existsSync('/usr/bin/openssl');
const hasUnzip = existsSync('/usr/bin/unzip');

let offsetMs = 0; // the gateway's clock, moved by the tests
const clock = () => new Date(Date.now() + offsetMs);
let gw: AlipayGateway;
let rx: NotifyReceiver;
let client: AlipayClient;
const tmp = mkdtempSync(path.join(tmpdir(), 'alipay-gw-'));

function clientFor(g: AlipayGateway, notifyUrl = rx.url): AlipayClient {
  return createAlipayClient({
    appId: APP_ID, privateKeyPem: appKeys.privateKeyPem, alipayPublicKeyPem: g.publicKeyPem, gatewayUrl: g.gatewayUrl,
    notifyUrl, returnUrl: 'http://127.0.0.1:3000/payments/alipay/return', sellerId: SELLER_ID,
  });
}

async function post(url: string, body: string, type = 'application/x-www-form-urlencoded;charset=utf-8'): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return res.text();
}

beforeAll(async () => {
  rx = await startNotifyReceiver();
  gw = await createAlipayGateway({
    appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID, notifySchedule: FAST, testControls: true, clock,
  });
  client = clientFor(gw);
});
afterAll(async () => {
  await gw.close();
  await rx.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('request authentication', () => {
  it('accepts a request exactly as the SDK signs it, and refuses it after any change to any field', async () => {
    const signed = new URLSearchParams(client.sdk.sdkExecute('alipay.trade.query', { bizContent: { out_trade_no: 'Q-1' } }));
    const accepted = JSON.parse(await post(gw.gatewayUrl, signed.toString())).alipay_trade_query_response;
    expect(accepted.sub_code).toBe('ACQ.TRADE_NOT_EXIST'); // authenticated; the trade just does not exist

    for (const key of [...signed.keys()]) {
      const changed = new URLSearchParams(signed);
      const v = signed.get(key)!;
      changed.set(key, key === 'sign' ? v.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : key === 'biz_content' ? v.replace('Q-1', 'Q-2') : `${v}1`);
      const raw = JSON.parse(await post(gw.gatewayUrl, changed.toString()));
      const r = raw.alipay_trade_query_response ?? raw.error_response;
      expect(r.code, `changed ${key}`).toMatch(/^4000[12]$/);
    }
    const extra = new URLSearchParams(signed);
    extra.set('app_auth_token', 'smuggled');
    expect(JSON.parse(await post(gw.gatewayUrl, extra.toString())).alipay_trade_query_response.sub_code).toBe('isv.invalid-signature');
    const missing = new URLSearchParams(signed);
    missing.delete('sign');
    expect(JSON.parse(await post(gw.gatewayUrl, missing.toString())).alipay_trade_query_response.sub_code).toBe('isv.missing-signature');
  });

  it('explains an invalid signature with the string it verified, like Alipay', async () => {
    const signed = new URLSearchParams(client.sdk.sdkExecute('alipay.trade.query', { bizContent: { out_trade_no: 'Q-3' } }));
    signed.set('sign', appKeys.publicKeyPem.slice(30, 80));
    const r = JSON.parse(await post(gw.gatewayUrl, signed.toString())).alipay_trade_query_response;
    expect(r).toMatchObject({ code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature' });
    expect(r.sub_msg).toContain(`app_id=${APP_ID}&biz_content={"out_trade_no":"Q-3"}&charset=utf-8&method=alipay.trade.query`);
  });

  it('signs every response over the exact inner JSON, sign last — OpenSSL agrees', async () => {
    const signed = client.sdk.sdkExecute('alipay.trade.query', { bizContent: { out_trade_no: 'Q-4' } });
    const text = await post(gw.gatewayUrl, signed);
    const m = /^\{"alipay_trade_query_response":(\{.*\}),"sign":"([A-Za-z0-9+/=]+)"\}$/.exec(text);
    expect(m).not.toBeNull();
    if (!hasOpenssl) return console.log('openssl absent: skipping the OpenSSL check');
    const dir = mkdtempSync(path.join(tmp, 'ossl-'));
    writeFileSync(path.join(dir, 'inner.json'), m![1]);
    writeFileSync(path.join(dir, 'sig.bin'), Buffer.from(m![2], 'base64'));
    writeFileSync(path.join(dir, 'alipay.pem'), gw.publicKeyPem);
    const out = execFileSync('/usr/bin/openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'alipay.pem'), '-signature', path.join(dir, 'sig.bin'), path.join(dir, 'inner.json')]);
    expect(out.toString()).toContain('Verified OK');
    writeFileSync(path.join(dir, 'inner.json'), m![1].replace('40004', '10000'));
    expect(() => execFileSync('/usr/bin/openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'alipay.pem'), '-signature', path.join(dir, 'sig.bin'), path.join(dir, 'inner.json')], { stdio: 'pipe' })).toThrow();
  });

  it('checks the timestamp format, and (when asked) its distance from Beijing time: catches a server not on TZ=Asia/Shanghai', async () => {
    expect(process.env.TZ).toBe('Asia/Shanghai');
    const signed = new URLSearchParams(client.sdk.sdkExecute('alipay.trade.query', { bizContent: { out_trade_no: 'Q-6' } }));
    const stamp = parseShanghaiTimestamp(signed.get('timestamp')!);
    expect(Math.abs(stamp!.getTime() - Date.now())).toBeLessThan(5_000);

    const bad = new URLSearchParams(signed);
    bad.set('timestamp', '2024/01/02 03:04:05');
    expect(JSON.parse(await post(gw.gatewayUrl, bad.toString())).alipay_trade_query_response.sub_code).toBe('isv.invalid-timestamp');

    const strict = await createAlipayGateway({
      appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID, maxTimestampSkewMs: 15 * 60_000,
      clock: () => new Date(Date.now() + 8 * 3600_000), // as if our SDK stamped UTC wall time
    });
    try {
      const r = await clientFor(strict).queryTrade('Q-6');
      expect(r).toMatchObject({ ok: false, subCode: 'isv.invalid-timestamp' });
      const fine = await createAlipayGateway({ appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID, maxTimestampSkewMs: 15 * 60_000 });
      expect(await clientFor(fine).queryTrade('Q-6')).toMatchObject({ ok: true, exists: false });
      await fine.close();
    } finally {
      await strict.close();
    }
  });

  it('answers an unknown method with an error_response', async () => {
    const signed = client.sdk.sdkExecute('alipay.trade.pay', { bizContent: { out_trade_no: 'Q-7' } });
    expect(JSON.parse(await post(gw.gatewayUrl, signed))).toMatchObject({ error_response: { sub_code: 'isv.invalid-method' } });
  });
});

describe('cashier', () => {
  it('cancel leaves the trade payable; the time limit closes it', async () => {
    const no = `C${Date.now()}`;
    const html = await (await fetch(client.pagePayUrl({ outTradeNo: no, amountFen: 100, subject: '测试', timeoutMinutes: 5 }))).text();
    const cancel = /action="(\/cashier\/[0-9a-f]+\/cancel)"/.exec(html)![1];
    const page = await (await fetch(`${gw.url}${cancel}`, { method: 'POST' })).text();
    expect(page).toContain('已取消付款');
    expect(await client.queryTrade(no)).toMatchObject({ status: 'WAIT_BUYER_PAY' });
    offsetMs = 6 * 60_000;
    try {
      expect(await client.queryTrade(no)).toMatchObject({ status: 'TRADE_CLOSED' });
      expect(() => gw.confirmPayment(no)).toThrow(/TRADE_CLOSED/);
    } finally {
      offsetMs = 0;
    }
  });
});

describe('page pay by form POST', () => {
  it('accepts the auto-submitting form the SDK renders for pageExecute(..., \'POST\', ...)', async () => {
    const no = `F${Date.now()}`;
    const html = client.sdk.pageExecute('alipay.trade.page.pay', 'POST', {
      bizContent: { out_trade_no: no, total_amount: '7.50', subject: '表单支付', product_code: 'FAST_INSTANT_TRADE_PAY' },
      notifyUrl: rx.url,
    });
    const action = /action="([^"]+)"/.exec(html)![1];
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/name="([^"]+)" value="([^"]*)"/g)) fields.set(m[1], m[2].replaceAll('&quot;', '"'));
    const res = await fetch(action, { method: 'POST', body: fields });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('表单支付');
    expect(gw.trade(no)).toMatchObject({ totalFen: 750, status: 'WAIT_BUYER_PAY' });
  });
});

describe('test hooks', () => {
  it('confirm payment and list deliveries over HTTP when testControls is on', async () => {
    const no = `H${Date.now()}`;
    await fetch(client.pagePayUrl({ outTradeNo: no, amountFen: 250, subject: '测试' }));
    const paid = await (await fetch(`${gw.url}/__test/pay`, { method: 'POST', body: JSON.stringify({ out_trade_no: no }) })).json();
    expect(paid.trade_no).toMatch(/^\d{28}$/);
    expect(client.verifyReturn(paid.return_params)).toMatchObject({ ok: true, outTradeNo: no, amountFen: 250 });
    await waitFor(() => rx.received.some((p) => p.out_trade_no === no));
    const list = await (await fetch(`${gw.url}/__test/deliveries?out_trade_no=${no}`)).json();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ outcome: 'success', attempt: 1 });
  });

  it('are absent without testControls', async () => {
    const plain = await createAlipayGateway({ appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID });
    try {
      expect((await fetch(`${plain.url}/__test/pay`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('persistence', () => {
  it('keeps its key, trades and pending notifies across a restart', async () => {
    const dataDir = path.join(tmp, 'state');
    const app = await startNotifyReceiver();
    await app.stop(); // the app is down when the buyer pays
    const first = await createAlipayGateway({ appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID, notifySchedule: [200, 200, 200], dataDir });
    const no = `P${Date.now()}`;
    await fetch(clientFor(first, app.url).pagePayUrl({ outTradeNo: no, amountFen: 12345, subject: '保证金' }));
    first.confirmPayment(no);
    await waitFor(() => first.deliveries().length >= 1, 5000, 'first attempt');
    const notifyId = first.notifications()[0].notifyId;
    await first.close();

    const second = await createAlipayGateway({ appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID, notifySchedule: [200, 200, 200], dataDir });
    try {
      expect(second.publicKeyPem).toBe(first.publicKeyPem);
      const c = clientFor(second, app.url);
      expect(await c.queryTrade(no)).toMatchObject({ ok: true, status: 'TRADE_SUCCESS', amountFen: 12345 });
      await app.restart();
      await waitFor(() => app.received.length === 1, 5000, 'notify after restart');
      expect(app.received[0].notify_id).toBe(notifyId);
      expect(await c.verifyNotify(app.received[0], { expected: () => ({ amountFen: 12345 }) })).toMatchObject({ ok: true, notifyId });
    } finally {
      await second.close();
      await app.stop();
    }
  });
});

describe('trade bill', () => {
  it('is ready the next day and lists the day\'s payments and refunds; injected differences show', async () => {
    const day = shanghaiDate(clock());
    const a = `B${Date.now()}A`;
    const b = `B${Date.now()}B`;
    for (const [no, fen] of [[a, 10000], [b, 2550]] as const) {
      await fetch(client.pagePayUrl({ outTradeNo: no, amountFen: fen, subject: `标书费 ${no}` }));
      gw.confirmPayment(no);
    }
    await client.refund({ outTradeNo: a, outRequestNo: `${a}-R1`, amountFen: 1234, reason: '部分退款' });

    expect(await client.billDownloadUrl(day)).toMatchObject({ ok: false, code: '40004', subCode: 'isp.bill_not_exist' });
    offsetMs = DAY;
    try {
      const link = await client.billDownloadUrl(day);
      expect(link.ok).toBe(true);
      if (!link.ok) return;
      const bill = await client.downloadBill(link.url);
      expect(bill.fileName).toBe(`${SELLER_ID}0156_${day.replaceAll('-', '')}_业务明细.csv`);
      const mine = bill.rows.filter((r) => r.outTradeNo === a || r.outTradeNo === b);
      expect(mine.map((r) => [r.outTradeNo, r.kind, r.orderFen, r.receivedFen, r.outRequestNo])).toEqual([
        [a, '交易', 10000, 10000, ''],
        [b, '交易', 2550, 2550, ''],
        [a, '退款', 10000, -1234, `${a}-R1`],
      ]);
      expect(mine[0].tradeNo).toBe(gw.trade(a)!.tradeNo);
      expect(mine[0].finishedAt).toBe(formatShanghai(new Date(gw.trade(a)!.paidAt!)));
      expect(mine[0].raw['商品名称']).toBe(`标书费 ${a}`);

      if (hasUnzip) {
        const file = path.join(tmp, 'bill.zip');
        writeFileSync(file, Buffer.from(await (await fetch((await client.billDownloadUrl(day) as { url: string }).url)).arrayBuffer()));
        expect(execFileSync('/usr/bin/unzip', ['-t', file]).toString()).toContain('No errors detected');
      }

      gw.injectBillMismatch({ kind: 'amount', outTradeNo: b, receivedFen: 2500 });
      gw.injectBillMismatch({ kind: 'extra', outTradeNo: 'NOT-OURS-1', amountFen: 999, date: day });
      gw.injectBillMismatch({ kind: 'missing', outTradeNo: a });
      const link2 = await client.billDownloadUrl(day);
      const bill2 = await client.downloadBill((link2 as { url: string }).url);
      expect(bill2.rows.find((r) => r.outTradeNo === b && r.kind === '交易')!.receivedFen).toBe(2500);
      expect(bill2.rows.find((r) => r.outTradeNo === 'NOT-OURS-1')).toMatchObject({ kind: '交易', receivedFen: 999 });
      expect(bill2.rows.some((r) => r.outTradeNo === a)).toBe(false);

      // Alipay's download links live 30 seconds.
      const link3 = (await client.billDownloadUrl(day)) as { url: string };
      offsetMs += 31_000;
      await expect(client.downloadBill(link3.url)).rejects.toThrow(/410/);
    } finally {
      offsetMs = 0;
    }
  });
});
