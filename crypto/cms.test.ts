import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signData, verifySignedData } from './cms.js';
import { CryptoVerifyError } from './errors.js';
import { sha256, utf8 } from './hash.js';
import { certInfo, createCrl, createRootCa, issueCertificate } from './pki.js';
import { fuzz } from './testkit.js';

const OPENSSL = '/usr/bin/openssl';
const hasOpenssl = spawnSync(OPENSSL, ['version']).status === 0;
if (!hasOpenssl) console.log('openssl not found: skipping OpenSSL interop cases');

let dir: string;
const file = (n: string) => path.join(dir, n);
function ossl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(OPENSSL, args, { cwd: dir });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => 'ACCEPTED',
    (err: unknown) => err,
  );
  if (e === 'ACCEPTED') return e;
  if (!(e instanceof CryptoVerifyError)) throw new Error(`not a CryptoVerifyError: ${String(e)}`);
  expect(e.message).toMatch(/\w{3,}/);
  return e.code;
}

type Ca = Awaited<ReturnType<typeof createRootCa>>;
type Issued = Awaited<ReturnType<typeof issueCertificate>>;
let ca: Ca;
let rsa: Issued;
let ec: Issued;
const content = utf8('投标文件 bid document v1\n'.repeat(20));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cms-test-'));
  ca = await createRootCa({ commonName: 'CMS Test Root', rsaBits: 2048, now: new Date(Date.now() - 30 * 86_400_000) });
  rsa = await issueCertificate({ ca, role: 'bidder', commonName: 'RSA Bidder', organization: '甲公司', rsaBits: 2048 });
  ec = await issueCertificate({ ca, role: 'bidder', commonName: 'EC Bidder', alg: 'EC' });
  writeFileSync(file('ca.pem'), ca.certPem);
  writeFileSync(file('content.bin'), content);
  for (const [n, c] of Object.entries({ rsa, ec })) {
    writeFileSync(file(`${n}.pem`), c.certPem);
    writeFileSync(file(`${n}.key`), c.keyPem!);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = [
  { name: 'RSA-PSS', who: () => rsa, scheme: 'pss' as const },
  { name: 'RSA PKCS#1 v1.5', who: () => rsa, scheme: 'pkcs1' as const },
  { name: 'ECDSA P-256', who: () => ec, scheme: 'ecdsa' as const },
];

describe('signData / verifySignedData', () => {
  for (const c of cases) {
    for (const detached of [false, true]) {
      it(`${c.name} ${detached ? 'detached' : 'attached'}: verifies here and with openssl cms -verify`, async () => {
        const signer = c.who();
        const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
        const sig = await signData({ content, signerCert: signer.cert, signerKey: signer.privateKey!, detached, scheme: c.scheme, signingTime });
        const r = await verifySignedData({ signedData: sig, content: detached ? content : undefined, trustAnchors: [ca.cert] });
        expect(r.signer.commonName).toBe(signer === rsa ? 'RSA Bidder' : 'EC Bidder');
        expect(r.signingTime).toEqual(signingTime);
        expect(r.content).toEqual(content);
        expect(r.signerCert).toEqual(signer.cert);
        // the content must be present for a detached signature, and must be the signed content
        if (detached) expect(await codeOf(verifySignedData({ signedData: sig, trustAnchors: [ca.cert] }))).toBe('CONTENT_MISSING');
        expect(await codeOf(verifySignedData({ signedData: sig, content: utf8('other'), trustAnchors: [ca.cert] }))).toBe('DIGEST_MISMATCH');
        if (!hasOpenssl) return;
        writeFileSync(file('sig.p7s'), sig);
        const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.p7s', '-CAfile', 'ca.pem', '-out', 'out.bin'];
        const v = ossl(detached ? [...args, '-content', 'content.bin'] : args);
        expect(v.out).toContain('Verification successful');
        expect(v.status).toBe(0);
        expect(readFileSync(file('out.bin'))).toEqual(Buffer.from(content));
        // OpenSSL sees the signed attributes we promise (DER-sorted SET OF, signingCertificateV2)
        const dump = execFileSync(OPENSSL, ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'sig.p7s'], { cwd: dir }).toString();
        expect(dump).toContain('id-smime-aa-signingCertificateV2');
        expect(dump).toContain('signingTime');
      });
    }
  }

  it('signs a precomputed digest of large data without holding it (detached)', async () => {
    const big = new Uint8Array(8 * 1024 * 1024).fill(7);
    const digest = await sha256(big);
    const sig = await signData({ contentDigest: digest, signerCert: ec.cert, signerKey: ec.privateKey!, detached: true });
    expect(sig.length).toBeLessThan(4000);
    await verifySignedData({ signedData: sig, contentDigest: digest, trustAnchors: [ca.cert] });
    await verifySignedData({ signedData: sig, content: big, trustAnchors: [ca.cert] });
    big[0] ^= 1;
    expect(await codeOf(verifySignedData({ signedData: sig, content: big, trustAnchors: [ca.cert] }))).toBe('DIGEST_MISMATCH');
  });

  it.skipIf(!hasOpenssl)('verifies openssl cms -sign output (attached and detached, RSA and EC)', async () => {
    for (const who of ['rsa', 'ec']) {
      for (const detached of [false, true]) {
        const out = `o-${who}-${detached}.p7s`;
        const args = ['cms', '-sign', '-binary', '-outform', 'DER', '-md', 'sha256', '-in', 'content.bin', '-signer', `${who}.pem`, '-inkey', `${who}.key`, '-out', out];
        const r = ossl(detached ? args : [...args, '-nodetach']);
        expect(r.status, r.out).toBe(0);
        const sig = readFileSync(file(out));
        const v = await verifySignedData({ signedData: sig, content: detached ? content : undefined, trustAnchors: [ca.cert] });
        expect(v.signer.commonName).toBe(who === 'rsa' ? 'RSA Bidder' : 'EC Bidder');
        expect(v.signingTime).toBeInstanceOf(Date);
      }
    }
    // RSA-PSS from OpenSSL too
    const r = ossl(['cms', '-sign', '-binary', '-outform', 'DER', '-md', 'sha256', '-in', 'content.bin', '-signer', 'rsa.pem', '-inkey', 'rsa.key', '-keyopt', 'rsa_padding_mode:pss', '-nodetach', '-out', 'pss.p7s']);
    expect(r.status, r.out).toBe(0);
    await verifySignedData({ signedData: readFileSync(file('pss.p7s')), trustAnchors: [ca.cert] });
  });
});

