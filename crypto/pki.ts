/**
 * Platform PKI: a root CA, role certificates, PKCS#12, CRLs and chain validation.
 *
 * Validation is our own rather than PKI.js's CertificateChainValidationEngine so that every failure
 * carries a precise CryptoVerifyError code and so that EKU / key usage are checked per purpose.
 */
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import { engine, pkijs, subtle } from './engine.js';
import { CryptoVerifyError, errorText } from './errors.js';
import { bufferSource, bytesEqual, fromBase64, sha256, toArrayBuffer, toBase64, toHex } from './hash.js';
import {
  KU,
  OID,
  bitSet,
  certDer,
  findExtension,
  integerFromBytes,
  integerHex,
  keyUsageBits,
  nameAttr,
  nameDer,
  nameToString,
  namesEqual,
  parseCertificate,
  parseCrl,
  parseDer,
  parsePki,
  randomSerial,
  signTbs,
  x509Time,
} from './asn1util.js';

export type KeyAlg = 'RSA' | 'EC';
export type CertRole = 'user' | 'bidder' | 'tsa' | 'platform' | 'opening' | 'expert';
export type CertPurpose = 'sign' | 'timestamp' | 'encrypt' | 'any';
export interface KeyPairPem {
  certPem: string;
  keyPem: string; // PKCS#8 PEM
}

const DAY = 86_400_000;
const CLOCK_SKEW_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------
// PEM

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new CryptoVerifyError('MALFORMED', 'no PEM block found');
  try {
    return fromBase64(m[2].replace(/[^A-Za-z0-9+/=]/g, ''));
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `PEM body is not base64: ${errorText(e)}`);
  }
}

/** Every PEM block with the given label (e.g. a CA bundle with several CERTIFICATE blocks). */
export function pemBlocks(pem: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Uint8Array[] = [];
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(fromBase64(m[1].replace(/[^A-Za-z0-9+/=]/g, '')));
  return out;
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Accepts PEM text or raw DER bytes (files may hold either). */
export function toDer(input: Uint8Array | string, label = 'CERTIFICATE'): Uint8Array {
  if (typeof input === 'string') return pemToDer(input);
  const head = new TextDecoder().decode(input.subarray(0, Math.min(input.length, 64)));
  if (head.includes('-----BEGIN')) {
    const text = new TextDecoder().decode(input);
    const blocks = pemBlocks(text, label);
    return blocks[0] ?? pemToDer(text);
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// keys

const RSA_HASH = { name: 'SHA-256' };

function signAlgFor(alg: KeyAlg, rsaBits: number, rsaName: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' = 'RSASSA-PKCS1-v1_5') {
  return alg === 'EC'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: rsaName, modulusLength: rsaBits, publicExponent: new Uint8Array([1, 0, 1]), hash: RSA_HASH };
}

async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  return derToPem(new Uint8Array(await subtle().exportKey('pkcs8', key)), 'PRIVATE KEY');
}

interface Pkcs8Kind {
  kind: 'RSA' | 'EC';
  curve?: 'P-256' | 'P-384' | 'P-521';
}

function pkcs8Kind(der: Uint8Array): Pkcs8Kind {
  const info = parsePki(der, 'private key', (schema) => new pkijs.PrivateKeyInfo({ schema }));
  const alg = info.privateKeyAlgorithm.algorithmId;
  if (alg === OID.rsaEncryption || alg === OID.rsassaPss) return { kind: 'RSA' };
  if (alg === OID.ecPublicKey) {
    const p = info.privateKeyAlgorithm.algorithmParams;
    const curveOid = p instanceof asn1js.ObjectIdentifier ? p.valueBlock.toString() : '';
    const curve = curveOid === OID.p256 ? 'P-256' : curveOid === OID.p384 ? 'P-384' : curveOid === '1.3.132.0.35' ? 'P-521' : undefined;
    if (!curve) throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `unsupported EC curve ${curveOid}`);
    return { kind: 'EC', curve };
  }
  throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `unsupported private key algorithm ${alg}`);
}

export async function importPrivateKeyPem(
  pem: string,
  usage: 'sign' | 'decrypt',
  opts: { alg?: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'ECDSA' | 'RSA-OAEP'; extractable?: boolean } = {},
): Promise<CryptoKey> {
  const m = /-----BEGIN ([A-Z ]+)-----/.exec(pem);
  if (m && m[1] !== 'PRIVATE KEY') {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `expected a PKCS#8 "PRIVATE KEY" PEM, got "${m[1]}"`);
  }
  return importPkcs8(pemToDer(pem), usage, opts);
}

