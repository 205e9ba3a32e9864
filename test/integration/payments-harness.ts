// Shared by the payment tests: a test database, the local Alipay gateway (real protocol, real
// signatures), the real alipay-sdk client, and the app's notify route served by a real node:http
// server that a test can stop and start again (the app going down).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { createAlipayClient, type AlipayClient } from '~/modules/payments/alipay.server';
import { setAlipayClient } from '~/modules/payments/config.server';
import { formatShanghai, rsa2Sign, signContent } from '~/modules/payments/gateway/protocol';
import { createAlipayGateway, type AlipayGateway } from '~/modules/payments/gateway/server';
import { rsaKeyPair, waitFor } from '~/modules/payments/gateway/test-helpers';
import { createOrder, payUrlFor, type OrderPurpose } from '~/modules/payments/orders.server';
import { action as notifyAction } from '~/routes/api.alipay.notify';
import { useTestDatabase } from '../setup/db';
import { createUser } from '../setup/fixtures';

export const APP_ID = '2021000117609999';
export const SELLER_ID = '2088621000009999';
export const FAST_SCHEDULE = [60, 120, 120, 200, 300, 400, 500];
export const appKeys = rsaKeyPair();
export const gatewayKeys = rsaKeyPair();

export interface AppServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The notify route behind a real HTTP server, as Express would hand it the request. */
async function startAppServer(port = 0): Promise<AppServer> {
  let server: Server;
  const s: AppServer = {
    url: '',
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async start() {
      server = createServer(async (req, res) => {
        const request = new Request(`http://127.0.0.1:${s.port}${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: req.method === 'POST' ? (Readable.toWeb(req) as ReadableStream) : undefined,
          duplex: 'half',
        } as RequestInit);
        const r = (await notifyAction({ request, params: {}, context: {} })) as Response;
        res.writeHead(r.status, Object.fromEntries(r.headers));
        res.end(await r.text());
      });
      await new Promise<void>((r) => server.listen(s.port, '127.0.0.1', () => r()));
      s.port = (server.address() as AddressInfo).port;
      s.url = `http://127.0.0.1:${s.port}/api/alipay/notify`;
    },
  };
  await s.start();
  return s;
}

export function usePaymentsEnv(opts: { schedule?: number[] } = {}) {
  const ref = useTestDatabase();
  const env = {} as { gateway: AlipayGateway; client: AlipayClient; app: AppServer; db: typeof ref };
  env.db = ref;
  beforeAll(async () => {
    process.env.TZ = 'Asia/Shanghai';
    env.app = await startAppServer();
    env.gateway = await createAlipayGateway({
      appId: APP_ID, appPublicKeyPem: appKeys.publicKeyPem, gatewayKeyPair: gatewayKeys, sellerId: SELLER_ID,
      notifySchedule: opts.schedule ?? FAST_SCHEDULE, clock: now, testControls: true,
    });
    env.client = createAlipayClient({
      appId: APP_ID, privateKeyPem: appKeys.privateKeyPem, alipayPublicKeyPem: env.gateway.publicKeyPem,
      gatewayUrl: env.gateway.gatewayUrl, sellerId: SELLER_ID, notifyUrl: env.app.url,
      returnUrl: 'http://127.0.0.1:3000/payments/return',
    });
    setAlipayClient(env.client, SELLER_ID);
  });
  beforeEach(() => {
    env.gateway.clearNotifyDrops();
    env.gateway.resumeNotifies();
    setAlipayClient(env.client, SELLER_ID);
  });
  afterAll(async () => {
    await env.gateway.close();
    await env.app.stop().catch(() => {});
    setAlipayClient(null);
  });
  return env;
}

export async function payer() {
  const u = await createUser('bidder');
  return { userId: u.id, orgId: u.organizationId! };
}

export async function newOrder(input: { purpose?: OrderPurpose; amountFen?: number; refId?: string; refType?: string; who?: { userId: string; orgId: string } } = {}) {
  const who = input.who ?? (await payer());
  const prisma = await getPrisma();
  const o = await prisma.$transaction((tx) =>
    createOrder(tx, {
      purpose: input.purpose ?? 'bid_deposit', refType: input.refType ?? 'tender', refId: input.refId ?? 'T-1',
      payerOrgId: who.orgId, payerUserId: who.userId, amountFen: input.amountFen ?? 5_000_00, subject: '测试项目投标保证金',
    }),
  );
  return { ...o, who };
}

/** The buyer opens Alipay's cashier (that creates the trade at Alipay) and presses 确认付款. */
export async function payAtCashier(gateway: AlipayGateway, orderId: string, outTradeNo: string) {
  const url = await payUrlFor(orderId);
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`cashier: HTTP ${res.status} ${await res.text()}`);
  await res.text();
  return gateway.confirmPayment(outTradeNo);
}

export async function orderRow(id: string) {
  return (await getPrisma()).paymentOrder.findUniqueOrThrow({ where: { id } });
}

export async function waitForStatus(id: string, status: string, timeoutMs = 10_000) {
  let last = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = (await orderRow(id)).status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`order ${id} stayed ${last}, expected ${status}`);
}

/** Signs notify fields as Alipay does (sorted, without sign and sign_type), with any key. */
export function signNotify(fields: Record<string, string>, privateKeyPem = gatewayKeys.privateKeyPem): Record<string, string> {
  const p: Record<string, string> = { ...fields, notify_time: fields.notify_time ?? formatShanghai(now()) };
  delete p.sign;
  p.sign = rsa2Sign(signContent(p, ['sign', 'sign_type']), privateKeyPem);
  return p;
}

export async function postNotify(url: string, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: new URLSearchParams(params).toString() });
  return { status: res.status, text: await res.text() };
}

export async function ledgerTotals(filter: { refType?: string; refId?: string; partyOrgId?: string } = {}) {
  const prisma = await getPrisma();
  const rows = await prisma.ledgerEntry.groupBy({ by: ['account'], where: filter, _sum: { debitFen: true, creditFen: true } });
  const net: Record<string, number> = {};
  for (const r of rows) net[r.account] = (r._sum.debitFen ?? 0) - (r._sum.creditFen ?? 0);
  return net;
}

export { waitFor };

/** A key pair nobody trusts (forged signatures, a client that cannot check responses). */
export function rsaKeyPairForTest() {
  return rsaKeyPair();
}
