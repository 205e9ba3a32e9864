// The app's Alipay client driven through the real alipay-sdk against the local gateway.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlipayClient, type AlipayClient, type ExpectedPayment } from './alipay.server';
import { createAlipayGateway, type AlipayGateway } from './gateway/server';
import { rsaKeyPair, startNotifyReceiver, waitFor, type NotifyReceiver } from './gateway/test-helpers';

const APP_ID = '2021000117600001';
const SELLER_ID = '2088621000000001';
const FAST = [50, 100, 100, 150, 200, 250, 300];
const appKeys = rsaKeyPair();
const otherKeys = rsaKeyPair();

let gw: AlipayGateway;
let rx: NotifyReceiver;
let client: AlipayClient;
let seq = 0;
const orders = new Map<string, ExpectedPayment>();
const expected = (no: string) => orders.get(no) ?? null;

function newOrder(amountFen: number): string {
  const no = `ORD${Date.now()}${++seq}`;
  orders.set(no, { amountFen });
  return no;
}

function makeClient(over: Partial<Parameters<typeof createAlipayClient>[0]> = {}): AlipayClient {
  return createAlipayClient({
    appId: APP_ID,
    privateKeyPem: appKeys.privateKeyPem,
    alipayPublicKeyPem: gw.publicKeyPem,
    gatewayUrl: gw.gatewayUrl,
    notifyUrl: rx.url,
    returnUrl: 'http://127.0.0.1:3000/payments/alipay/return',
    sellerId: SELLER_ID,
    ...over,
  });
}

/** Opens the cashier the way a browser does and returns the HTML. */
async function openCashier(outTradeNo: string, amountFen: number, subject = '招标文件费'): Promise<string> {
  const res = await fetch(client.pagePayUrl({ outTradeNo, amountFen, subject }));
  expect(res.status).toBe(200);
  return res.text();
}

async function pay(outTradeNo: string, amountFen: number): Promise<void> {
  await openCashier(outTradeNo, amountFen);
  gw.confirmPayment(outTradeNo);
}

beforeAll(async () => {
  rx = await startNotifyReceiver();
  gw = await createAlipayGateway({
    appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, sellerId: SELLER_ID, notifySchedule: FAST, testControls: true,
    merchantName: '某市公共资源交易中心',
  });
  client = makeClient();
});
afterAll(async () => {
  await gw.close();
  await rx.stop();
});
beforeEach(() => {
  rx.answer = () => 'success';
  gw.clearNotifyDrops();
});
afterEach(() => gw.resumeNotifies());

