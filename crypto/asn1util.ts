/** ASN.1 helpers shared by pki.ts, cms.ts and tsp.ts (asn1js + PKI.js). */
import * as asn1js from 'asn1js';
import { pkijs } from './engine.js';
import { CryptoVerifyError, errorText } from './errors.js';
import { toArrayBuffer } from './hash.js';

export const OID = {
  // attribute types in names
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  organizationIdentifier: '2.5.4.97',
  emailAddress: '1.2.840.113549.1.9.1',
  // extensions
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyConstraints: '2.5.29.36',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  // EKU purposes
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  documentSigning: '1.3.6.1.5.5.7.3.36',
  // CMS
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  // algorithms
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  rsaesOaep: '1.2.840.113549.1.1.7',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
} as const;

export const HASH_BY_OID: Record<string, 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

/** Hash implied by a signature algorithm OID, for a consistency check against digestAlgorithm. */
export const HASH_OF_SIGALG: Record<string, string> = {
  [OID.sha256WithRSAEncryption]: 'SHA-256',
  [OID.sha384WithRSAEncryption]: 'SHA-384',
  [OID.sha512WithRSAEncryption]: 'SHA-512',
  [OID.ecdsaWithSha256]: 'SHA-256',
  [OID.ecdsaWithSha384]: 'SHA-384',
  [OID.ecdsaWithSha512]: 'SHA-512',
};

const NAME_LABELS: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.serialNumber]: 'serialNumber',
  [OID.country]: 'C',
  [OID.locality]: 'L',
  [OID.state]: 'ST',
  [OID.organization]: 'O',
  [OID.organizationalUnit]: 'OU',
  [OID.organizationIdentifier]: 'organizationIdentifier',
  [OID.emailAddress]: 'emailAddress',
};

/** Parses DER; any failure (including trailing bytes) becomes CryptoVerifyError('MALFORMED'). */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  if (!(der instanceof Uint8Array) || der.length === 0) {
    throw new CryptoVerifyError('MALFORMED', `${what} is empty`);
  }
  let asn1: ReturnType<typeof asn1js.fromBER>;
  try {
    // asn1js 4 defaults would copy the input, try to parse every OCTET STRING's contents as ASN.1
    // and refuse anything over 16 MB: wrong for an attached 200 MB bid.
    asn1 = asn1js.fromBER(der, { copyInput: false, parseEmbedded: false, maxContentLength: Math.max(der.length, 16_777_216) });
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `${what} is malformed: ${errorText(e)}`);
  }
  if (asn1.offset === -1 || asn1.result.error) {
    throw new CryptoVerifyError('MALFORMED', `${what} is not valid ASN.1: ${asn1.result.error || 'decode error'}`);
  }
  if (asn1.offset !== der.length) {
    throw new CryptoVerifyError('MALFORMED', `${what} has ${der.length - asn1.offset} trailing byte(s)`);
  }
  checkLengths(asn1.result, what, 0);
  return asn1.result;
}

/**
 * asn1js lets the last child of a constructed value run past its parent's declared length; DER
 * (and any honest encoder) never does, so such input is refused here.
 */
function checkLengths(node: asn1js.AsnType, what: string, depth: number): void {
  if (depth > 64) throw new CryptoVerifyError('MALFORMED', `${what} is nested too deeply`);
  const n = node as unknown as {
    idBlock: { isConstructed: boolean };
    lenBlock: { isIndefiniteForm: boolean; length: number };
    valueBlock: { blockLength: number; value?: unknown };
  };
  if (!n.idBlock?.isConstructed) return;
  if (!n.lenBlock.isIndefiniteForm && n.valueBlock.blockLength !== n.lenBlock.length) {
    throw new CryptoVerifyError('MALFORMED', `${what} has inconsistent ASN.1 lengths`);
  }
  const children = n.valueBlock.value;
  if (Array.isArray(children)) for (const c of children) checkLengths(c as asn1js.AsnType, what, depth + 1);
}

