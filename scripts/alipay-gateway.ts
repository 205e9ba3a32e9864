// Runs the local Alipay gateway for development and demos:
//   npx tsx scripts/alipay-gateway.ts --port 9090 --notify-schedule fast
// Without --app-public-key it creates (once) an application key pair in the data dir, so the app can
// point ALIPAY_* settings at the files printed below. See docs/decisions/030-local-alipay-gateway.md.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALIPAY_NOTIFY_SCHEDULE_MS, FAST_NOTIFY_SCHEDULE_MS, createAlipayGateway,
} from '../app/modules/payments/gateway/server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9090' },
    host: { type: 'string', default: '127.0.0.1' },
    'notify-schedule': { type: 'string', default: 'fast' },
    'app-id': { type: 'string', default: process.env.ALIPAY_APP_ID ?? '2021000000000000' },
    'seller-id': { type: 'string', default: process.env.ALIPAY_SELLER_ID ?? '2088000000000000' },
    'app-public-key': { type: 'string' },
    'data-dir': { type: 'string', default: 'data/alipay-gateway' },
    'merchant-name': { type: 'string', default: '公共资源交易中心（本地测试）' },
    'test-controls': { type: 'boolean', default: true },
    'no-test-controls': { type: 'boolean', default: false },
  },
});

const schedules: Record<string, number[]> = { fast: FAST_NOTIFY_SCHEDULE_MS, real: ALIPAY_NOTIFY_SCHEDULE_MS };
// fast | real | a comma-separated list of delays in ms (e.g. 50,100,100)
const schedule = schedules[values['notify-schedule']!] ??
  (/^\d+(,\d+)*$/.test(values['notify-schedule']!) ? values['notify-schedule']!.split(',').map(Number) : undefined);
if (!schedule) {
  console.error(`--notify-schedule must be fast, real or a list of ms, got ${values['notify-schedule']}`);
  process.exit(2);
}
const dataDir = path.resolve(values['data-dir']!);
mkdirSync(dataDir, { recursive: true });

let appPublicKeyPem: string;
if (values['app-public-key']) {
  appPublicKeyPem = createPublicKey(readFileSync(values['app-public-key'], 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
} else {
  const privFile = path.join(dataDir, 'app-private-key.pem');
  if (!existsSync(privFile)) {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(privFile, k.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  appPublicKeyPem = createPublicKey(createPrivateKey(readFileSync(privFile, 'utf8'))).export({ type: 'spki', format: 'pem' }).toString();
}

const gateway = await createAlipayGateway({
  appId: values['app-id']!,
  appPublicKeyPem,
  sellerId: values['seller-id']!,
  merchantName: values['merchant-name'],
  dataDir,
  notifySchedule: schedule,
  host: values.host,
  port: Number(values.port),
  testControls: values['test-controls']! && !values['no-test-controls'],
});
const alipayKeyFile = path.join(dataDir, 'alipay-public-key.pem');
writeFileSync(alipayKeyFile, gateway.publicKeyPem);

console.log(`local Alipay gateway: ${gateway.gatewayUrl}
  app_id            ${gateway.appId}
  seller_id         ${gateway.sellerId}
  Alipay public key ${alipayKeyFile}
  app private key   ${values['app-public-key'] ? '(yours)' : path.join(dataDir, 'app-private-key.pem')}
  notify schedule   ${values['notify-schedule']} (${schedule.map((ms) => `${ms / 1000}s`).join(', ')})
  test hooks        ${values['test-controls'] && !values['no-test-controls'] ? `${gateway.url}/__test/...` : 'off'}`);

const stop = async () => {
  await gateway.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
