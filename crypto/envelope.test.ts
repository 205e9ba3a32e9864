import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { yieldToEventLoop } from './testkit';
import {
  decryptEnvelope,
  decryptWithContentKey,
  der,
  encryptEnvelope,
  inspectEnvelope,
  parseEnvelope,
  unwrapContentKey,
} from './envelope.js';
import { CryptoVerifyError } from './errors.js';
import { utf8 } from './hash.js';
import { makeTestPki, type TestPki } from './seal-test-pki.js';

const OPENSSL = '/usr/bin/openssl';
const hasOpenssl = existsSync(OPENSSL);

let pki: TestPki;
let content: Uint8Array;
let envelope: Uint8Array;

beforeAll(async () => {
  pki = await makeTestPki();
  content = crypto.getRandomValues(new Uint8Array(5000));
  envelope = await encryptEnvelope({ content, recipients: [pki.opening.cert, pki.bidder.cert] });
});

async function rejectCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CryptoVerifyError) return e.code;
    throw e;
  }
  throw new Error('expected a CryptoVerifyError, got success');
}

function flipAt(b: Uint8Array, i: number): Uint8Array {
  const c = b.slice();
  c[i] ^= 0x01;
  return c;
}

describe('AuthEnvelopedData round trip', () => {
  it('each recipient decrypts the same plaintext and inspect lists both recipients', async () => {
    for (const r of [pki.opening, pki.bidder]) {
      const out = await decryptEnvelope({ envelope, recipientCert: r.cert, recipientKey: r.decryptKey });
      expect(out).toEqual(content);
    }
    const info = inspectEnvelope(envelope);
    expect(info.contentType).toBe('1.2.840.113549.1.7.1');
    expect(info.encryptedSize).toBe(content.length);
    expect(info.recipients).toHaveLength(2);
    expect(info.recipients.every((r) => r.issuer.includes('CN=测试根CA'))).toBe(true);
  });

  it('unwrapContentKey + decryptWithContentKey gives the same plaintext (bidder-side unwrap)', async () => {
    const key = await unwrapContentKey({ envelope, recipientCert: pki.bidder.cert, recipientKey: pki.bidder.decryptKey });
    expect(key).toHaveLength(32);
    expect(await decryptWithContentKey({ envelope, contentKey: key })).toEqual(content);
    const wrong = key.slice();
    wrong[0] ^= 1;
    expect(await rejectCode(decryptWithContentKey({ envelope, contentKey: wrong }))).toBe('DECRYPT_FAILED');
  });

  it('empty content works', async () => {
    const e = await encryptEnvelope({ content: new Uint8Array(0), recipients: [pki.opening.cert] });
    expect(await decryptEnvelope({ envelope: e, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey })).toEqual(new Uint8Array(0));
  });

  it('authAttrs are readable without the key and covered by the GCM tag', async () => {
    const attr = { type: '2.25.1', values: [der(0x0c, utf8('T-2024-001'))] };
    const e = await encryptEnvelope({ content, recipients: [pki.opening.cert], authAttrs: [attr] });
    const info = inspectEnvelope(e);
    expect(info.authAttrs).toHaveLength(1);
    expect(info.authAttrs[0].values[0]).toEqual(attr.values[0]);
    expect(await decryptEnvelope({ envelope: e, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey })).toEqual(content);
    // change "T-2024-001" into "T-2024-002" inside the authAttrs
    const idx = Buffer.from(e).indexOf(Buffer.from('T-2024-001'));
    const t = e.slice();
    t[idx + 9] = '2'.charCodeAt(0);
    expect(inspectEnvelope(t).authAttrs[0].values[0]).toEqual(der(0x0c, utf8('T-2024-002')));
    expect(await rejectCode(decryptEnvelope({ envelope: t, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey }))).toBe('DECRYPT_FAILED');
  });
});

