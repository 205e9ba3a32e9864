import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoVerifyError } from './errors.js';
import { fromBase64, sha256, toBase64, utf8 } from './hash.js';
import { generateSm2KeyPair, sm2PrivateKeyToPkcs8, type Sm2PrivateKey } from './gm.js';
import { MerkleTree, inclusionProof, leafHash, verifyInclusion } from './merkle.js';
import { createRootCa, derToPem, importPrivateKeyPem, issueCertificate, pemToDer } from './pki.js';
import { signTreeHead, treeHeadBody, verifyTreeHead, type SignedTreeHead, type SthAlg } from './sth.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const tmp = mkdtempSync(path.join(tmpdir(), 'sth-'));
const file = (name: string, data?: Uint8Array | string) => {
  const p = path.join(tmp, name);
  if (data !== undefined) writeFileSync(p, data);
  return p;
};

interface Signer {
  alg: SthAlg;
  key: CryptoKey | Sm2PrivateKey;
  cert: Uint8Array;
  anchor: Uint8Array;
}

const leaves = Array.from({ length: 37 }, (_, i) => leafHash(utf8(`audit entry ${i}`)));
const tree = new MerkleTree(leaves);
let root: Uint8Array;
let ca: Awaited<ReturnType<typeof createRootCa>>;
let otherCa: Awaited<ReturnType<typeof createRootCa>>;
const signers: Signer[] = [];

async function sthFor(s: Signer, extra: Partial<{ treeSize: number; root: Uint8Array; timestamp: Date }> = {}) {
  return signTreeHead({
    treeSize: 37,
    root,
    timestamp: new Date(),
    logId: 'ggzy.example.gov.cn/audit',
    signerKey: s.key,
    signerCert: s.cert,
    ...extra,
  });
}

beforeAll(async () => {
  root = await tree.root();
  ca = await createRootCa({ commonName: '公共资源交易中心 Test Root', rsaBits: 2048 });
  otherCa = await createRootCa({ commonName: 'Other Root', rsaBits: 2048 });
  const pss = await issueCertificate({ ca, role: 'platform', commonName: '审计日志签名', rsaBits: 2048 });
  signers.push({ alg: 'rsa-pss-sha256', key: await importPrivateKeyPem(pss.keyPem!, 'sign', { alg: 'RSA-PSS' }), cert: pss.cert, anchor: ca.cert });
  signers.push({ alg: 'rsa-pkcs1-sha256', key: await importPrivateKeyPem(pss.keyPem!, 'sign', { alg: 'RSASSA-PKCS1-v1_5' }), cert: pss.cert, anchor: ca.cert });
  const ec = await issueCertificate({ ca, role: 'platform', commonName: 'audit EC', alg: 'EC' });
  signers.push({ alg: 'ecdsa-p256-sha256', key: await importPrivateKeyPem(ec.keyPem!, 'sign', { alg: 'ECDSA' }), cert: ec.cert, anchor: ca.cert });
  if (hasOpenssl) {
    // GM mode: an SM2 CA and signer made by OpenSSL, the signer key generated here.
    const sm = generateSm2KeyPair();
    file('sm2-signer.pem', derToPem(sm2PrivateKeyToPkcs8(sm.privateKey), 'PRIVATE KEY'));
    const id = 'distid:1234567812345678';
    execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', file('sm2-ca.key')]);
    execFileSync('openssl', ['req', '-x509', '-new', '-key', file('sm2-ca.key'), '-sm3', '-sigopt', id, '-subj', '/CN=GM Root', '-days', '30', '-out', file('sm2-ca.crt')]);
    execFileSync('openssl', ['req', '-new', '-key', file('sm2-signer.pem'), '-sm3', '-sigopt', id, '-subj', '/CN=GM audit signer', '-out', file('sm2.csr')]);
    execFileSync('openssl', ['x509', '-req', '-in', file('sm2.csr'), '-CA', file('sm2-ca.crt'), '-CAkey', file('sm2-ca.key'), '-sm3', '-sigopt', id, '-vfyopt', id, '-days', '10', '-out', file('sm2-signer.crt')]);
    signers.push({
      alg: 'sm2-sm3',
      key: sm.privateKey,
      cert: pemToDer(readFileSync(file('sm2-signer.crt'), 'utf8')),
      anchor: pemToDer(readFileSync(file('sm2-ca.crt'), 'utf8')),
    });
  }
}, 120_000);

