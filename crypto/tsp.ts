/**
 * RFC 3161 time-stamping: requests, a TSA that answers them from an injected clock, and a verifier.
 * Tokens carry ESS signingCertificateV2 with issuerSerial (RFC 5816), which `openssl ts -verify`
 * checks, and the TSA certificate must have the single critical EKU id-kp-timeStamping (RFC 3161 2.3).
 */
import * as asn1js from 'asn1js';
import { pkijs } from './engine.js';
import { CryptoVerifyError, errorText } from './errors.js';
import { bytesEqual, sha256, toHex } from './hash.js';
import {
  HASH_BY_OID,
  OID,
  TAG,
  der,
  encodeNode,
  integerHex,
  namesEqual,
  oidDer,
  parseCertificate,
  parseDer,
  positiveIntegerBytes,
  smallIntDer,
  type DerNode,
} from './asn1util.js';
import { asVerifyError, buildSignedData, verifyCmsCore } from './cms.js';
import { certInfoOf, validateChain, type CertInfo } from './pki.js';

/**
 * Default TSA policy. 2.999 is the ITU-T/ISO example arc (X.660): a deployment should configure an
 * OID under its own arc; this keeps tests and development self-contained.
 */
export const DEFAULT_TSA_POLICY = '2.999.3161.1';

const HASH_LEN: Record<string, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const HASH_OID: Record<string, string> = { 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 };

function integerContent(v: bigint | Uint8Array): Uint8Array {
  return positiveIntegerBytes(v);
}

function integerDer(v: bigint | Uint8Array): Uint8Array {
  const c = integerContent(v);
  return encodeNode(der(TAG.INTEGER, c));
}

function randomNonce(): Uint8Array {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(8));
  b[0] = (b[0] & 0x7f) | 0x01;
  return b;
}

// ---------------------------------------------------------------------------------------------
// request

export async function createTimeStampRequest(opts: {
  digest: Uint8Array;
  nonce?: bigint | Uint8Array;
  certReq?: boolean;
  policy?: string;
  hashAlgorithm?: 'SHA-256' | 'SHA-384' | 'SHA-512';
}): Promise<Uint8Array> {
  const hash = opts.hashAlgorithm ?? 'SHA-256';
  if (opts.digest.length !== HASH_LEN[hash]) throw new Error(`digest must be ${HASH_LEN[hash]} bytes for ${hash}`);
  const parts: DerNode[] = [
    smallIntDer(1),
    der(TAG.SEQUENCE, der(TAG.SEQUENCE, oidDer(HASH_OID[hash])), der(TAG.OCTET_STRING, opts.digest)),
  ];
  if (opts.policy) parts.push(oidDer(opts.policy));
  parts.push(integerDer(opts.nonce ?? randomNonce()));
  if (opts.certReq ?? true) parts.push(new Uint8Array([0x01, 0x01, 0xff]));
  return encodeNode(der(TAG.SEQUENCE, ...parts));
}

export interface ParsedTimeStampRequest {
  hashAlgorithm: string; // WebCrypto name, e.g. 'SHA-256'
  hashAlgorithmOid: string;
  digest: Uint8Array;
  nonce?: Uint8Array; // INTEGER content bytes
  nonceHex?: string;
  certReq: boolean;
  policy?: string;
}

export function parseTimeStampRequest(request: Uint8Array): ParsedTimeStampRequest {
  try {
    return parseTimeStampRequestUnsafe(request);
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw e;
    throw new CryptoVerifyError('MALFORMED', `TimeStampReq could not be processed: ${errorText(e)}`);
  }
}