describe('AuthEnvelopedData rejects tampering with a reason', () => {
  const open = (e: Uint8Array) => decryptEnvelope({ envelope: e, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey });

  it('flipped byte in the ciphertext', async () => {
    const p = parseEnvelope(envelope);
    expect(await rejectCode(open(flipAt(envelope, p.ciphertext!.start + 100)))).toBe('DECRYPT_FAILED');
  });

  it('flipped byte in the tag (mac)', async () => {
    expect(await rejectCode(open(flipAt(envelope, envelope.length - 3)))).toBe('DECRYPT_FAILED');
  });

  it('flipped byte in the nonce', async () => {
    const p = parseEnvelope(envelope);
    const at = p.nonce.byteOffset - envelope.byteOffset;
    expect(await rejectCode(open(flipAt(envelope, at + 4)))).toBe('DECRYPT_FAILED');
  });

  it('flipped byte in the encrypted key', async () => {
    const p = parseEnvelope(envelope);
    expect(p.keyTrans).toHaveLength(2);
    for (const k of p.keyTrans) {
      const at = k.encryptedKey.byteOffset - envelope.byteOffset + 10;
      const t = flipAt(envelope, at);
      const code = await rejectCode(open(t)).catch(() => 'OK');
      const pb = await rejectCode(
        decryptEnvelope({ envelope: t, recipientCert: pki.bidder.cert, recipientKey: pki.bidder.decryptKey }),
      ).catch(() => 'OK');
      // exactly one of the two recipients is hurt by this flip; the other still opens
      expect([code, pb].sort()).toEqual(['DECRYPT_FAILED', 'OK']);
    }
  });

  it('a certificate the envelope is not addressed to → WRONG_RECIPIENT', async () => {
    expect(
      await rejectCode(decryptEnvelope({ envelope, recipientCert: pki.outsider.cert, recipientKey: pki.outsider.decryptKey })),
    ).toBe('WRONG_RECIPIENT');
  });

  it('the right certificate with another private key → DECRYPT_FAILED', async () => {
    expect(
      await rejectCode(decryptEnvelope({ envelope, recipientCert: pki.opening.cert, recipientKey: pki.outsider.decryptKey })),
    ).toBe('DECRYPT_FAILED');
  });

  it('truncation and trailing garbage → MALFORMED', async () => {
    expect(await rejectCode(open(envelope.subarray(0, envelope.length - 1)))).toBe('MALFORMED');
    const longer = new Uint8Array(envelope.length + 1);
    longer.set(envelope);
    expect(await rejectCode(open(longer))).toBe('MALFORMED');
    expect(() => inspectEnvelope(new Uint8Array(0))).toThrow(CryptoVerifyError);
  });

  it('fuzz: 10,000 random mutations and truncations give a clean error or the exact plaintext', async () => {
    // A small envelope with one recipient: every byte is either parsed strictly or authenticated.
    const small = crypto.getRandomValues(new Uint8Array(64));
    const e = await encryptEnvelope({ content: small, recipients: [pki.opening.cert] });
    const cek = await unwrapContentKey({ envelope: e, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey });
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const [riStart, riEnd] = parseEnvelope(e).recipientInfosRange;
    const codes = new Map<string, number>();
    let acceptedUnused = 0;
    for (let i = 0; i < 10_000; i++) {
      if (i % 250 === 0) await yieldToEventLoop();
      let m: Uint8Array;
      const kind = rnd(4);
      if (kind === 0) m = e.subarray(0, rnd(e.length));
      else {
        m = e.slice();
        const flips = 1 + rnd(3);
        for (let f = 0; f < flips; f++) m[rnd(m.length)] = kind === 1 ? m[rnd(m.length)] ^ (1 << rnd(8)) : rnd(256);
      }
      const fullPath = i % 10 === 0;
      let out: Uint8Array | undefined;
      try {
        inspectEnvelope(m);
        // RSA on every case would take minutes; the full path runs for one case in ten.
        out = fullPath
          ? await decryptEnvelope({ envelope: m, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey })
          : await decryptWithContentKey({ envelope: m, contentKey: cek });
      } catch (err) {
        if (!(err instanceof CryptoVerifyError)) throw new Error(`mutation ${i} threw a non-CryptoVerifyError: ${String(err)}`);
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
        continue;
      }
      // Accepted: the plaintext must be the original, and the change must be a no-op or confined
      // to the recipientInfos, which GCM does not cover and the content-key path never reads.
      expect(out).toEqual(small);
      const changed: number[] = [];
      for (let k = 0; k < e.length; k++) if (m[k] !== e[k]) changed.push(k);
      if (changed.length > 0) {
        expect(fullPath).toBe(false);
        expect(changed.every((k) => k >= riStart && k < riEnd)).toBe(true);
        acceptedUnused++;
      }
    }
    expect(codes.get('MALFORMED')).toBeGreaterThan(1000);
    expect(codes.get('DECRYPT_FAILED')).toBeGreaterThan(100);
    expect(acceptedUnused).toBeGreaterThan(0);
  }, 120_000);
});