describe('page pay through the cashier', () => {
  it('shows the cashier in Chinese, confirms, redirects with a signed return and notifies the app', async () => {
    const no = newOrder(1234);
    const html = await openCashier(no, 1234, '招标文件费（第1标段）');
    for (const text of ['收银台', '某市公共资源交易中心', '招标文件费（第1标段）', '12.34', '元', no, '确认付款', '取消'])
      expect(html).toContain(text);

    const action = /action="(\/cashier\/[0-9a-f]+\/confirm)"/.exec(html)![1];
    const res = await fetch(`${gw.url}${action}`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('http://127.0.0.1:3000/payments/alipay/return');
    const ret = client.verifyReturn(Object.fromEntries(back.searchParams));
    expect(ret).toMatchObject({ ok: true, outTradeNo: no, amountFen: 1234 });

    await waitFor(() => rx.received.some((p) => p.out_trade_no === no), 5000, 'notify');
    const notify = rx.received.find((p) => p.out_trade_no === no)!;
    const check = await client.verifyNotify(notify, { expected });
    expect(check).toMatchObject({ ok: true, outTradeNo: no, amountFen: 1234, status: 'TRADE_SUCCESS' });
    if (check.ok) expect(check.tradeNo).toBe(ret.ok && ret.tradeNo);

    const q = await client.queryTrade(no);
    expect(q).toMatchObject({ ok: true, exists: true, status: 'TRADE_SUCCESS', amountFen: 1234 });
  });

  it('refuses to pay a second time and refuses a changed amount for the same out_trade_no', async () => {
    const no = newOrder(500);
    await pay(no, 500);
    const again = await fetch(client.pagePayUrl({ outTradeNo: no, amountFen: 500, subject: '招标文件费' }));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('ACQ.TRADE_HAS_SUCCESS');

    const other = newOrder(500);
    await openCashier(other, 500);
    const tampered = await fetch(client.pagePayUrl({ outTradeNo: other, amountFen: 1, subject: '招标文件费' }));
    expect(await tampered.text()).toContain('ACQ.CONTEXT_INCONSISTENT');
  });

  it('wap pay (mobile) opens a mobile cashier', async () => {
    const no = newOrder(100);
    const res = await fetch(client.pagePayUrl({ outTradeNo: no, amountFen: 100, subject: '保证金', mobile: true }));
    const html = await res.text();
    expect(html).toContain('name="viewport"');
    expect(gw.trade(no)?.productCode).toBe('QUICK_WAP_WAY');
  });
});

describe('verifyNotify', () => {
  let genuine: Record<string, string>;
  let no: string;
  beforeAll(async () => {
    no = newOrder(8800);
    await pay(no, 8800);
    await waitFor(() => rx.received.some((p) => p.out_trade_no === no));
    genuine = rx.received.find((p) => p.out_trade_no === no)!;
  });

  it('accepts the genuine notify', async () => {
    expect((await client.verifyNotify(genuine, { expected })).ok).toBe(true);
  });

  it('refuses every single-field change of a genuine notify (signature covers all fields)', async () => {
    for (const k of Object.keys(genuine)) {
      if (k === 'sign_type') continue; // not signed, by Alipay's rule; changing it only breaks verification differently
      const forged = { ...genuine, [k]: k === 'sign' ? genuine.sign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : `${genuine[k]}0` };
      const r = await client.verifyNotify(forged, { expected: () => ({ amountFen: 8800 }) });
      expect(r, `field ${k}`).toEqual({ ok: false, reason: 'bad-signature' });
    }
    const extra = await client.verifyNotify({ ...genuine, refund_fee: '88.00' }, { expected });
    expect(extra).toEqual({ ok: false, reason: 'bad-signature' });
    const { sign: _dropped, ...unsigned } = genuine;
    expect(await client.verifyNotify(unsigned, { expected })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a notify signed by anyone but the gateway (e.g. with the app key)', async () => {
    const { signContent, rsa2Sign } = await import('./gateway/protocol');
    const forged: Record<string, string> = { ...genuine, total_amount: '0.01' };
    forged.sign = rsa2Sign(signContent(forged, ['sign', 'sign_type']), otherKeys.privateKeyPem);
    expect(await client.verifyNotify(forged, { expected })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses an authentic notify whose amount, order or seller does not match ours', async () => {
    expect(await client.verifyNotify(genuine, { expected: () => ({ amountFen: 8801 }) })).toEqual({ ok: false, reason: 'amount-mismatch' });
    expect(await client.verifyNotify(genuine, { expected: () => null })).toEqual({ ok: false, reason: 'unknown-order' });
    expect(await client.verifyNotify(genuine, { expected: async () => ({ amountFen: 8800, sellerId: '2088000000000999' }) })).toEqual({
      ok: false, reason: 'wrong-seller',
    });
    const otherApp = makeClient({ appId: '2021000117609999' });
    expect(await otherApp.verifyNotify(genuine, { expected })).toEqual({ ok: false, reason: 'wrong-app-id' });
  });
});

describe('notify delivery', () => {
  it('retries until the app answers exactly "success", then stops; a replay keeps its notify_id', async () => {
    const no = newOrder(2000);
    rx.answer = (p) => (rx.received.filter((q) => q.out_trade_no === p.out_trade_no).length <= 2 ? 'fail' : 'success');
    await pay(no, 2000);
    await waitFor(() => gw.notifications({ outTradeNo: no })[0]?.state === 'delivered', 5000, 'delivery');
    await new Promise((r) => setTimeout(r, 400)); // longer than the next retry would wait
    const got = rx.received.filter((p) => p.out_trade_no === no);
    expect(got).toHaveLength(3);
    expect(gw.deliveries({ outTradeNo: no }).map((d) => d.outcome)).toEqual(['rejected', 'rejected', 'success']);
    const checks = await Promise.all(got.map((p) => client.verifyNotify(p, { expected })));
    expect(checks.every((c) => c.ok)).toBe(true);
    // The app recognises the retries as the same notification: one notify_id, one trade_no.
    expect(new Set(checks.map((c) => c.ok && c.notifyId)).size).toBe(1);
    expect(new Set(checks.map((c) => c.ok && c.tradeNo)).size).toBe(1);
  });

  it('does not take "success\\n" or an HTML page as success', async () => {
    const no = newOrder(300);
    rx.answer = (p) => (rx.received.filter((q) => q.out_trade_no === p.out_trade_no).length === 1 ? 'success\n' : '<html>success</html>');
    await pay(no, 300);
    await waitFor(() => gw.notifications({ outTradeNo: no })[0]?.state === 'gave_up', 5000, 'give up');
    expect(rx.received.filter((p) => p.out_trade_no === no)).toHaveLength(1 + FAST.length);
  });

  it('keeps retrying while the app is down and delivers once it is back', async () => {
    const down = await startNotifyReceiver();
    const c = makeClient({ notifyUrl: down.url });
    const no = newOrder(4500);
    await down.stop();
    await fetch(c.pagePayUrl({ outTradeNo: no, amountFen: 4500, subject: '保证金' }));
    gw.confirmPayment(no);
    await waitFor(() => gw.deliveries({ outTradeNo: no }).length >= 2, 5000, 'failed attempts');
    expect(gw.deliveries({ outTradeNo: no }).every((d) => d.outcome === 'error')).toBe(true);
    await down.restart();
    await waitFor(() => down.received.length === 1, 5000, 'delivery after restart');
    expect((await c.verifyNotify(down.received[0], { expected })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(down.received).toHaveLength(1);
    await down.stop();
  });

  it('a lost notify is settled by queryTrade', async () => {
    const no = newOrder(6600);
    gw.dropNotifies({ outTradeNo: no });
    await pay(no, 6600);
    await waitFor(() => gw.deliveries({ outTradeNo: no }).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received.filter((p) => p.out_trade_no === no)).toHaveLength(0);
    expect(gw.deliveries({ outTradeNo: no })[0].outcome).toBe('dropped');
    const q = await client.queryTrade(no);
    expect(q).toMatchObject({ ok: true, exists: true, status: 'TRADE_SUCCESS', amountFen: 6600 });
    expect(q.ok && q.exists && q.paidAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('holds notifies while paused and sends them on resume', async () => {
    const no = newOrder(700);
    gw.pauseNotifies();
    await pay(no, 700);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received.filter((p) => p.out_trade_no === no)).toHaveLength(0);
    gw.resumeNotifies();
    await waitFor(() => rx.received.some((p) => p.out_trade_no === no));
  });
});

describe('close', () => {
  it('closes an unpaid trade, after which the cashier refuses to pay', async () => {
    const no = newOrder(990);
    const html = await openCashier(no, 990);
    expect(await client.closeTrade(no)).toMatchObject({ ok: true, outTradeNo: no });
    expect(await client.queryTrade(no)).toMatchObject({ ok: true, exists: true, status: 'TRADE_CLOSED' });
    const action = /action="(\/cashier\/[0-9a-f]+\/confirm)"/.exec(html)![1];
    const res = await fetch(`${gw.url}${action}`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('交易已关闭');
    await waitFor(() => rx.received.some((p) => p.out_trade_no === no && p.trade_status === 'TRADE_CLOSED'));
  });

  it('refuses to close a paid trade, and reports an unknown one', async () => {
    const no = newOrder(1500);
    await pay(no, 1500);
    expect(await client.closeTrade(no)).toMatchObject({ ok: false, code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' });
    expect(await client.closeTrade('NEVER-OPENED')).toMatchObject({ ok: false, subCode: 'ACQ.TRADE_NOT_EXIST' });
    expect(await client.queryTrade('NEVER-OPENED')).toEqual({ ok: true, exists: false, outTradeNo: 'NEVER-OPENED' });
  });
});

describe('refund', () => {
  it('partial refunds add up, a retried out_request_no is not paid twice, and over-refund is refused', async () => {
    const no = newOrder(10000);
    await pay(no, 10000);
    expect(await client.refund({ outTradeNo: no, outRequestNo: `${no}-R1`, amountFen: 3000, reason: '退还部分费用' }))
      .toMatchObject({ ok: true, fundChange: true, refundedTotalFen: 3000 });
    expect(await client.refund({ outTradeNo: no, outRequestNo: `${no}-R2`, amountFen: 2000 }))
      .toMatchObject({ ok: true, fundChange: true, refundedTotalFen: 5000 });
    // The same request retried (e.g. after a timeout) is answered, not executed again.
    expect(await client.refund({ outTradeNo: no, outRequestNo: `${no}-R1`, amountFen: 3000 }))
      .toMatchObject({ ok: true, fundChange: false, refundedTotalFen: 5000 });
    expect(await client.refund({ outTradeNo: no, outRequestNo: `${no}-R1`, amountFen: 3100 }))
      .toMatchObject({ ok: false, subCode: 'ACQ.DISCORDANT_REPEAT_REQUEST' });
    expect(await client.refund({ outTradeNo: no, outRequestNo: `${no}-R3`, amountFen: 5001 }))
      .toMatchObject({ ok: false, code: '40004', subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });

    expect(await client.queryRefund({ outTradeNo: no, outRequestNo: `${no}-R1` }))
      .toMatchObject({ ok: true, found: true, amountFen: 3000, status: 'REFUND_SUCCESS' });
    expect(await client.queryRefund({ outTradeNo: no, outRequestNo: `${no}-R3` })).toMatchObject({ ok: true, found: false });
    expect(gw.trade(no)!.refunds.reduce((a, r) => a + r.amountFen, 0)).toBe(5000);

    // Refunding the rest closes the trade.
    expect(await client.refund({ outTradeNo: no, outRequestNo: `${no}-R4`, amountFen: 5000 }))
      .toMatchObject({ ok: true, refundedTotalFen: 10000 });
    expect(await client.queryTrade(no)).toMatchObject({ status: 'TRADE_CLOSED' });

    // Refund notifies carry out_biz_no and the running refunded total.
    await waitFor(() => rx.received.filter((p) => p.out_trade_no === no && p.out_biz_no).length === 3);
    const last = rx.received.find((p) => p.out_biz_no === `${no}-R4`)!;
    expect(await client.verifyNotify(last, { expected })).toMatchObject({
      ok: true, status: 'TRADE_CLOSED', refund: { outRequestNo: `${no}-R4`, refundedTotalFen: 10000 },
    });
  });

  it('refuses to refund an unpaid trade', async () => {
    const no = newOrder(100);
    await openCashier(no, 100);
    expect(await client.refund({ outTradeNo: no, outRequestNo: 'X1', amountFen: 100 })).toMatchObject({ ok: false, subCode: 'ACQ.TRADE_STATUS_ERROR' });
  });
});

describe('authentication of the app by the gateway, and of the gateway by the app', () => {
  it('answers a request signed with the wrong key with isv.invalid-signature (a result, not a throw)', async () => {
    const forger = makeClient({ privateKeyPem: otherKeys.privateKeyPem });
    expect(await forger.queryTrade('ANY')).toMatchObject({
      ok: false, code: '40002', msg: 'Invalid Arguments', subCode: 'isv.invalid-signature',
    });
    const page = await fetch(forger.pagePayUrl({ outTradeNo: 'ANY', amountFen: 1, subject: 'x' }));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('isv.invalid-signature');
  });

  it('answers an unknown app_id with isv.invalid-app-id', async () => {
    const stranger = makeClient({ appId: '2021000117609999' });
    expect(await stranger.queryTrade('ANY')).toMatchObject({ ok: false, subCode: 'isv.invalid-app-id' });
  });

  it('throws when the response is not signed by the configured Alipay key (validateSign is on)', async () => {
    const fooled = makeClient({ alipayPublicKeyPem: otherKeys.publicKeyPem });
    await expect(fooled.queryTrade('ANY')).rejects.toThrow(/验签失败/);
  });

  it('accepts the bare base64 PKCS#8 key format of Alipay\'s key tool', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const bare = createPrivateKey(appKeys.privateKeyPem).export({ type: 'pkcs8', format: 'der' }).toString('base64');
    expect(await makeClient({ privateKeyPem: bare }).queryTrade('ANY')).toMatchObject({ ok: true, exists: false });
  });
});