function parseTimeStampRequestUnsafe(request: Uint8Array): ParsedTimeStampRequest {
  const schema = parseDer(request, 'TimeStampReq');
  let req: pkijs.TimeStampReq;
  try {
    req = new pkijs.TimeStampReq({ schema });
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `TimeStampReq is malformed: ${errorText(e)}`);
  }
  if (req.version !== 1) throw new CryptoVerifyError('MALFORMED', `TimeStampReq version ${req.version} is not 1`);
  const oid = req.messageImprint.hashAlgorithm.algorithmId;
  const name = HASH_BY_OID[oid];
  if (!name || !HASH_LEN[name]) throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `message imprint hash ${oid} is not accepted`);
  const digest = req.messageImprint.hashedMessage.valueBlock.valueHexView.slice();
  if (digest.length !== HASH_LEN[name]) throw new CryptoVerifyError('MALFORMED', `message imprint is ${digest.length} bytes, ${name} needs ${HASH_LEN[name]}`);
  return {
    hashAlgorithm: name,
    hashAlgorithmOid: oid,
    digest,
    nonce: req.nonce ? req.nonce.valueBlock.valueHexView.slice() : undefined,
    nonceHex: req.nonce ? integerHex(req.nonce) : undefined,
    certReq: req.certReq ?? false,
    policy: req.reqPolicy,
  };
}

// ---------------------------------------------------------------------------------------------
// TSA side

/** GeneralizedTime as RFC 3161 2.4.2 wants it: UTC, "Z", fraction without trailing zeros. */
function genTimeDer(d: Date): Uint8Array {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  let s = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (ms) s += '.' + p(ms, 3).replace(/0+$/, '');
  s += 'Z';
  return encodeNode(der(0x18, new TextEncoder().encode(s)));
}

function accuracyDer(ms: number): Uint8Array | undefined {
  if (!(ms > 0)) return undefined;
  const secs = Math.floor(ms / 1000);
  const millis = Math.round(ms % 1000);
  const parts: DerNode[] = [];
  if (secs) parts.push(integerDer(BigInt(secs)));
  if (millis) parts.push(der(0x80, integerContent(BigInt(millis)))); // millis [0] IMPLICIT INTEGER
  return encodeNode(der(TAG.SEQUENCE, ...parts));
}

export type PkiFailure = 'badAlg' | 'badRequest' | 'badDataFormat' | 'timeNotAvailable' | 'unacceptedPolicy' | 'unacceptedExtension' | 'systemFailure';
const FAIL_BIT: Record<PkiFailure, number> = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  systemFailure: 25,
};

/** A TimeStampResp with status rejection(2), a reason text and a PKIFailureInfo bit. */
export function createTimeStampRejection(failure: PkiFailure, text: string): Uint8Array {
  const bit = FAIL_BIT[failure];
  const len = Math.floor(bit / 8) + 1;
  const bytes = new Uint8Array(len);
  bytes[bit >> 3] |= 0x80 >> (bit & 7);
  const unused = len * 8 - (bit + 1);
  const statusInfo = der(
    TAG.SEQUENCE,
    smallIntDer(2),
    der(TAG.SEQUENCE, der(0x0c, new TextEncoder().encode(text))),
    der(0x03, new Uint8Array([unused]), bytes),
  );
  return encodeNode(der(TAG.SEQUENCE, statusInfo));
}

/**
 * The TSA's side without the request/response wrapping: a TimeStampToken (CMS SignedData over
 * TSTInfo) for `digest` at `now`. `createTimeStampResponse` uses it for requests from outside; the
 * platform calls it directly for its own stamps, which saves encoding a request, parsing it back
 * and unwrapping the response (about a third of a stamp's cost).
 */