describe.skipIf(!hasOpenssl)('OpenSSL interop', () => {
  const run = (args: string[]) => spawnSync(OPENSSL, args, { encoding: 'buffer' });

  it('openssl cms -decrypt opens our envelope for every recipient', () => {
    const envPath = path.join(pki.dir, 'ours.p7m');
    writeFileSync(envPath, envelope);
    for (const r of [pki.opening, pki.bidder]) {
      const out = path.join(pki.dir, 'ours.out');
      const res = run(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', envPath, '-recip', r.certPath, '-inkey', r.keyPath, '-out', out]);
      expect(res.status, res.stderr.toString()).toBe(0);
      expect(new Uint8Array(readFileSync(out))).toEqual(content);
    }
  });

  it('openssl cms -decrypt fails (non-zero exit) on our envelope with a flipped ciphertext byte', () => {
    const p = parseEnvelope(envelope);
    const envPath = path.join(pki.dir, 'tampered.p7m');
    writeFileSync(envPath, flipAt(envelope, p.ciphertext!.start + 7));
    const res = run(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', envPath, '-recip', pki.opening.certPath, '-inkey', pki.opening.keyPath, '-out', path.join(pki.dir, 'tampered.out')]);
    expect(res.status).not.toBe(0);
  });

  it.each([['DER', []], ['streamed BER (indefinite lengths)', ['-stream']]] as const)(
    'we open what openssl cms -encrypt -aes-256-gcm (RSA-OAEP-SHA256) writes: %s',
    async (_label, extra) => {
      const inPath = path.join(pki.dir, 'plain.bin');
      const envPath = path.join(pki.dir, `openssl${extra.length}.p7m`);
      writeFileSync(inPath, content);
      const res = run([
        'cms', '-encrypt', '-binary', ...extra, '-aes-256-gcm', '-in', inPath, '-outform', 'DER', '-out', envPath,
        '-recip', pki.opening.certPath, '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256',
        '-recip', pki.bidder.certPath, '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256',
      ]);
      expect(res.status, res.stderr.toString()).toBe(0);
      const env = new Uint8Array(readFileSync(envPath));
      for (const r of [pki.opening, pki.bidder]) {
        expect(await decryptEnvelope({ envelope: env, recipientCert: r.cert, recipientKey: r.decryptKey })).toEqual(content);
      }
      expect(inspectEnvelope(env).recipients).toHaveLength(2);
    },
  );

  it('an OpenSSL envelope using the default OAEP-SHA1 is refused as UNSUPPORTED_ALGORITHM, not mis-decrypted', async () => {
    const inPath = path.join(pki.dir, 'plain.bin');
    const envPath = path.join(pki.dir, 'sha1.p7m');
    writeFileSync(inPath, content);
    const res = run(['cms', '-encrypt', '-binary', '-aes-256-gcm', '-in', inPath, '-outform', 'DER', '-out', envPath, '-recip', pki.opening.certPath, '-keyopt', 'rsa_padding_mode:oaep']);
    expect(res.status, res.stderr.toString()).toBe(0);
    const env = new Uint8Array(readFileSync(envPath));
    expect(await rejectCode(decryptEnvelope({ envelope: env, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey }))).toBe('UNSUPPORTED_ALGORITHM');
  });
});