describe('canonical body', () => {
  it('is exactly the documented text', () => {
    const body = treeHeadBody({
      logId: 'ggzy.example.gov.cn/audit',
      treeSize: 1234,
      root: new Uint8Array(32).fill(0xab),
      timestamp: new Date(Date.UTC(2024, 4, 1, 0, 0, 0, 5)),
      alg: 'sm2-sm3',
      signerCertSha256: new Uint8Array(32).fill(1),
    });
    expect(new TextDecoder().decode(body)).toBe(
      'ggzy.example.gov.cn/audit\n1234\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n' +
        'timestamp 2024-05-01T00:00:00.005Z\nalg sm2-sm3\nsigner-sha256 ' + '01'.repeat(32) + '\n',
    );
    expect(() => treeHeadBody({ logId: 'a\nb', treeSize: 1, root: new Uint8Array(32), timestamp: new Date(), alg: 'sm2-sm3', signerCertSha256: new Uint8Array(32) })).toThrow(/logId/);
  });
});

describe('sign and verify', () => {
  it('each algorithm signs a tree head that verifies, chains to its anchor and survives JSON', async () => {
    expect(signers.map((s) => s.alg)).toEqual(hasOpenssl ? ['rsa-pss-sha256', 'rsa-pkcs1-sha256', 'ecdsa-p256-sha256', 'sm2-sm3'] : ['rsa-pss-sha256', 'rsa-pkcs1-sha256', 'ecdsa-p256-sha256']);
    for (const s of signers) {
      const sth = await sthFor(s);
      expect(sth.alg).toBe(s.alg);
      const wire = JSON.parse(JSON.stringify(sth));
      const v = await verifyTreeHead(wire, { trustAnchors: [s.anchor] });
      expect(v.treeSize).toBe(37);
      expect(v.root).toEqual(root);
      expect(v.logId).toBe('ggzy.example.gov.cn/audit');
      // An auditor's flow: a proof checked against the verified head.
      const proof = await inclusionProof(tree, 12);
      verifyInclusion({ leafIndex: 12, treeSize: v.treeSize, leafHash: leaves[12], proof, root: v.root });
    }
  }, 60_000);

  it('rejects a head whose signer does not chain to the trust anchors, or was not valid at its time', async () => {
    for (const s of signers) {
      const sth = await sthFor(s);
      await expect(verifyTreeHead(sth, { trustAnchors: [s.alg === 'sm2-sm3' ? ca.cert : otherCa.cert] })).rejects.toMatchObject({ code: 'CERT_UNTRUSTED' });
    }
    const late = await sthFor(signers[0], { timestamp: new Date(Date.now() + 5 * 365 * 86400_000) });
    await expect(verifyTreeHead(late, { trustAnchors: [ca.cert] })).rejects.toMatchObject({ code: 'CERT_EXPIRED' });
    // Without anchors only the signature is checked.
    await expect(verifyTreeHead(late)).resolves.toMatchObject({ treeSize: 37 });
  }, 60_000);

  it('rejects every field change, a swapped certificate and unsigned extra fields', async () => {
    const other = await issueCertificate({ ca, role: 'platform', commonName: 'impostor', rsaBits: 2048 });
    for (const s of signers) {
      const sth = await sthFor(s);
      const sig = fromBase64(sth.signature);
      sig[sig.length >> 1] ^= 1;
      const variants: [string, Record<string, unknown>][] = [
        ['treeSize+1', { ...sth, treeSize: 38 }],
        ['treeSize-1', { ...sth, treeSize: 36 }],
        ['root', { ...sth, rootHash: toBase64(await sha256(utf8('x'))) }],
        ['timestamp', { ...sth, timestamp: new Date(Date.parse(sth.timestamp) + 1).toISOString() }],
        ['logId', { ...sth, logId: 'ggzy.example.gov.cn/audit2' }],
        ['signature', { ...sth, signature: toBase64(sig) }],
        ['cert', { ...sth, signerCert: toBase64(other.cert) }],
        ['alg', { ...sth, alg: s.alg === 'rsa-pss-sha256' ? 'rsa-pkcs1-sha256' : 'rsa-pss-sha256' }],
        ['extra field', { ...sth, note: 'unsigned' }],
        ['missing field', { ...sth, timestamp: undefined }],
        ['non-canonical time', { ...sth, timestamp: sth.timestamp.replace('Z', '+00:00') }],
        ['short root', { ...sth, rootHash: toBase64(new Uint8Array(31)) }],
      ];
      for (const [what, v] of variants) {
        const err = await verifyTreeHead(v).then(() => null, (e) => e);
        expect(err, `${s.alg}: ${what}`).toBeInstanceOf(CryptoVerifyError);
      }
    }
  }, 60_000);

  it('refuses keys it cannot sign tree heads with', async () => {
    const oaep = (await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['encrypt', 'decrypt'])) as CryptoKeyPair;
    await expect(signTreeHead({ treeSize: 1, root, timestamp: new Date(), logId: 'x', signerKey: oaep.privateKey, signerCert: signers[0].cert })).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' });
  });
});