export async function createTimeStampToken(opts: {
  digest: Uint8Array;
  hashAlgorithm?: 'SHA-256' | 'SHA-384' | 'SHA-512';
  tsaCert: Uint8Array;
  tsaKey: CryptoKey;
  chain?: Uint8Array[];
  now: Date;
  serial: bigint | Uint8Array;
  policy?: string;
  nonce?: Uint8Array;
  certReq?: boolean;
  accuracyMs?: number;
  includeTsaName?: boolean;
}): Promise<Uint8Array> {
  const hash = opts.hashAlgorithm ?? 'SHA-256';
  if (!HASH_OID[hash] || opts.digest.length !== HASH_LEN[hash]) throw new Error(`digest must be ${HASH_LEN[hash] ?? '?'} bytes for ${hash}`);
  const tsa = parseCertificate(opts.tsaCert, 'TSA certificate');
  const parts: DerNode[] = [
    smallIntDer(1),
    oidDer(opts.policy ?? DEFAULT_TSA_POLICY),
    der(TAG.SEQUENCE, der(TAG.SEQUENCE, oidDer(HASH_OID[hash])), der(TAG.OCTET_STRING, opts.digest)),
    integerDer(opts.serial),
    genTimeDer(opts.now),
  ];
  const acc = accuracyDer(opts.accuracyMs ?? 1000);
  if (acc) parts.push(acc);
  if (opts.nonce) parts.push(encodeNode(der(TAG.INTEGER, opts.nonce)));
  if (opts.includeTsaName ?? true) {
    // tsa [0] GeneralName (explicit, GeneralName is a CHOICE) = directoryName [4] Name
    parts.push(der(TAG.CTX0, der(TAG.CTX4, new Uint8Array(tsa.subject.toSchema().toBER(false)))));
  }
  const tstInfo = encodeNode(der(TAG.SEQUENCE, ...parts));
  return buildSignedData({
    eContentType: OID.tstInfo,
    content: tstInfo,
    signerCert: opts.tsaCert,
    signerKey: opts.tsaKey,
    chain: opts.chain,
    signingTime: opts.now,
    includeCerts: opts.certReq ?? true,
  });
}

/**
 * Answers a TimeStampReq. `now` comes from the platform clock module so tests and audits can
 * replay it; `serial` must be unique per TSA (RFC 3161 2.4.2). Bad requests get a rejection
 * response rather than an exception, as a TSA server would send.
 */
export async function createTimeStampResponse(opts: {
  request: Uint8Array;
  tsaCert: Uint8Array;
  tsaKey: CryptoKey;
  chain?: Uint8Array[];
  now: Date;
  serial: bigint | Uint8Array;
  policy?: string;
  acceptedPolicies?: string[];
  accuracyMs?: number;
  includeTsaName?: boolean;
}): Promise<Uint8Array> {
  let req: ParsedTimeStampRequest;
  try {
    req = parseTimeStampRequest(opts.request);
  } catch (e) {
    const code = e instanceof CryptoVerifyError && e.code === 'UNSUPPORTED_ALGORITHM' ? 'badAlg' : 'badDataFormat';
    return createTimeStampRejection(code, e instanceof Error ? e.message : 'bad request');
  }
  const policy = req.policy ?? opts.policy ?? DEFAULT_TSA_POLICY;
  const accepted = new Set([opts.policy ?? DEFAULT_TSA_POLICY, ...(opts.acceptedPolicies ?? [])]);
  if (!accepted.has(policy)) return createTimeStampRejection('unacceptedPolicy', `policy ${policy} is not offered by this TSA`);

  const token = await createTimeStampToken({
    digest: req.digest,
    hashAlgorithm: req.hashAlgorithm as 'SHA-256' | 'SHA-384' | 'SHA-512',
    nonce: req.nonce,
    certReq: req.certReq,
    policy,
    tsaCert: opts.tsaCert,
    tsaKey: opts.tsaKey,
    chain: opts.chain,
    now: opts.now,
    serial: opts.serial,
    accuracyMs: opts.accuracyMs,
    includeTsaName: opts.includeTsaName,
  });
  return encodeNode(der(TAG.SEQUENCE, der(TAG.SEQUENCE, smallIntDer(0)), token));
}

// ---------------------------------------------------------------------------------------------
// verification

export interface TimeStampInfo {
  genTime: Date;
  serialHex: string;
  policy: string;
  digest: Uint8Array;
  hashAlgorithm: string;
  nonceHex?: string;
  accuracyMs?: number;
  tsa: CertInfo;
  token: Uint8Array;
}

const STATUS_TEXT = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];