export async function importPkcs8(
  der: Uint8Array,
  usage: 'sign' | 'decrypt',
  opts: { alg?: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'ECDSA' | 'RSA-OAEP'; extractable?: boolean } = {},
): Promise<CryptoKey> {
  const k = pkcs8Kind(der);
  const extractable = opts.extractable ?? false;
  let algorithm: RsaHashedImportParams | EcKeyImportParams;
  let usages: KeyUsage[];
  if (k.kind === 'RSA') {
    const name = opts.alg ?? (usage === 'sign' ? 'RSA-PSS' : 'RSA-OAEP');
    if (name === 'ECDSA') throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', 'an RSA key cannot be used for ECDSA');
    algorithm = { name, hash: 'SHA-256' };
    usages = name === 'RSA-OAEP' ? ['decrypt', 'unwrapKey'] : ['sign'];
  } else {
    if (opts.alg && opts.alg !== 'ECDSA') throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `an EC key cannot be used for ${opts.alg}`);
    algorithm = { name: usage === 'sign' ? 'ECDSA' : 'ECDH', namedCurve: k.curve! };
    usages = usage === 'sign' ? ['sign'] : ['deriveBits', 'deriveKey'];
  }
  try {
    return await subtle().importKey('pkcs8', bufferSource(der), algorithm, extractable, usages);
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `private key cannot be imported: ${errorText(e)}`);
  }
}

/** The public key of a certificate as a WebCrypto key. RSA 'verify' defaults to RSA-PSS, 'encrypt' to RSA-OAEP/SHA-256. */
export async function certPublicKey(
  der: Uint8Array,
  usage: 'verify' | 'encrypt',
  alg?: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'RSA-OAEP' | 'ECDSA' | 'ECDH',
): Promise<CryptoKey> {
  const cert = parseCertificate(der);
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  const algId = cert.subjectPublicKeyInfo.algorithm.algorithmId;
  if (algId === OID.rsaEncryption || algId === OID.rsassaPss) {
    const name = alg ?? (usage === 'verify' ? 'RSA-PSS' : 'RSA-OAEP');
    return subtle().importKey('spki', spki, { name, hash: 'SHA-256' }, true, name === 'RSA-OAEP' ? ['encrypt', 'wrapKey'] : ['verify']);
  }
  if (algId === OID.ecPublicKey) {
    const p = cert.subjectPublicKeyInfo.algorithm.algorithmParams;
    const curveOid = p instanceof asn1js.ObjectIdentifier ? p.valueBlock.toString() : '';
    const namedCurve = curveOid === OID.p256 ? 'P-256' : curveOid === OID.p384 ? 'P-384' : 'P-521';
    const name = alg ?? (usage === 'verify' ? 'ECDSA' : 'ECDH');
    return subtle().importKey('spki', spki, { name, namedCurve }, true, name === 'ECDSA' ? ['verify'] : []);
  }
  throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `unsupported public key algorithm ${algId}`);
}

// ---------------------------------------------------------------------------------------------
// issuing

async function publicKeyInfo(publicKey: CryptoKey): Promise<pkijs.PublicKeyInfo> {
  const spki = new Uint8Array(await subtle().exportKey('spki', publicKey));
  return parsePki(spki, 'public key', (schema) => new pkijs.PublicKeyInfo({ schema }));
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
async function keyIdentifier(spki: pkijs.PublicKeyInfo): Promise<Uint8Array> {
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(await subtle().digest('SHA-1', bufferSource(bits)));
}

function buildName(opts: { commonName: string; organization?: string; creditCode?: string; country?: string }): pkijs.RelativeDistinguishedNames {
  const tv: pkijs.AttributeTypeAndValue[] = [];
  if (opts.country) tv.push(new pkijs.AttributeTypeAndValue({ type: OID.country, value: new asn1js.PrintableString({ value: opts.country }) }));
  if (opts.organization) tv.push(new pkijs.AttributeTypeAndValue({ type: OID.organization, value: new asn1js.Utf8String({ value: opts.organization }) }));
  // X.520 fixes serialNumber as PrintableString; the 18-character unified social credit code fits it.
  if (opts.creditCode) {
    if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(opts.creditCode)) throw new Error('credit code must be printable ASCII');
    tv.push(new pkijs.AttributeTypeAndValue({ type: OID.serialNumber, value: new asn1js.PrintableString({ value: opts.creditCode }) }));
  }
  tv.push(new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: opts.commonName }) }));
  // One attribute per RDN (PKI.js would otherwise emit a single multi-valued RDN "O+serialNumber+CN").
  const schema = new asn1js.Sequence({ value: tv.map((t) => new asn1js.Set({ value: [t.toSchema()] })) });
  return new pkijs.RelativeDistinguishedNames({ schema: parseDer(new Uint8Array(schema.toBER(false)), 'name') });
}

function ext(extnID: string, critical: boolean, value: asn1js.AsnType, parsedValue?: unknown): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false), parsedValue });
}

function ekuExt(purposes: string[], critical: boolean): pkijs.Extension {
  const eku = new pkijs.ExtKeyUsage({ keyPurposes: purposes });
  return ext(OID.extKeyUsage, critical, eku.toSchema(), eku);
}

interface RoleProfile {
  keyUsage: number[];
  eku?: string[];
  ekuCritical?: boolean;
}

function roleProfile(role: CertRole, alg: KeyAlg): RoleProfile {
  switch (role) {
    case 'user':
    case 'bidder':
    case 'expert':
      return {
        keyUsage: [KU.digitalSignature, KU.nonRepudiation, alg === 'EC' ? KU.keyAgreement : KU.keyEncipherment],
        eku: [OID.emailProtection, OID.clientAuth],
      };
    case 'tsa':
      // RFC 3161 2.3: exactly one EKU, id-kp-timeStamping, marked critical.
      return { keyUsage: [KU.digitalSignature, KU.nonRepudiation], eku: [OID.timeStamping], ekuCritical: true };
    case 'platform':
      return { keyUsage: [KU.digitalSignature, KU.nonRepudiation] };
    case 'opening':
      return { keyUsage: alg === 'EC' ? [KU.keyAgreement] : [KU.keyEncipherment, KU.dataEncipherment] };
    default:
      throw new Error(`unknown certificate role: ${String(role)}`);
  }
}

