import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptEnvelope, parseEnvelope, unwrapContentKey, decryptEnvelope } from './envelope.js';
import { CryptoVerifyError } from './errors.js';
import { sha256, toHex } from './hash.js';
import { canonicalJson, inspectSealedBid, openBid, sealBid, sealedBidContent, type SealedBid, type SealPhase } from './seal.js';
import { makeTestPki, type TestPki } from './seal-test-pki.js';

const OPENSSL = '/usr/bin/openssl';

let pki: TestPki;
let fileA: Uint8Array;
let fileB: Uint8Array;
let sealed: SealedBid;
let progress: [SealPhase, number, number][];
const binding = { tenderId: 'T-2024-001', sectionId: '1', bidderId: 'bidder-42' };

beforeAll(async () => {
  pki = await makeTestPki();
  fileA = randomBytes(300_000);
  fileB = new TextEncoder().encode('技术标：施工组织设计……');
  progress = [];
  sealed = await sealBid(
    {
      ...binding,
      form: { priceFen: 123_456_789, durationDays: 180, qualityPromise: '合格' },
      files: [
        { name: '商务标.pdf', bytes: fileA },
        { name: '技术标.txt', bytes: fileB },
      ],
      signerCert: pki.bidder.cert,
      signerKey: pki.bidder.signKey,
      recipients: [pki.opening.cert],
    },
    { onProgress: (phase, done, total) => progress.push([phase, done, total]) },
  );
});

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 65_536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65_536)));
  return b;
}

async function rejectCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CryptoVerifyError) return e.code;
    throw e;
  }
  throw new Error('expected a CryptoVerifyError, got success');
}

const openAsOpener = (envelope: Uint8Array, expect = binding) =>
  openBid({ envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey, trustAnchors: [pki.ca.cert], expect });

/** Re-encrypts a bid after changing its plaintext, as an insider with the content would. */
async function reseal(mutate: (c: { signedManifest: Uint8Array; files: Uint8Array[] }) => void): Promise<Uint8Array> {
  const plain = await decryptEnvelope({ envelope: sealed.envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey });
  const c = sealedBidContent.parse(plain);
  const copy = { signedManifest: c.signedManifest.slice(), files: c.files.map((f) => f.slice()) };
  mutate(copy);
  return encryptEnvelope({ content: sealedBidContent.build(copy.signedManifest, copy.files), recipients: [pki.opening.cert] });
}

