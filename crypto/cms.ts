/**
 * CMS SignedData (RFC 5652) with the signed attributes an e-bidding record needs: contentType,
 * messageDigest, signingTime and ESS signingCertificateV2 (RFC 5035).
 *
 * Verification does not use PKI.js's SignedData.verify(): it skips validity dates, EKU and
 * signingCertificateV2, and accepts several signers. Every check here throws CryptoVerifyError.
 */
import * as asn1js from 'asn1js';
import { engine, pkijs, subtle } from './engine.js';
import { CryptoVerifyError, errorText } from './errors.js';
import { bufferSource, bytesEqual, sha256, toHex } from './hash.js';
import {
  HASH_BY_OID,
  HASH_OF_SIGALG,
  OID,
  TAG,
  compareBytes,
  der,
  encodeNode,
  findExtension,
  nameDer,
  namesEqual,
  octetStringBytes,
  oidDer,
  parseCertificate,
  parseDer,
  signatureParameters,
  smallIntDer,
  type DerNode,
} from './asn1util.js';
import { certInfoOf, validateChain, type CertInfo } from './pki.js';

export type SignScheme = 'pss' | 'pkcs1' | 'ecdsa';

const FAR_FUTURE = new Date(8.64e15);

// ---------------------------------------------------------------------------------------------
// signing

async function keyForScheme(key: CryptoKey, scheme?: SignScheme): Promise<CryptoKey> {
  const have = key.algorithm.name;
  const want = scheme === 'pss' ? 'RSA-PSS' : scheme === 'pkcs1' ? 'RSASSA-PKCS1-v1_5' : scheme === 'ecdsa' ? 'ECDSA' : have;
  if (want === have) return key;
  if (have === 'ECDSA' || want === 'ECDSA') throw new Error(`a ${have} key cannot sign with scheme ${scheme}`);
  // WebCrypto binds a key to one algorithm; an extractable RSA key can be re-imported for another.
  if (!key.extractable) throw new Error(`key is bound to ${have}; import it for ${want} (or as extractable) to sign with scheme ${scheme}`);
  const pkcs8 = await subtle().exportKey('pkcs8', key);
  return subtle().importKey('pkcs8', pkcs8, { name: want, hash: 'SHA-256' }, false, ['sign']);
}

function algIdDer(alg: pkijs.AlgorithmIdentifier): Uint8Array {
  return new Uint8Array(alg.toSchema().toBER(false));
}

function timeDer(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  // RFC 5652 11.3: UTCTime for 1950..2049, GeneralizedTime otherwise.
  const t = y >= 1950 && y < 2050 ? new asn1js.UTCTime({ valueDate: d }) : new asn1js.GeneralizedTime({ valueDate: d });
  return new Uint8Array(t.toBER(false));
}

function attributeDer(type: string, value: Uint8Array): Uint8Array {
  return encodeNode(der(TAG.SEQUENCE, oidDer(type), der(TAG.SET, value)));
}

/**
 * ESS signingCertificateV2 with ESSCertIDv2{certHash (SHA-256, default algorithm omitted per DER),
 * issuerSerial{GeneralNames[directoryName], serial}}; OpenSSL's `ts -verify` checks the issuer form.
 */
// The attribute depends only on the certificate; the platform signs with the same few (TSA, record
// signer) hundreds of times near a deadline. Keyed by the parsed certificate, which parseCertificate
// shares by exact bytes.
const essV2 = new WeakMap<pkijs.Certificate, Promise<Uint8Array>>();

export async function signingCertificateV2Der(certDerBytes: Uint8Array): Promise<Uint8Array> {
  const cert = parseCertificate(certDerBytes);
  let pending = essV2.get(cert);
  if (!pending) {
    pending = essCertIdV2Der(cert, certDerBytes);
    essV2.set(cert, pending);
    pending.catch(() => essV2.delete(cert));
  }
  return (await pending).slice();
}