describe.skipIf(!hasOpenssl)('an auditor can check a tree head with OpenSSL alone', () => {
  it('for every algorithm, the body and signature verify with openssl dgst / pkeyutl', async () => {
    for (const s of signers) {
      const sth = await sthFor(s);
      const body = treeHeadBody({
        logId: sth.logId,
        treeSize: sth.treeSize,
        root: fromBase64(sth.rootHash),
        timestamp: new Date(sth.timestamp),
        alg: sth.alg,
        signerCertSha256: await sha256(fromBase64(sth.signerCert)),
      });
      file('body', body);
      file('sig', fromBase64(sth.signature));
      file('cert.pem', derToPem(fromBase64(sth.signerCert), 'CERTIFICATE'));
      writeFileSync(file('pub.pem'), execFileSync('openssl', ['x509', '-in', file('cert.pem'), '-pubkey', '-noout']));
      const args: Record<SthAlg, string[]> = {
        'rsa-pss-sha256': ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', 'rsa_mgf1_md:sha256'],
        'rsa-pkcs1-sha256': ['dgst', '-sha256'],
        'ecdsa-p256-sha256': ['dgst', '-sha256'],
        'sm2-sm3': ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678'],
      };
      const out = execFileSync('openssl', [...args[s.alg], '-verify', file('pub.pem'), '-signature', file('sig'), file('body')]);
      expect(out.toString(), s.alg).toMatch(/Verified OK/);
      file('body', utf8(new TextDecoder().decode(body).replace('\n37\n', '\n38\n')));
      const r = spawnSync('openssl', [...args[s.alg], '-verify', file('pub.pem'), '-signature', file('sig'), file('body')]);
      expect(r.status, s.alg).not.toBe(0);
    }
  }, 60_000);
});

describe('fuzz', () => {
  it('10,000 mutated tree heads end in a CryptoVerifyError, never a crash', async () => {
    const base = await sthFor(signers[2]); // ECDSA: fast to verify
    let seed = 20;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const junk = [null, 0, -1, 1.5, '', 'x', [], {}, true, 2 ** 60, '====', 'AAAA', '2024-13-45T99:00:00.000Z'];
    const keys = Object.keys(base) as (keyof SignedTreeHead)[];
    let accepted = 0;
    for (let t = 0; t < 10_000; t++) {
      const m: Record<string, unknown> = { ...base };
      const k = keys[rand(keys.length)];
      const v = String(m[k]);
      switch (rand(4)) {
        case 0:
          m[k] = junk[rand(junk.length)];
          break;
        case 1:
          m[k] = v.slice(0, rand(v.length + 1));
          break;
        case 2: {
          const i = rand(v.length);
          m[k] = v.slice(0, i) + String.fromCharCode(33 + rand(90)) + v.slice(i + 1);
          break;
        }
        default:
          delete m[k];
      }
      try {
        await verifyTreeHead(m);
        accepted++;
      } catch (e) {
        if (!(e instanceof CryptoVerifyError)) throw e;
      }
    }
    // Only mutations that leave the head unchanged (e.g. a character replaced by itself) may pass.
    expect(accepted).toBeLessThan(50);
  }, 120_000);
});