/** Parses a PKI.js object from DER, mapping every parse failure to MALFORMED. */
export function parsePki<T>(der: Uint8Array, what: string, make: (schema: asn1js.AsnType) => T): T {
  const schema = parseDer(der, what);
  try {
    return make(schema);
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw e;
    throw new CryptoVerifyError('MALFORMED', `${what} is malformed: ${errorText(e)}`);
  }
}

// Parsed certificates by their exact DER bytes. The same few certificates (the platform CA, TSA
// and signer, each bidder's own) are parsed several times per sealed bid, and parsing is most of
// the cost of a verification. Callers only read a parsed certificate, never change it. Bounded
// (least recently used out) and keyed by the bytes themselves, so a different certificate can never
// be served; failures are not cached.
const CERT_CACHE_MAX = 512;
const CERT_CACHE_MAX_BYTES = 16_384;
const certCache = new Map<string, pkijs.Certificate>();

function bytesKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  return s;
}

export function parseCertificate(der: Uint8Array, what = 'certificate'): pkijs.Certificate {
  const key = der instanceof Uint8Array && der.length > 0 && der.length <= CERT_CACHE_MAX_BYTES ? bytesKey(der) : undefined;
  if (key !== undefined) {
    const hit = certCache.get(key);
    if (hit) {
      certCache.delete(key);
      certCache.set(key, hit);
      return hit;
    }
  }
  const cert = parsePki(der, what, (schema) => new pkijs.Certificate({ schema }));
  if (key !== undefined) {
    certCache.set(key, cert);
    if (certCache.size > CERT_CACHE_MAX) certCache.delete(certCache.keys().next().value!);
  }
  return cert;
}

// Parsed CRLs the same way: every signature check at a bid's start is given the platform's current
// CRL, which changes only when a certificate is revoked.
const CRL_CACHE_MAX = 8;
const CRL_CACHE_MAX_BYTES = 1 << 20;
const crlCache = new Map<string, pkijs.CertificateRevocationList>();

export function parseCrl(der: Uint8Array, what = 'CRL'): pkijs.CertificateRevocationList {
  const key = der instanceof Uint8Array && der.length > 0 && der.length <= CRL_CACHE_MAX_BYTES ? bytesKey(der) : undefined;
  const hit = key === undefined ? undefined : crlCache.get(key);
  if (hit) return hit;
  const crl = parsePki(der, what, (schema) => new pkijs.CertificateRevocationList({ schema }));
  if (key !== undefined) {
    crlCache.set(key, crl);
    if (crlCache.size > CRL_CACHE_MAX) crlCache.delete(crlCache.keys().next().value!);
  }
  return crl;
}

export function encodeDer(obj: { toSchema(): asn1js.AsnType } | asn1js.AsnType): Uint8Array {
  const schema = 'toBER' in obj ? obj : obj.toSchema();
  return new Uint8Array(schema.toBER(false));
}

export function certDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

function attrValueString(v: unknown): string {
  const any = v as { valueBlock?: { value?: unknown; valueHexView?: Uint8Array } };
  const value = any?.valueBlock?.value;
  if (typeof value === 'string') return value;
  return '#' + Array.from(any?.valueBlock?.valueHexView ?? []).map((b) => b.toString(16).padStart(2, '0')).join('');
}

