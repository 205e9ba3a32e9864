/**
 * Test-only PKI for envelope/seal tests: a root CA, two bidders, an opening key and an outsider,
 * RSA-2048 to keep key generation quick. Also writes PEM files for the OpenSSL interop cases.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRootCa, importPrivateKeyPem, issueCertificate } from './pki.js';

export interface TestParty {
  cert: Uint8Array;
  certPem: string;
  keyPem: string;
  signKey: CryptoKey;
  decryptKey: CryptoKey;
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  ca: { cert: Uint8Array; certPem: string; certPath: string };
  bidder: TestParty;
  bidder2: TestParty;
  opening: TestParty;
  outsider: TestParty;
  otherCa: { cert: Uint8Array };
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'seal-pki-'));
  const ca = await createRootCa({ commonName: '测试根CA', rsaBits: 2048 });
  const caPath = path.join(dir, 'ca.pem');
  writeFileSync(caPath, ca.certPem);
  const party = async (name: string, role: 'bidder' | 'opening', commonName: string): Promise<TestParty> => {
    const c = await issueCertificate({ ca: { cert: ca.cert, privateKey: ca.privateKey }, role, commonName, rsaBits: 2048 });
    const keyPem = c.keyPem!;
    const certPath = path.join(dir, `${name}.pem`);
    const keyPath = path.join(dir, `${name}.key`);
    writeFileSync(certPath, c.certPem);
    writeFileSync(keyPath, keyPem);
    return {
      cert: c.cert,
      certPem: c.certPem,
      keyPem,
      signKey: role === 'bidder' ? await importPrivateKeyPem(keyPem, 'sign') : (undefined as unknown as CryptoKey),
      decryptKey: await importPrivateKeyPem(keyPem, 'decrypt', { alg: 'RSA-OAEP' }),
      certPath,
      keyPath,
    };
  };
  const other = await createRootCa({ commonName: 'Other CA', rsaBits: 2048 });
  return {
    dir,
    ca: { cert: ca.cert, certPem: ca.certPem, certPath: caPath },
    bidder: await party('bidder', 'bidder', '甲建设有限公司'),
    bidder2: await party('bidder2', 'bidder', '乙工程有限公司'),
    opening: await party('opening', 'opening', 'T-2024-001 开标密钥'),
    outsider: await party('outsider', 'opening', 'Someone else'),
    otherCa: { cert: other.cert },
  };
}
