// Trust services demo data: the platform PKI, certificates for the demo bidders, tenderers and
// supervisors with their keys as password-protected .p12 files under ${DATA_DIR}/demo-keys/
// (password Demo2026!), one superseded-and-revoked certificate so the CRL is not empty, and
// signed tree heads over the audit log.
import fs from 'node:fs';
import path from 'node:path';
import { env } from '~/env.server';
import { SYSTEM_ACTOR } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { log } from '~/modules/log.server';
import { enrollLocally, enrolmentP12 } from '~/modules/pki/local-enroll.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { revokeCertificate } from '~/modules/pki/user-certs.server';
import { signTreeHeadNow } from '~/modules/transparency/log.server';
import { DEMO_PASSWORD } from './accounts';
import type { SeedContext } from './seed';

const DEMO_KEY_ROLES = new Set(['bidder', 'tenderer', 'supervisor']);

export function demoKeysDir() {
  return path.join(env().DATA_DIR, 'demo-keys');
}

export async function seedTrust(ctx: SeedContext) {
  const pki = await getPlatformPki();
  const dir = demoKeysDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  await signTreeHeadNow();
  const users = [...ctx.users.values()].filter((u) => DEMO_KEY_ROLES.has(u.role));
  // Demo histories (bids, contracts, openings) are dated up to months back: certificates from then.
  const notBefore = new Date(now().getTime() - 180 * 86_400_000);
  for (const u of users) {
    if (u.username === 'bidder6') {
      // An earlier certificate, replaced: shows a revoked entry on the CRL and on the account page.
      const old = await enrollLocally(SYSTEM_ACTOR, u.id, { notBefore });
      await revokeCertificate({ ...SYSTEM_ACTOR, role: 'admin', name: '交易中心管理员' }, old.certificateId, 'superseded');
    }
    const e = await enrollLocally(SYSTEM_ACTOR, u.id, { notBefore });
    const p12 = await enrolmentP12(e, [pki.ca.cert], DEMO_PASSWORD, u.displayName);
    fs.writeFileSync(path.join(dir, `${u.username}.p12`), p12, { mode: 0o600 });
  }
  await signTreeHeadNow();
  log.info('seed.trust', { certificates: users.length, keys: dir });
}
