import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz } from './testkit.js';
import { CryptoVerifyError } from './errors.js';
import { sha256, toHex, utf8 } from './hash.js';
import { certInfo, createCrl, createRootCa, importPrivateKeyPem, issueCertificate, pemToDer } from './pki.js';
import {
  DEFAULT_TSA_POLICY,
  createTimeStampRequest,
  createTimeStampResponse,
  parseTimeStampRequest,
  requestTimeStamp,
  verifyTimeStamp,
} from './tsp.js';

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
  return e.code;
}

type Ca = Awaited<ReturnType<typeof createRootCa>>;
type Issued = Awaited<ReturnType<typeof issueCertificate>>;
let ca: Ca;
let tsaRsa: Issued;
let tsaEc: Issued;
const data = utf8('开标记录 opening record #42\n');
let digest: Uint8Array;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsp-test-'));
  ca = await createRootCa({ commonName: 'TSP Test Root', rsaBits: 2048, now: new Date(Date.now() - 30 * 86_400_000) });
  tsaRsa = await issueCertificate({ ca, role: 'tsa', commonName: 'Platform TSA RSA', rsaBits: 2048 });
  tsaEc = await issueCertificate({ ca, role: 'tsa', commonName: 'Platform TSA EC', alg: 'EC' });
  digest = await sha256(data);
  writeFileSync(file('ca.pem'), ca.certPem);
  writeFileSync(file('ca.key'), ca.keyPem);
  writeFileSync(file('data.bin'), data);
  for (const [n, c] of Object.entries({ tsaRsa, tsaEc })) {
    writeFileSync(file(`${n}.pem`), c.certPem);
    writeFileSync(file(`${n}.key`), c.keyPem!);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('requests', () => {
  it('builds a TimeStampReq that parses back and that openssl reads', async () => {
    const req = await createTimeStampRequest({ digest, nonce: 0x1234567890n, certReq: true });
    const p = parseTimeStampRequest(req);
    expect(p).toMatchObject({ hashAlgorithm: 'SHA-256', nonceHex: '1234567890', certReq: true });
    expect(p.digest).toEqual(digest);
    if (!hasOpenssl) return;
    writeFileSync(file('q.tsq'), req);
    const r = ossl(['ts', '-query', '-in', 'q.tsq', '-text']);
    expect(r.out).toContain('Nonce: 0x1234567890');
    expect(r.out).toContain('Certificate required: yes');
    expect(r.out.replace(/\s+/g, ' ')).toContain(toHex(digest).slice(0, 16).replace(/(..)/g, '$1 ').trim().replace(/(.{23}) /, '$1-'));
  });
});

describe('TSA and verification', () => {
  for (const which of ['RSA', 'EC'] as const) {
    it(`${which} TSA tokens verify here and with openssl ts -verify`, async () => {
      const tsa = which === 'RSA' ? tsaRsa : tsaEc;
      const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 120));
      const req = await createTimeStampRequest({ digest, nonce: 99n });
      const resp = await createTimeStampResponse({ request: req, tsaCert: tsa.cert, tsaKey: tsa.privateKey!, now: new Date(Math.max(now.getTime(), Date.now() - 60_000)), serial: 42n, chain: [ca.cert] });
      const info = await verifyTimeStamp({ response: resp, data, trustAnchors: [ca.cert], nonce: 99n });
      expect(info.serialHex).toBe('2a');
      expect(info.policy).toBe(DEFAULT_TSA_POLICY);
      expect(info.nonceHex).toBe('63');
      expect(info.tsa.commonName).toBe(`Platform TSA ${which}`);
      expect(info.accuracyMs).toBe(1000);
      expect(await verifyTimeStamp({ token: info.token, digest, trustAnchors: [ca.cert] })).toMatchObject({ serialHex: '2a' });
      if (!hasOpenssl) return;
      writeFileSync(file('r.tsr'), resp);
      writeFileSync(file('r.tsq'), req);
      for (const args of [['-data', 'data.bin'], ['-queryfile', 'r.tsq'], ['-digest', toHex(digest)]]) {
        const v = ossl(['ts', '-verify', ...args, '-in', 'r.tsr', '-CAfile', 'ca.pem']);
        expect(v.out).toContain('Verification: OK');
        expect(v.status).toBe(0);
      }
    });
  }

  it('keeps milliseconds of genTime in RFC 3161 form', async () => {
    const now = new Date(Date.now() - 1000);
    now.setUTCMilliseconds(120);
    const req = await createTimeStampRequest({ digest });
    const resp = await createTimeStampResponse({ request: req, tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now, serial: 1n });
    const info = await verifyTimeStamp({ response: resp, data, trustAnchors: [ca.cert] });
    expect(info.genTime).toEqual(now);
    expect(Buffer.from(info.token).toString('latin1')).toMatch(/\d{14}\.12Z/);
  });

  it.skipIf(!hasOpenssl)('answers an openssl ts -query and openssl checks nonce and imprint', async () => {
    const q = ossl(['ts', '-query', '-data', 'data.bin', '-sha256', '-cert', '-out', 'oq.tsq']);
    expect(q.status, q.out).toBe(0);
    const resp = await createTimeStampResponse({ request: readFileSync(file('oq.tsq')), tsaCert: tsaRsa.cert, tsaKey: tsaRsa.privateKey!, now: new Date(), serial: 7n });
    writeFileSync(file('oq.tsr'), resp);
    const v = ossl(['ts', '-verify', '-queryfile', 'oq.tsq', '-in', 'oq.tsr', '-CAfile', 'ca.pem']);
    expect(v.out).toContain('Verification: OK');
  });

  it.skipIf(!hasOpenssl)('verifies tokens made by openssl ts -reply (ESS v2 with SHA-256 and v1 with SHA-1)', async () => {
    for (const essAlg of ['sha256', 'sha1']) {
      writeFileSync(file('serial'), '01\n');
      writeFileSync(
        file('tsa.cnf'),
        `[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\ndir = ${dir}\nserial = $dir/serial\ncrypto_device = builtin\n` +
          `signer_cert = $dir/tsaRsa.pem\nsigner_key = $dir/tsaRsa.key\ncerts = $dir/ca.pem\nsigner_digest = sha256\n` +
          `default_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1, millisecs:500\n` +
          `clock_precision_digits = 3\nordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = ${essAlg}\n`,
      );
      const q = ossl(['ts', '-query', '-data', 'data.bin', '-sha256', '-cert', '-out', 'o.tsq']);
      expect(q.status, q.out).toBe(0);
      const r = ossl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'o.tsq', '-out', 'o.tsr']);
      expect(r.status, r.out).toBe(0);
      const info = await verifyTimeStamp({ response: readFileSync(file('o.tsr')), data, trustAnchors: [ca.cert] });
      expect(info.policy).toBe('1.2.3.4.1');
      expect(info.serialHex).toBe('02'); // OpenSSL increments the serial file before use
      expect(info.accuracyMs).toBe(1500);
      expect(Math.abs(info.genTime.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await codeOf(verifyTimeStamp({ response: readFileSync(file('o.tsr')), data: utf8('x'), trustAnchors: [ca.cert] }))).toBe('DIGEST_MISMATCH');
    }
  });
});