async function buildAndSign(opts: {
  subject: pkijs.RelativeDistinguishedNames;
  issuer: pkijs.RelativeDistinguishedNames;
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: pkijs.PublicKeyInfo;
  extensions: pkijs.Extension[];
  signingKey: CryptoKey;
}): Promise<Uint8Array> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = integerFromBytes(opts.serial);
  cert.subject = opts.subject;
  cert.issuer = opts.issuer;
  cert.notBefore = x509Time(opts.notBefore);
  cert.notAfter = x509Time(opts.notAfter);
  cert.subjectPublicKeyInfo = opts.spki;
  cert.extensions = opts.extensions;
  await signTbs(cert, opts.signingKey);
  return certDer(cert);
}

export async function createRootCa(opts: {
  commonName: string;
  organization?: string;
  alg?: KeyAlg;
  validDays?: number;
  now?: Date;
  rsaBits?: number;
}): Promise<{ cert: Uint8Array; privateKey: CryptoKey; certPem: string; keyPem: string }> {
  const alg = opts.alg ?? 'RSA';
  const pair = (await subtle().generateKey(signAlgFor(alg, opts.rsaBits ?? 3072), true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = await publicKeyInfo(pair.publicKey);
  const ski = await keyIdentifier(spki);
  const notBefore = opts.now ?? new Date(Date.now() - CLOCK_SKEW_MS);
  const notAfter = new Date(notBefore.getTime() + (opts.validDays ?? 3650) * DAY);
  const name = buildName({ commonName: opts.commonName, organization: opts.organization });
  const bc = new pkijs.BasicConstraints({ cA: true });
  const cert = await buildAndSign({
    subject: name,
    issuer: name,
    serial: randomSerial(),
    notBefore,
    notAfter,
    spki,
    signingKey: pair.privateKey,
    extensions: [
      ext(OID.basicConstraints, true, bc.toSchema(), bc),
      ext(OID.keyUsage, true, keyUsageBits([KU.keyCertSign, KU.cRLSign])),
      ext(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: toArrayBuffer(ski) })),
    ],
  });
  return { cert, privateKey: pair.privateKey, certPem: derToPem(cert, 'CERTIFICATE'), keyPem: await exportPkcs8Pem(pair.privateKey) };
}

export async function issueCertificate(opts: {
  ca: { cert: Uint8Array; privateKey: CryptoKey };
  role: CertRole;
  commonName: string;
  organization?: string;
  creditCode?: string;
  publicKey?: CryptoKey;
  alg?: KeyAlg;
  validDays?: number;
  notBefore?: Date;
  serial?: Uint8Array;
  rsaBits?: number;
}): Promise<{ cert: Uint8Array; certPem: string; privateKey?: CryptoKey; keyPem?: string }> {
  const caCert = parseCertificate(opts.ca.cert, 'CA certificate');
  let publicKey = opts.publicKey;
  let privateKey: CryptoKey | undefined;
  let keyPem: string | undefined;
  let alg: KeyAlg = opts.alg ?? 'RSA';
  if (publicKey) {
    alg = publicKey.algorithm.name.startsWith('EC') ? 'EC' : 'RSA';
  } else {
    const pair = (await subtle().generateKey(signAlgFor(alg, opts.rsaBits ?? 3072), true, ['sign', 'verify'])) as CryptoKeyPair;
    publicKey = pair.publicKey;
    keyPem = await exportPkcs8Pem(pair.privateKey);
    // Hand back a key bound to the algorithm the role will actually use.
    const der = pemToDer(keyPem);
    if (opts.role === 'opening') privateKey = await importPkcs8(der, 'decrypt', { extractable: true });
    else if (alg === 'EC') privateKey = pair.privateKey;
    else privateKey = await importPkcs8(der, 'sign', { alg: opts.role === 'tsa' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS', extractable: true });
  }
  const spki = await publicKeyInfo(publicKey);
  const ski = await keyIdentifier(spki);
  const caSkiExt = findExtension(caCert, OID.subjectKeyIdentifier);
  const caKeyId =
    caSkiExt?.parsedValue instanceof asn1js.OctetString
      ? caSkiExt.parsedValue.valueBlock.valueHexView.slice()
      : await keyIdentifier(caCert.subjectPublicKeyInfo);
  const notBefore = opts.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS);
  let notAfter = new Date(notBefore.getTime() + (opts.validDays ?? 730) * DAY);
  const caNotAfter = caCert.notAfter.value;
  if (notAfter > caNotAfter) notAfter = caNotAfter;
  const profile = roleProfile(opts.role, alg);
  const bc = new pkijs.BasicConstraints({ cA: false });
  const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(caKeyId) }) });
  const extensions = [
    ext(OID.basicConstraints, true, bc.toSchema(), bc),
    ext(OID.keyUsage, true, keyUsageBits(profile.keyUsage)),
    ext(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: toArrayBuffer(ski) })),
    ext(OID.authorityKeyIdentifier, false, aki.toSchema(), aki),
  ];
  if (profile.eku) extensions.push(ekuExt(profile.eku, profile.ekuCritical ?? false));
  const cert = await buildAndSign({
    subject: buildName(opts),
    issuer: caCert.subject,
    serial: opts.serial ?? randomSerial(),
    notBefore,
    notAfter,
    spki,
    signingKey: opts.ca.privateKey,
    extensions,
  });
  return { cert, certPem: derToPem(cert, 'CERTIFICATE'), privateKey, keyPem };
}

