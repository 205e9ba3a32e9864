/**
 * GM/T mode (国密): SM3 digest, SM2 signatures, SM4 encryption, behind the same small
 * SignatureSuite interface as the RSA/ECDSA path so callers switch with selectSuite('gm').
 * See docs/decisions/023-gm-mode.md.
 *
 * Interop conventions (all checked against OpenSSL 3.0 in gm.test.ts):
 * - SM2 signatures: user ID "1234567812345678" (GM/T 0009 default; OpenSSL's `distid`), digest
 *   SM3(Z_A || M), signature DER SEQUENCE { r INTEGER, s INTEGER } exactly as OpenSSL emits.
 * - SM2 keys: PKCS#8 / SPKI with id-ecPublicKey and curve 1.2.156.10197.1.301, as
 *   `openssl genpkey -algorithm SM2` writes them.
 * - SM4: OpenSSL 3.0 has SM4-CBC but no SM4-GCM. `sm4Seal` is SM4-CBC + HMAC-SM3
 *   encrypt-then-MAC in the layout of RFC 7518 §5.2 (A128CBC-HS256 with SM4/SM3), so an auditor
 *   can check it with `openssl dgst -sm3 -mac HMAC` and decrypt it with `openssl enc -sm4-cbc`.
 *   SM4-GCM (RFC 8998) is offered too, for peers that speak it.
 *
 * sm-crypto-v2 accepts some non-canonical input (SM2 s ≥ n, loose DER), so signatures are parsed
 * strictly here before the library sees them.
 */
import * as asn1js from 'asn1js';
import { sm2, sm3 as sm3hex, sm4 } from 'sm-crypto-v2';
import { CryptoVerifyError, errorText } from './errors.js';
import { bufferSource, bytesEqual, concatBytes, fromHex, sha256, toArrayBuffer, toHex } from './hash.js';

export const SM2_DEFAULT_USER_ID = '1234567812345678';
export const OID_SM2_CURVE = '1.2.156.10197.1.301';
export const OID_SM2_WITH_SM3 = '1.2.156.10197.1.501';
export const OID_SM3 = '1.2.156.10197.1.401';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

// ---------------------------------------------------------------------------------------------
// SM3

export function sm3(data: Uint8Array): Uint8Array {
  return fromHex(sm3hex(data));
}

export function hmacSm3(key: Uint8Array, data: Uint8Array): Uint8Array {
  return fromHex(sm3hex(data, { key, mode: 'hmac' }));
}

// ---------------------------------------------------------------------------------------------
// SM2 keys

export interface Sm2PrivateKey {
  kind: 'sm2-private';
  /** 32-byte scalar, hex */
  d: string;
  /** uncompressed point 04||x||y, hex */
  publicKey: string;
}

export interface Sm2PublicKey {
  kind: 'sm2-public';
  /** uncompressed point 04||x||y, hex */
  point: string;
}

export function generateSm2KeyPair(): { privateKey: Sm2PrivateKey; publicKey: Sm2PublicKey } {
  const kp = sm2.generateKeyPairHex();
  const d = kp.privateKey.padStart(64, '0');
  const point = sm2.getPublicKeyFromPrivateKey(d);
  return { privateKey: { kind: 'sm2-private', d, publicKey: point }, publicKey: { kind: 'sm2-public', point } };
}

export function sm2PublicOf(key: Sm2PrivateKey): Sm2PublicKey {
  return { kind: 'sm2-public', point: key.publicKey };
}

function sm2Point(hex: string, what: string): string {
  const h = hex.toLowerCase();
  if (!/^04[0-9a-f]{128}$/.test(h) || !sm2.verifyPublicKey(h)) {
    throw new CryptoVerifyError('MALFORMED', `${what} is not a point on the SM2 curve`);
  }
  return h;
}

function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const r = asn1js.fromBER(toArrayBuffer(der));
  if (r.offset === -1 || r.offset !== der.length) throw new CryptoVerifyError('MALFORMED', `${what} is not DER`);
  return r.result;
}