describe('every mutation is rejected with a reason', () => {
  it('a token over other data, a wrong nonce, a rejected request', async () => {
    const req = await createTimeStampRequest({ digest, nonce: 5n });
    const resp = await createTimeStampResponse({ request: req, tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now: new Date(), serial: 2n });
    expect(await codeOf(verifyTimeStamp({ response: resp, data: utf8('other data'), trustAnchors: [ca.cert] }))).toBe('DIGEST_MISMATCH');
    expect(await codeOf(verifyTimeStamp({ response: resp, digest: new Uint8Array(32), trustAnchors: [ca.cert] }))).toBe('DIGEST_MISMATCH');
    expect(await codeOf(verifyTimeStamp({ response: resp, data, trustAnchors: [ca.cert], nonce: 6n }))).toBe('NONCE_MISMATCH');
    expect(await codeOf(verifyTimeStamp({ response: resp, trustAnchors: [ca.cert] }))).toBe('CONTENT_MISSING');
    const other = await createRootCa({ commonName: 'Other', alg: 'EC' });
    expect(await codeOf(verifyTimeStamp({ response: resp, data, trustAnchors: [other.cert] }))).toBe('CERT_UNTRUSTED');
    const bad = await createTimeStampResponse({ request: utf8('garbage'), tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now: new Date(), serial: 3n });
    const e = await verifyTimeStamp({ response: bad, data, trustAnchors: [ca.cert] }).catch((x: CryptoVerifyError) => x);
    expect(e).toBeInstanceOf(CryptoVerifyError);
    expect((e as CryptoVerifyError).code).toBe('TSA_REJECTED');
    expect((e as CryptoVerifyError).message).toMatch(/rejection/);
    const polReq = await createTimeStampRequest({ digest, policy: '1.2.3.9' });
    const pol = await createTimeStampResponse({ request: polReq, tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now: new Date(), serial: 4n });
    expect(await codeOf(verifyTimeStamp({ response: pol, data, trustAnchors: [ca.cert] }))).toBe('TSA_REJECTED');
  });

  it('a flipped byte in the TSA signature or TSTInfo', async () => {
    const req = await createTimeStampRequest({ digest });
    const resp = await createTimeStampResponse({ request: req, tsaCert: tsaRsa.cert, tsaKey: tsaRsa.privateKey!, now: new Date(), serial: 8n });
    const sigFlip = resp.slice();
    sigFlip[sigFlip.length - 10] ^= 1;
    expect(await codeOf(verifyTimeStamp({ response: sigFlip, data, trustAnchors: [ca.cert] }))).toBe('SIGNATURE_INVALID');
    const at = Buffer.from(resp).indexOf(Buffer.from(digest));
    const imprintFlip = resp.slice();
    imprintFlip[at + 3] ^= 1;
    expect(await codeOf(verifyTimeStamp({ response: imprintFlip, digest: imprintFlip.slice(at, at + 32), trustAnchors: [ca.cert] }))).toBe('DIGEST_MISMATCH');
  });

  it('a TSA certificate without the critical timeStamping EKU', async () => {
    const platform = await issueCertificate({ ca, role: 'platform', commonName: 'Not a TSA', alg: 'EC' });
    const req = await createTimeStampRequest({ digest });
    const resp = await createTimeStampResponse({ request: req, tsaCert: platform.cert, tsaKey: platform.privateKey!, now: new Date(), serial: 9n });
    expect(await codeOf(verifyTimeStamp({ response: resp, data, trustAnchors: [ca.cert] }))).toBe('EKU_MISSING');
    if (!hasOpenssl) return;
    writeFileSync(file('noeku.tsr'), resp);
    expect(ossl(['ts', '-verify', '-data', 'data.bin', '-in', 'noeku.tsr', '-CAfile', 'ca.pem']).status).not.toBe(0);
    // timeStamping present but not critical: RFC 3161 2.3 requires critical
    ossl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'nc.key', '-subj', '/CN=NonCritical TSA', '-out', 'nc.csr']);
    writeFileSync(file('nc.ext'), 'extendedKeyUsage = timeStamping\nkeyUsage = critical, digitalSignature\n');
    const x = ossl(['x509', '-req', '-in', 'nc.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '77', '-days', '1', '-extfile', 'nc.ext', '-out', 'nc.pem']);
    expect(x.status, x.out).toBe(0);
    const ncKey = await importPrivateKeyPem(readFileSync(file('nc.key'), 'utf8'), 'sign');
    const nc = await createTimeStampResponse({ request: req, tsaCert: pemToDer(readFileSync(file('nc.pem'), 'utf8')), tsaKey: ncKey, now: new Date(), serial: 10n });
    const err = await verifyTimeStamp({ response: nc, data, trustAnchors: [ca.cert] }).catch((x2: CryptoVerifyError) => x2);
    expect((err as CryptoVerifyError).code).toBe('EKU_MISSING');
    expect((err as CryptoVerifyError).message).toMatch(/not marked critical/);
  });

  it('an expired or revoked TSA certificate; a token without certificates', async () => {
    const short = await issueCertificate({ ca, role: 'tsa', commonName: 'Short TSA', alg: 'EC', notBefore: new Date(Date.now() - 3 * 86_400_000), validDays: 1 });
    const req = await createTimeStampRequest({ digest, certReq: false });
    const expired = await createTimeStampResponse({ request: req, tsaCert: short.cert, tsaKey: short.privateKey!, now: new Date(), serial: 11n });
    expect(await codeOf(verifyTimeStamp({ response: expired, data, trustAnchors: [ca.cert] }))).toBe('SIGNER_CERT_MISSING');
    expect(await codeOf(verifyTimeStamp({ response: expired, data, trustAnchors: [ca.cert], tsaCert: short.cert }))).toBe('CERT_EXPIRED');
    const inTime = await createTimeStampResponse({ request: req, tsaCert: short.cert, tsaKey: short.privateKey!, now: new Date(Date.now() - 2.5 * 86_400_000), serial: 12n });
    await verifyTimeStamp({ response: inTime, data, trustAnchors: [ca.cert], tsaCert: short.cert });
    const crl = await createCrl({ ca, revoked: [{ serialHex: certInfo(tsaEc.cert).serialHex, date: new Date() }] });
    const resp = await createTimeStampResponse({ request: await createTimeStampRequest({ digest }), tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now: new Date(), serial: 13n });
    expect(await codeOf(verifyTimeStamp({ response: resp, data, trustAnchors: [ca.cert], crls: [crl] }))).toBe('CERT_REVOKED');
  });

  it('fuzz: 10,000 random mutations and truncations of a TimeStampResp end in a clean CryptoVerifyError', { timeout: 300_000 }, async () => {
    const req = await createTimeStampRequest({ digest, nonce: 1n });
    const resp = await createTimeStampResponse({ request: req, tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now: new Date(), serial: 14n });
    const t0 = Date.now();
    const good = await verifyTimeStamp({ response: resp, data, trustAnchors: [ca.cert], nonce: 1n });
    const codes = await fuzz(
      resp,
      10_000,
      (m) => verifyTimeStamp({ response: m, data, trustAnchors: [ca.cert], nonce: 1n }),
      // the PKIStatusInfo around the token is unsigned; only the same token may pass
      (info) => Buffer.from(info.token).equals(Buffer.from(good.token)),
    );
    console.log(`tsp fuzz: 10000 mutations of ${resp.length} bytes in ${Date.now() - t0} ms`, JSON.stringify(codes));
    expect(Object.keys(codes).length).toBeGreaterThan(3);
  });
});

describe('requestTimeStamp', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    let serial = 100n;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        seen.push(String(req.headers['content-type']));
        const body = await createTimeStampResponse({ request: Buffer.concat(chunks), tsaCert: tsaEc.cert, tsaKey: tsaEc.privateKey!, now: new Date(), serial: serial++ });
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from(body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts an application/timestamp-query and returns a token bound to the digest', async () => {
    const token = await requestTimeStamp(url, digest, { trustAnchors: [ca.cert] });
    expect(seen).toContain('application/timestamp-query');
    const info = await verifyTimeStamp({ token, data, trustAnchors: [ca.cert] });
    expect(info.tsa.commonName).toBe('Platform TSA EC');
    const token2 = await requestTimeStamp(url, digest);
    expect((await verifyTimeStamp({ token: token2, digest, trustAnchors: [ca.cert] })).serialHex).not.toBe(info.serialHex);
    expect(await codeOf(requestTimeStamp('http://127.0.0.1:1/tsa', digest))).toBe('TSA_UNREACHABLE');
  });
});