/** Extracts the token from a TimeStampResp; throws TSA_REJECTED when the status is not granted. */
export function tokenFromResponse(response: Uint8Array): Uint8Array {
  const schema = parseDer(response, 'TimeStampResp');
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema });
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `TimeStampResp is malformed: ${errorText(e)}`);
  }
  const status = resp.status.status as number;
  if (status !== 0 && status !== 1) {
    const text = (resp.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
    throw new CryptoVerifyError('TSA_REJECTED', `TSA answered ${STATUS_TEXT[status] ?? `status ${status}`}${text ? `: ${text}` : ''}`);
  }
  if (!resp.timeStampToken) throw new CryptoVerifyError('MALFORMED', 'granted TimeStampResp carries no token');
  // The token's own DER, sliced from the response so nothing is re-encoded.
  const seq = schema as asn1js.Sequence;
  const tokenSchema = seq.valueBlock.value[1];
  if (!tokenSchema) throw new CryptoVerifyError('MALFORMED', 'granted TimeStampResp carries no token');
  return new Uint8Array(tokenSchema.valueBeforeDecodeView);
}

function accuracyMsOf(acc: pkijs.Accuracy | undefined): number | undefined {
  if (!acc) return undefined;
  return (acc.seconds ?? 0) * 1000 + (acc.millis ?? 0) + (acc.micros ?? 0) / 1000;
}

export async function verifyTimeStamp(opts: VerifyTimeStampOptions): Promise<TimeStampInfo> {
  return asVerifyError('time-stamp token', () => verifyTimeStampUnsafe(opts));
}

export interface VerifyTimeStampOptions {
  response?: Uint8Array;
  token?: Uint8Array;
  data?: Uint8Array;
  digest?: Uint8Array;
  trustAnchors: Uint8Array[];
  crls?: Uint8Array[];
  /** the TSA certificate, when the token was requested with certReq FALSE */
  tsaCert?: Uint8Array;
  /** expected nonce, as sent in the request */
  nonce?: bigint | Uint8Array;
}

async function verifyTimeStampUnsafe(opts: VerifyTimeStampOptions): Promise<TimeStampInfo> {
  const token = opts.token ?? (opts.response ? tokenFromResponse(opts.response) : undefined);
  if (!token) throw new CryptoVerifyError('MALFORMED', 'no time-stamp response or token given');
  const core = await verifyCmsCore({
    signedData: token,
    expectedContentType: OID.tstInfo,
    extraCerts: opts.tsaCert ? [opts.tsaCert] : undefined,
    requireSigningCertificate: true, // RFC 3161 2.4.1 / RFC 5816
  });
  if (!core.eContent) throw new CryptoVerifyError('MALFORMED', 'time-stamp token does not contain its TSTInfo');
  const tstSchema = parseDer(core.eContent, 'TSTInfo');
  let tst: pkijs.TSTInfo;
  try {
    tst = new pkijs.TSTInfo({ schema: tstSchema });
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `TSTInfo is malformed: ${errorText(e)}`);
  }
  if (tst.version !== 1) throw new CryptoVerifyError('MALFORMED', `TSTInfo version ${tst.version} is not 1`);
  const genTime = tst.genTime;
  if (!(genTime instanceof Date) || Number.isNaN(genTime.getTime())) throw new CryptoVerifyError('MALFORMED', 'TSTInfo genTime is invalid');

  const hashName = HASH_BY_OID[tst.messageImprint.hashAlgorithm.algorithmId];
  if (!hashName || !HASH_LEN[hashName]) {
    throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `message imprint hash ${tst.messageImprint.hashAlgorithm.algorithmId} is not accepted`);
  }
  const imprint = tst.messageImprint.hashedMessage.valueBlock.valueHexView;
  let expected: Uint8Array;
  if (opts.data) expected = new Uint8Array(await globalThis.crypto.subtle.digest(hashName, opts.data as Uint8Array<ArrayBuffer>));
  else if (opts.digest) expected = opts.digest;
  else throw new CryptoVerifyError('CONTENT_MISSING', 'the time-stamped data (or its digest) is required');
  if (!bytesEqual(imprint, expected)) throw new CryptoVerifyError('DIGEST_MISMATCH', 'the time-stamp token covers different data');

  if (opts.nonce !== undefined) {
    const want = positiveIntegerBytes(opts.nonce);
    const got = tst.nonce ? positiveIntegerBytes(tst.nonce.valueBlock.valueHexView) : undefined;
    if (!got || !bytesEqual(want, got)) throw new CryptoVerifyError('NONCE_MISMATCH', 'the time-stamp nonce does not match the request');
  }
  if (tst.tsa && tst.tsa.type === 4 && !namesEqual(tst.tsa.value as pkijs.RelativeDistinguishedNames, core.signer.subject)) {
    throw new CryptoVerifyError('SIGNING_CERT_MISMATCH', 'TSTInfo names a TSA other than the signer');
  }

  // The TSA asserts genTime itself, so (as for CMS signingTime) any listed revocation counts.
  await validateChain({
    cert: core.signerCert,
    intermediates: core.certificates.filter((c) => c !== core.signerCert),
    trustAnchors: opts.trustAnchors,
    crls: opts.crls,
    at: genTime,
    revocationAt: new Date(8.64e15),
    purpose: 'timestamp',
  });
  return {
    genTime,
    serialHex: integerHex(tst.serialNumber),
    policy: tst.policy,
    digest: imprint.slice(),
    hashAlgorithm: hashName,
    nonceHex: tst.nonce ? integerHex(tst.nonce) : undefined,
    accuracyMs: accuracyMsOf(tst.accuracy),
    tsa: certInfoOf(core.signer, toHex(await sha256(core.signerCert))),
    token,
  };
}