function algorithmIsSm2(alg: asn1js.AsnType | undefined): boolean {
  if (!(alg instanceof asn1js.Sequence)) return false;
  const [oid, param] = alg.valueBlock.value;
  const o = oid instanceof asn1js.ObjectIdentifier ? oid.valueBlock.toString() : '';
  const p = param instanceof asn1js.ObjectIdentifier ? param.valueBlock.toString() : '';
  return (o === OID_EC_PUBLIC_KEY && p === OID_SM2_CURVE) || o === OID_SM2_CURVE;
}

function sm2AlgorithmId(): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: OID_EC_PUBLIC_KEY }), new asn1js.ObjectIdentifier({ value: OID_SM2_CURVE })],
  });
}

export function sm2PublicKeyFromSpki(spki: Uint8Array): Sm2PublicKey {
  const seq = parseDer(spki, 'SM2 public key');
  const parts = seq instanceof asn1js.Sequence ? seq.valueBlock.value : [];
  if (parts.length !== 2 || !algorithmIsSm2(parts[0]) || !(parts[1] instanceof asn1js.BitString)) {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', 'not an SM2 SubjectPublicKeyInfo');
  }
  return { kind: 'sm2-public', point: sm2Point(toHex(parts[1].valueBlock.valueHexView), 'SM2 public key') };
}

export function sm2PublicKeyToSpki(key: Sm2PublicKey): Uint8Array {
  const bits = new asn1js.BitString({ valueHex: toArrayBuffer(fromHex(sm2Point(key.point, 'SM2 public key'))) });
  return new Uint8Array(new asn1js.Sequence({ value: [sm2AlgorithmId(), bits] }).toBER(false));
}

export function sm2PrivateKeyFromPkcs8(pkcs8: Uint8Array): Sm2PrivateKey {
  const seq = parseDer(pkcs8, 'SM2 private key');
  const parts = seq instanceof asn1js.Sequence ? seq.valueBlock.value : [];
  if (parts.length < 3 || !algorithmIsSm2(parts[1]) || !(parts[2] instanceof asn1js.OctetString)) {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', 'not an SM2 PKCS#8 private key');
  }
  const ec = parseDer(new Uint8Array(parts[2].valueBlock.valueHexView), 'ECPrivateKey');
  const ecParts = ec instanceof asn1js.Sequence ? ec.valueBlock.value : [];
  if (!(ecParts[1] instanceof asn1js.OctetString)) throw new CryptoVerifyError('MALFORMED', 'ECPrivateKey has no private key');
  const d = toHex(ecParts[1].valueBlock.valueHexView).padStart(64, '0');
  const scalar = BigInt('0x' + d);
  if (d.length !== 64 || scalar <= 0n || scalar >= SM2_N - 1n) throw new CryptoVerifyError('MALFORMED', 'SM2 private scalar out of range');
  return { kind: 'sm2-private', d, publicKey: sm2.getPublicKeyFromPrivateKey(d) };
}

export function sm2PrivateKeyToPkcs8(key: Sm2PrivateKey): Uint8Array {
  const ecPrivateKey = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.OctetString({ valueHex: toArrayBuffer(fromHex(key.d)) }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [new asn1js.BitString({ valueHex: toArrayBuffer(fromHex(key.publicKey)) })],
      }),
    ],
  });
  const info = new asn1js.Sequence({
    value: [new asn1js.Integer({ value: 0 }), sm2AlgorithmId(), new asn1js.OctetString({ valueHex: ecPrivateKey.toBER(false) })],
  });
  return new Uint8Array(info.toBER(false));
}

// ---------------------------------------------------------------------------------------------
// DER signatures shared by SM2 and ECDSA: SEQUENCE { r INTEGER, s INTEGER }, strictly.

function derInt(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = fromHex(hex);
  if (b[0] & 0x80) b = concatBytes(new Uint8Array([0]), b);
  return concatBytes(new Uint8Array([0x02, b.length]), b);
}

