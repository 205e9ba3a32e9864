/**
 * Sealed bids (投标文件加密): sign inside, then encrypt. Format and reasons: docs/decisions/016.
 *
 *   envelope  = AuthEnvelopedData(AES-256-GCM) to [opening cert(s), bidder's own cert]
 *                 of SealedBidContent ::= SEQUENCE {
 *                      version        INTEGER (1),
 *                      signedManifest ContentInfo,            -- SignedData, attached: canonical JSON manifest
 *                      files          SEQUENCE OF OCTET STRING -- in manifest.files order
 *                 }
 *   submission = SignedData, attached: canonical JSON { v, kind, tenderId, sectionId, bidderId,
 *                 envelopeSha256, envelopeSize, sealedAt } — what the server checks without a key.
 *
 * The bidder's signature covers the manifest; the manifest covers every file by SHA-256, so files
 * are not put inside SignedData a second time. The binding (tender, section, bidder) is inside
 * the signed manifest (checked at opening) and in the signed submission (checked at upload).
 */
import { verifySignedData, signData } from './cms.js';
import {
  canKeyTransport,
  childrenOf,
  contentOf,
  encryptEnvelope,
  isAddressedTo,
  OID,
  parseEnvelope,
  rawOf,
  readTlv,
  decryptEnvelope,
  decryptWithContentKey,
  type RecipientRef,
} from './envelope.js';
import { CryptoVerifyError } from './errors.js';
import { sha256, toHex, utf8 } from './hash.js';
import type { CertInfo } from './pki.js';

export type SealPhase = 'hash' | 'sign' | 'encrypt';
export type ProgressFn = (phase: SealPhase, done: number, total: number) => void;

export interface BidBinding {
  tenderId: string;
  sectionId: string;
  bidderId: string;
}

export interface BidFileEntry {
  name: string;
  size: number;
  sha256: string;
}

/** The signed statement of what is in a bid; `form` holds the bid form fields (报价, 工期, ...). */
export interface BidManifest extends BidBinding {
  v: 1;
  nonce: string;
  form: Record<string, unknown>;
  files: BidFileEntry[];
  sealedAt: string;
}

export interface SubmissionStatement extends BidBinding {
  v: 1;
  kind: 'sealed-bid-submission';
  envelopeSha256: string;
  envelopeSize: number;
  sealedAt: string;
}

export interface SealBidInput extends BidBinding {
  form: Record<string, unknown>;
  files: { name: string; bytes: Uint8Array }[];
  signerCert: Uint8Array;
  signerKey: CryptoKey;
  /** intermediate CA certificates to embed in the SignedData */
  chain?: Uint8Array[];
  /** opening certificate(s) of the tender; the signer's own certificate is added as a recipient */
  recipients: Uint8Array[];
  /**
   * Add the signer's certificate as a recipient so the bidder can decrypt its own bid at the
   * opening (远程解密). Default: yes when the certificate is RSA with keyEncipherment (EC
   * certificates would need KeyAgreeRecipientInfo, which we do not write).
   */
  includeSelf?: boolean;
  now?: Date;
}

export interface SealedBid {
  envelope: Uint8Array;
  submission: Uint8Array;
  manifest: BidManifest;
  envelopeSha256: string;
}

