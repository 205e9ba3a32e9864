/**
 * CMS AuthEnvelopedData (RFC 5083) with AES-256-GCM (RFC 5084) and RSA-OAEP-SHA256 key transport
 * (RFC 8017 / RFC 4055), written on a tiny DER reader/writer plus WebCrypto.
 *
 * Why not PKI.js or forge: neither implements AuthEnvelopedData (see docs/decisions/015). asn1js 4
 * also copies its input and refuses contents over 16 MB by default, which is wrong for a 200 MB bid,
 * so this file walks the TLVs itself and hands WebCrypto views (subarray) of the caller's buffer.
 *
 * Interop (tested): `openssl cms -decrypt` reads what encryptEnvelope writes, and we read what
 * `openssl cms -encrypt -aes-256-gcm -keyopt rsa_padding_mode:oaep ...` writes.
 *
 * Memory: WebCrypto AES-GCM is one-shot, so the whole plaintext and the whole ciphertext are in
 * memory at once; sealing N bytes peaks at about 3N (plaintext, WebCrypto's output, the DER).
 */
import { CryptoVerifyError } from './errors';
import { bytesEqual, toHex } from './hash';

export const OID = {
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  data: '1.2.840.113549.1.7.1',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  rsaesOaep: '1.2.840.113549.1.1.7',
  sha256: '2.16.840.1.101.3.4.2.1',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
  keyUsage: '2.5.29.15',
  sha1: '1.3.14.3.2.26',
  rsaEncryption: '1.2.840.113549.1.1.1',
  contentTypeAttr: '1.2.840.113549.1.9.3',
} as const;

// ---------------------------------------------------------------------------------------------
// Minimal BER reader (definite and indefinite lengths) returning offsets, never copies.

export interface Tlv {
  tag: number;
  constructed: boolean;
  /** offset of the first content byte */
  start: number;
  /** offset just past the content (before the end-of-contents octets if indefinite) */
  end: number;
  /** offset just past the whole element */
  next: number;
  /** offset of the identifier octet */
  at: number;
}

const MAX_DEPTH = 40;

function malformed(msg: string): CryptoVerifyError {
  return new CryptoVerifyError('MALFORMED', msg);
}

export function readTlv(buf: Uint8Array, at: number, limit: number, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw malformed('ASN.1 nesting too deep');
  if (at + 2 > limit) throw malformed('ASN.1 element truncated');
  const tag = buf[at];
  if ((tag & 0x1f) === 0x1f) throw malformed('high-tag-number form not supported');
  const constructed = (tag & 0x20) !== 0;
  let p = at + 1;
  const first = buf[p++];
  if (first < 0x80) {
    const end = p + first;
    if (end > limit) throw malformed('ASN.1 length exceeds its container');
    return { tag, constructed, start: p, end, next: end, at };
  }
  if (first === 0x80) {
    if (!constructed) throw malformed('indefinite length on a primitive element');
    // Walk children until the end-of-contents octets 00 00.
    let q = p;
    for (;;) {
      if (q + 2 > limit) throw malformed('indefinite-length element not terminated');
      if (buf[q] === 0 && buf[q + 1] === 0) return { tag, constructed, start: p, end: q, next: q + 2, at };
      q = readTlv(buf, q, limit, depth + 1).next;
    }
  }
  const n = first & 0x7f;
  if (n > 4) throw malformed('ASN.1 length too large');
  if (p + n > limit) throw malformed('ASN.1 length truncated');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[p++];
  const end = p + len;
  if (end > limit) throw malformed('ASN.1 length exceeds its container');
  return { tag, constructed, start: p, end, next: end, at };
}