export function encodeDerSignature(r: bigint, s: bigint): Uint8Array {
  const body = concatBytes(derInt(r), derInt(s));
  return concatBytes(new Uint8Array([0x30, body.length]), body);
}

/** Parses DER ECDSA/SM2 signatures; rejects BER leniency, trailing bytes and values outside [1, n-1]. */
export function decodeDerSignature(sig: Uint8Array, n: bigint): { r: bigint; s: bigint } {
  const bad = (why: string) => new CryptoVerifyError('SIGNATURE_INVALID', `signature is not a DER (r, s) pair: ${why}`);
  if (!(sig instanceof Uint8Array) || sig.length < 8 || sig[0] !== 0x30) throw bad('no SEQUENCE');
  if (sig[1] & 0x80 || sig[1] !== sig.length - 2) throw bad('bad length');
  let at = 2;
  const int = (): bigint => {
    if (sig[at] !== 0x02) throw bad('INTEGER expected');
    const len = sig[at + 1];
    if (len === undefined || len === 0 || len & 0x80 || at + 2 + len > sig.length) throw bad('bad INTEGER length');
    const v = sig.subarray(at + 2, at + 2 + len);
    if (v[0] & 0x80) throw bad('negative INTEGER');
    if (v[0] === 0 && (len === 1 || !(v[1] & 0x80))) throw bad('non-minimal INTEGER');
    at += 2 + len;
    const x = BigInt('0x' + toHex(v));
    if (x < 1n || x >= n) throw bad('value out of range');
    return x;
  };
  const r = int();
  const s = int();
  if (at !== sig.length) throw bad('trailing bytes');
  return { r, s };
}

// ---------------------------------------------------------------------------------------------
// SM2 sign / verify

export function sm2Sign(data: Uint8Array, key: Sm2PrivateKey, opts: { userId?: string } = {}): Uint8Array {
  const rs = sm2.doSignature(data, key.d, { hash: true, der: false, publicKey: key.publicKey, userId: opts.userId ?? SM2_DEFAULT_USER_ID });
  return encodeDerSignature(BigInt('0x' + rs.slice(0, 64)), BigInt('0x' + rs.slice(64)));
}

/** True iff `sig` (DER) is a valid SM2 signature of `data` under `key`. Malformed input is false. */
export function sm2Verify(data: Uint8Array, sig: Uint8Array, key: Sm2PublicKey, opts: { userId?: string } = {}): boolean {
  let rs: { r: bigint; s: bigint };
  try {
    rs = decodeDerSignature(sig, SM2_N);
  } catch {
    return false;
  }
  const raw = rs.r.toString(16).padStart(64, '0') + rs.s.toString(16).padStart(64, '0');
  try {
    return sm2.doVerifySignature(data, raw, sm2Point(key.point, 'SM2 public key'), { hash: true, der: false, userId: opts.userId ?? SM2_DEFAULT_USER_ID });
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// SM4

function checkLen(b: Uint8Array, n: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new Error(`${what} must be ${n} bytes`);
}

/** SM4-CBC with PKCS#7 padding: `openssl enc -sm4-cbc -K key -iv iv` compatible. */
export function sm4CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkLen(key, 16, 'SM4 key');
  checkLen(iv, 16, 'SM4 IV');
  return sm4.encrypt(plaintext, key, { mode: 'cbc', iv, padding: 'pkcs#7', output: 'array' });
}

export function sm4CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  checkLen(key, 16, 'SM4 key');
  checkLen(iv, 16, 'SM4 IV');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new CryptoVerifyError('DECRYPT_FAILED', 'SM4-CBC ciphertext length is not a multiple of 16');
  let out: Uint8Array;
  try {
    out = sm4.decrypt(ciphertext, key, { mode: 'cbc', iv, padding: 'pkcs#7', output: 'array' });
  } catch (e) {
    throw new CryptoVerifyError('DECRYPT_FAILED', `SM4-CBC decryption failed: ${errorText(e)}`);
  }
  return new Uint8Array(out);
}

