import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { yieldToEventLoop } from './testkit';
import { CryptoVerifyError } from './errors.js';
import { concatBytes, fromHex, toHex, utf8 } from './hash.js';
import {
  decodeDerSignature,
  ecdsaSuite,
  encodeDerSignature,
  generateSm2KeyPair,
  hmacSm3,
  rsaSuite,
  selectSuite,
  sm2CertPublicKey,
  sm2PrivateKeyFromPkcs8,
  sm2PrivateKeyToPkcs8,
  sm2PublicKeyFromSpki,
  sm2PublicKeyToSpki,
  sm2PublicOf,
  sm2Sign,
  sm2Suite,
  sm2Verify,
  sm3,
  sm4CbcDecrypt,
  sm4CbcEncrypt,
  sm4GcmDecrypt,
  sm4GcmEncrypt,
  sm4Open,
  sm4Seal,
  suiteForKey,
  validateSm2Chain,
} from './gm.js';
import { derToPem, pemToDer } from './pki.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.log('openssl not found: skipping GM/T interop cases');
const ossl = (args: string[], input?: Uint8Array) => new Uint8Array(execFileSync('openssl', args, input ? { input } : {}));
const ID = 'distid:1234567812345678';
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
const tmp = mkdtempSync(path.join(tmpdir(), 'gm-'));
const file = (name: string, data?: Uint8Array | string) => {
  const p = path.join(tmp, name);
  if (data !== undefined) writeFileSync(p, data);
  return p;
};