// ---------------------------------------------------------------------------------------------
// inspection

export interface CertInfo {
  subject: string;
  commonName: string;
  organization?: string;
  creditCode?: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  issuer: string;
  sha256: string; // hex of SHA-256 over the DER
}

export function certInfoOf(cert: pkijs.Certificate, sha256Hex: string): CertInfo {
  return {
    subject: nameToString(cert.subject),
    commonName: nameAttr(cert.subject, OID.commonName) ?? '',
    organization: nameAttr(cert.subject, OID.organization),
    creditCode: nameAttr(cert.subject, OID.serialNumber) ?? nameAttr(cert.subject, OID.organizationIdentifier),
    serialHex: integerHex(cert.serialNumber),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    issuer: nameToString(cert.issuer),
    sha256: sha256Hex,
  };
}

const certInfoCache = new WeakMap<pkijs.Certificate, CertInfo>();

export function certInfo(der: Uint8Array): CertInfo {
  // parseCertificate returns the same object for the same bytes, so its info is computed once.
  const cert = parseCertificate(der);
  let info = certInfoCache.get(cert);
  if (!info) {
    const md = forge.md.sha256.create();
    md.update(forge.util.binary.raw.encode(der));
    info = certInfoOf(cert, md.digest().toHex());
    certInfoCache.set(cert, info);
  }
  return { ...info, notBefore: new Date(info.notBefore), notAfter: new Date(info.notAfter) };
}

export async function certSha256Hex(der: Uint8Array): Promise<string> {
  return toHex(await sha256(der));
}

// ---------------------------------------------------------------------------------------------
// CRL

export async function createCrl(opts: {
  ca: { cert: Uint8Array; privateKey: CryptoKey };
  revoked: { serialHex: string; date: Date; reason?: number }[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
}): Promise<Uint8Array> {
  const caCert = parseCertificate(opts.ca.cert, 'CA certificate');
  const thisUpdate = opts.thisUpdate ?? new Date();
  const nextUpdate = opts.nextUpdate ?? new Date(thisUpdate.getTime() + 7 * DAY);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = caCert.subject;
  crl.thisUpdate = x509Time(thisUpdate);
  crl.nextUpdate = x509Time(nextUpdate);
  if (opts.revoked.length > 0) {
    crl.revokedCertificates = opts.revoked.map((r) => {
      const entry = new pkijs.RevokedCertificate({
        userCertificate: integerFromBytes(hexBytes(r.serialHex)),
        revocationDate: x509Time(r.date),
      });
      if (r.reason !== undefined) {
        entry.crlEntryExtensions = new pkijs.Extensions({
          extensions: [ext(OID.crlReason, false, new asn1js.Enumerated({ value: r.reason }))],
        });
      }
      return entry;
    });
  }
  const caSkiExt = findExtension(caCert, OID.subjectKeyIdentifier);
  const keyId =
    caSkiExt?.parsedValue instanceof asn1js.OctetString
      ? caSkiExt.parsedValue.valueBlock.valueHexView.slice()
      : await keyIdentifier(caCert.subjectPublicKeyInfo);
  const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: toArrayBuffer(keyId) }) });
  // RFC 5280 5.2.3: conforming CRL issuers include a monotonically increasing cRLNumber.
  const number = opts.crlNumber ?? BigInt(Math.floor(thisUpdate.getTime() / 1000));
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [ext(OID.authorityKeyIdentifier, false, aki.toSchema(), aki), ext(OID.crlNumber, false, integerFromBytes(number))],
  });
  await signTbs(crl, opts.ca.privateKey);
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  const padded = clean.length % 2 ? '0' + clean : clean;
  const out = new Uint8Array(padded.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(padded.substr(i * 2, 2), 16);
  return out;
}

export interface CrlInfo {
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: { serialHex: string; date: Date }[];
}

export function crlInfo(der: Uint8Array): CrlInfo {
  const crl = parsePki(der, 'CRL', (schema) => new pkijs.CertificateRevocationList({ schema }));
  return {
    issuer: nameToString(crl.issuer),
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    revoked: (crl.revokedCertificates ?? []).map((r) => ({ serialHex: integerHex(r.userCertificate), date: r.revocationDate.value })),
  };
}

// ---------------------------------------------------------------------------------------------
// chain validation

const KNOWN_CRITICAL = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.certificatePolicies,
  OID.nameConstraints,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
]);

function subjectOf(c: pkijs.Certificate): string {
  return nameToString(c.subject) || '(empty subject)';
}

