// Which Alipay the app talks to. Production: ALIPAY_* settings (keys from env or files). Demo mode
// without ALIPAY_GATEWAY_URL: the local gateway (docs/decisions/030) started in-process with its own
// key pair under DATA_DIR/alipay-gateway. Tests install a client of their own (setAlipayClient).
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { env } from '~/env.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { createAlipayClient, type AlipayClient } from './alipay.server';
import { FAST_NOTIFY_SCHEDULE_MS, createAlipayGateway, type AlipayGateway } from './gateway/server';

export const NOTIFY_PATH = '/api/alipay/notify';
export const RETURN_PATH = '/payments/return';

const DEMO_APP_ID = '2021000000000000';
const DEMO_SELLER_ID = '2088000000000000';

declare global {
  // One client and at most one local gateway per process, across module reloads in development.
  // eslint-disable-next-line no-var
  var __ggzyAlipay: { client: AlipayClient | null; gateway: AlipayGateway | null; sellerId: string | null } | undefined;
}

function state() {
  globalThis.__ggzyAlipay ??= { client: null, gateway: null, sellerId: null };
  return globalThis.__ggzyAlipay;
}

export class PaymentsNotConfiguredError extends Error {
  constructor() {
    super('在线支付未配置（ALIPAY_APP_ID / ALIPAY_PRIVATE_KEY / ALIPAY_PUBLIC_KEY / ALIPAY_GATEWAY_URL）');
  }
}

function readSecret(value: string | undefined, file: string | undefined, name: string): string | undefined {
  if (value) return value;
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // The path is configuration, not a secret; the content never appears in messages.
    throw new Error(`${name}_FILE: cannot read ${file}`);
  }
}

/** The client, configured from the environment on first use unless a test or start-up installed one. */
export function getAlipay(): AlipayClient {
  const s = state();
  if (s.client) return s.client;
  const e = env();
  const privateKeyPem = readSecret(e.ALIPAY_PRIVATE_KEY, e.ALIPAY_PRIVATE_KEY_FILE, 'ALIPAY_PRIVATE_KEY');
  const alipayPublicKeyPem = readSecret(e.ALIPAY_PUBLIC_KEY, e.ALIPAY_PUBLIC_KEY_FILE, 'ALIPAY_PUBLIC_KEY');
  if (!e.ALIPAY_APP_ID || !privateKeyPem || !alipayPublicKeyPem || !e.ALIPAY_GATEWAY_URL) throw new PaymentsNotConfiguredError();
  s.client = createAlipayClient({
    appId: e.ALIPAY_APP_ID,
    privateKeyPem,
    alipayPublicKeyPem,
    gatewayUrl: e.ALIPAY_GATEWAY_URL,
    sellerId: e.ALIPAY_SELLER_ID,
    notifyUrl: e.PUBLIC_BASE_URL + NOTIFY_PATH,
    returnUrl: e.PUBLIC_BASE_URL + RETURN_PATH,
  });
  s.sellerId = e.ALIPAY_SELLER_ID ?? null;
  return s.client;
}

/** False when no Alipay is configured (production without ALIPAY_*): payment jobs then stay idle. */
export function paymentsConfigured(): boolean {
  try {
    getAlipay();
    return true;
  } catch (e) {
    if (e instanceof PaymentsNotConfiguredError) return false;
    throw e;
  }
}

/** Tests (and the demo start-up) install the client they built. */
export function setAlipayClient(client: AlipayClient | null, sellerId: string | null = null) {
  const s = state();
  s.client = client;
  s.sellerId = sellerId;
}

export function localGateway(): AlipayGateway | null {
  return state().gateway;
}

function keyPairIn(dir: string, name: string): { privateKeyPem: string; publicKeyPem: string } {
  const file = path.join(dir, `${name}-private-key.pem`);
  if (!fs.existsSync(file)) {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(file, k.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKeyPem = fs.readFileSync(file, 'utf8');
  const publicKeyPem = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKeyPem, publicKeyPem };
}

/**
 * Start-up: in demo mode without ALIPAY_GATEWAY_URL, run the local gateway in this process (on
 * ALIPAY_GATEWAY_PORT or a free port) and point the client at it. It shares the platform clock, so
 * moving the demo clock also ages trades at the gateway.
 */
export async function startPayments(): Promise<{ mode: 'local-gateway' | 'alipay' | 'off'; gatewayUrl?: string }> {
  const e = env();
  const s = state();
  if (e.ALIPAY_GATEWAY_URL) {
    getAlipay(); // fail at start-up, naming the variable, rather than at the first payment
    return { mode: 'alipay', gatewayUrl: e.ALIPAY_GATEWAY_URL };
  }
  if (!e.DEMO_MODE) return { mode: 'off' };
  if (s.gateway) return { mode: 'local-gateway', gatewayUrl: s.gateway.gatewayUrl };
  const dir = path.join(e.DATA_DIR, 'alipay-gateway');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const app = keyPairIn(dir, 'app');
  const appId = e.ALIPAY_APP_ID ?? DEMO_APP_ID;
  const sellerId = e.ALIPAY_SELLER_ID ?? DEMO_SELLER_ID;
  s.gateway = await createAlipayGateway({
    appId,
    appPublicKeyPem: app.publicKeyPem,
    gatewayKeyPair: keyPairIn(dir, 'gateway'),
    sellerId,
    merchantName: '江城市公共资源交易中心',
    dataDir: dir,
    notifySchedule: FAST_NOTIFY_SCHEDULE_MS,
    clock: now,
    port: e.ALIPAY_GATEWAY_PORT ?? 0,
    // The cashier must be reachable by the demo browser; only loopback otherwise.
    host: '127.0.0.1',
  });
  s.client = createAlipayClient({
    appId,
    privateKeyPem: app.privateKeyPem,
    alipayPublicKeyPem: s.gateway.publicKeyPem,
    gatewayUrl: s.gateway.gatewayUrl,
    sellerId,
    notifyUrl: e.PUBLIC_BASE_URL + NOTIFY_PATH,
    returnUrl: e.PUBLIC_BASE_URL + RETURN_PATH,
  });
  s.sellerId = sellerId;
  log.info('payments.local-gateway', { gatewayUrl: s.gateway.gatewayUrl, appId, sellerId });
  return { mode: 'local-gateway', gatewayUrl: s.gateway.gatewayUrl };
}

export async function stopPayments() {
  const s = state();
  const g = s.gateway;
  s.gateway = null;
  s.client = null;
  if (g) await g.close();
}

export function paymentSettings() {
  const e = env();
  return { orderTimeoutMinutes: e.PAYMENT_ORDER_TIMEOUT_MINUTES, depositInterestRate: e.DEPOSIT_INTEREST_RATE };
}