function al(aad: Uint8Array): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(aad.length) * 8n);
  return b;
}

/**
 * Authenticated encryption SM4-CBC-HMAC-SM3 (RFC 7518 §5.2.2 with SM4 for AES and SM3 for SHA-256):
 * key = MAC_KEY(16) || ENC_KEY(16); output IV(16) || C || T, T = HMAC-SM3(MAC_KEY, A || IV || C || AL)[0..16).
 */
export function sm4Seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0), iv?: Uint8Array): Uint8Array {
  checkLen(key, 32, 'SM4-CBC-HMAC-SM3 key');
  const nonce = iv ?? crypto.getRandomValues(new Uint8Array(16));
  const c = sm4CbcEncrypt(key.subarray(16), nonce, plaintext);
  const t = hmacSm3(key.subarray(0, 16), concatBytes(aad, nonce, c, al(aad))).subarray(0, 16);
  return concatBytes(nonce, c, t);
}

export function sm4Open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkLen(key, 32, 'SM4-CBC-HMAC-SM3 key');
  if (!(sealed instanceof Uint8Array) || sealed.length < 48 || (sealed.length - 32) % 16 !== 0) {
    throw new CryptoVerifyError('DECRYPT_FAILED', 'sealed SM4 data has an impossible length');
  }
  const iv = sealed.subarray(0, 16);
  const c = sealed.subarray(16, sealed.length - 16);
  const t = sealed.subarray(sealed.length - 16);
  const want = hmacSm3(key.subarray(0, 16), concatBytes(aad, iv, c, al(aad))).subarray(0, 16);
  // MAC first: a tampered ciphertext is never decrypted (no padding oracle).
  if (!bytesEqual(t, want)) throw new CryptoVerifyError('DECRYPT_FAILED', 'authentication tag mismatch: the data, the associated data or the key is wrong');
  return sm4CbcDecrypt(key.subarray(16), iv, c);
}

/** SM4-GCM (RFC 8998): returns ciphertext || 16-byte tag. Not available in OpenSSL 3.0. */
export function sm4GcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkLen(key, 16, 'SM4 key');
  checkLen(iv, 12, 'SM4-GCM IV');
  const r = sm4.encrypt(plaintext, key, { mode: 'gcm', iv, associatedData: aad, output: 'array', outputTag: true });
  return concatBytes(r.output, r.tag!);
}

export function sm4GcmDecrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkLen(key, 16, 'SM4 key');
  checkLen(iv, 12, 'SM4-GCM IV');
  if (sealed.length < 16) throw new CryptoVerifyError('DECRYPT_FAILED', 'SM4-GCM data shorter than its tag');
  try {
    const out = sm4.decrypt(sealed.subarray(0, sealed.length - 16), key, {
      mode: 'gcm',
      iv,
      associatedData: aad,
      tag: sealed.subarray(sealed.length - 16),
      output: 'array',
    });
    return new Uint8Array(out);
  } catch {
    throw new CryptoVerifyError('DECRYPT_FAILED', 'SM4-GCM authentication failed');
  }
}

// ---------------------------------------------------------------------------------------------
// Signature suites: one interface for RSA, ECDSA P-256 and SM2.

export type SuiteId = 'rsa' | 'ecdsa' | 'sm2';
export type SigningKey = CryptoKey | Sm2PrivateKey;
export type VerifyingKey = CryptoKey | Sm2PublicKey;

export interface SignatureSuite {
  id: SuiteId;
  /** name of the digest, and the JOSE-like algorithm label recorded with signatures */
  digestName: 'SHA-256' | 'SM3';
  digest(data: Uint8Array): Promise<Uint8Array>;
  /** signature bytes as OpenSSL emits them: RSA raw, ECDSA and SM2 DER */
  sign(data: Uint8Array, key: SigningKey): Promise<Uint8Array>;
  verify(data: Uint8Array, sig: Uint8Array, key: VerifyingKey): Promise<boolean>;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

function asCryptoKey(k: SigningKey | VerifyingKey, suite: SuiteId): CryptoKey {
  if ((k as Sm2PrivateKey).kind) throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `an SM2 key cannot be used with the ${suite} suite`);
  return k as CryptoKey;
}