async function essCertIdV2Der(cert: pkijs.Certificate, certDerBytes: Uint8Array): Promise<Uint8Array> {
  const hash = await sha256(certDerBytes);
  const issuerName = nameDer(cert.issuer);
  const serial = new Uint8Array(cert.serialNumber.toBER(false));
  const issuerSerial = der(TAG.SEQUENCE, der(TAG.SEQUENCE, der(TAG.CTX4, issuerName)), serial);
  const essCertIdV2 = der(TAG.SEQUENCE, der(TAG.OCTET_STRING, hash), issuerSerial);
  return encodeNode(der(TAG.SEQUENCE, der(TAG.SEQUENCE, essCertIdV2)));
}

export interface BuildSignedDataOptions {
  eContentType: string;
  content?: Uint8Array;
  contentDigest?: Uint8Array;
  detached?: boolean;
  signerCert: Uint8Array;
  signerKey: CryptoKey;
  chain?: Uint8Array[];
  signingTime?: Date;
  scheme?: SignScheme;
  /** default true; RFC 3161 forbids the TSA certificate when the request had certReq FALSE */
  includeCerts?: boolean;
}

/** Builds a DER ContentInfo(SignedData) with one signer; shared by signData and the TSA. */
export async function buildSignedData(opts: BuildSignedDataOptions): Promise<Uint8Array> {
  const detached = opts.detached ?? false;
  if (!detached && !opts.content) throw new Error('attached signing needs the content');
  if (!opts.content && !opts.contentDigest) throw new Error('either content or contentDigest is required');
  let digest: Uint8Array;
  if (opts.content) {
    digest = await sha256(opts.content);
    if (opts.contentDigest && !bytesEqual(digest, opts.contentDigest)) throw new Error('contentDigest does not match content');
  } else {
    digest = opts.contentDigest!;
    if (digest.length !== 32) throw new Error('contentDigest must be a 32-byte SHA-256 digest');
  }
  const cert = parseCertificate(opts.signerCert, 'signer certificate');
  const key = await keyForScheme(opts.signerKey, opts.scheme);
  const { signatureAlgorithm, parameters } = await signatureParameters(key);

  const attrs = [
    attributeDer(OID.contentType, oidDer(opts.eContentType)),
    attributeDer(OID.messageDigest, encodeNode(der(TAG.OCTET_STRING, digest))),
    attributeDer(OID.signingTime, timeDer(opts.signingTime ?? new Date())),
    attributeDer(OID.signingCertificateV2, await signingCertificateV2Der(opts.signerCert)),
  ].sort(compareBytes); // DER SET OF order (X.690 11.6); forge and PKI.js leave it to the caller
  const signedAttrsSet = encodeNode(der(TAG.SET, ...attrs));
  let signature: Uint8Array;
  try {
    signature = new Uint8Array(await engine().signWithPrivateKey(bufferSource(signedAttrsSet), key, parameters));
  } catch (e) {
    throw new Error(`signing failed: ${errorText(e)}`);
  }
  const signedAttrsImplicit = new Uint8Array(signedAttrsSet);
  signedAttrsImplicit[0] = TAG.CTX0; // [0] IMPLICIT SET OF Attribute

  // RFC 5754: SHA-2 AlgorithmIdentifier parameters are absent.
  const digestAlg = encodeNode(der(TAG.SEQUENCE, oidDer(OID.sha256)));
  const sid = der(TAG.SEQUENCE, nameDer(cert.issuer), new Uint8Array(cert.serialNumber.toBER(false)));
  const signerInfo = der(
    TAG.SEQUENCE,
    smallIntDer(1),
    sid,
    digestAlg,
    signedAttrsImplicit,
    algIdDer(signatureAlgorithm),
    der(TAG.OCTET_STRING, signature),
  );
  const encap: DerNode[] = [oidDer(opts.eContentType)];
  if (!detached) encap.push(der(TAG.CTX0, der(TAG.OCTET_STRING, opts.content!)));
  const certs = opts.includeCerts === false ? [] : [opts.signerCert, ...(opts.chain ?? [])];
  // RFC 5652 5.1: version 3 when eContentType is not id-data.
  const version = opts.eContentType === OID.data ? 1 : 3;
  const signedData = der(
    TAG.SEQUENCE,
    smallIntDer(version),
    der(TAG.SET, digestAlg),
    der(TAG.SEQUENCE, ...encap),
    ...(certs.length > 0 ? [der(TAG.CTX0, ...certs)] : []),
    der(TAG.SET, signerInfo),
  );
  return encodeNode(der(TAG.SEQUENCE, oidDer(OID.signedData), der(TAG.CTX0, signedData)));
}