export function childrenOf(buf: Uint8Array, t: Tlv, depth = 0): Tlv[] {
  if (!t.constructed) throw malformed('expected a constructed element');
  const out: Tlv[] = [];
  let p = t.start;
  while (p < t.end) {
    const c = readTlv(buf, p, t.end, depth + 1);
    out.push(c);
    p = c.next;
  }
  return out;
}

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw malformed(`${what} is missing`);
  if (t.tag !== tag) throw malformed(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

export function contentOf(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

export function rawOf(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.at, t.next);
}

export function decodeOid(b: Uint8Array): string {
  if (b.length === 0) throw malformed('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw malformed('OBJECT IDENTIFIER arc too large');
    if ((b[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const a = v < 40 ? 0 : v < 80 ? 1 : 2;
        parts.push(a, v - a * 40);
      } else parts.push(v);
      v = 0;
    } else if (i === b.length - 1) throw malformed('OBJECT IDENTIFIER truncated');
  }
  return parts.join('.');
}

function readOid(buf: Uint8Array, t: Tlv | undefined, what: string): string {
  return decodeOid(contentOf(buf, expectTag(t, 0x06, what)));
}

function readSmallInt(buf: Uint8Array, t: Tlv | undefined, what: string): number {
  const c = contentOf(buf, expectTag(t, 0x02, what));
  if (c.length === 0 || c.length > 4) throw malformed(`${what}: bad INTEGER`);
  let v = c[0] & 0x80 ? -1 : 0;
  for (const x of c) v = v * 256 + x;
  return v;
}

/** Content of an OCTET STRING, primitive (a view) or constructed BER (joined). */
function octets(buf: Uint8Array, t: Tlv, depth = 0): Uint8Array {
  if (!t.constructed) return contentOf(buf, t);
  const parts = childrenOf(buf, t, depth).map((c) => {
    if (c.tag !== 0x04 && c.tag !== 0x24) throw malformed('constructed OCTET STRING holds a non-OCTET STRING');
    return octets(buf, c, depth + 1);
  });
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Minimal DER writer for the small parts; the big ciphertext is placed once into the output.

function lenBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bs: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bs.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bs.length, ...bs);
}

function header(tag: number, len: number): Uint8Array {
  const l = lenBytes(len);
  const h = new Uint8Array(1 + l.length);
  h[0] = tag;
  h.set(l, 1);
  return h;
}

function join(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function der(tag: number, ...content: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of content) len += c.length;
  return join([header(tag, len), ...content]);
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new Error(`bad OID ${oid}`);
  const vals = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of vals) {
    const chunk: number[] = [];
    let x = v;
    do {
      chunk.unshift(x % 128);
      x = Math.floor(x / 128);
    } while (x > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    out.push(...chunk);
  }
  return der(0x06, Uint8Array.from(out));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function derSetOf(elements: Uint8Array[], tag = 0x31): Uint8Array {
  return der(tag, ...[...elements].sort(compareBytes));
}

const SHA256_ALG = der(0x30, encodeOid(OID.sha256));
const OAEP_SHA256_ALG = der(
  0x30,
  encodeOid(OID.rsaesOaep),
  der(0x30, der(0xa0, SHA256_ALG), der(0xa1, der(0x30, encodeOid(OID.mgf1), SHA256_ALG))),
);

// ---------------------------------------------------------------------------------------------
// Certificates: just enough of X.509 to address a recipient.

export interface CertRef {
  issuerDer: Uint8Array;
  serial: Uint8Array;
  spki: Uint8Array;
  /** keyUsage bits if the extension is present */
  keyUsage?: number;
}

export function parseCertRef(cert: Uint8Array): CertRef {
  try {
    const top = readTlv(cert, 0, cert.length);
    const [tbs] = childrenOf(cert, expectTag(top, 0x30, 'Certificate'));
    const f = childrenOf(cert, expectTag(tbs, 0x30, 'TBSCertificate'));
    let i = f[0]?.tag === 0xa0 ? 1 : 0;
    const serial = contentOf(cert, expectTag(f[i++], 0x02, 'serialNumber'));
    expectTag(f[i++], 0x30, 'signature');
    const issuerDer = rawOf(cert, expectTag(f[i++], 0x30, 'issuer'));
    i += 2; // validity, subject
    const spki = rawOf(cert, expectTag(f[i++], 0x30, 'subjectPublicKeyInfo'));
    let keyUsage: number | undefined;
    for (; i < f.length; i++) {
      if (f[i].tag !== 0xa3) continue;
      const [exts] = childrenOf(cert, f[i]);
      for (const ext of childrenOf(cert, expectTag(exts, 0x30, 'extensions'))) {
        const e = childrenOf(cert, ext);
        if (readOid(cert, e[0], 'extnID') !== OID.keyUsage) continue;
        const value = contentOf(cert, expectTag(e[e.length - 1], 0x04, 'extnValue'));
        const bits = readTlv(value, 0, value.length);
        const b = contentOf(value, expectTag(bits, 0x03, 'keyUsage'));
        keyUsage = ((b[1] ?? 0) << 8) | (b[2] ?? 0);
      }
    }
    return { issuerDer, serial, spki, keyUsage };
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw new CryptoVerifyError('MALFORMED', `certificate: ${e.message}`);
    throw e;
  }
}

/** True for an RSA certificate whose keyUsage (if present) allows keyEncipherment. */
export function canKeyTransport(cert: Uint8Array): boolean {
  const ref = parseCertRef(cert);
  if (ref.keyUsage !== undefined && (ref.keyUsage & 0x2000) === 0) return false;
  const spki = readTlv(ref.spki, 0, ref.spki.length);
  const alg = childrenOf(ref.spki, spki)[0];
  const oid = alg ? childrenOf(ref.spki, alg)[0] : undefined;
  return !!oid && readOid(ref.spki, oid, 'algorithm') === OID.rsaEncryption;
}

const NAME_LABELS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Readable form of a DER Name, attributes in encoding order ("CN=..., O=..."), like OpenSSL's oneline. */
export function nameToString(nameDer: Uint8Array): string {
  const top = readTlv(nameDer, 0, nameDer.length);
  const out: string[] = [];
  for (const rdn of childrenOf(nameDer, expectTag(top, 0x30, 'Name'))) {
    for (const atv of childrenOf(nameDer, rdn)) {
      const [t, v] = childrenOf(nameDer, atv);
      const oid = readOid(nameDer, t, 'attribute type');
      if (!v) throw malformed('attribute value missing');
      const raw = contentOf(nameDer, v);
      let s: string;
      if (v.tag === 0x1e) {
        s = '';
        for (let k = 0; k + 1 < raw.length; k += 2) s += String.fromCharCode((raw[k] << 8) | raw[k + 1]);
      } else if ([0x0c, 0x13, 0x16, 0x14, 0x12].includes(v.tag)) s = new TextDecoder().decode(raw);
      else s = '#' + toHex(rawOf(nameDer, v));
      out.push(`${NAME_LABELS[oid] ?? oid}=${s}`);
    }
  }
  return out.join(', ');
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

function bs(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

// ---------------------------------------------------------------------------------------------
// Public API

export interface EnvelopeAttribute {
  /** attribute type OID */
  type: string;
  /** DER encodings of the attribute values */
  values: Uint8Array[];
}

export interface EncryptEnvelopeInput {
  content: Uint8Array;
  /** recipient certificates, DER */
  recipients: Uint8Array[];
  /**
   * Authenticated attributes (RFC 5083 §2.1): sent in clear, covered by the GCM tag. Anyone can
   * read them; only a recipient can tell if they were altered (decryption then fails).
   */
  authAttrs?: EnvelopeAttribute[];
}

export function encodeAttributes(attrs: EnvelopeAttribute[]): Uint8Array[] {
  return attrs.map((a) => der(0x30, encodeOid(a.type), derSetOf(a.values)));
}

export async function encryptEnvelope(input: EncryptEnvelopeInput): Promise<Uint8Array> {
  if (input.recipients.length === 0) throw new Error('encryptEnvelope: at least one recipient is required');
  const s = subtle();
  const cek = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(12));

  const ris: Uint8Array[] = [];
  for (const certDer of input.recipients) {
    const ref = parseCertRef(certDer);
    // keyEncipherment is bit 2 of keyUsage (RFC 5280 §4.2.1.3)
    if (ref.keyUsage !== undefined && (ref.keyUsage & 0x2000) === 0) {
      throw new CryptoVerifyError('KEY_USAGE_MISSING', `recipient ${nameToString(ref.issuerDer)} #${toHex(ref.serial)}: certificate does not allow keyEncipherment`);
    }
    const pub = await s.importKey('spki', bs(ref.spki), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const ek = new Uint8Array(await s.encrypt({ name: 'RSA-OAEP' }, pub, cek));
    ris.push(
      der(
        0x30,
        der(0x02, Uint8Array.of(0)),
        der(0x30, ref.issuerDer, der(0x02, ref.serial)),
        OAEP_SHA256_ALG,
        der(0x04, ek),
      ),
    );
  }

  let authAttrs: Uint8Array | undefined;
  let aad: Uint8Array | undefined;
  if (input.authAttrs && input.authAttrs.length > 0) {
    aad = derSetOf(encodeAttributes(input.authAttrs), 0x31);
    authAttrs = aad.slice();
    authAttrs[0] = 0xa1; // [1] IMPLICIT; the AAD uses the SET OF tag (RFC 5083 §2.2)
  }

  const key = await s.importKey('raw', cek, { name: 'AES-GCM' }, false, ['encrypt']);
  cek.fill(0);
  const sealed = new Uint8Array(
    await s.encrypt(
      { name: 'AES-GCM', iv: nonce, tagLength: 128, ...(aad ? { additionalData: bs(aad) } : {}) },
      key,
      bs(input.content),
    ),
  );
  const ct = sealed.subarray(0, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);

  const version = der(0x02, Uint8Array.of(0));
  const riSet = derSetOf(ris);
  const ecHead = join([
    encodeOid(OID.data),
    der(0x30, encodeOid(OID.aes256Gcm), der(0x30, der(0x04, nonce), der(0x02, Uint8Array.of(16)))),
    header(0x80, ct.length),
  ]);
  const ecLen = ecHead.length + ct.length;
  const ecHdr = header(0x30, ecLen);
  const mac = der(0x04, tag);
  const aedLen = version.length + riSet.length + ecHdr.length + ecLen + (authAttrs?.length ?? 0) + mac.length;
  const aedHdr = header(0x30, aedLen);
  const explicitHdr = header(0xa0, aedHdr.length + aedLen);
  const ctype = encodeOid(OID.authEnvelopedData);
  const ciLen = ctype.length + explicitHdr.length + aedHdr.length + aedLen;

  const pre = join([header(0x30, ciLen), ctype, explicitHdr, aedHdr, version, riSet, ecHdr, ecHead]);
  const post = join([authAttrs ?? new Uint8Array(0), mac]);
  const out = new Uint8Array(pre.length + ct.length + post.length);
  out.set(pre, 0);
  out.set(ct, pre.length);
  out.set(post, pre.length + ct.length);
  return out;
}

export interface RecipientRef {
  /** readable issuer name, e.g. "CN=Opening Key, O=..." */
  issuer: string;
  serialHex: string;
}

interface KeyTrans {
  issuerDer: Uint8Array;
  serial: Uint8Array;
  keyEncAlgOk: boolean;
  keyEncAlgOid: string;
  encryptedKey: Uint8Array;
}

export interface ParsedEnvelope {
  recipients: (RecipientRef & { issuerDer: Uint8Array; serial: Uint8Array })[];
  keyTrans: KeyTrans[];
  contentType: string;
  nonce: Uint8Array;
  ciphertext: Tlv | undefined;
  mac: Uint8Array;
  /** the authAttrs re-tagged as SET OF, as fed to GCM; undefined when absent */
  aad?: Uint8Array;
  authAttrs: EnvelopeAttribute[];
  encryptedSize: number;
  /** byte range of the recipientInfos SET: the one part GCM does not authenticate (RFC 5083 §2.1) */
  recipientInfosRange: [number, number];
  buf: Uint8Array;
}

function isOaepSha256(buf: Uint8Array, alg: Tlv): boolean {
  const a = childrenOf(buf, alg);
  if (readOid(buf, a[0], 'keyEncryptionAlgorithm') !== OID.rsaesOaep || !a[1]) return false;
  // RFC 8017 defaults are SHA-1 for both
  let hash: string = OID.sha1;
  let mgfHash: string = OID.sha1;
  for (const p of childrenOf(buf, expectTag(a[1], 0x30, 'RSAES-OAEP-params'))) {
    const inner = childrenOf(buf, p)[0];
    if (!inner) return false;
    const f = childrenOf(buf, expectTag(inner, 0x30, 'AlgorithmIdentifier'));
    if (p.tag === 0xa0) hash = readOid(buf, f[0], 'hashFunc');
    else if (p.tag === 0xa1) {
      if (readOid(buf, f[0], 'maskGenFunc') !== OID.mgf1 || !f[1]) return false;
      mgfHash = readOid(buf, childrenOf(buf, f[1])[0], 'mgf1 hash');
    } else if (p.tag === 0xa2) {
      // pSourceFunc: only the empty label works with WebCrypto's default
      const ps = f;
      if (readOid(buf, ps[0], 'pSourceFunc') !== OID.pSpecified) return false;
      if (ps[1] && contentOf(buf, ps[1]).length !== 0) return false;
    } else return false;
  }
  return hash === OID.sha256 && mgfHash === OID.sha256;
}

/** Parses and checks the structure; never decrypts. Throws CryptoVerifyError('MALFORMED'). */
export function parseEnvelope(envelope: Uint8Array): ParsedEnvelope {
  const buf = envelope;
  const top = readTlv(buf, 0, buf.length);
  if (top.next !== buf.length) throw malformed('trailing bytes after ContentInfo');
  const ci = childrenOf(buf, expectTag(top, 0x30, 'ContentInfo'));
  if (readOid(buf, ci[0], 'contentType') !== OID.authEnvelopedData) {
    throw malformed('not an AuthEnvelopedData (RFC 5083) ContentInfo');
  }
  const explicit = childrenOf(buf, expectTag(ci[1], 0xa0, 'content'));
  if (ci.length !== 2 || explicit.length !== 1) throw malformed('ContentInfo has unexpected elements');
  const f = childrenOf(buf, expectTag(explicit[0], 0x30, 'AuthEnvelopedData'));
  let i = 0;
  if (readSmallInt(buf, f[i++], 'version') !== 0) throw malformed('AuthEnvelopedData version must be 0');
  if (f[i]?.tag === 0xa0) i++; // originatorInfo: certificates/CRLs we do not need
  const riSet = expectTag(f[i++], 0x31, 'recipientInfos');
  const recipients: ParsedEnvelope['recipients'] = [];
  const keyTrans: KeyTrans[] = [];
  for (const ri of childrenOf(buf, riSet)) {
    if (ri.tag !== 0x30) continue; // kari/kekri/pwri/ori: not ours to open
    const r = childrenOf(buf, ri);
    const v = readSmallInt(buf, r[0], 'KeyTransRecipientInfo version');
    if (v !== 0 || r[1]?.tag !== 0x30) continue; // subjectKeyIdentifier form: not addressed to us
    const ias = childrenOf(buf, r[1]);
    const issuerDer = rawOf(buf, expectTag(ias[0], 0x30, 'issuer'));
    const serial = contentOf(buf, expectTag(ias[1], 0x02, 'serialNumber'));
    const alg = expectTag(r[2], 0x30, 'keyEncryptionAlgorithm');
    const keyEncAlgOid = readOid(buf, childrenOf(buf, alg)[0], 'keyEncryptionAlgorithm');
    const encryptedKey = contentOf(buf, expectTag(r[3], 0x04, 'encryptedKey'));
    if (r.length !== 4) throw malformed('KeyTransRecipientInfo has unexpected elements');
    let issuer: string;
    try {
      issuer = nameToString(issuerDer);
    } catch {
      throw malformed('recipient issuer name is malformed');
    }
    recipients.push({ issuer, serialHex: toHex(serial), issuerDer, serial });
    keyTrans.push({ issuerDer, serial, keyEncAlgOk: isOaepSha256(buf, alg), keyEncAlgOid, encryptedKey });
  }
  if (recipients.length === 0) throw malformed('no KeyTransRecipientInfo with issuerAndSerialNumber');

  const ec = childrenOf(buf, expectTag(f[i++], 0x30, 'EncryptedContentInfo'));
  const contentType = readOid(buf, ec[0], 'contentType');
  const alg = childrenOf(buf, expectTag(ec[1], 0x30, 'contentEncryptionAlgorithm'));
  const algOid = readOid(buf, alg[0], 'contentEncryptionAlgorithm');
  if (algOid !== OID.aes256Gcm) {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `content encryption ${algOid} is not AES-256-GCM`);
  }
  const gp = childrenOf(buf, expectTag(alg[1], 0x30, 'GCMParameters'));
  const nonce = contentOf(buf, expectTag(gp[0], 0x04, 'aes-nonce'));
  if (nonce.length !== 12) throw malformed('GCM nonce must be 12 bytes');
  const icvLen = gp[1] ? readSmallInt(buf, gp[1], 'aes-ICVlen') : 12;
  if (gp.length > 2 || alg.length !== 2) throw malformed('GCMParameters has unexpected elements');
  if (icvLen < 12 || icvLen > 16) throw malformed('aes-ICVlen must be 12..16');
  let ciphertext: Tlv | undefined;
  if (ec[2]) {
    if (ec[2].tag !== 0x80 && ec[2].tag !== 0xa0) throw malformed('encryptedContent has a wrong tag');
    ciphertext = ec[2];
  }
  if (ec.length > 3) throw malformed('EncryptedContentInfo has unexpected elements');

  let aad: Uint8Array | undefined;
  const authAttrs: EnvelopeAttribute[] = [];
  if (f[i]?.tag === 0xa1) {
    const t = f[i++];
    aad = rawOf(buf, t).slice();
    aad[0] = 0x31;
    for (const a of childrenOf(buf, t)) {
      const parts = childrenOf(buf, expectTag(a, 0x30, 'Attribute'));
      if (parts.length !== 2) throw malformed('Attribute must have a type and a value set');
      const type = readOid(buf, parts[0], 'attrType');
      const values = childrenOf(buf, expectTag(parts[1], 0x31, 'attrValues')).map((v) => rawOf(buf, v));
      authAttrs.push({ type, values });
    }
  }
  if (contentType !== OID.data) {
    // RFC 5083 §2.1: then authAttrs MUST carry a content-type attribute; that is what makes the
    // (otherwise unauthenticated) contentType field trustworthy.
    const ct = authAttrs.find((a) => a.type === OID.contentTypeAttr);
    const v = ct?.values.length === 1 ? ct.values[0] : undefined;
    if (!v || v[0] !== 0x06 || decodeOid(v.subarray(2)) !== contentType || v[1] !== v.length - 2) {
      throw malformed(`content type ${contentType} is not id-data and no matching content-type authAttr is present`);
    }
  }
  const mac = contentOf(buf, expectTag(f[i++], 0x04, 'mac'));
  if (mac.length !== icvLen) throw malformed(`mac is ${mac.length} bytes, GCMParameters says ${icvLen}`);
  if (f[i]?.tag === 0xa2) i++; // unauthAttrs: ignored, never trusted
  if (i !== f.length) throw malformed('AuthEnvelopedData has unexpected elements');
  const encryptedSize = ciphertext ? (ciphertext.constructed ? octets(buf, ciphertext).length : ciphertext.end - ciphertext.start) : 0;
  return { recipients, keyTrans, contentType, nonce, ciphertext, mac, aad, authAttrs, encryptedSize, recipientInfosRange: [riSet.at, riSet.next], buf };
}

export interface EnvelopeInfo {
  recipients: RecipientRef[];
  contentType: string;
  encryptedSize: number;
  authAttrs: EnvelopeAttribute[];
}

export function inspectEnvelope(envelope: Uint8Array): EnvelopeInfo {
  const p = parseEnvelope(envelope);
  return {
    recipients: p.recipients.map(({ issuer, serialHex }) => ({ issuer, serialHex })),
    contentType: p.contentType,
    encryptedSize: p.encryptedSize,
    authAttrs: p.authAttrs,
  };
}

/** True when the envelope has a KeyTransRecipientInfo for this certificate (issuer + serial). */
export function isAddressedTo(envelope: Uint8Array | ParsedEnvelope, recipientCert: Uint8Array): boolean {
  const p = envelope instanceof Uint8Array ? parseEnvelope(envelope) : envelope;
  const ref = parseCertRef(recipientCert);
  return p.keyTrans.some((k) => bytesEqual(k.issuerDer, ref.issuerDer) && bytesEqual(k.serial, ref.serial));
}

export interface RecipientInput {
  envelope: Uint8Array;
  recipientCert: Uint8Array;
  /** RSA-OAEP private key imported with hash SHA-256 and usage 'decrypt' (or 'unwrapKey') */
  recipientKey: CryptoKey;
}

async function unwrapParsed(p: ParsedEnvelope, recipientCert: Uint8Array, recipientKey: CryptoKey): Promise<Uint8Array> {
  const ref = parseCertRef(recipientCert);
  const kt = p.keyTrans.find((k) => bytesEqual(k.issuerDer, ref.issuerDer) && bytesEqual(k.serial, ref.serial));
  if (!kt) {
    throw new CryptoVerifyError(
      'WRONG_RECIPIENT',
      `the envelope is not addressed to ${nameToString(ref.issuerDer)} #${toHex(ref.serial)}`,
    );
  }
  if (!kt.keyEncAlgOk) {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `key transport ${kt.keyEncAlgOid} is not RSA-OAEP with SHA-256/MGF1-SHA-256`);
  }
  let cek: Uint8Array;
  try {
    cek = new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, recipientKey, bs(kt.encryptedKey)));
  } catch {
    throw new CryptoVerifyError(
      'DECRYPT_FAILED',
      'could not unwrap the content key: the private key does not match the recipient certificate, or the encrypted key is corrupted',
    );
  }
  if (cek.length !== 32) throw new CryptoVerifyError('DECRYPT_FAILED', 'unwrapped content key is not 256 bits');
  return cek;
}