describe('SM3', () => {
  it('matches the GB/T 32905 vectors', () => {
    expect(toHex(sm3(utf8('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(toHex(sm3(utf8('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it.skipIf(!hasOpenssl)('matches openssl dgst -sm3 and HMAC-SM3 on random data', () => {
    for (const len of [0, 1, 55, 56, 64, 1000]) {
      const data = crypto.getRandomValues(new Uint8Array(len));
      expect(new TextDecoder().decode(ossl(['dgst', '-sm3', '-r'], data)).split(' ')[0]).toBe(toHex(sm3(data)));
      const key = crypto.getRandomValues(new Uint8Array(16));
      const mac = new TextDecoder().decode(ossl(['dgst', '-sm3', '-mac', 'HMAC', '-macopt', `hexkey:${toHex(key)}`, '-r'], data));
      expect(mac.split(' ')[0]).toBe(toHex(hmacSm3(key, data)));
    }
  });
});

describe('SM2 signatures', () => {
  const data = utf8('投标文件摘要 bid digest');
  let osslKey: ReturnType<typeof sm2PrivateKeyFromPkcs8>;
  beforeAll(() => {
    if (!hasOpenssl) return;
    ossl(['genpkey', '-algorithm', 'SM2', '-out', file('sm2.pem')]);
    ossl(['pkey', '-in', file('sm2.pem'), '-pubout', '-out', file('sm2pub.pem')]);
    osslKey = sm2PrivateKeyFromPkcs8(pemToDer(readFileSync(file('sm2.pem'), 'utf8')));
  });

  it('sign/verify round trip; wrong data, key, user ID or a flipped bit are rejected', () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    const sig = sm2Sign(data, privateKey);
    expect(sm2Verify(data, sig, publicKey)).toBe(true);
    expect(sm2Verify(utf8('other'), sig, publicKey)).toBe(false);
    expect(sm2Verify(data, sig, generateSm2KeyPair().publicKey)).toBe(false);
    expect(sm2Verify(data, sig, publicKey, { userId: 'ALICE123@YAHOO.COM' })).toBe(false);
    for (let i = 0; i < sig.length; i++) {
      const bad = sig.slice();
      bad[i] ^= 0x01;
      expect(sm2Verify(data, bad, publicKey), `byte ${i}`).toBe(false);
    }
  });

  it('rejects malleable and non-DER encodings that the underlying library would accept', () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    const sig = sm2Sign(data, privateKey);
    const { r, s } = decodeDerSignature(sig, SM2_N);
    expect(sm2Verify(data, encodeDerSignature(r, s + SM2_N), publicKey)).toBe(false);
    expect(sm2Verify(data, encodeDerSignature(r, 0n), publicKey)).toBe(false);
    expect(sm2Verify(data, concatBytes(sig, new Uint8Array([0])), publicKey)).toBe(false);
    const raw = fromHex(r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0'));
    expect(sm2Verify(data, raw, publicKey)).toBe(false);
    expect(() => decodeDerSignature(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]), SM2_N)).toThrow(CryptoVerifyError);
  });

  it('PKCS#8 and SPKI encodings round-trip', () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    expect(sm2PrivateKeyFromPkcs8(sm2PrivateKeyToPkcs8(privateKey))).toEqual(privateKey);
    expect(sm2PublicKeyFromSpki(sm2PublicKeyToSpki(publicKey))).toEqual(publicKey);
    expect(() => sm2PublicKeyFromSpki(new Uint8Array([0x30, 0x00]))).toThrow(CryptoVerifyError);
  });

  it.skipIf(!hasOpenssl)('our signature verifies with openssl pkeyutl -digest sm3 and dgst -sm3 (distid 1234567812345678)', () => {
    const sigFile = file('ours.sig', sm2Sign(data, osslKey));
    const dataFile = file('data.bin', data);
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', file('sm2pub.pem'), '-rawin', '-digest', 'sm3', '-pkeyopt', ID, '-in', dataFile, '-sigfile', sigFile]);
    expect(out.toString()).toMatch(/Signature Verified Successfully/);
    expect(execFileSync('openssl', ['dgst', '-sm3', '-verify', file('sm2pub.pem'), '-sigopt', ID, '-signature', sigFile, dataFile]).toString()).toMatch(/Verified OK/);
    // A key we generated, exported as PKCS#8/SPKI PEM, works in OpenSSL too.
    const mine = generateSm2KeyPair();
    file('mine.pem', derToPem(sm2PrivateKeyToPkcs8(mine.privateKey), 'PRIVATE KEY'));
    file('minepub.pem', derToPem(sm2PublicKeyToSpki(mine.publicKey), 'PUBLIC KEY'));
    file('mine.sig', sm2Sign(data, mine.privateKey));
    expect(execFileSync('openssl', ['dgst', '-sm3', '-verify', file('minepub.pem'), '-sigopt', ID, '-signature', file('mine.sig'), dataFile]).toString()).toMatch(/Verified OK/);
    const theirs = ossl(['dgst', '-sm3', '-sign', file('mine.pem'), '-sigopt', ID, dataFile]);
    expect(sm2Verify(data, theirs, mine.publicKey)).toBe(true);
    // Wrong distid on the OpenSSL side fails: the user ID really is part of what is signed.
    const wrong = spawnSync('openssl', ['dgst', '-sm3', '-verify', file('minepub.pem'), '-sigopt', 'distid:0000', '-signature', file('mine.sig'), dataFile]);
    expect(wrong.status).not.toBe(0);
  });

  it.skipIf(!hasOpenssl)('an OpenSSL signature verifies here', () => {
    const dataFile = file('data2.bin', data);
    for (let i = 0; i < 5; i++) {
      const sig = ossl(['pkeyutl', '-sign', '-inkey', file('sm2.pem'), '-rawin', '-digest', 'sm3', '-pkeyopt', ID, '-in', dataFile]);
      const pub = sm2PublicKeyFromSpki(pemToDer(readFileSync(file('sm2pub.pem'), 'utf8')));
      expect(sm2Verify(data, sig, pub)).toBe(true);
      expect(sm2Verify(concatBytes(data, new Uint8Array([0])), sig, pub)).toBe(false);
    }
  });

  it.skipIf(!hasOpenssl)('validates an SM2 certificate issued by an OpenSSL SM2 CA', () => {
    ossl(['genpkey', '-algorithm', 'SM2', '-out', file('leaf.pem')]);
    ossl(['req', '-x509', '-new', '-key', file('sm2.pem'), '-sm3', '-sigopt', ID, '-subj', '/CN=GM Test CA', '-days', '30', '-out', file('ca.crt')]);
    ossl(['req', '-new', '-key', file('leaf.pem'), '-sm3', '-sigopt', ID, '-subj', '/CN=GM log signer', '-out', file('leaf.csr')]);
    ossl(['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.crt'), '-CAkey', file('sm2.pem'), '-sm3', '-sigopt', ID, '-vfyopt', ID, '-days', '10', '-out', file('leaf.crt')]);
    const ca = pemToDer(readFileSync(file('ca.crt'), 'utf8'));
    const leaf = pemToDer(readFileSync(file('leaf.crt'), 'utf8'));
    validateSm2Chain({ cert: leaf, trustAnchors: [ca] });
    validateSm2Chain({ cert: ca, trustAnchors: [ca] });
    const leafKey = sm2PrivateKeyFromPkcs8(pemToDer(readFileSync(file('leaf.pem'), 'utf8')));
    expect(sm2CertPublicKey(leaf)).toEqual(sm2PublicOf(leafKey));
    expect(() => validateSm2Chain({ cert: leaf, trustAnchors: [leaf === ca ? leaf : ca], at: new Date(Date.now() + 20 * 86400_000) })).toThrow(/expired/);
    const other = generateSm2KeyPair();
    file('other.pem', derToPem(sm2PrivateKeyToPkcs8(other.privateKey), 'PRIVATE KEY'));
    ossl(['req', '-x509', '-new', '-key', file('other.pem'), '-sm3', '-sigopt', ID, '-subj', '/CN=GM Test CA', '-days', '30', '-out', file('fake-ca.crt')]);
    const fake = pemToDer(readFileSync(file('fake-ca.crt'), 'utf8'));
    // Same subject name, different key: the signature check, not the name, decides.
    expect(() => validateSm2Chain({ cert: leaf, trustAnchors: [fake] })).toThrow(expect.objectContaining({ code: 'CERT_UNTRUSTED' }));
  });
});

describe('SM4', () => {
  const key = fromHex('0123456789abcdeffedcba9876543210');
  it('matches the GB/T 32907 block vector', () => {
    // Single block, ECB-equivalent: CBC with a zero IV and no padding on the first block.
    const ct = sm4CbcEncrypt(key, new Uint8Array(16), fromHex('0123456789abcdeffedcba9876543210'));
    expect(toHex(ct.subarray(0, 16))).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it.skipIf(!hasOpenssl)('SM4-CBC interoperates with openssl enc -sm4-cbc both ways', () => {
    for (const len of [0, 1, 15, 16, 17, 100]) {
      const iv = crypto.getRandomValues(new Uint8Array(16));
      const pt = crypto.getRandomValues(new Uint8Array(len));
      const ct = sm4CbcEncrypt(key, iv, pt);
      expect(toHex(ossl(['enc', '-d', '-sm4-cbc', '-K', toHex(key), '-iv', toHex(iv)], ct))).toBe(toHex(pt));
      const theirs = ossl(['enc', '-sm4-cbc', '-K', toHex(key), '-iv', toHex(iv)], pt);
      expect(toHex(sm4CbcDecrypt(key, iv, theirs))).toBe(toHex(pt));
    }
  });

  it.skipIf(!hasOpenssl)('sm4Seal (SM4-CBC + HMAC-SM3) can be checked and opened with OpenSSL alone', () => {
    const k = crypto.getRandomValues(new Uint8Array(32));
    const aad = utf8('tender 2024-001');
    const pt = utf8('报价 1,234,000.00 元');
    const sealed = sm4Seal(k, pt, aad);
    const iv = sealed.subarray(0, 16);
    const c = sealed.subarray(16, sealed.length - 16);
    const al = new Uint8Array(8);
    new DataView(al.buffer).setBigUint64(0, BigInt(aad.length * 8));
    const mac = new TextDecoder().decode(ossl(['dgst', '-sm3', '-mac', 'HMAC', '-macopt', `hexkey:${toHex(k.subarray(0, 16))}`, '-r'], concatBytes(aad, iv, c, al)));
    expect(mac.slice(0, 32)).toBe(toHex(sealed.subarray(sealed.length - 16)));
    expect(new TextDecoder().decode(ossl(['enc', '-d', '-sm4-cbc', '-K', toHex(k.subarray(16)), '-iv', toHex(iv)], c))).toBe('报价 1,234,000.00 元');
  });

  it('sm4Open rejects any change to ciphertext, tag, IV or associated data', () => {
    const k = crypto.getRandomValues(new Uint8Array(32));
    const sealed = sm4Seal(k, utf8('sealed bid'), utf8('aad'));
    expect(new TextDecoder().decode(sm4Open(k, sealed, utf8('aad')))).toBe('sealed bid');
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i] ^= 0x80;
      expect(() => sm4Open(k, bad, utf8('aad'))).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    }
    expect(() => sm4Open(k, sealed, utf8('aae'))).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(() => sm4Open(k, sealed.subarray(0, 40), utf8('aad'))).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
  });

  it('SM4-GCM reproduces the RFC 8998 Appendix A.1 vector and detects tampering', () => {
    const k = fromHex('0123456789ABCDEFFEDCBA9876543210');
    const iv = fromHex('00001234567800000000ABCD');
    const aad = fromHex('FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2');
    const pt = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA');
    const sealed = sm4GcmEncrypt(k, iv, pt, aad);
    expect(toHex(sealed).toUpperCase()).toBe(
      '17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D' +
        '83DE3541E4C2B58177E065A9BF7B62EC',
    );
    expect(sm4GcmDecrypt(k, iv, sealed, aad)).toEqual(pt);
    const bad = sealed.slice();
    bad[3] ^= 1;
    expect(() => sm4GcmDecrypt(k, iv, bad, aad)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
  });
});

describe('signature suites', () => {
  const data = utf8('signed tree head bytes');

  it('selectSuite picks SM2/SM3 for gm and RSA or ECDSA for intl', () => {
    expect(selectSuite('gm').id).toBe('sm2');
    expect(selectSuite('gm').digestName).toBe('SM3');
    expect(selectSuite('intl').id).toBe('rsa');
    expect(selectSuite('intl', 'ecdsa').id).toBe('ecdsa');
    expect(() => selectSuite('xx' as never)).toThrow();
  });

  it('every suite signs and verifies through the same interface and refuses foreign keys', async () => {
    const pss = (await crypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs1 = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const sm = generateSm2KeyPair();
    const cases = [
      [rsaSuite, pss.privateKey, pss.publicKey],
      [rsaSuite, pkcs1.privateKey, pkcs1.publicKey],
      [ecdsaSuite, ec.privateKey, ec.publicKey],
      [sm2Suite, sm.privateKey, sm.publicKey],
    ] as const;
    for (const [suite, priv, pub] of cases) {
      expect(suiteForKey(priv)).toBe(suite);
      const sig = await suite.sign(data, priv);
      expect(await suite.verify(data, sig, pub)).toBe(true);
      expect(await suite.verify(utf8('x'), sig, pub)).toBe(false);
      const bad = sig.slice();
      bad[bad.length >> 1] ^= 4;
      expect(await suite.verify(data, bad, pub)).toBe(false);
    }
    await expect(rsaSuite.sign(data, sm.privateKey)).rejects.toBeInstanceOf(CryptoVerifyError);
    await expect(sm2Suite.sign(data, ec.privateKey)).rejects.toBeInstanceOf(CryptoVerifyError);
    expect(await sm2Suite.verify(data, await sm2Suite.sign(data, sm.privateKey), ec.publicKey)).toBe(false);
    expect(toHex(await sm2Suite.digest(utf8('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  }, 60_000);

  it.skipIf(!hasOpenssl)('ECDSA suite signatures are DER, as openssl dgst -sha256 -verify expects', async () => {
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    file('ec-pub.pem', derToPem(new Uint8Array(await crypto.subtle.exportKey('spki', ec.publicKey)), 'PUBLIC KEY'));
    file('ec.sig', await ecdsaSuite.sign(data, ec.privateKey));
    const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', file('ec-pub.pem'), '-signature', file('ec.sig'), file('ec.data', data)]);
    expect(out.toString()).toMatch(/Verified OK/);
  });
});

describe('fuzz', () => {
  it('10,000 mutated SM2 signatures and SM4 ciphertexts are rejected cleanly', async () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    const data = utf8('fuzz');
    const sig = sm2Sign(data, privateKey);
    const k = crypto.getRandomValues(new Uint8Array(32));
    const sealed = sm4Seal(k, data);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const mutate = (b: Uint8Array) => {
      const op = rand(3);
      if (op === 0) return b.subarray(0, rand(b.length));
      const m = op === 1 ? b.slice() : concatBytes(b, crypto.getRandomValues(new Uint8Array(1 + rand(8))));
      if (op === 1) m[rand(m.length)] ^= 1 + rand(255);
      return m;
    };
    for (let t = 0; t < 5_000; t++) {
      if (t % 250 === 0) await yieldToEventLoop();
      expect(sm2Verify(data, mutate(sig), publicKey)).toBe(false);
    }
    for (let t = 0; t < 5_000; t++) expect(() => sm4Open(k, mutate(sealed))).toThrow(CryptoVerifyError);
  }, 300_000);
});

// Keep the interop files around only when asked (debugging an OpenSSL mismatch).
if (!process.env.KEEP_GM_TMP && existsSync(tmp)) process.on('exit', () => spawnSync('rm', ['-rf', tmp]));