export async function signData(opts: {
  content?: Uint8Array;
  contentDigest?: Uint8Array;
  signerCert: Uint8Array;
  signerKey: CryptoKey;
  chain?: Uint8Array[];
  detached?: boolean;
  signingTime?: Date;
  scheme?: SignScheme;
}): Promise<Uint8Array> {
  return buildSignedData({ ...opts, eContentType: OID.data, detached: opts.detached ?? !opts.content });
}

// ---------------------------------------------------------------------------------------------
// verification core (signature, attributes, ESS) — chain validation is left to the caller

export interface CmsCoreResult {
  eContentType: string;
  eContent?: Uint8Array;
  signerCert: Uint8Array;
  signer: pkijs.Certificate;
  certificates: Uint8Array[];
  signingTime?: Date;
  hasSigningCertificate: boolean;
}

/**
 * Parses a ContentInfo holding a SignedData. The certificate bag is taken out of the ASN.1 tree
 * before PKI.js checks the SignedData against its schema, and returned as each certificate's own
 * DER bytes: matching a whole SignedData, certificates included, against PKI.js's schemas was most
 * of a verification's cost (~7 of 11 ms for a bidder's statement), while the same few
 * certificates recur and `parseCertificate` keeps them parsed by their exact bytes. Only X.509
 * certificates are accepted in the bag (RFC 5652 CertificateChoices' other arms are refused).
 */
function parseSignedData(bytes: Uint8Array): { sd: pkijs.SignedData; bag: Uint8Array[] } {
  const schema = parseDer(bytes, 'SignedData');
  let ci: pkijs.ContentInfo;
  try {
    ci = new pkijs.ContentInfo({ schema });
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `CMS ContentInfo is malformed: ${errorText(e)}`);
  }
  if (ci.contentType !== OID.signedData) {
    throw new CryptoVerifyError('MALFORMED', `CMS content type is ${ci.contentType}, expected signedData`);
  }
  const bag = takeCertificateBag(ci.content as asn1js.AsnType);
  try {
    return { sd: new pkijs.SignedData({ schema: ci.content }), bag };
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `CMS SignedData is malformed: ${errorText(e)}`);
  }
}

/**
 * Removes `certificates [0] IMPLICIT CertificateSet` from a parsed SignedData SEQUENCE (it follows
 * version, digestAlgorithms and encapContentInfo) and returns the certificates' DER. Anything
 * that does not have that shape is left in place for PKI.js to refuse.
 */
function takeCertificateBag(node: asn1js.AsnType): Uint8Array[] {
  if (!(node instanceof asn1js.Sequence)) return [];
  const items = node.valueBlock.value;
  const bag = items[3];
  if (!bag || bag.idBlock.tagClass !== 3 || bag.idBlock.tagNumber !== 0 || !bag.idBlock.isConstructed) return [];
  const choices = (bag as asn1js.Constructed).valueBlock.value;
  const out: Uint8Array[] = [];
  for (const c of choices) {
    if (!(c instanceof asn1js.Sequence)) throw new CryptoVerifyError('MALFORMED', 'the SignedData certificate set holds something other than an X.509 certificate');
    out.push(new Uint8Array(c.valueBeforeDecodeView));
  }
  items.splice(3, 1);
  return out;
}

function singleValue(attr: pkijs.Attribute, name: string): asn1js.AsnType {
  if (!Array.isArray(attr.values) || attr.values.length !== 1) throw new CryptoVerifyError('MALFORMED', `signed attribute ${name} must have exactly one value`);
  return attr.values[0];
}

function attrTime(v: asn1js.AsnType): Date {
  if (v instanceof asn1js.UTCTime || v instanceof asn1js.GeneralizedTime) {
    const d = v.toDate();
    if (Number.isNaN(d.getTime())) throw new CryptoVerifyError('MALFORMED', 'signingTime is not a valid time');
    return d;
  }
  throw new CryptoVerifyError('MALFORMED', 'signingTime is not a UTCTime or GeneralizedTime');
}

async function digestWith(hashName: string, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest(hashName, bufferSource(data)));
}

