// Secrets kept by the platform until their moment: the random-draw seed (until the draw) and the
// quotes of price competitions and comparisons (until sign-up closes). Both are AES-256-GCM
// sealed under a key derived per purchase, so a database dump alone reveals neither
// (docs/decisions/081-sealed-quotes-server-side.md).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { env } from '~/env.server';

let master: Buffer | undefined;

function masterKey(): Buffer {
  if (master) return master;
  const e = env();
  if (e.SESSION_SECRET) {
    master = Buffer.from(crypto.hkdfSync('sha256', e.SESSION_SECRET, 'ggzy-market', 'market-seal-master', 32));
    return master;
  }
  const file = path.join(e.DATA_DIR, 'market-seal-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(e.DATA_DIR, { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch {
      // another process created it first
    }
  }
  master = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  return master;
}

/** Tests change DATA_DIR / SESSION_SECRET between files. */
export function resetSealKey() {
  master = undefined;
}

function keyFor(scope: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey(), Buffer.from(scope, 'utf8'), 'market-seal-v1', 32));
}

/** base64(iv ‖ ciphertext ‖ tag); the scope (e.g. "quote:<purchaseId>:<agencyId>") is bound as AAD. */
export function seal(scope: string, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', keyFor(scope), iv);
  c.setAAD(Buffer.from(scope, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64');
}

export function unseal(scope: string, sealed: string): string {
  const b = Buffer.from(sealed, 'base64');
  const d = crypto.createDecipheriv('aes-256-gcm', keyFor(scope), b.subarray(0, 12));
  d.setAAD(Buffer.from(scope, 'utf8'));
  d.setAuthTag(b.subarray(b.length - 16));
  return Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]).toString('utf8');
}

/** Receipt for a sealed quote: SHA-256 over the amount and a random nonce, published at the close. */
export function quoteDigest(purchaseId: string, agencyId: string, fen: number, nonce: string): string {
  return crypto.createHash('sha256').update(`quote-v1\n${purchaseId}\n${agencyId}\n${fen}\n${nonce}`).digest('hex');
}
