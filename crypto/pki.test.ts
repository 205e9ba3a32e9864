import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoVerifyError } from './errors.js';
import {
  certInfo,
  certPublicKey,
  createCrl,
  createRootCa,
  crlInfo,
  derToPem,
  exportPkcs12,
  importPkcs12,
  importPrivateKeyPem,
  issueCertificate,
  pemToDer,
  validateChain,
} from './pki.js';

const OPENSSL = '/usr/bin/openssl';
const hasOpenssl = spawnSync(OPENSSL, ['version']).status === 0;
if (!hasOpenssl) console.log('openssl not found: skipping OpenSSL interop cases');

let dir: string;
function ossl(args: string[], input?: Uint8Array): string {
  return execFileSync(OPENSSL, args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}
function osslStatus(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(OPENSSL, args, { cwd: dir });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
async function rejects(p: Promise<unknown>, code: string) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected rejection ${code}`).toBeInstanceOf(CryptoVerifyError);
  expect((e as CryptoVerifyError).code).toBe(code);
  expect((e as CryptoVerifyError).message.length).toBeGreaterThan(10);
}

type Ca = Awaited<ReturnType<typeof createRootCa>>;
let rsaCa: Ca;
let ecCa: Ca;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pki-test-'));
  rsaCa = await createRootCa({ commonName: '测试平台根CA', organization: '公共资源交易中心', rsaBits: 2048 });
  ecCa = await createRootCa({ commonName: 'EC Root', alg: 'EC' });
  writeFileSync(path.join(dir, 'rsa-ca.pem'), rsaCa.certPem);
  writeFileSync(path.join(dir, 'ec-ca.pem'), ecCa.certPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PEM helpers', () => {
  it('round-trips DER through PEM and reads the first block', () => {
    const der = new Uint8Array(Array.from({ length: 200 }, (_, i) => i));
    const pem = derToPem(der, 'CERTIFICATE');
    expect(pem.split('\n')[1]).toHaveLength(64);
    expect(pemToDer(pem + derToPem(new Uint8Array([1]), 'CERTIFICATE'))).toEqual(der);
    expect(() => pemToDer('not pem')).toThrow(CryptoVerifyError);
  });
});

describe('issuing', () => {
  it('issues role certificates that OpenSSL accepts, with the profile of each role', async () => {
    const bidder = await issueCertificate({
      ca: rsaCa,
      role: 'bidder',
      commonName: '某某建设有限公司',
      organization: '某某建设有限公司',
      creditCode: '91320100MA1XXXXX0K',
      alg: 'EC',
    });
    const tsa = await issueCertificate({ ca: rsaCa, role: 'tsa', commonName: 'Platform TSA', rsaBits: 2048 });
    const opening = await issueCertificate({ ca: rsaCa, role: 'opening', commonName: 'Opening key T-2026-001', rsaBits: 2048 });
    const platform = await issueCertificate({ ca: rsaCa, role: 'platform', commonName: 'Record signer', alg: 'EC' });
    const info = certInfo(bidder.cert);
    expect(info).toMatchObject({ commonName: '某某建设有限公司', organization: '某某建设有限公司', creditCode: '91320100MA1XXXXX0K', issuer: 'O=公共资源交易中心, CN=测试平台根CA' });
    expect(info.serialHex).toMatch(/^[0-9a-f]{32}$/);
    expect(bidder.privateKey?.algorithm.name).toBe('ECDSA');
    expect(tsa.privateKey?.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
    expect(opening.privateKey?.algorithm.name).toBe('RSA-OAEP');
    if (!hasOpenssl) return;
    const files = { bidder, tsa, opening, platform };
    for (const [name, c] of Object.entries(files)) writeFileSync(path.join(dir, `${name}.pem`), c.certPem);
    expect(ossl(['verify', '-CAfile', 'rsa-ca.pem', 'bidder.pem', 'tsa.pem', 'opening.pem', 'platform.pem'])).toContain('bidder.pem: OK');
    expect(ossl(['verify', '-purpose', 'smimesign', '-CAfile', 'rsa-ca.pem', 'bidder.pem'])).toContain('OK');
    const text = (n: string) => ossl(['x509', '-in', `${n}.pem`, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus']);
    const b = text('bidder');
    expect(b).toMatch(/Subject: O=某某建设有限公司,\s?serialNumber=91320100MA1XXXXX0K,\s?CN=某某建设有限公司/);
    expect(b).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation, Key Agreement/);
    expect(b).toMatch(/Extended Key Usage:\s+E-mail Protection, TLS Web Client Authentication/);
    expect(text('tsa')).toMatch(/Extended Key Usage: critical\s+Time Stamping\n/);
    expect(text('opening')).toMatch(/Key Usage: critical\s+Key Encipherment, Data Encipherment/);
    expect(text('platform')).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text('platform')).not.toContain('Extended Key Usage');
    expect(ossl(['x509', '-in', 'rsa-ca.pem', '-noout', '-text'])).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
  });

  it('certifies a browser-generated public key without ever seeing the private key', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const issued = await issueCertificate({ ca: ecCa, role: 'user', commonName: 'browser user', publicKey: pair.publicKey });
    expect(issued.privateKey).toBeUndefined();
    expect(issued.keyPem).toBeUndefined();
    const pub = await certPublicKey(issued.cert, 'verify');
    const msg = new TextEncoder().encode('x');
    const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, msg);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pub, sig, msg)).toBe(true);
    await validateChain({ cert: issued.cert, trustAnchors: [ecCa.cert], purpose: 'sign' });
  });

  it('imports PKCS#8 keys for the requested algorithm and rejects other PEM kinds', async () => {
    const c = await issueCertificate({ ca: ecCa, role: 'opening', commonName: 'k', rsaBits: 2048 });
    expect((await importPrivateKeyPem(c.keyPem!, 'decrypt')).algorithm.name).toBe('RSA-OAEP');
    expect((await importPrivateKeyPem(c.keyPem!, 'sign')).algorithm.name).toBe('RSA-PSS');
    expect((await importPrivateKeyPem(c.keyPem!, 'sign', { alg: 'RSASSA-PKCS1-v1_5' })).algorithm.name).toBe('RSASSA-PKCS1-v1_5');
    await expect(importPrivateKeyPem(c.keyPem!.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'), 'sign')).rejects.toThrow(/PKCS#8/);
  });
});

describe('validateChain', () => {
  it('accepts a valid chain and rejects each broken property with its own code', async () => {
    const now = new Date();
    const user = await issueCertificate({ ca: ecCa, role: 'bidder', commonName: 'u', alg: 'EC', notBefore: new Date(now.getTime() - 86_400_000), validDays: 10 });
    await validateChain({ cert: user.cert, trustAnchors: [ecCa.cert], purpose: 'sign' });
    await rejects(validateChain({ cert: user.cert, trustAnchors: [ecCa.cert], at: new Date(now.getTime() + 20 * 86_400_000) }), 'CERT_EXPIRED');
    await rejects(validateChain({ cert: user.cert, trustAnchors: [ecCa.cert], at: new Date(now.getTime() - 5 * 86_400_000) }), 'CERT_NOT_YET_VALID');
    await rejects(validateChain({ cert: user.cert, trustAnchors: [rsaCa.cert] }), 'CERT_UNTRUSTED');
    await rejects(validateChain({ cert: user.cert, trustAnchors: [] }), 'CERT_UNTRUSTED');
    await rejects(validateChain({ cert: user.cert, trustAnchors: [ecCa.cert], purpose: 'timestamp' }), 'EKU_MISSING');
    const tsa = await issueCertificate({ ca: ecCa, role: 'tsa', commonName: 't', alg: 'EC' });
    await rejects(validateChain({ cert: tsa.cert, trustAnchors: [ecCa.cert], purpose: 'sign' }), 'EKU_MISSING');
    await validateChain({ cert: tsa.cert, trustAnchors: [ecCa.cert], purpose: 'timestamp' });
    const opening = await issueCertificate({ ca: ecCa, role: 'opening', commonName: 'o', alg: 'EC' });
    await rejects(validateChain({ cert: opening.cert, trustAnchors: [ecCa.cert], purpose: 'sign' }), 'KEY_USAGE_MISSING');
    await validateChain({ cert: opening.cert, trustAnchors: [ecCa.cert], purpose: 'encrypt' });
    // a leaf cannot act as an issuer
    const child = await issueCertificate({ ca: { cert: user.cert, privateKey: user.privateKey! }, role: 'user', commonName: 'c', alg: 'EC' });
    await rejects(validateChain({ cert: child.cert, intermediates: [user.cert], trustAnchors: [ecCa.cert] }), 'CERT_INVALID');
  });

  it('rejects a certificate whose bytes were altered', async () => {
    const user = await issueCertificate({ ca: ecCa, role: 'bidder', commonName: 'flip-me', alg: 'EC' });
    const at = user.cert.length - 200; // inside the TBS public key / extensions
    const bad = user.cert.slice();
    bad[at] ^= 0x01;
    const e = await validateChain({ cert: bad, trustAnchors: [ecCa.cert] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CryptoVerifyError);
    expect(['CERT_SIGNATURE_INVALID', 'MALFORMED', 'CERT_UNTRUSTED']).toContain((e as CryptoVerifyError).code);
    const sigFlip = user.cert.slice();
    sigFlip[sigFlip.length - 3] ^= 0x40;
    await rejects(validateChain({ cert: sigFlip, trustAnchors: [ecCa.cert] }), 'CERT_SIGNATURE_INVALID');
    await rejects(validateChain({ cert: user.cert.subarray(0, 100), trustAnchors: [ecCa.cert] }), 'MALFORMED');
  });

  it('walks an intermediate CA and checks revocation in the CRL the platform publishes', async () => {
    const user = await issueCertificate({ ca: rsaCa, role: 'bidder', commonName: 'to-revoke', alg: 'EC' });
    const other = await issueCertificate({ ca: rsaCa, role: 'bidder', commonName: 'fine', alg: 'EC' });
    const revokedAt = new Date(Date.now() - 60_000);
    const crl = await createCrl({ ca: rsaCa, revoked: [{ serialHex: certInfo(user.cert).serialHex, date: revokedAt }] });
    expect(crlInfo(crl).revoked).toEqual([{ serialHex: certInfo(user.cert).serialHex, date: new Date(Math.floor(revokedAt.getTime() / 1000) * 1000) }]);
    await rejects(validateChain({ cert: user.cert, trustAnchors: [rsaCa.cert], crls: [crl] }), 'CERT_REVOKED');
    await validateChain({ cert: other.cert, trustAnchors: [rsaCa.cert], crls: [crl] });
    // signed before the revocation at a trusted time: still valid then
    await validateChain({ cert: user.cert, trustAnchors: [rsaCa.cert], crls: [crl], at: new Date(revokedAt.getTime() - 30_000) });
    // a CRL signed by someone else is refused, not silently ignored
    const forged = await createCrl({ ca: { cert: rsaCa.cert, privateKey: ecCa.privateKey }, revoked: [] });
    await rejects(validateChain({ cert: other.cert, trustAnchors: [rsaCa.cert], crls: [forged] }), 'CRL_INVALID');
    if (hasOpenssl) {
      writeFileSync(path.join(dir, 'crl.pem'), derToPem(crl, 'X509 CRL'));
      writeFileSync(path.join(dir, 'revoked.pem'), derToPem(user.cert, 'CERTIFICATE'));
      const r = osslStatus(['verify', '-crl_check', '-CAfile', 'rsa-ca.pem', '-CRLfile', 'crl.pem', 'revoked.pem']);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain('certificate revoked');
    }
  });
});

describe('external CA hierarchy', () => {
  it.skipIf(!hasOpenssl)('validates through an intermediate CA made by openssl, and needs it', async () => {
    writeFileSync(path.join(dir, 'root.key'), rsaCa.keyPem);
    ossl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'int.key', '-subj', '/O=Licensed CA/CN=Licensed Issuing CA', '-out', 'int.csr']);
    writeFileSync(path.join(dir, 'int.ext'), 'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n');
    ossl(['x509', '-req', '-in', 'int.csr', '-CA', 'rsa-ca.pem', '-CAkey', 'root.key', '-set_serial', '4660', '-days', '30', '-extfile', 'int.ext', '-out', 'int.pem']);
    const intCert = pemToDer(readFileSync(path.join(dir, 'int.pem'), 'utf8'));
    const intKey = await importPrivateKeyPem(readFileSync(path.join(dir, 'int.key'), 'utf8'), 'sign');
    const leaf = await issueCertificate({ ca: { cert: intCert, privateKey: intKey }, role: 'bidder', commonName: 'via intermediate', alg: 'EC' });
    const { path: chain } = await validateChain({ cert: leaf.cert, intermediates: [intCert], trustAnchors: [rsaCa.cert], purpose: 'sign' });
    expect(chain).toEqual([leaf.cert, intCert, rsaCa.cert]);
    await rejects(validateChain({ cert: leaf.cert, trustAnchors: [rsaCa.cert] }), 'CERT_UNTRUSTED');
    // the intermediate itself may be configured as the trust anchor (e.g. a provincial CA)
    await validateChain({ cert: leaf.cert, trustAnchors: [intCert], purpose: 'sign' });
    writeFileSync(path.join(dir, 'leaf.pem'), leaf.certPem);
    expect(ossl(['verify', '-CAfile', 'rsa-ca.pem', '-untrusted', 'int.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
  });
});

describe('PKCS#12', () => {
  it('exports a .p12 that openssl opens and imports it back', async () => {
    for (const alg of ['RSA', 'EC'] as const) {
      const c = await issueCertificate({ ca: rsaCa, role: 'bidder', commonName: `p12 ${alg}`, alg, rsaBits: 2048 });
      const p12 = await exportPkcs12({ cert: c.cert, keyPem: c.keyPem!, chain: [rsaCa.cert], password: 's3cret!' });
      const back = await importPkcs12(p12, 's3cret!');
      expect(back.cert).toEqual(c.cert);
      expect(back.chain).toEqual([rsaCa.cert]);
      // the key still signs for the certificate
      const key = await importPrivateKeyPem(back.keyPem, 'sign');
      const pub = await certPublicKey(c.cert, 'verify');
      const algo = alg === 'EC' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSA-PSS', saltLength: 32 };
      const sig = await crypto.subtle.sign(algo, key, new Uint8Array([1]));
      expect(await crypto.subtle.verify(algo, pub, sig, new Uint8Array([1]))).toBe(true);
      await rejects(importPkcs12(p12, 'wrong'), 'BAD_PASSWORD');
      if (hasOpenssl) {
        writeFileSync(path.join(dir, 'ours.p12'), p12);
        const out = ossl(['pkcs12', '-in', 'ours.p12', '-nodes', '-passin', 'pass:s3cret!']);
        expect(out).toContain('-----BEGIN PRIVATE KEY-----');
        expect(out.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
        expect(osslStatus(['pkcs12', '-in', 'ours.p12', '-info', '-noout', '-passin', 'pass:s3cret!']).out).toMatch(/MAC: sha256[\s\S]*PBES2, PBKDF2, AES-256-CBC/);
      }
    }
  });

  it.skipIf(!hasOpenssl)('imports .p12 files made by openssl (AES-256/PBKDF2 default and legacy 3DES)', async () => {
    const c = await issueCertificate({ ca: ecCa, role: 'bidder', commonName: 'from openssl', alg: 'EC' });
    writeFileSync(path.join(dir, 'o.pem'), c.certPem);
    writeFileSync(path.join(dir, 'o.key'), c.keyPem!);
    writeFileSync(path.join(dir, 'ec-ca.pem'), ecCa.certPem);
    ossl(['pkcs12', '-export', '-in', 'o.pem', '-inkey', 'o.key', '-certfile', 'ec-ca.pem', '-passout', 'pass:pw', '-out', 'o.p12']);
    ossl(['pkcs12', '-export', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-in', 'o.pem', '-inkey', 'o.key', '-passout', 'pass:pw', '-out', 'o3.p12']);
    for (const f of ['o.p12', 'o3.p12']) {
      const back = await importPkcs12(readFileSync(path.join(dir, f)), 'pw');
      expect(back.cert).toEqual(c.cert);
      expect(pemToDer(back.keyPem)).toEqual(pemToDer(c.keyPem!));
    }
    await rejects(importPkcs12(readFileSync(path.join(dir, 'o.p12')), 'nope'), 'BAD_PASSWORD');
  });
});