/** Checks ESS signingCertificate(V2): the first ESSCertID must name the signer certificate. */
async function checkEssCertId(value: asn1js.AsnType, v2: boolean, signerDer: Uint8Array, signer: pkijs.Certificate) {
  const bad = (why: string) => new CryptoVerifyError('SIGNING_CERT_MISMATCH', `signingCertificate${v2 ? 'V2' : ''} ${why}`);
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) throw new CryptoVerifyError('MALFORMED', 'signingCertificate attribute is malformed');
  const items = first.valueBlock.value;
  let i = 0;
  let hashName = v2 ? 'SHA-256' : 'SHA-1';
  if (v2 && items[i] instanceof asn1js.Sequence) {
    const algOid = (items[i] as asn1js.Sequence).valueBlock.value[0];
    const name = algOid instanceof asn1js.ObjectIdentifier ? HASH_BY_OID[algOid.valueBlock.toString()] : undefined;
    if (!name) throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', 'signingCertificateV2 uses an unsupported hash algorithm');
    hashName = name;
    i++;
  }
  const hash = items[i++];
  if (!(hash instanceof asn1js.OctetString)) throw new CryptoVerifyError('MALFORMED', 'signingCertificate certHash is missing');
  const expected = await digestWith(hashName, signerDer);
  if (!bytesEqual(hash.valueBlock.valueHexView, expected)) throw bad('certificate hash does not match the signer certificate');
  const issuerSerial = items[i];
  if (issuerSerial !== undefined) {
    if (!(issuerSerial instanceof asn1js.Sequence)) throw new CryptoVerifyError('MALFORMED', 'signingCertificate issuerSerial is malformed');
    const [gns, serial] = issuerSerial.valueBlock.value;
    if (!(serial instanceof asn1js.Integer) || !serial.isEqual(signer.serialNumber)) throw bad('serial number does not match the signer certificate');
    let matched = false;
    try {
      const names = new pkijs.GeneralNames({ schema: gns });
      matched = names.names.some((n) => n.type === 4 && namesEqual(n.value as pkijs.RelativeDistinguishedNames, signer.issuer));
    } catch {
      throw new CryptoVerifyError('MALFORMED', 'signingCertificate issuer is malformed');
    }
    if (!matched) throw bad('issuer does not match the signer certificate');
  }
}

const RSA_SIG_ALGS = new Set<string>([OID.rsaEncryption, OID.sha256WithRSAEncryption, OID.sha384WithRSAEncryption, OID.sha512WithRSAEncryption, OID.rsassaPss]);
const EC_SIG_ALGS = new Set<string>([OID.ecdsaWithSha256, OID.ecdsaWithSha384, OID.ecdsaWithSha512]);

/**
 * PKI.js derives the verification algorithm from the signer's key and ignores most of the
 * signatureAlgorithm field, so it is checked here against the key type (RFC 5754, RFC 4055).
 */
function checkSignatureAlgorithm(alg: pkijs.AlgorithmIdentifier, signer: pkijs.Certificate) {
  const keyAlg = signer.subjectPublicKeyInfo.algorithm.algorithmId;
  const params = alg.algorithmParams as asn1js.AsnType | undefined;
  const absentOrNull = params === undefined || params instanceof asn1js.Null;
  if (keyAlg === OID.rsaEncryption || keyAlg === OID.rsassaPss) {
    if (!RSA_SIG_ALGS.has(alg.algorithmId)) throw new CryptoVerifyError('SIGNATURE_INVALID', `signature algorithm ${alg.algorithmId} does not fit an RSA key`);
    if (alg.algorithmId === OID.rsassaPss) {
      if (!(params instanceof asn1js.Sequence)) throw new CryptoVerifyError('MALFORMED', 'RSASSA-PSS parameters are missing');
    } else if (!absentOrNull) {
      throw new CryptoVerifyError('MALFORMED', 'RSA PKCS#1 v1.5 signature algorithm parameters must be NULL');
    }
    return;
  }
  if (keyAlg === OID.ecPublicKey) {
    if (!EC_SIG_ALGS.has(alg.algorithmId)) throw new CryptoVerifyError('SIGNATURE_INVALID', `signature algorithm ${alg.algorithmId} does not fit an EC key`);
    if (params !== undefined) throw new CryptoVerifyError('MALFORMED', 'ECDSA signature algorithm parameters must be absent');
    return;
  }
  throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `signer key algorithm ${keyAlg} is not supported`);
}