describe('sealBid / openBid', () => {
  it('the opening key opens the bid: manifest, files, signer', async () => {
    const bid = await openAsOpener(sealed.envelope);
    expect(bid.manifest).toMatchObject({ v: 1, ...binding, form: { priceFen: 123_456_789, durationDays: 180 } });
    expect(bid.manifest.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(bid.files.map((f) => f.name)).toEqual(['商务标.pdf', '技术标.txt']);
    expect(bid.files[0].bytes).toEqual(fileA);
    expect(bid.files[1].bytes).toEqual(fileB);
    expect(bid.manifest.files[0]).toEqual({ name: '商务标.pdf', size: fileA.length, sha256: toHex(await sha256(fileA)) });
    expect(bid.signer.commonName).toBe('甲建设有限公司');
    expect(bid.signer.sha256).toBe(toHex(await sha256(pki.bidder.cert)));
  });

  it('the bidder decrypts its own bid in the browser and hands over only the content key', async () => {
    const contentKey = await unwrapContentKey({ envelope: sealed.envelope, recipientCert: pki.bidder.cert, recipientKey: pki.bidder.decryptKey });
    const bid = await openBid({ envelope: sealed.envelope, contentKey, trustAnchors: [pki.ca.cert], expect: binding });
    expect(bid.files[1].bytes).toEqual(fileB);
  });

  it('two seals of the same bid differ (fresh nonce, key and IV)', async () => {
    const again = await sealBid({ ...binding, form: {}, files: [], signerCert: pki.bidder.cert, signerKey: pki.bidder.signKey, recipients: [pki.opening.cert] });
    const again2 = await sealBid({ ...binding, form: {}, files: [], signerCert: pki.bidder.cert, signerKey: pki.bidder.signKey, recipients: [pki.opening.cert] });
    expect(again.manifest.nonce).not.toBe(again2.manifest.nonce);
    expect((await openAsOpener(again.envelope)).files).toEqual([]);
  });

  it('reports progress per phase, monotonic, ending at the total', () => {
    const total = fileA.length + fileB.length;
    expect(progress[0]).toEqual(['hash', 0, total]);
    expect(progress).toContainEqual(['hash', fileA.length, total]);
    expect(progress).toContainEqual(['sign', 1, 1]);
    expect(progress[progress.length - 1]).toEqual(['encrypt', total, total]);
    const order = progress.map((p) => ['hash', 'sign', 'encrypt'].indexOf(p[0]));
    expect([...order].sort()).toEqual(order);
  });

  it('canonical JSON sorts keys and is what the signature covers', () => {
    expect(canonicalJson({ b: 1, a: [true, null, '中'], c: { y: 2, x: 1 } })).toBe('{"a":[true,null,"中"],"b":1,"c":{"x":1,"y":2}}');
    expect(() => canonicalJson({ a: NaN })).toThrow();
  });
});

describe('sealBid options', () => {
  it('an EC (ECDSA) bidder seals to the opening key only; the bid opens and the signer is checked', async () => {
    const { issueCertificate, createRootCa } = await import('./pki.js');
    const ca = await createRootCa({ commonName: 'EC root', alg: 'EC' });
    const ec = await issueCertificate({ ca: { cert: ca.cert, privateKey: ca.privateKey }, role: 'bidder', commonName: '丙公司', alg: 'EC' });
    const s = await sealBid({ ...binding, form: {}, files: [{ name: 'a', bytes: fileB }], signerCert: ec.cert, signerKey: ec.privateKey!, recipients: [pki.opening.cert] });
    expect((await inspectSealedBid({ envelope: s.envelope })).recipients).toHaveLength(1);
    const bid = await openBid({ envelope: s.envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey, trustAnchors: [ca.cert], expect: binding, submission: s.submission });
    expect(bid.signer.commonName).toBe('丙公司');
  });

  it('openBid with the stored submission: accepted when it matches, rejected for another envelope', async () => {
    const args = { recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey, trustAnchors: [pki.ca.cert], expect: binding };
    await openBid({ envelope: sealed.envelope, submission: sealed.submission, ...args });
    const other = await sealBid({ ...binding, form: {}, files: [], signerCert: pki.bidder.cert, signerKey: pki.bidder.signKey, recipients: [pki.opening.cert] });
    expect(await rejectCode(openBid({ envelope: sealed.envelope, submission: other.submission, ...args }))).toBe('DIGEST_MISMATCH');
  });
});

describe('openBid rejects with a reason', () => {
  it('bid sealed for tender A opened as tender B → BINDING_MISMATCH', async () => {
    expect(await rejectCode(openAsOpener(sealed.envelope, { ...binding, tenderId: 'T-2024-002' }))).toBe('BINDING_MISMATCH');
  });

  it('bid sealed for section 1 opened as section 2 → BINDING_MISMATCH', async () => {
    expect(await rejectCode(openAsOpener(sealed.envelope, { ...binding, sectionId: '2' }))).toBe('BINDING_MISMATCH');
  });

  it('bid opened as another bidder → BINDING_MISMATCH; pinned signer mismatch → SIGNER_MISMATCH', async () => {
    expect(await rejectCode(openAsOpener(sealed.envelope, { ...binding, bidderId: 'bidder-7' }))).toBe('BINDING_MISMATCH');
    expect(
      await rejectCode(
        openBid({
          envelope: sealed.envelope,
          recipientCert: pki.opening.cert,
          recipientKey: pki.opening.decryptKey,
          trustAnchors: [pki.ca.cert],
          expect: binding,
          signerCertSha256: toHex(await sha256(pki.bidder2.cert)),
        }),
      ),
    ).toBe('SIGNER_MISMATCH');
  });

  it('flipped byte in ciphertext / tag / encrypted key → DECRYPT_FAILED', async () => {
    const p = parseEnvelope(sealed.envelope);
    const flip = (at: number) => {
      const c = sealed.envelope.slice();
      c[at] ^= 0x80;
      return c;
    };
    expect(p.keyTrans).toHaveLength(2);
    expect(await rejectCode(openAsOpener(flip(p.ciphertext!.start + 5000)))).toBe('DECRYPT_FAILED');
    expect(await rejectCode(openAsOpener(flip(sealed.envelope.length - 1)))).toBe('DECRYPT_FAILED');
    for (const k of p.keyTrans) {
      const c = flip(k.encryptedKey.byteOffset - sealed.envelope.byteOffset + 100);
      const asOpener = await rejectCode(openAsOpener(c)).catch(() => 'OK');
      const asBidder = await rejectCode(
        unwrapContentKey({ envelope: c, recipientCert: pki.bidder.cert, recipientKey: pki.bidder.decryptKey }),
      ).catch(() => 'OK');
      expect([asOpener, asBidder].sort()).toEqual(['DECRYPT_FAILED', 'OK']);
    }
  });

  it('flipped byte in the inner signature → SIGNATURE_INVALID', async () => {
    const env = await reseal((c) => {
      c.signedManifest[c.signedManifest.length - 1] ^= 0x01; // the signature value ends the SignerInfo
    });
    expect(await rejectCode(openAsOpener(env))).toBe('SIGNATURE_INVALID');
  });

  it('a file changed inside the envelope → DIGEST_MISMATCH; a file dropped → DIGEST_MISMATCH', async () => {
    expect(await rejectCode(openAsOpener(await reseal((c) => void (c.files[0][17] ^= 1))))).toBe('DIGEST_MISMATCH');
    expect(await rejectCode(openAsOpener(await reseal((c) => void c.files.pop())))).toBe('DIGEST_MISMATCH');
  });

  it('wrong recipient key → DECRYPT_FAILED; certificate not addressed → WRONG_RECIPIENT', async () => {
    expect(
      await rejectCode(openBid({ envelope: sealed.envelope, recipientCert: pki.opening.cert, recipientKey: pki.outsider.decryptKey, trustAnchors: [pki.ca.cert], expect: binding })),
    ).toBe('DECRYPT_FAILED');
    expect(
      await rejectCode(openBid({ envelope: sealed.envelope, recipientCert: pki.outsider.cert, recipientKey: pki.outsider.decryptKey, trustAnchors: [pki.ca.cert], expect: binding })),
    ).toBe('WRONG_RECIPIENT');
  });

  it('signer not under the trust anchors → CERT_UNTRUSTED', async () => {
    const r = openBid({ envelope: sealed.envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey, trustAnchors: [pki.otherCa.cert], expect: binding });
    expect(await rejectCode(r)).toBe('CERT_UNTRUSTED');
  });

  it('fuzz: 1,000 mutations of a sealed bid through inspectSealedBid and openBid give clean errors', { timeout: 300_000 }, async () => {
    const small = await sealBid({ ...binding, form: { p: 1 }, files: [{ name: 'a', bytes: new Uint8Array(100) }], signerCert: pki.bidder.cert, signerKey: pki.bidder.signKey, recipients: [pki.opening.cert] });
    const cek = await unwrapContentKey({ envelope: small.envelope, recipientCert: pki.opening.cert, recipientKey: pki.opening.decryptKey });
    const [riStart, riEnd] = parseEnvelope(small.envelope).recipientInfosRange;
    let seed = 99;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 1000; i++) {
      const m = small.envelope.slice();
      const at = rnd(m.length);
      m[at] ^= 1 << rnd(8);
      try {
        await inspectSealedBid({ envelope: m, openingCert: pki.opening.cert });
        await openBid({ envelope: m, contentKey: cek, trustAnchors: [pki.ca.cert], expect: binding });
      } catch (e) {
        if (!(e instanceof CryptoVerifyError)) throw new Error(`mutation at ${at}: ${String(e)}`);
        continue;
      }
      // only the (unauthenticated, unused with a content key) recipient infos may change unnoticed
      expect(at >= riStart && at < riEnd).toBe(true);
    }
  });
});