describe('the certificate set', () => {
  /** The SignedData's `certificates [0]` with `edit` applied to its members, re-encoded. */
  function withBag(sig: Uint8Array, edit: (members: asn1js.AsnType[]) => void): Uint8Array {
    const ci = asn1js.fromBER(sig).result as asn1js.Sequence;
    const sd = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
    const bag = sd.valueBlock.value[3] as asn1js.Constructed;
    expect(bag.idBlock.tagClass).toBe(3);
    edit(bag.valueBlock.value as asn1js.AsnType[]);
    return new Uint8Array(ci.toBER(false));
  }

  it('verifies with the signer certificate taken from the set, and refuses a set holding anything but X.509 certificates', async () => {
    const sig = await signData({ content, signerCert: rsa.cert, signerKey: rsa.privateKey!, scheme: 'pss' });
    const same = withBag(sig, () => {});
    const ok = await verifySignedData({ signedData: same, trustAnchors: [ca.cert] });
    expect(ok.signerCert).toEqual(rsa.cert);
    // An attribute-certificate arm ([1] v1AttrCert) beside the signer certificate.
    const odd = withBag(sig, (m) => m.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.Integer({ value: 1 })] })));
    expect(await codeOf(verifySignedData({ signedData: odd, trustAnchors: [ca.cert] }))).toBe('MALFORMED');
    // Without the signer certificate in the set the signer is unknown.
    const empty = withBag(sig, (m) => m.splice(0, m.length));
    expect(await codeOf(verifySignedData({ signedData: empty, trustAnchors: [ca.cert] }))).toBe('SIGNER_CERT_MISSING');
  });
});