/** Ecdsa-Sig-Value must be canonical DER: SEQUENCE of two minimal positive INTEGERs, nothing else. */
function checkEcdsaSignatureDer(sig: Uint8Array) {
  const seq = parseDer(sig, 'ECDSA signature');
  const parts = seq instanceof asn1js.Sequence ? seq.valueBlock.value : [];
  if (parts.length !== 2 || !parts.every((p) => p instanceof asn1js.Integer)) {
    throw new CryptoVerifyError('SIGNATURE_INVALID', 'ECDSA signature is not a SEQUENCE of two INTEGERs');
  }
  for (const p of parts as asn1js.Integer[]) {
    const v = p.valueBlock.valueHexView;
    if (v.length === 0 || v[0] & 0x80 || (v.length > 1 && v[0] === 0 && !(v[1] & 0x80))) {
      throw new CryptoVerifyError('SIGNATURE_INVALID', 'ECDSA signature INTEGER is not minimally encoded and positive');
    }
  }
  const canonical = encodeNode(der(TAG.SEQUENCE, ...(parts as asn1js.Integer[]).map((p) => der(TAG.INTEGER, p.valueBlock.valueHexView))));
  if (!bytesEqual(canonical, sig)) throw new CryptoVerifyError('SIGNATURE_INVALID', 'ECDSA signature is not DER-encoded');
}

function sidMatches(sid: unknown, cert: pkijs.Certificate): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    // exact bytes, not RFC 5280 name matching: the sid is unsigned, so no variant of it is accepted
    return bytesEqual(nameDer(sid.issuer), nameDer(cert.issuer)) && sid.serialNumber.isEqual(cert.serialNumber);
  }
  if (sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive || sid instanceof asn1js.OctetString) {
    const ski = findExtension(cert, OID.subjectKeyIdentifier)?.parsedValue;
    const want = (sid as asn1js.OctetString).valueBlock?.valueHexView;
    if (ski instanceof asn1js.OctetString && want) return bytesEqual(ski.valueBlock.valueHexView, want);
    if (sid instanceof asn1js.Constructed) {
      const inner = sid.valueBlock.value[0];
      if (ski instanceof asn1js.OctetString && inner instanceof asn1js.OctetString) return bytesEqual(ski.valueBlock.valueHexView, inner.valueBlock.valueHexView);
    }
  }
  return false;
}

export async function verifyCmsCore(opts: Parameters<typeof verifyCmsCoreUnsafe>[0]): Promise<CmsCoreResult> {
  return asVerifyError('SignedData', () => verifyCmsCoreUnsafe(opts));
}

/** Whatever a parser throws on hostile input (TypeError, RangeError…) surfaces as MALFORMED. */
export async function asVerifyError<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw e;
    throw new CryptoVerifyError('MALFORMED', `${what} could not be processed: ${errorText(e)}`);
  }
}