function checkValidity(c: pkijs.Certificate, at: Date, role: string) {
  const nb = c.notBefore.value;
  const na = c.notAfter.value;
  if (at < nb) throw new CryptoVerifyError('CERT_NOT_YET_VALID', `${role} certificate "${subjectOf(c)}" is not valid before ${nb.toISOString()} (checked at ${at.toISOString()})`);
  if (at > na) throw new CryptoVerifyError('CERT_EXPIRED', `${role} certificate "${subjectOf(c)}" expired at ${na.toISOString()} (checked at ${at.toISOString()})`);
}

function checkCritical(c: pkijs.Certificate, role: string) {
  // RFC 5280 4.1.1.2: the outer signatureAlgorithm must equal TBSCertificate.signature
  if (!c.signature.isEqual(c.signatureAlgorithm)) {
    throw new CryptoVerifyError('CERT_INVALID', `${role} certificate "${subjectOf(c)}" has mismatched signature algorithms`);
  }
  for (const e of c.extensions ?? []) {
    if (e.critical && !KNOWN_CRITICAL.has(e.extnID)) {
      throw new CryptoVerifyError('CERT_INVALID', `${role} certificate "${subjectOf(c)}" has an unrecognised critical extension ${e.extnID}`);
    }
  }
}

function basicConstraints(c: pkijs.Certificate): pkijs.BasicConstraints | undefined {
  const e = findExtension(c, OID.basicConstraints);
  return e?.parsedValue instanceof pkijs.BasicConstraints ? e.parsedValue : undefined;
}

function keyUsageOf(c: pkijs.Certificate): asn1js.BitString | undefined {
  const e = findExtension(c, OID.keyUsage);
  if (!e) return undefined;
  if (e.parsedValue instanceof asn1js.BitString) return e.parsedValue;
  throw new CryptoVerifyError('CERT_INVALID', `certificate "${subjectOf(c)}" has an unreadable keyUsage extension`);
}

export function extKeyUsageOf(c: pkijs.Certificate): { purposes: string[]; critical: boolean } | undefined {
  const e = findExtension(c, OID.extKeyUsage);
  if (!e) return undefined;
  if (!(e.parsedValue instanceof pkijs.ExtKeyUsage)) {
    throw new CryptoVerifyError('CERT_INVALID', `certificate "${subjectOf(c)}" has an unreadable extendedKeyUsage extension`);
  }
  return { purposes: e.parsedValue.keyPurposes, critical: e.critical };
}

function checkIssuerCert(c: pkijs.Certificate, below: number) {
  const bc = basicConstraints(c);
  if (!bc || !bc.cA) throw new CryptoVerifyError('CERT_INVALID', `issuer certificate "${subjectOf(c)}" is not a CA (basicConstraints cA is not set)`);
  const ku = keyUsageOf(c);
  if (ku && !bitSet(ku, KU.keyCertSign)) throw new CryptoVerifyError('KEY_USAGE_MISSING', `issuer certificate "${subjectOf(c)}" lacks keyCertSign`);
  const pathLen = typeof bc.pathLenConstraint === 'number' ? bc.pathLenConstraint : undefined;
  if (pathLen !== undefined && below > pathLen) {
    throw new CryptoVerifyError('CERT_INVALID', `path length constraint of "${subjectOf(c)}" exceeded`);
  }
}

const SIGNING_EKUS = new Set<string>([OID.emailProtection, OID.clientAuth, OID.anyExtendedKeyUsage, OID.documentSigning, OID.codeSigning]);

function checkPurpose(c: pkijs.Certificate, purpose: CertPurpose) {
  if (purpose === 'any') return;
  const ku = keyUsageOf(c);
  const eku = extKeyUsageOf(c);
  const who = `certificate "${subjectOf(c)}"`;
  if (purpose === 'sign' || purpose === 'timestamp') {
    if (ku && !bitSet(ku, KU.digitalSignature) && !bitSet(ku, KU.nonRepudiation)) {
      throw new CryptoVerifyError('KEY_USAGE_MISSING', `${who} key usage allows neither digitalSignature nor nonRepudiation`);
    }
  }
  if (purpose === 'sign' && eku && !eku.purposes.some((p) => SIGNING_EKUS.has(p))) {
    throw new CryptoVerifyError('EKU_MISSING', `${who} extended key usage does not allow document signing (has ${eku.purposes.join(', ')})`);
  }
  if (purpose === 'timestamp') {
    // RFC 3161 2.3: the TSA certificate MUST have exactly one EKU, id-kp-timeStamping, critical.
    if (!eku || !eku.purposes.includes(OID.timeStamping)) throw new CryptoVerifyError('EKU_MISSING', `${who} lacks the timeStamping extended key usage`);
    if (!eku.critical) throw new CryptoVerifyError('EKU_MISSING', `${who} timeStamping extended key usage is not marked critical`);
    if (eku.purposes.length !== 1) throw new CryptoVerifyError('EKU_MISSING', `${who} has extended key usages besides timeStamping`);
  }
  if (purpose === 'encrypt') {
    if (ku && !bitSet(ku, KU.keyEncipherment) && !bitSet(ku, KU.keyAgreement)) {
      throw new CryptoVerifyError('KEY_USAGE_MISSING', `${who} key usage allows neither keyEncipherment nor keyAgreement`);
    }
  }
}