describe('inspectSealedBid (server side, no key)', () => {
  it('accepts a well-formed bid addressed to the opening cert with a matching signed submission', async () => {
    const info = await inspectSealedBid({
      envelope: sealed.envelope,
      submission: sealed.submission,
      openingCert: pki.opening.cert,
      trustAnchors: [pki.ca.cert],
      expect: binding,
    });
    expect(info.size).toBe(sealed.envelope.length);
    expect(info.envelopeSha256).toBe(sealed.envelopeSha256);
    expect(info.recipients).toHaveLength(2);
    expect(info.statement).toMatchObject({ ...binding, envelopeSha256: sealed.envelopeSha256 });
    expect(info.signer?.commonName).toBe('甲建设有限公司');
  });

  it('rejects: not addressed to the opening cert, other tender, other section, swapped envelope, too large', async () => {
    const base = { envelope: sealed.envelope, submission: sealed.submission, trustAnchors: [pki.ca.cert] };
    expect(await rejectCode(inspectSealedBid({ ...base, openingCert: pki.outsider.cert }))).toBe('WRONG_RECIPIENT');
    expect(await rejectCode(inspectSealedBid({ ...base, expect: { ...binding, tenderId: 'T-B' } }))).toBe('BINDING_MISMATCH');
    expect(await rejectCode(inspectSealedBid({ ...base, expect: { ...binding, sectionId: '2' } }))).toBe('BINDING_MISMATCH');
    const other = await sealBid({ ...binding, form: {}, files: [], signerCert: pki.bidder.cert, signerKey: pki.bidder.signKey, recipients: [pki.opening.cert] });
    expect(await rejectCode(inspectSealedBid({ ...base, envelope: other.envelope }))).toBe('DIGEST_MISMATCH');
    expect(await rejectCode(inspectSealedBid({ ...base, maxSize: 1000 }))).toBe('TOO_LARGE');
    const trunc = sealed.envelope.subarray(0, sealed.envelope.length - 10);
    expect(await rejectCode(inspectSealedBid({ envelope: trunc }))).toBe('MALFORMED');
  });
});