export async function unwrapContentKey(input: RecipientInput): Promise<Uint8Array> {
  return unwrapParsed(parseEnvelope(input.envelope), input.recipientCert, input.recipientKey);
}

async function decryptParsed(p: ParsedEnvelope, contentKey: Uint8Array): Promise<Uint8Array> {
  if (contentKey.length !== 32) throw new CryptoVerifyError('DECRYPT_FAILED', 'content key must be 32 bytes');
  if (!p.ciphertext) throw new CryptoVerifyError('CONTENT_MISSING', 'encryptedContent is absent (detached content is not supported)');
  const s = subtle();
  const key = await s.importKey('raw', bs(contentKey), { name: 'AES-GCM' }, false, ['decrypt']);
  // WebCrypto wants ciphertext||tag in one buffer: the one unavoidable copy of the ciphertext.
  let sealed: Uint8Array;
  if (p.ciphertext.constructed) {
    const ct = octets(p.buf, p.ciphertext);
    sealed = new Uint8Array(ct.length + p.mac.length);
    sealed.set(ct);
    sealed.set(p.mac, ct.length);
  } else {
    const len = p.ciphertext.end - p.ciphertext.start;
    sealed = new Uint8Array(len + p.mac.length);
    sealed.set(p.buf.subarray(p.ciphertext.start, p.ciphertext.end));
    sealed.set(p.mac, len);
  }
  try {
    const out = await s.decrypt(
      { name: 'AES-GCM', iv: bs(p.nonce), tagLength: p.mac.length * 8, ...(p.aad ? { additionalData: bs(p.aad) } : {}) },
      key,
      bs(sealed),
    );
    return new Uint8Array(out);
  } catch {
    throw new CryptoVerifyError(
      'DECRYPT_FAILED',
      'authentication tag mismatch: the ciphertext, the authenticated attributes or the key is wrong',
    );
  }
}

export async function decryptEnvelope(input: RecipientInput): Promise<Uint8Array> {
  const p = parseEnvelope(input.envelope);
  const cek = await unwrapParsed(p, input.recipientCert, input.recipientKey);
  try {
    return await decryptParsed(p, cek);
  } finally {
    cek.fill(0);
  }
}

export async function decryptWithContentKey(input: { envelope: Uint8Array; contentKey: Uint8Array }): Promise<Uint8Array> {
  return decryptParsed(parseEnvelope(input.envelope), input.contentKey);
}