/** Kept under the name the issue used. */
export const verifyTimeStampToken = verifyTimeStamp;

/**
 * Asks an RFC 3161 TSA over HTTP (RFC 3161 3.4) and returns the token after checking the imprint and
 * nonce; with `trustAnchors` the token is fully verified too.
 */
export async function requestTimeStamp(
  url: string,
  digest: Uint8Array,
  opts: { trustAnchors?: Uint8Array[]; fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const nonce = randomNonce();
  const body = await createTimeStampRequest({ digest, nonce, certReq: true });
  const doFetch = opts.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: body as Uint8Array<ArrayBuffer>,
      signal: opts.signal,
    });
  } catch (e) {
    throw new CryptoVerifyError('TSA_UNREACHABLE', `TSA at ${url} is unreachable: ${errorText(e)}`);
  }
  if (!res.ok) throw new CryptoVerifyError('TSA_REJECTED', `TSA at ${url} answered HTTP ${res.status}`);
  const response = new Uint8Array(await res.arrayBuffer());
  const token = tokenFromResponse(response);
  if (opts.trustAnchors) {
    await verifyTimeStamp({ token, digest, trustAnchors: opts.trustAnchors, nonce });
    return token;
  }
  // Without anchors, at least bind the answer to this request.
  const core = await verifyCmsCore({ signedData: token, expectedContentType: OID.tstInfo, requireSigningCertificate: true });
  const tstSchema = parseDer(core.eContent ?? new Uint8Array(), 'TSTInfo');
  let tst: pkijs.TSTInfo;
  try {
    tst = new pkijs.TSTInfo({ schema: tstSchema });
  } catch (e) {
    throw new CryptoVerifyError('MALFORMED', `TSTInfo is malformed: ${errorText(e)}`);
  }
  if (!bytesEqual(tst.messageImprint.hashedMessage.valueBlock.valueHexView, digest)) {
    throw new CryptoVerifyError('DIGEST_MISMATCH', 'TSA time-stamped different data');
  }
  if (!tst.nonce || !bytesEqual(positiveIntegerBytes(tst.nonce.valueBlock.valueHexView), positiveIntegerBytes(nonce))) {
    throw new CryptoVerifyError('NONCE_MISMATCH', 'TSA response nonce does not match the request');
  }
  return token;
}