function escapeRdn(s: string): string {
  return s.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

/** "CN=..., O=..., serialNumber=..." in encoding order (as `openssl x509 -nameopt RFC2253` reversed). */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${NAME_LABELS[tv.type] ?? tv.type}=${escapeRdn(attrValueString(tv.value))}`)
    .join(', ');
}

export function nameAttr(name: pkijs.RelativeDistinguishedNames, oid: string): string | undefined {
  const tv = name.typesAndValues.find((t) => t.type === oid);
  return tv ? attrValueString(tv.value) : undefined;
}

// A parsed name is compared by the bytes it was decoded from (what was signed); PKI.js's
// toSchema() would re-parse and re-encode them, which for DER gives the same bytes at a cost paid
// several times per signature check. Names built in code (no decoded bytes) are encoded.
/** The DER of a name. */
export function nameDer(name: pkijs.RelativeDistinguishedNames): Uint8Array {
  if (name.valueBeforeDecode.byteLength > 0) return new Uint8Array(name.valueBeforeDecode.slice(0));
  return new Uint8Array(name.toSchema().toBER(false));
}

export function namesEqual(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  const x = nameDer(a);
  const y = nameDer(b);
  if (x.length === y.length && x.every((v, i) => v === y[i])) return true;
  return a.isEqual(b);
}

/** Minimal positive DER INTEGER content bytes from an unsigned big-endian value. */
export function positiveIntegerBytes(v: Uint8Array | bigint): Uint8Array {
  let bytes: Uint8Array;
  if (typeof v === 'bigint') {
    if (v < 0n) throw new Error('serial must be non-negative');
    let hex = v.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  } else {
    bytes = v;
  }
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  bytes = bytes.subarray(i);
  if (bytes.length === 0) bytes = new Uint8Array([0]);
  if (bytes[0] & 0x80) {
    const out = new Uint8Array(bytes.length + 1);
    out.set(bytes, 1);
    return out;
  }
  return bytes.slice();
}

export function integerFromBytes(v: Uint8Array | bigint): asn1js.Integer {
  return new asn1js.Integer({ valueHex: toArrayBuffer(positiveIntegerBytes(v)) });
}

/** Hex of an INTEGER's magnitude without the sign-padding zero byte. */
export function integerHex(i: asn1js.Integer): string {
  const b = i.valueBlock.valueHexView;
  let s = 0;
  while (s < b.length - 1 && b[s] === 0) s++;
  return Array.from(b.subarray(s)).map((x) => x.toString(16).padStart(2, '0')).join('');
}

export function randomSerial(): Uint8Array {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] & 0x7f) | 0x01; // positive, no leading zero: RFC 5280 4.1.2.2 and strict DER parsers
  return b;
}

/** X.509 Time: UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function x509Time(d: Date): pkijs.Time {
  const year = d.getUTCFullYear();
  return new pkijs.Time({ type: year >= 1950 && year < 2050 ? 0 : 1, value: d });
}

/** KeyUsage BIT STRING with trailing zero bits dropped, as DER requires (X.690 11.2.2). */
export function keyUsageBits(bits: number[]): asn1js.BitString {
  const max = Math.max(...bits);
  const len = Math.floor(max / 8) + 1;
  const bytes = new Uint8Array(len);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  return new asn1js.BitString({ valueHex: toArrayBuffer(bytes), unusedBits: len * 8 - (max + 1) });
}

export function bitSet(bs: asn1js.BitString, bit: number): boolean {
  const bytes = bs.valueBlock.valueHexView;
  const byte = bytes[bit >> 3];
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

export const KU = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** Lexicographic byte order of DER encodings: the order DER demands for SET OF (X.690 11.6). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function sortAttributesDer<T extends { toSchema(): asn1js.AsnType }>(attrs: T[]): T[] {
  return attrs
    .map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }))
    .sort((x, y) => compareBytes(x.der, y.der))
    .map((x) => x.a);
}

export function findExtension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

export function asDate(t: unknown): Date | undefined {
  if (t instanceof asn1js.UTCTime || t instanceof asn1js.GeneralizedTime) return t.toDate();
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// A tiny DER writer for outer CMS structures. Nodes are assembled as a tree and serialised once,
// so a large eContent is copied exactly once into the output (PKI.js's EncapsulatedContentInfo
// copies it byte by byte into 64 KiB BER chunks instead).

export type DerNode = Uint8Array | { tag: number; parts: DerNode[] };

export function der(tag: number, ...parts: DerNode[]): DerNode {
  return { tag, parts };
}

function lengthOfLength(n: number): number {
  if (n < 0x80) return 1;
  let len = 1;
  while (n > 0) {
    len++;
    n = Math.floor(n / 256);
  }
  return len;
}

function contentLength(node: DerNode): number {
  if (node instanceof Uint8Array) return node.length;
  let n = 0;
  for (const p of node.parts) n += encodedLength(p);
  return n;
}

function encodedLength(node: DerNode): number {
  if (node instanceof Uint8Array) return node.length;
  const c = contentLength(node);
  return 1 + lengthOfLength(c) + c;
}

function writeNode(node: DerNode, out: Uint8Array, off: number): number {
  if (node instanceof Uint8Array) {
    out.set(node, off);
    return off + node.length;
  }
  const c = contentLength(node);
  out[off++] = node.tag;
  if (c < 0x80) {
    out[off++] = c;
  } else {
    const ll = lengthOfLength(c) - 1;
    out[off++] = 0x80 | ll;
    for (let i = ll - 1; i >= 0; i--) out[off++] = Math.floor(c / 256 ** i) % 256;
  }
  for (const p of node.parts) off = writeNode(p, out, off);
  return off;
}

export function encodeNode(node: DerNode): Uint8Array {
  const out = new Uint8Array(encodedLength(node));
  writeNode(node, out, 0);
  return out;
}

const oidDers = new Map<string, Uint8Array>();

export function oidDer(oid: string): Uint8Array {
  let d = oidDers.get(oid);
  if (!d) {
    d = new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
    // A fixed set of OIDs in practice; the bound only keeps hostile input from growing it.
    if (oidDers.size < 1000) oidDers.set(oid, d);
  }
  return d.slice();
}

export function smallIntDer(n: number): Uint8Array {
  return new Uint8Array(new asn1js.Integer({ value: n }).toBER(false));
}

export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  SEQUENCE: 0x30,
  SET: 0x31,
  CTX0: 0xa0,
  CTX0_IMPLICIT_PRIM: 0x80,
  CTX1: 0xa1,
  CTX4: 0xa4,
} as const;

/** Bytes of an OCTET STRING, primitive or BER-constructed (chunks concatenated). */
export function octetStringBytes(v: asn1js.OctetString): Uint8Array {
  if (!v.idBlock.isConstructed) return v.valueBlock.valueHexView;
  const parts: Uint8Array[] = [];
  const walk = (node: asn1js.OctetString) => {
    for (const child of node.valueBlock.value as asn1js.OctetString[]) {
      if (!(child instanceof asn1js.OctetString)) throw new CryptoVerifyError('MALFORMED', 'constructed OCTET STRING holds a non-OCTET STRING');
      if (child.idBlock.isConstructed) walk(child);
      else parts.push(child.valueBlock.valueHexView);
    }
  };
  walk(v);
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * PKI.js's getSignatureParameters, plus the NULL parameters RFC 4055 2.1 requires for
 * sha*WithRSAEncryption (PKI.js omits them; OpenSSL and forge write them, and re-encoders that
 * "fix" them break the signature of what they re-encode).
 */
export async function signatureParameters(key: CryptoKey): Promise<{ signatureAlgorithm: pkijs.AlgorithmIdentifier; parameters: pkijs.CryptoEngineSignWithPrivateKeyParams }> {
  const { signatureAlgorithm, parameters } = await pkijs.getCrypto(true).getSignatureParameters(key, 'SHA-256');
  if (key.algorithm.name === 'RSASSA-PKCS1-v1_5' && signatureAlgorithm.algorithmParams === undefined) {
    signatureAlgorithm.algorithmParams = new asn1js.Null();
  }
  return { signatureAlgorithm, parameters: parameters as unknown as pkijs.CryptoEngineSignWithPrivateKeyParams };
}

/** Signs a Certificate or CRL in place (PKI.js's own sign() minus the missing NULL). */
export async function signTbs(obj: pkijs.Certificate | pkijs.CertificateRevocationList, key: CryptoKey): Promise<void> {
  const { signatureAlgorithm, parameters } = await signatureParameters(key);
  obj.signature = signatureAlgorithm;
  obj.signatureAlgorithm = signatureAlgorithm;
  obj.tbsView = new Uint8Array((obj as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER());
  const sig = await pkijs.getCrypto(true).signWithPrivateKey(obj.tbsView as Uint8Array<ArrayBuffer>, key, parameters);
  obj.signatureValue = new asn1js.BitString({ valueHex: sig });
}