// ---------------------------------------------------------------------------------------------
// canonical JSON (RFC 8785 for the values we use: sorted keys, no whitespace, ES number form)

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: unsupported value of type ${typeof value}`);
}

// ---------------------------------------------------------------------------------------------
// container

function lenOfHeader(len: number): number {
  return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : len < 0x1000000 ? 5 : 6;
}

function writeHeader(out: Uint8Array, at: number, tag: number, len: number): number {
  out[at++] = tag;
  if (len < 0x80) {
    out[at++] = len;
    return at;
  }
  const n = lenOfHeader(len) - 2;
  out[at++] = 0x80 | n;
  for (let i = n - 1; i >= 0; i--) out[at++] = Math.floor(len / 2 ** (8 * i)) & 0xff;
  return at;
}

/** One allocation for the whole container: the file bytes are copied exactly once. */
function buildContainer(signedManifest: Uint8Array, files: Uint8Array[]): Uint8Array {
  let filesLen = 0;
  for (const f of files) filesLen += lenOfHeader(f.length) + f.length;
  const bodyLen = 3 + signedManifest.length + lenOfHeader(filesLen) + filesLen;
  const out = new Uint8Array(lenOfHeader(bodyLen) + bodyLen);
  let p = writeHeader(out, 0, 0x30, bodyLen);
  out.set([0x02, 0x01, 0x01], p);
  p += 3;
  out.set(signedManifest, p);
  p += signedManifest.length;
  p = writeHeader(out, p, 0x30, filesLen);
  for (const f of files) {
    p = writeHeader(out, p, 0x04, f.length);
    out.set(f, p);
    p += f.length;
  }
  return out;
}

function parseContainer(buf: Uint8Array): { signedManifest: Uint8Array; files: Uint8Array[] } {
  const top = readTlv(buf, 0, buf.length);
  if (top.tag !== 0x30 || top.next !== buf.length) throw new CryptoVerifyError('MALFORMED', 'sealed bid content is not one SEQUENCE');
  const [version, sd, files, ...rest] = childrenOf(buf, top);
  if (!version || version.tag !== 0x02 || contentOf(buf, version).length !== 1 || buf[version.start] !== 1) {
    throw new CryptoVerifyError('MALFORMED', 'sealed bid content version must be 1');
  }
  if (!sd || sd.tag !== 0x30 || !files || files.tag !== 0x30 || rest.length > 0) {
    throw new CryptoVerifyError('MALFORMED', 'sealed bid content must be { version, signedManifest, files }');
  }
  return {
    signedManifest: rawOf(buf, sd),
    files: childrenOf(buf, files).map((f) => {
      if (f.tag !== 0x04) throw new CryptoVerifyError('MALFORMED', 'a file in the sealed bid is not an OCTET STRING');
      return contentOf(buf, f);
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// sealing

function checkBinding(b: BidBinding): void {
  for (const k of ['tenderId', 'sectionId', 'bidderId'] as const) {
    if (typeof b[k] !== 'string' || b[k].length === 0) throw new Error(`sealBid: ${k} is required`);
  }
}

export async function sealBid(input: SealBidInput, opts: { onProgress?: ProgressFn } = {}): Promise<SealedBid> {
  checkBinding(input);
  const progress = opts.onProgress ?? (() => {});
  const names = new Set<string>();
  for (const f of input.files) {
    if (!f.name || names.has(f.name)) throw new Error(`sealBid: file names must be non-empty and unique ("${f.name}")`);
    names.add(f.name);
  }
  const total = input.files.reduce((n, f) => n + f.bytes.length, 0);

  // SHA-256 per file, one WebCrypto call each: native speed, and the standard digest an auditor
  // can reproduce with sha256sum (measured against chunked hashing in bench/crypto.ts).
  const entries: BidFileEntry[] = [];
  let done = 0;
  progress('hash', 0, total);
  for (const f of input.files) {
    entries.push({ name: f.name, size: f.bytes.length, sha256: toHex(await sha256(f.bytes)) });
    done += f.bytes.length;
    progress('hash', done, total);
  }

  const sealedAt = (input.now ?? new Date()).toISOString();
  const manifest: BidManifest = {
    v: 1,
    tenderId: input.tenderId,
    sectionId: input.sectionId,
    bidderId: input.bidderId,
    nonce: toHex(crypto.getRandomValues(new Uint8Array(16))),
    form: input.form,
    files: entries,
    sealedAt,
  };
  progress('sign', 0, 1);
  const signedManifest = await signData({
    content: utf8(canonicalJson(manifest)),
    signerCert: input.signerCert,
    signerKey: input.signerKey,
    chain: input.chain,
    signingTime: input.now,
  });
  progress('sign', 1, 1);

  progress('encrypt', 0, total);
  let container: Uint8Array | undefined = buildContainer(signedManifest, input.files.map((f) => f.bytes));
  const includeSelf = input.includeSelf ?? canKeyTransport(input.signerCert);
  const recipients = includeSelf ? [...input.recipients, input.signerCert] : input.recipients;
  const envelope = await encryptEnvelope({ content: container, recipients });
  container.fill(0);
  container = undefined;
  progress('encrypt', total, total);

  const envelopeSha256 = toHex(await sha256(envelope));
  const statement: SubmissionStatement = {
    v: 1,
    kind: 'sealed-bid-submission',
    tenderId: input.tenderId,
    sectionId: input.sectionId,
    bidderId: input.bidderId,
    envelopeSha256,
    envelopeSize: envelope.length,
    sealedAt,
  };
  const submission = await signData({
    content: utf8(canonicalJson(statement)),
    signerCert: input.signerCert,
    signerKey: input.signerKey,
    chain: input.chain,
    signingTime: input.now,
  });
  return { envelope, submission, manifest, envelopeSha256 };
}

// ---------------------------------------------------------------------------------------------
// checks shared by inspect and open

function bindingMismatch(what: string, expect: Partial<BidBinding>, got: BidBinding): void {
  for (const k of ['tenderId', 'sectionId', 'bidderId'] as const) {
    if (expect[k] !== undefined && expect[k] !== got[k]) {
      throw new CryptoVerifyError('BINDING_MISMATCH', `${what} is for ${k} "${got[k]}", expected "${expect[k]}"`);
    }
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseJsonStrict<T>(bytes: Uint8Array, what: string): T {
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new CryptoVerifyError('MALFORMED', `${what} is not UTF-8 JSON`);
  }
  if (canonicalJson(value) !== text) throw new CryptoVerifyError('MALFORMED', `${what} is not canonical JSON`);
  return value as T;
}

function isStr(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function validateManifest(m: BidManifest): void {
  const ok =
    m &&
    typeof m === 'object' &&
    m.v === 1 &&
    isStr(m.tenderId) &&
    isStr(m.sectionId) &&
    isStr(m.bidderId) &&
    /^[0-9a-f]{32}$/.test(m.nonce) &&
    m.form !== null &&
    typeof m.form === 'object' &&
    !Array.isArray(m.form) &&
    isStr(m.sealedAt) &&
    Array.isArray(m.files) &&
    m.files.every((f) => f && isStr(f.name) && Number.isSafeInteger(f.size) && f.size >= 0 && HEX64.test(f.sha256));
  if (!ok) throw new CryptoVerifyError('MALFORMED', 'bid manifest does not have the expected fields');
}

function validateStatement(s: SubmissionStatement): void {
  const ok =
    s &&
    s.v === 1 &&
    s.kind === 'sealed-bid-submission' &&
    isStr(s.tenderId) &&
    isStr(s.sectionId) &&
    isStr(s.bidderId) &&
    HEX64.test(s.envelopeSha256) &&
    Number.isSafeInteger(s.envelopeSize) &&
    isStr(s.sealedAt);
  if (!ok) throw new CryptoVerifyError('MALFORMED', 'submission statement does not have the expected fields');
}

// ---------------------------------------------------------------------------------------------
// server side: no key, no plaintext

export interface InspectSealedBidInput {
  envelope: Uint8Array;
  /** the bidder-signed submission statement returned by sealBid */
  submission?: Uint8Array;
  /** the tender's opening certificate: the envelope must be addressed to it */
  openingCert?: Uint8Array;
  /** needed when `submission` is given */
  trustAnchors?: Uint8Array[];
  crls?: Uint8Array[];
  at?: Date;
  expect?: Partial<BidBinding>;
  maxSize?: number;
}

export interface SealedBidInspection {
  size: number;
  encryptedSize: number;
  envelopeSha256: string;
  recipients: RecipientRef[];
  /** present when a submission statement was verified */
  statement?: SubmissionStatement;
  signer?: CertInfo;
  signerCert?: Uint8Array;
}

export async function inspectSealedBid(input: InspectSealedBidInput): Promise<SealedBidInspection> {
  const { envelope } = input;
  if (input.maxSize !== undefined && envelope.length > input.maxSize) {
    throw new CryptoVerifyError('TOO_LARGE', `sealed bid is ${envelope.length} bytes, the limit is ${input.maxSize}`);
  }
  const p = parseEnvelope(envelope);
  if (p.contentType !== OID.data) throw new CryptoVerifyError('MALFORMED', `sealed bid content type is ${p.contentType}, expected id-data`);
  if (!p.ciphertext) throw new CryptoVerifyError('CONTENT_MISSING', 'sealed bid has no encrypted content');
  if (input.openingCert && !isAddressedTo(p, input.openingCert)) {
    throw new CryptoVerifyError('WRONG_RECIPIENT', 'sealed bid is not encrypted to this tender\'s opening certificate');
  }
  const envelopeSha256 = toHex(await sha256(envelope));
  const result: SealedBidInspection = {
    size: envelope.length,
    encryptedSize: p.encryptedSize,
    envelopeSha256,
    recipients: p.recipients.map(({ issuer, serialHex }) => ({ issuer, serialHex })),
  };
  if (input.submission) {
    if (!input.trustAnchors) throw new Error('inspectSealedBid: trustAnchors are required to verify the submission');
    const check = await verifySignedData({ signedData: input.submission, trustAnchors: input.trustAnchors, crls: input.crls, at: input.at });
    const statement = parseJsonStrict<SubmissionStatement>(check.content ?? new Uint8Array(0), 'submission statement');
    validateStatement(statement);
    if (statement.envelopeSha256 !== envelopeSha256 || statement.envelopeSize !== envelope.length) {
      throw new CryptoVerifyError('DIGEST_MISMATCH', 'the submission statement was signed for a different envelope');
    }
    if (input.expect) bindingMismatch('the submission', input.expect, statement);
    result.statement = statement;
    result.signer = check.signer;
    result.signerCert = check.signerCert;
  } else if (input.expect) {
    throw new Error('inspectSealedBid: checking the binding needs the submission statement');
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// opening

export interface OpenBidInput {
  envelope: Uint8Array;
  /** either a recipient certificate + RSA-OAEP private key ... */
  recipientCert?: Uint8Array;
  recipientKey?: CryptoKey;
  /** ... or the content key a bidder unwrapped in its browser (unwrapContentKey) */
  contentKey?: Uint8Array;
  trustAnchors: Uint8Array[];
  crls?: Uint8Array[];
  at?: Date;
  expect: BidBinding | (Omit<BidBinding, 'bidderId'> & { bidderId?: string });
  /** optionally pin the signer (SHA-256 of its certificate, hex) */
  signerCertSha256?: string;
  /** the submission statement kept since upload: must be for this envelope, binding and signer */
  submission?: Uint8Array;
}

export interface OpenedBid {
  manifest: BidManifest;
  files: { name: string; bytes: Uint8Array }[];
  signer: CertInfo;
  signerCert: Uint8Array;
  signingTime?: Date;
}

export async function openBid(input: OpenBidInput): Promise<OpenedBid> {
  let plain: Uint8Array;
  if (input.contentKey) plain = await decryptWithContentKey({ envelope: input.envelope, contentKey: input.contentKey });
  else if (input.recipientCert && input.recipientKey) {
    plain = await decryptEnvelope({ envelope: input.envelope, recipientCert: input.recipientCert, recipientKey: input.recipientKey });
  } else throw new Error('openBid: give recipientCert + recipientKey, or contentKey');

  const { signedManifest, files } = parseContainer(plain);
  const check = await verifySignedData({ signedData: signedManifest, trustAnchors: input.trustAnchors, crls: input.crls, at: input.at });
  const manifest = parseJsonStrict<BidManifest>(check.content ?? new Uint8Array(0), 'bid manifest');
  validateManifest(manifest);
  bindingMismatch('this bid', input.expect, manifest);
  if (input.signerCertSha256 && input.signerCertSha256.toLowerCase() !== check.signer.sha256) {
    throw new CryptoVerifyError('SIGNER_MISMATCH', `bid signed by "${check.signer.subject}", not the expected certificate`);
  }
  if (manifest.files.length !== files.length) {
    throw new CryptoVerifyError('DIGEST_MISMATCH', `manifest lists ${manifest.files.length} files, the bid holds ${files.length}`);
  }
  if (input.submission) {
    const s = await inspectSealedBid({
      envelope: input.envelope,
      submission: input.submission,
      trustAnchors: input.trustAnchors,
      crls: input.crls,
      at: input.at,
      expect: manifest,
    });
    if (s.signer?.sha256 !== check.signer.sha256) {
      throw new CryptoVerifyError('SIGNER_MISMATCH', 'the submission statement and the bid were signed by different certificates');
    }
  }
  const out: OpenedBid['files'] = [];
  for (let i = 0; i < files.length; i++) {
    const e = manifest.files[i];
    if (files[i].length !== e.size || toHex(await sha256(files[i])) !== e.sha256) {
      throw new CryptoVerifyError('DIGEST_MISMATCH', `file "${e.name}" does not match its signed SHA-256`);
    }
    out.push({ name: e.name, bytes: files[i] });
  }
  return { manifest, files: out, signer: check.signer, signerCert: check.signerCert, signingTime: check.signingTime };
}

/** Exposed for tests and auditors: the SealedBidContent DER around a given SignedData and files. */
export const sealedBidContent = { build: buildContainer, parse: parseContainer };