function rsaParams(key: CryptoKey): RsaPssParams | Algorithm {
  if (key.algorithm.name === 'RSA-PSS') return { name: 'RSA-PSS', saltLength: 32 };
  if (key.algorithm.name === 'RSASSA-PKCS1-v1_5') return { name: 'RSASSA-PKCS1-v1_5' };
  throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `key algorithm ${key.algorithm.name} is not an RSA signature algorithm`);
}

const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

export const rsaSuite: SignatureSuite = {
  id: 'rsa',
  digestName: 'SHA-256',
  digest: sha256,
  async sign(data, key) {
    const k = asCryptoKey(key, 'rsa');
    return new Uint8Array(await subtle().sign(rsaParams(k), k, bufferSource(data)));
  },
  async verify(data, sig, key) {
    const k = asCryptoKey(key, 'rsa');
    try {
      return await subtle().verify(rsaParams(k), k, bufferSource(sig), bufferSource(data));
    } catch {
      return false;
    }
  },
};

export const ecdsaSuite: SignatureSuite = {
  id: 'ecdsa',
  digestName: 'SHA-256',
  digest: sha256,
  async sign(data, key) {
    const k = asCryptoKey(key, 'ecdsa');
    // WebCrypto yields r||s (IEEE P1363); X.509/CMS/OpenSSL use DER.
    const raw = new Uint8Array(await subtle().sign({ name: 'ECDSA', hash: 'SHA-256' }, k, bufferSource(data)));
    return encodeDerSignature(BigInt('0x' + toHex(raw.subarray(0, 32))), BigInt('0x' + toHex(raw.subarray(32))));
  },
  async verify(data, sig, key) {
    const k = asCryptoKey(key, 'ecdsa');
    if ((k.algorithm as EcKeyAlgorithm).namedCurve !== 'P-256') return false;
    try {
      const { r, s } = decodeDerSignature(sig, P256_N);
      const raw = fromHex(r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0'));
      return await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, k, bufferSource(raw), bufferSource(data));
    } catch {
      return false;
    }
  },
};

export const sm2Suite: SignatureSuite = {
  id: 'sm2',
  digestName: 'SM3',
  digest: async (data) => sm3(data),
  async sign(data, key) {
    if ((key as Sm2PrivateKey).kind !== 'sm2-private') throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', 'the SM2 suite needs an SM2 private key');
    return sm2Sign(data, key as Sm2PrivateKey);
  },
  async verify(data, sig, key) {
    if ((key as Sm2PublicKey).kind !== 'sm2-public') return false;
    return sm2Verify(data, sig, key as Sm2PublicKey);
  },
};

/**
 * 'gm' → SM2/SM3; 'intl' → RSA (PSS or PKCS#1 v1.5, whichever the key was imported for) unless
 * `alg` asks for ECDSA P-256.
 */
export function selectSuite(mode: 'intl' | 'gm', alg?: 'rsa' | 'ecdsa'): SignatureSuite {
  if (mode === 'gm') return sm2Suite;
  if (mode !== 'intl') throw new Error(`unknown crypto mode "${String(mode)}"`);
  return alg === 'ecdsa' ? ecdsaSuite : rsaSuite;
}

/** The suite a key belongs to. */
export function suiteForKey(key: SigningKey | VerifyingKey): SignatureSuite {
  const kind = (key as Sm2PrivateKey).kind;
  if (kind === 'sm2-private' || kind === 'sm2-public') return sm2Suite;
  const name = (key as CryptoKey).algorithm?.name;
  if (name === 'ECDSA') return ecdsaSuite;
  if (name === 'RSA-PSS' || name === 'RSASSA-PKCS1-v1_5') return rsaSuite;
  throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `no signature suite for key algorithm ${String(name)}`);
}