describe.skipIf(!existsSync(OPENSSL))('auditor path with OpenSSL only', () => {
  it('openssl cms -decrypt opens the bid and openssl cms -verify checks the bidder signature on the manifest', async () => {
    const envPath = path.join(pki.dir, 'bid.p7m');
    const outPath = path.join(pki.dir, 'bid.content');
    writeFileSync(envPath, sealed.envelope);
    const dec = spawnSync(OPENSSL, ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', envPath, '-recip', pki.opening.certPath, '-inkey', pki.opening.keyPath, '-out', outPath]);
    expect(dec.status, dec.stderr.toString()).toBe(0);
    const { signedManifest, files } = sealedBidContent.parse(new Uint8Array(readFileSync(outPath)));
    expect(files[0]).toEqual(fileA);
    const sigPath = path.join(pki.dir, 'manifest.p7s');
    writeFileSync(sigPath, signedManifest);
    const ver = spawnSync(OPENSSL, ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-CAfile', pki.ca.certPath, '-purpose', 'any']);
    expect(ver.status, ver.stderr.toString()).toBe(0);
    const manifest = JSON.parse(ver.stdout.toString('utf8'));
    expect(manifest).toMatchObject(binding);
    expect(manifest.files[0].sha256).toBe(toHex(await sha256(fileA)));
  });
});