async function verifyCmsCoreUnsafe(opts: {
  signedData: Uint8Array;
  content?: Uint8Array;
  contentDigest?: Uint8Array;
  extraCerts?: Uint8Array[];
  expectedContentType?: string;
  requireSigningCertificate?: boolean;
}): Promise<CmsCoreResult> {
  const { sd, bag } = parseSignedData(opts.signedData);
  if (sd.signerInfos.length !== 1) {
    throw new CryptoVerifyError('WRONG_SIGNER_COUNT', `SignedData has ${sd.signerInfos.length} signers; exactly one is required`);
  }
  const si = sd.signerInfos[0];
  // RFC 5652 5.3: version 1 iff sid is issuerAndSerialNumber, 3 iff subjectKeyIdentifier
  const expectedSiVersion = si.sid instanceof pkijs.IssuerAndSerialNumber ? 1 : 3;
  if (si.version !== expectedSiVersion) throw new CryptoVerifyError('MALFORMED', `SignerInfo version ${si.version} is not valid for its signer identifier`);
  // RFC 5652 5.1 (attribute and "other" certificates, versions 4 and 5, are not accepted here)
  const expectedSdVersion = si.version === 3 || sd.encapContentInfo.eContentType !== OID.data ? 3 : 1;
  if (sd.version !== expectedSdVersion) throw new CryptoVerifyError('MALFORMED', `SignedData version ${sd.version} should be ${expectedSdVersion}`);
  if (!sd.digestAlgorithms.some((a) => a.algorithmId === si.digestAlgorithm.algorithmId)) {
    throw new CryptoVerifyError('MALFORMED', 'the signer digest algorithm is not listed in SignedData.digestAlgorithms');
  }
  const eContentType = sd.encapContentInfo.eContentType;
  if (opts.expectedContentType && eContentType !== opts.expectedContentType) {
    throw new CryptoVerifyError('MALFORMED', `encapsulated content type is ${eContentType}, expected ${opts.expectedContentType}`);
  }

  // Certificates in the bag, as their original DER.
  const certificates: Uint8Array[] = [];
  const parsed: pkijs.Certificate[] = [];
  for (const d of bag) {
    certificates.push(d);
    parsed.push(parseCertificate(d, 'certificate in the SignedData'));
  }
  for (const d of opts.extraCerts ?? []) {
    certificates.push(d);
    parsed.push(parseCertificate(d));
  }
  const idx = parsed.findIndex((c) => sidMatches(si.sid, c));
  if (idx < 0) throw new CryptoVerifyError('SIGNER_CERT_MISSING', 'the signer certificate is not included and was not supplied');
  const signer = parsed[idx];
  const signerCert = certificates[idx];

  // Content and its digest.
  const hashName = HASH_BY_OID[si.digestAlgorithm.algorithmId];
  if (!hashName || hashName === 'SHA-1') {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `digest algorithm ${si.digestAlgorithm.algorithmId} is not accepted`);
  }
  let eContent: Uint8Array | undefined;
  if (sd.encapContentInfo.eContent) {
    if (!(sd.encapContentInfo.eContent instanceof asn1js.OctetString)) throw new CryptoVerifyError('MALFORMED', 'eContent is not an OCTET STRING');
    eContent = octetStringBytes(sd.encapContentInfo.eContent);
  }
  let digest: Uint8Array;
  if (eContent) {
    if (opts.content && !bytesEqual(opts.content, eContent)) {
      throw new CryptoVerifyError('DIGEST_MISMATCH', 'the supplied content differs from the content inside the signature');
    }
    digest = await digestWith(hashName, eContent);
  } else if (opts.content) {
    digest = await digestWith(hashName, opts.content);
  } else if (opts.contentDigest) {
    if (hashName !== 'SHA-256') throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `signature uses ${hashName}; a SHA-256 contentDigest cannot be checked against it`);
    digest = opts.contentDigest;
  } else {
    throw new CryptoVerifyError('CONTENT_MISSING', 'detached signature: the signed content (or its SHA-256 digest) is required');
  }

  // Signed attributes.
  if (!si.signedAttrs || si.signedAttrs.attributes.length === 0) {
    throw new CryptoVerifyError('ATTRIBUTE_MISSING', 'signature has no signed attributes (contentType and messageDigest are required)');
  }
  const attrs = new Map<string, pkijs.Attribute>();
  for (const a of si.signedAttrs.attributes) {
    if (attrs.has(a.type)) throw new CryptoVerifyError('MALFORMED', `signed attribute ${a.type} appears more than once`);
    attrs.set(a.type, a);
  }
  const ct = attrs.get(OID.contentType);
  if (!ct) throw new CryptoVerifyError('ATTRIBUTE_MISSING', 'signed attribute contentType is missing');
  const ctv = singleValue(ct, 'contentType');
  if (!(ctv instanceof asn1js.ObjectIdentifier) || ctv.valueBlock.toString() !== eContentType) {
    throw new CryptoVerifyError('MALFORMED', 'signed contentType attribute does not match the encapsulated content type');
  }
  const md = attrs.get(OID.messageDigest);
  if (!md) throw new CryptoVerifyError('ATTRIBUTE_MISSING', 'signed attribute messageDigest is missing');
  const mdv = singleValue(md, 'messageDigest');
  if (!(mdv instanceof asn1js.OctetString)) throw new CryptoVerifyError('MALFORMED', 'messageDigest is not an OCTET STRING');
  if (!bytesEqual(mdv.valueBlock.valueHexView, digest)) {
    throw new CryptoVerifyError('DIGEST_MISMATCH', 'the content does not match the signed message digest');
  }
  let signingTime: Date | undefined;
  const st = attrs.get(OID.signingTime);
  if (st) signingTime = attrTime(singleValue(st, 'signingTime'));

  // Signature over the DER SET OF signed attributes.
  checkSignatureAlgorithm(si.signatureAlgorithm, signer);
  if (signer.subjectPublicKeyInfo.algorithm.algorithmId === OID.ecPublicKey) checkEcdsaSignatureDer(si.signature.valueBlock.valueHexView);
  const implied = HASH_OF_SIGALG[si.signatureAlgorithm.algorithmId];
  if (implied && implied !== hashName) {
    throw new CryptoVerifyError('SIGNATURE_INVALID', `signature algorithm hash ${implied} differs from the digest algorithm ${hashName}`);
  }
  let ok = false;
  try {
    ok = await engine().verifyWithPublicKey(
      bufferSource(new Uint8Array(si.signedAttrs.encodedValue)),
      si.signature,
      signer.subjectPublicKeyInfo,
      si.signatureAlgorithm,
      hashName,
    );
  } catch {
    ok = false;
  }
  if (!ok) throw new CryptoVerifyError('SIGNATURE_INVALID', 'the signature does not verify with the signer certificate');

  // ESS binding of the signer certificate (defeats certificate substitution).
  const v2 = attrs.get(OID.signingCertificateV2);
  const v1 = attrs.get(OID.signingCertificate);
  if (v2) await checkEssCertId(singleValue(v2, 'signingCertificateV2'), true, signerCert, signer);
  if (v1) await checkEssCertId(singleValue(v1, 'signingCertificate'), false, signerCert, signer);
  if (opts.requireSigningCertificate && !v1 && !v2) {
    throw new CryptoVerifyError('ATTRIBUTE_MISSING', 'signed attribute signingCertificateV2 is missing');
  }

  return {
    eContentType,
    eContent,
    signerCert,
    signer,
    certificates,
    signingTime,
    hasSigningCertificate: Boolean(v1 || v2),
  };
}