// ---------------------------------------------------------------------------------------------
// SM2 certificates (PKI.js cannot verify SM2-with-SM3, so the two checks we need live here)

interface CertParts {
  tbs: Uint8Array;
  sigAlg: string;
  signature: Uint8Array;
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
}

export function sm2CertParts(cert: Uint8Array): CertParts {
  const root = parseDer(cert, 'certificate');
  const [tbsA, algA, sigA] = root instanceof asn1js.Sequence ? root.valueBlock.value : [];
  if (!(tbsA instanceof asn1js.Sequence) || !(algA instanceof asn1js.Sequence) || !(sigA instanceof asn1js.BitString)) {
    throw new CryptoVerifyError('MALFORMED', 'certificate is not an X.509 Certificate');
  }
  const f = tbsA.valueBlock.value;
  const off = f[0] instanceof asn1js.Constructed && f[0].idBlock.tagClass === 3 ? 1 : 0;
  const validity = f[off + 3];
  const times = validity instanceof asn1js.Sequence ? validity.valueBlock.value : [];
  const toDate = (t: asn1js.AsnType | undefined) =>
    t instanceof asn1js.UTCTime || t instanceof asn1js.GeneralizedTime ? t.toDate() : new Date(NaN);
  const oid = algA.valueBlock.value[0];
  return {
    tbs: new Uint8Array(tbsA.valueBeforeDecodeView),
    sigAlg: oid instanceof asn1js.ObjectIdentifier ? oid.valueBlock.toString() : '',
    signature: new Uint8Array(sigA.valueBlock.valueHexView),
    spki: new Uint8Array(f[off + 5]?.valueBeforeDecodeView ?? new Uint8Array(0)),
    notBefore: toDate(times[0]),
    notAfter: toDate(times[1]),
    issuerDer: new Uint8Array(f[off + 2]?.valueBeforeDecodeView ?? new Uint8Array(0)),
    subjectDer: new Uint8Array(f[off + 4]?.valueBeforeDecodeView ?? new Uint8Array(0)),
  };
}

/** The SM2 public key of an SM2 certificate. */
export function sm2CertPublicKey(cert: Uint8Array): Sm2PublicKey {
  return sm2PublicKeyFromSpki(sm2CertParts(cert).spki);
}

/**
 * Validates an SM2 certificate against SM2 trust anchors: the certificate is an anchor itself, or
 * an anchor whose subject is its issuer signed it (SM2-with-SM3, default user ID); both valid at `at`.
 * One level only: the platform's GM CA issues its signing certificates directly.
 */
export function validateSm2Chain(opts: { cert: Uint8Array; trustAnchors: Uint8Array[]; at?: Date }): void {
  const at = opts.at ?? new Date();
  const leaf = sm2CertParts(opts.cert);
  const inTime = (c: CertParts, what: string) => {
    if (!(c.notBefore <= at)) throw new CryptoVerifyError('CERT_NOT_YET_VALID', `${what} is not valid before ${c.notBefore.toISOString()}`);
    if (!(at <= c.notAfter)) throw new CryptoVerifyError('CERT_EXPIRED', `${what} expired at ${c.notAfter.toISOString()}`);
  };
  inTime(leaf, 'signer certificate');
  if (opts.trustAnchors.some((a) => bytesEqual(a, opts.cert))) return;
  for (const a of opts.trustAnchors) {
    const anchor = sm2CertParts(a);
    if (!bytesEqual(anchor.subjectDer, leaf.issuerDer)) continue;
    if (leaf.sigAlg !== OID_SM2_WITH_SM3) throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `certificate signature algorithm ${leaf.sigAlg} is not SM2-with-SM3`);
    if (sm2Verify(leaf.tbs, leaf.signature, sm2PublicKeyFromSpki(anchor.spki))) {
      inTime(anchor, 'trust anchor');
      return;
    }
  }
  throw new CryptoVerifyError('CERT_UNTRUSTED', 'the SM2 signer certificate was not issued by any trust anchor');
}