// Whether one parsed object's signature verifies with another certificate's key is a property of
// their bytes alone. Parsed certificates and CRLs are shared by their exact bytes (parseCertificate,
// parseCrl) and never changed, so each pair is verified once per process: every bid start checks
// the same bidder certificate against the same CA and the same CRL.
const verifiedPairs = new WeakMap<object, WeakMap<pkijs.Certificate, Promise<boolean>>>();

function onceFor(subject: object, issuer: pkijs.Certificate, check: () => Promise<boolean>): Promise<boolean> {
  let byIssuer = verifiedPairs.get(subject);
  if (!byIssuer) {
    byIssuer = new WeakMap();
    verifiedPairs.set(subject, byIssuer);
  }
  let result = byIssuer.get(issuer);
  if (!result) {
    result = check().catch(() => false);
    byIssuer.set(issuer, result);
  }
  return result;
}

function verifiedBy(child: pkijs.Certificate, issuer: pkijs.Certificate): Promise<boolean> {
  return onceFor(child, issuer, () => child.verify(issuer, engine()));
}

interface ParsedCrl {
  crl: pkijs.CertificateRevocationList;
  der: Uint8Array;
}

async function checkRevocation(
  child: pkijs.Certificate,
  issuer: pkijs.Certificate,
  crls: ParsedCrl[],
  revocationAt: Date,
) {
  for (const { crl } of crls) {
    if (!namesEqual(crl.issuer, issuer.subject)) continue;
    const ok = await onceFor(crl, issuer, () => crl.verify({ issuerCertificate: issuer }, engine()));
    if (!ok) throw new CryptoVerifyError('CRL_INVALID', `CRL issued by "${subjectOf(issuer)}" has an invalid signature`);
    const iku = keyUsageOf(issuer);
    if (iku && !bitSet(iku, KU.cRLSign)) throw new CryptoVerifyError('CRL_INVALID', `CRL issuer "${subjectOf(issuer)}" lacks cRLSign key usage`);
    for (const r of crl.revokedCertificates ?? []) {
      if (r.userCertificate.isEqual(child.serialNumber) && r.revocationDate.value <= revocationAt) {
        throw new CryptoVerifyError(
          'CERT_REVOKED',
          `certificate "${subjectOf(child)}" (serial ${integerHex(child.serialNumber)}) was revoked at ${r.revocationDate.value.toISOString()}`,
        );
      }
    }
  }
}

/**
 * Validates `cert` up to one of `trustAnchors` at time `at`. Throws CryptoVerifyError.
 * `revocationAt` (default `at`): a revocation dated after it is ignored; pass a far-future date when
 * `at` is not a trusted time (e.g. a signer-asserted signingTime) so any revocation counts.
 */
export async function validateChain(opts: ValidateChainOptions): Promise<{ path: Uint8Array[] }> {
  try {
    return await validateChainUnsafe(opts);
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw e;
    throw new CryptoVerifyError('MALFORMED', `certificate path could not be processed: ${errorText(e)}`);
  }
}

export interface ValidateChainOptions {
  cert: Uint8Array;
  intermediates?: Uint8Array[];
  trustAnchors: Uint8Array[];
  crls?: Uint8Array[];
  at?: Date;
  purpose?: CertPurpose;
  revocationAt?: Date;
}