describe('every mutation is rejected with a reason', () => {
  it('flipped byte in the signature value', async () => {
    const sig = await signData({ content, signerCert: ec.cert, signerKey: ec.privateKey!, scheme: 'ecdsa' });
    // the signature value is the last OCTET STRING; flip inside r
    const bad = sig.slice();
    bad[bad.length - 20] ^= 0x01;
    expect(await codeOf(verifySignedData({ signedData: bad, trustAnchors: [ca.cert] }))).toBe('SIGNATURE_INVALID');
    const rsaSig = await signData({ content, signerCert: rsa.cert, signerKey: rsa.privateKey!, scheme: 'pss' });
    const badRsa = rsaSig.slice();
    badRsa[badRsa.length - 1] ^= 0x80;
    expect(await codeOf(verifySignedData({ signedData: badRsa, trustAnchors: [ca.cert] }))).toBe('SIGNATURE_INVALID');
  });

  it('flipped byte in the embedded signer certificate', async () => {
    const sig = await signData({ content, signerCert: ec.cert, signerKey: ec.privateKey!, scheme: 'ecdsa' });
    const at = Buffer.from(sig).indexOf(Buffer.from(ec.cert));
    expect(at).toBeGreaterThan(0);
    const codes = new Set<string>();
    for (const off of [60, 120, 200, ec.cert.length - 40, ec.cert.length - 5]) {
      const bad = sig.slice();
      bad[at + off] ^= 0x04;
      codes.add(await codeOf(verifySignedData({ signedData: bad, trustAnchors: [ca.cert] })));
    }
    expect(codes.has('ACCEPTED')).toBe(false);
  });

  it('expired, not-yet-valid, untrusted and revoked signer certificates', async () => {
    const now = Date.now();
    const old = await issueCertificate({ ca, role: 'bidder', commonName: 'Old', alg: 'EC', notBefore: new Date(now - 10 * 86_400_000), validDays: 5 });
    const sigOld = await signData({ content, signerCert: old.cert, signerKey: old.privateKey! });
    expect(await codeOf(verifySignedData({ signedData: sigOld, trustAnchors: [ca.cert] }))).toBe('CERT_EXPIRED');
    // signed while valid (trusted time from a timestamp) is accepted
    await verifySignedData({ signedData: sigOld, trustAnchors: [ca.cert], at: new Date(now - 7 * 86_400_000) });
    // a back-dated signingTime cannot rescue an expired certificate when a trusted time is given
    const backdated = await signData({ content, signerCert: old.cert, signerKey: old.privateKey!, signingTime: new Date(now - 7 * 86_400_000) });
    expect(await codeOf(verifySignedData({ signedData: backdated, trustAnchors: [ca.cert], at: new Date() }))).toBe('CERT_EXPIRED');
    const future = await issueCertificate({ ca, role: 'bidder', commonName: 'Future', alg: 'EC', notBefore: new Date(now + 86_400_000) });
    const sigF = await signData({ content, signerCert: future.cert, signerKey: future.privateKey! });
    expect(await codeOf(verifySignedData({ signedData: sigF, trustAnchors: [ca.cert] }))).toBe('CERT_NOT_YET_VALID');

    const otherCa = await createRootCa({ commonName: 'CMS Test Root', alg: 'EC' }); // same name, other key
    const sig = await signData({ content, signerCert: ec.cert, signerKey: ec.privateKey! });
    expect(await codeOf(verifySignedData({ signedData: sig, trustAnchors: [otherCa.cert] }))).toBe('CERT_SIGNATURE_INVALID');
    const stranger = await createRootCa({ commonName: 'Stranger', alg: 'EC' });
    expect(await codeOf(verifySignedData({ signedData: sig, trustAnchors: [stranger.cert] }))).toBe('CERT_UNTRUSTED');

    const crl = await createCrl({ ca, revoked: [{ serialHex: certInfo(ec.cert).serialHex, date: new Date(now - 1000) }] });
    expect(await codeOf(verifySignedData({ signedData: sig, trustAnchors: [ca.cert], crls: [crl] }))).toBe('CERT_REVOKED');
    const unrelated = await createCrl({ ca, revoked: [{ serialHex: '01', date: new Date(now - 1000) }] });
    await verifySignedData({ signedData: sig, trustAnchors: [ca.cert], crls: [unrelated] });
  });

  it('a certificate that is not allowed to sign documents (TSA, opening key)', async () => {
    const tsa = await issueCertificate({ ca, role: 'tsa', commonName: 'TSA', alg: 'EC' });
    const sig = await signData({ content, signerCert: tsa.cert, signerKey: tsa.privateKey! });
    expect(await codeOf(verifySignedData({ signedData: sig, trustAnchors: [ca.cert] }))).toBe('EKU_MISSING');
    const opening = await issueCertificate({ ca, role: 'opening', commonName: 'Opening', alg: 'EC' });
    const key = await crypto.subtle.importKey('pkcs8', Buffer.from(opening.keyPem!.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const sig2 = await signData({ content, signerCert: opening.cert, signerKey: key });
    expect(await codeOf(verifySignedData({ signedData: sig2, trustAnchors: [ca.cert] }))).toBe('KEY_USAGE_MISSING');
  });

  it('a substituted certificate with the same key, issuer and serial (signingCertificateV2)', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const serial = new Uint8Array([0x11, 0x22, 0x33, 0x44]);
    const notBefore = new Date(Date.now() - 60_000);
    const a = await issueCertificate({ ca, role: 'bidder', commonName: 'Alice Co', publicKey: pair.publicKey, serial, notBefore });
    const b = await issueCertificate({ ca, role: 'bidder', commonName: 'Mallory', publicKey: pair.publicKey, serial, notBefore });
    expect(b.cert.length).toBe(a.cert.length - 1);
    const b2 = await issueCertificate({ ca, role: 'bidder', commonName: 'Mallory!', publicKey: pair.publicKey, serial, notBefore });
    expect(b2.cert.length).toBe(a.cert.length);
    const sig = await signData({ content, signerCert: a.cert, signerKey: pair.privateKey });
    const at = Buffer.from(sig).indexOf(Buffer.from(a.cert));
    const swapped = sig.slice();
    swapped.set(b2.cert, at);
    expect(await codeOf(verifySignedData({ signedData: swapped, trustAnchors: [ca.cert] }))).toBe('SIGNING_CERT_MISMATCH');
  });

  it.skipIf(!hasOpenssl)('two signers', async () => {
    const r = ossl(['cms', '-sign', '-binary', '-outform', 'DER', '-md', 'sha256', '-nodetach', '-in', 'content.bin', '-signer', 'rsa.pem', '-inkey', 'rsa.key', '-signer', 'ec.pem', '-inkey', 'ec.key', '-out', 'two.p7s']);
    expect(r.status, r.out).toBe(0);
    expect(await codeOf(verifySignedData({ signedData: readFileSync(file('two.p7s')), trustAnchors: [ca.cert] }))).toBe('WRONG_SIGNER_COUNT');
  });

  it('fuzz: 10,000 random mutations and truncations end in a clean CryptoVerifyError', { timeout: 300_000 }, async () => {
    // no extra chain certificate: an unused certificate in the bag is not covered by any signature
    const sig = await signData({ content: content.subarray(0, 64), signerCert: ec.cert, signerKey: ec.privateKey! });
    const t0 = Date.now();
    const codes = await fuzz(sig, 10_000, (m) => verifySignedData({ signedData: m, trustAnchors: [ca.cert] }));
    console.log(`cms fuzz: 10000 mutations of ${sig.length} bytes in ${Date.now() - t0} ms`, JSON.stringify(codes));
    expect(Object.keys(codes).length).toBeGreaterThan(3);
  });
});