// ---------------------------------------------------------------------------------------------
// public verification

export interface SignatureCheck {
  content?: Uint8Array;
  signerCert: Uint8Array;
  signer: CertInfo;
  signingTime?: Date;
}

/**
 * Verifies a SignedData over id-data with exactly one signer, and its certificate chain.
 * The chain is checked at `at` if given (a trusted time, e.g. a timestamp's genTime); otherwise at
 * the signer-asserted signingTime (or now), and then any revocation in `crls` counts, since a
 * signer with a compromised key could backdate signingTime.
 */
export async function verifySignedData(opts: VerifySignedDataOptions): Promise<SignatureCheck> {
  return asVerifyError('SignedData', () => verifySignedDataUnsafe(opts));
}

export interface VerifySignedDataOptions {
  signedData: Uint8Array;
  content?: Uint8Array;
  contentDigest?: Uint8Array;
  trustAnchors: Uint8Array[];
  crls?: Uint8Array[];
  at?: Date;
  requireSigningCertificate?: boolean;
}

async function verifySignedDataUnsafe(opts: VerifySignedDataOptions): Promise<SignatureCheck> {
  const core = await verifyCmsCore({
    signedData: opts.signedData,
    content: opts.content,
    contentDigest: opts.contentDigest,
    expectedContentType: OID.data,
    requireSigningCertificate: opts.requireSigningCertificate,
  });
  const at = opts.at ?? core.signingTime ?? new Date();
  await validateChain({
    cert: core.signerCert,
    intermediates: core.certificates.filter((c) => c !== core.signerCert),
    trustAnchors: opts.trustAnchors,
    crls: opts.crls,
    at,
    revocationAt: opts.at ?? FAR_FUTURE,
    purpose: 'sign',
  });
  return {
    content: core.eContent ?? opts.content,
    signerCert: core.signerCert,
    signer: certInfoOf(core.signer, toHex(await sha256(core.signerCert))),
    signingTime: core.signingTime,
  };
}