async function validateChainUnsafe(opts: ValidateChainOptions): Promise<{ path: Uint8Array[] }> {
  const at = opts.at ?? new Date();
  const leaf = parseCertificate(opts.cert, 'certificate');
  const anchors = opts.trustAnchors.map((d, i) => ({ der: d, cert: parseCertificate(d, `trust anchor #${i + 1}`) }));
  if (anchors.length === 0) throw new CryptoVerifyError('CERT_UNTRUSTED', 'no trust anchors configured');
  const inters: { der: Uint8Array; cert: pkijs.Certificate }[] = [];
  for (const d of opts.intermediates ?? []) {
    try {
      inters.push({ der: d, cert: parseCertificate(d) });
    } catch {
      // an unparsable extra certificate in a bag cannot be on the path; ignore it
    }
  }
  const crls = (opts.crls ?? []).map((d, i) => ({ der: d, crl: parseCrl(d, `CRL #${i + 1}`) }));

  const path: { der: Uint8Array; cert: pkijs.Certificate }[] = [{ der: opts.cert, cert: leaf }];
  let anchor: { der: Uint8Array; cert: pkijs.Certificate } | undefined;
  for (let depth = 0; depth < 8 && !anchor; depth++) {
    const cur = path[path.length - 1].cert;
    const curDer = path[path.length - 1].der;
    const direct = anchors.find((a) => bytesEqual(a.der, curDer));
    if (direct) {
      anchor = direct;
      path.pop();
      break;
    }
    let sawNameMatch = false;
    for (const a of anchors) {
      if (!namesEqual(a.cert.subject, cur.issuer)) continue;
      sawNameMatch = true;
      if (await verifiedBy(cur, a.cert)) {
        anchor = a;
        break;
      }
    }
    if (anchor) break;
    let next: { der: Uint8Array; cert: pkijs.Certificate } | undefined;
    for (const c of inters) {
      if (path.some((p) => bytesEqual(p.der, c.der)) || !namesEqual(c.cert.subject, cur.issuer)) continue;
      sawNameMatch = true;
      if (await verifiedBy(cur, c.cert)) {
        next = c;
        break;
      }
    }
    if (!next) {
      if (sawNameMatch) {
        throw new CryptoVerifyError('CERT_SIGNATURE_INVALID', `signature on certificate "${subjectOf(cur)}" does not verify with its issuer's key`);
      }
      throw new CryptoVerifyError('CERT_UNTRUSTED', `certificate "${subjectOf(cur)}" does not chain to a trusted root (issuer "${nameToString(cur.issuer)}" unknown)`);
    }
    path.push(next);
  }
  if (!anchor) throw new CryptoVerifyError('CERT_UNTRUSTED', 'certificate path too long');

  checkValidity(anchor.cert, at, 'trust anchor');
  if (path.length > 0) checkIssuerCert(anchor.cert, path.length - 1);
  for (let i = 0; i < path.length; i++) {
    const c = path[i].cert;
    checkValidity(c, at, i === 0 ? 'signer' : 'intermediate');
    checkCritical(c, i === 0 ? 'end-entity' : 'intermediate');
    if (i > 0) checkIssuerCert(c, i - 1);
  }
  if (path.length > 0) checkPurpose(path[0].cert, opts.purpose ?? 'any');
  const revocationAt = opts.revocationAt ?? at;
  if (crls.length > 0) {
    for (let i = 0; i < path.length; i++) {
      const issuer = i + 1 < path.length ? path[i + 1].cert : anchor.cert;
      await checkRevocation(path[i].cert, issuer, crls, revocationAt);
    }
  }
  return { path: [...path.map((p) => p.der), anchor.der] };
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 (RFC 7292). Written by hand over forge's ASN.1 so that EC keys work too (forge's own
// toPkcs12Asn1 only takes RSA keys) and so that we match OpenSSL 3's defaults: PBES2 with
// PBKDF2-HMAC-SHA256 + AES-256-CBC for the key, HMAC-SHA256 for the MAC.

const P12 = {
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
};

const bin = (b: Uint8Array) => forge.util.binary.raw.encode(b);
const unbin = (s: string) => forge.util.binary.raw.decode(s);

function fa() {
  return forge.asn1;
}

function seq(items: forge.asn1.Asn1[]) {
  return fa().create(fa().Class.UNIVERSAL, fa().Type.SEQUENCE, true, items);
}
function set(items: forge.asn1.Asn1[]) {
  return fa().create(fa().Class.UNIVERSAL, fa().Type.SET, true, items);
}
function oid(o: string) {
  return fa().create(fa().Class.UNIVERSAL, fa().Type.OID, false, fa().oidToDer(o).getBytes());
}
function octets(s: string) {
  return fa().create(fa().Class.UNIVERSAL, fa().Type.OCTETSTRING, false, s);
}
function explicit0(inner: forge.asn1.Asn1) {
  return fa().create(fa().Class.CONTEXT_SPECIFIC, 0, true, [inner]);
}
function dataContentInfo(derBytes: string) {
  return seq([oid(OID.data), explicit0(octets(derBytes))]);
}

export async function exportPkcs12(opts: {
  cert: Uint8Array;
  keyPem: string;
  chain?: Uint8Array[];
  password: string;
  friendlyName?: string;
  iterations?: number;
}): Promise<Uint8Array> {
  const iterations = opts.iterations ?? 2048;
  const keyDer = pemToDer(opts.keyPem);
  pkcs8Kind(keyDer); // reject unsupported keys early
  const localKeyId = forge.md.sha1.create().update(bin(opts.cert)).digest().getBytes();
  const attrs = [seq([oid(P12.localKeyId), set([octets(localKeyId)])])];
  if (opts.friendlyName) {
    attrs.push(seq([oid(P12.friendlyName), set([fa().create(fa().Class.UNIVERSAL, fa().Type.BMPSTRING, false, bmp(opts.friendlyName))])]));
  }
  // PBES2 takes the password as raw bytes; OpenSSL passes UTF-8.
  const encrypted = forge.pki.encryptPrivateKeyInfo(fa().fromDer(bin(keyDer)), forge.util.encodeUtf8(opts.password), {
    algorithm: 'aes256',
    count: iterations,
    saltSize: 16,
    prfAlgorithm: 'sha256',
  } as forge.pki.EncryptionOptions & { prfAlgorithm: string });
  const keyBag = seq([oid(P12.pkcs8ShroudedKeyBag), explicit0(encrypted), set(attrs)]);
  const certBag = (der: Uint8Array, withAttrs: boolean) =>
    seq([
      oid(P12.certBag),
      explicit0(seq([oid(P12.x509Certificate), explicit0(octets(bin(der)))])),
      ...(withAttrs ? [set(attrs)] : []),
    ]);
  const certSafe = seq([certBag(opts.cert, true), ...(opts.chain ?? []).map((c) => certBag(c, false))]);
  const keySafe = seq([keyBag]);
  const authSafe = seq([dataContentInfo(fa().toDer(certSafe).getBytes()), dataContentInfo(fa().toDer(keySafe).getBytes())]);
  const authSafeDer = fa().toDer(authSafe).getBytes();

  const salt = forge.random.getBytesSync(16);
  const macKey = forge.pkcs12.generateKey(opts.password, new forge.util.ByteStringBuffer(salt), 3, iterations, 32, forge.md.sha256.create());
  const hmac = forge.hmac.create();
  hmac.start('sha256', macKey.getBytes());
  hmac.update(authSafeDer);
  const mac = hmac.digest().getBytes();
  const macData = seq([
    seq([seq([oid(OID.sha256), fa().create(fa().Class.UNIVERSAL, fa().Type.NULL, false, '')]), octets(mac)]),
    octets(salt),
    fa().create(fa().Class.UNIVERSAL, fa().Type.INTEGER, false, fa().integerToDer(iterations).getBytes()),
  ]);
  const pfx = seq([
    fa().create(fa().Class.UNIVERSAL, fa().Type.INTEGER, false, fa().integerToDer(3).getBytes()),
    dataContentInfo(authSafeDer),
    macData,
  ]);
  return unbin(fa().toDer(pfx).getBytes());
}

function bmp(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >> 8, c & 0xff);
  }
  return out;
}

export async function importPkcs12(p12: Uint8Array, password: string): Promise<{ cert: Uint8Array; keyPem: string; chain: Uint8Array[] }> {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn = fa().fromDer(bin(p12));
    // forge re-encodes certificates it understands (and so may alter their bytes); making its
    // X.509 parser decline leaves every certificate as the ASN.1 it read.
    const original = forge.pki.certificateFromAsn1;
    forge.pki.certificateFromAsn1 = () => {
      throw new Error('keep raw');
    };
    try {
      pfx = forge.pkcs12.pkcs12FromAsn1(asn, true, password);
    } finally {
      forge.pki.certificateFromAsn1 = original;
    }
  } catch (e) {
    const msg = errorText(e);
    if (/MAC could not be verified|wrong password|Invalid password|decrypt/i.test(msg)) {
      throw new CryptoVerifyError('BAD_PASSWORD', 'PKCS#12 password is wrong (integrity check failed)');
    }
    throw new CryptoVerifyError('PKCS12_INVALID', `PKCS#12 cannot be read: ${msg}`);
  }
  const keyBags = [
    ...(pfx.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(pfx.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const certBags = pfx.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  if (keyBags.length !== 1) throw new CryptoVerifyError('PKCS12_INVALID', `PKCS#12 holds ${keyBags.length} private keys, expected 1`);
  const kb = keyBags[0];
  let keyDer: Uint8Array;
  if (kb.key) {
    keyDer = unbin(fa().toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(kb.key as forge.pki.rsa.PrivateKey))).getBytes());
  } else if (kb.asn1) {
    keyDer = unbin(fa().toDer(kb.asn1).getBytes());
  } else {
    throw new CryptoVerifyError('PKCS12_INVALID', 'PKCS#12 key bag is empty');
  }
  const certs = certBags.map((b) => {
    const asn = b.cert ? forge.pki.certificateToAsn1(b.cert) : (b as unknown as { asn1: forge.asn1.Asn1 }).asn1;
    return { der: unbin(fa().toDer(asn).getBytes()), localKeyId: b.attributes?.localKeyId?.[0] as string | undefined };
  });
  const keyId = kb.attributes?.localKeyId?.[0] as string | undefined;
  let leafIdx = keyId ? certs.findIndex((c) => c.localKeyId === keyId) : -1;
  if (leafIdx < 0) {
    // fall back to the certificate whose public key matches the private key
    const pub = await publicKeyDerFromPkcs8(keyDer);
    leafIdx = certs.findIndex((c) => pub && bytesEqual(spkiBits(c.der), pub));
  }
  if (leafIdx < 0) throw new CryptoVerifyError('PKCS12_INVALID', 'PKCS#12 has no certificate for its private key');
  return {
    cert: certs[leafIdx].der,
    keyPem: derToPem(keyDer, 'PRIVATE KEY'),
    chain: certs.filter((_, i) => i !== leafIdx).map((c) => c.der),
  };
}

function spkiBits(certDerBytes: Uint8Array): Uint8Array {
  const c = parseCertificate(certDerBytes);
  return c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
}

async function publicKeyDerFromPkcs8(der: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    const k = pkcs8Kind(der);
    const alg = k.kind === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: k.curve! };
    const priv = await subtle().importKey('pkcs8', bufferSource(der), alg, true, ['sign']);
    const jwk = await subtle().exportKey('jwk', priv);
    delete jwk.d;
    delete jwk.p;
    delete jwk.q;
    delete jwk.dp;
    delete jwk.dq;
    delete jwk.qi;
    jwk.key_ops = ['verify'];
    const pub = await subtle().importKey('jwk', jwk, alg, true, ['verify']);
    const spki = parseDer(new Uint8Array(await subtle().exportKey('spki', pub)), 'public key');
    const info = new pkijs.PublicKeyInfo({ schema: spki });
    return info.subjectPublicKey.valueBlock.valueHexView;
  } catch {
    return undefined;
  }
}

export { nameDer };
