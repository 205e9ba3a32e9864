/**
 * Signed tree heads (签名树头) of the audit log: the platform signs (log id, tree size, root, time)
 * so that a proof checked against a tree head binds the log to what it showed at that moment.
 * The tree size matters: an inclusion proof alone does not pin it (see merkle.ts), the signature does.
 *
 * What is signed — the "tree head body", UTF-8, every line ending in "\n", no other whitespace:
 *
 *   <logId>\n                           origin line, 1..200 printable chars, no newline
 *   <treeSize>\n                        decimal, no sign, no leading zeros
 *   <rootHash>\n                        standard base64 (with padding) of the 32-byte root
 *   timestamp <ISO 8601 UTC>\n          exactly as Date.toISOString(): 2024-05-01T08:00:00.000Z
 *   alg <alg>\n                         rsa-pss-sha256 | rsa-pkcs1-sha256 | ecdsa-p256-sha256 | sm2-sm3
 *   signer-sha256 <hex>\n               lowercase hex SHA-256 of the signer certificate (DER)
 *
 * The first three lines are a C2SP tlog-checkpoint body, the last three its extension lines, so
 * checkpoint tooling can read it. Signatures: RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) or
 * PKCS#1 v1.5 over the body; ECDSA P-256/SHA-256 DER; SM2 with SM3 and user ID 1234567812345678,
 * DER. Each can be checked with OpenSSL alone (docs/decisions/020-signed-tree-heads.md).
 */
import { CryptoVerifyError, errorText } from './errors.js';
import { fromBase64, sha256, toBase64, toHex, utf8 } from './hash.js';
import { ecdsaSuite, rsaSuite, sm2CertPublicKey, sm2Suite, validateSm2Chain, type SignatureSuite, type Sm2PrivateKey } from './gm.js';
import { certPublicKey, validateChain } from './pki.js';

export type SthAlg = 'rsa-pss-sha256' | 'rsa-pkcs1-sha256' | 'ecdsa-p256-sha256' | 'sm2-sm3';

export interface SignedTreeHead {
  logId: string;
  treeSize: number;
  /** base64 */
  rootHash: string;
  /** ISO 8601 UTC, milliseconds */
  timestamp: string;
  alg: SthAlg;
  /** base64 */
  signature: string;
  /** base64 DER */
  signerCert: string;
}

export interface VerifiedTreeHead {
  logId: string;
  treeSize: number;
  root: Uint8Array;
  timestamp: Date;
  alg: SthAlg;
  signerCert: Uint8Array;
}

const ALGS: Record<SthAlg, SignatureSuite> = {
  'rsa-pss-sha256': rsaSuite,
  'rsa-pkcs1-sha256': rsaSuite,
  'ecdsa-p256-sha256': ecdsaSuite,
  'sm2-sm3': sm2Suite,
};
const FIELDS = ['logId', 'treeSize', 'rootHash', 'timestamp', 'alg', 'signature', 'signerCert'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function malformed(msg: string): CryptoVerifyError {
  return new CryptoVerifyError('MALFORMED', `signed tree head: ${msg}`);
}

function checkLogId(logId: unknown): string {
  if (typeof logId !== 'string' || logId.length === 0 || logId.length > 200 || /[\u0000-\u001f\u007f]/.test(logId)) {
    throw malformed('logId must be 1..200 printable characters without line breaks');
  }
  return logId;
}

/** The exact bytes that are signed (see the file comment). */
export function treeHeadBody(h: { logId: string; treeSize: number; root: Uint8Array; timestamp: Date; alg: SthAlg; signerCertSha256: Uint8Array }): Uint8Array {
  checkLogId(h.logId);
  return utf8(
    `${h.logId}\n${h.treeSize}\n${toBase64(h.root)}\n` +
      `timestamp ${h.timestamp.toISOString()}\nalg ${h.alg}\nsigner-sha256 ${toHex(h.signerCertSha256)}\n`,
  );
}

function algForKey(key: CryptoKey | Sm2PrivateKey): SthAlg {
  if ((key as Sm2PrivateKey).kind === 'sm2-private') return 'sm2-sm3';
  const a = (key as CryptoKey).algorithm;
  if (a?.name === 'RSA-PSS') return 'rsa-pss-sha256';
  if (a?.name === 'RSASSA-PKCS1-v1_5') return 'rsa-pkcs1-sha256';
  if (a?.name === 'ECDSA' && (a as EcKeyAlgorithm).namedCurve === 'P-256') return 'ecdsa-p256-sha256';
  throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `cannot sign tree heads with a ${a?.name ?? 'unknown'} key`);
}

export async function signTreeHead(opts: {
  treeSize: number;
  root: Uint8Array;
  timestamp: Date;
  logId: string;
  /** RSA-PSS / RSASSA-PKCS1-v1_5 / ECDSA P-256 CryptoKey, or an SM2 private key (GM mode) */
  signerKey: CryptoKey | Sm2PrivateKey;
  signerCert: Uint8Array;
}): Promise<SignedTreeHead> {
  if (!Number.isSafeInteger(opts.treeSize) || opts.treeSize < 0) throw new Error('treeSize must be a non-negative integer');
  if (opts.root.length !== 32) throw new Error('root must be a 32-byte hash');
  if (Number.isNaN(opts.timestamp.getTime())) throw new Error('timestamp is not a valid date');
  const alg = algForKey(opts.signerKey);
  const body = treeHeadBody({ ...opts, alg, signerCertSha256: await sha256(opts.signerCert) });
  const signature = await ALGS[alg].sign(body, opts.signerKey);
  return {
    logId: opts.logId,
    treeSize: opts.treeSize,
    rootHash: toBase64(opts.root),
    timestamp: opts.timestamp.toISOString(),
    alg,
    signature: toBase64(signature),
    signerCert: toBase64(opts.signerCert),
  };
}

function b64(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw malformed(`${what} is not base64`);
  try {
    return fromBase64(v);
  } catch {
    throw malformed(`${what} is not base64`);
  }
}

/** Parses and checks shape only (no signature); exported for listings. */
export function parseTreeHead(sth: unknown): VerifiedTreeHead & { signature: Uint8Array } {
  if (typeof sth !== 'object' || sth === null || Array.isArray(sth)) throw malformed('not an object');
  const o = sth as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !FIELDS.includes(k));
  // Unsigned extra fields would look authenticated to a reader; refuse them.
  if (extra.length) throw malformed(`unexpected field(s) ${extra.join(', ')}`);
  const logId = checkLogId(o.logId);
  if (typeof o.treeSize !== 'number' || !Number.isSafeInteger(o.treeSize) || o.treeSize < 0) throw malformed('treeSize must be a non-negative integer');
  const root = b64(o.rootHash, 'rootHash');
  if (root.length !== 32) throw malformed(`rootHash must be 32 bytes, got ${root.length}`);
  if (typeof o.timestamp !== 'string' || !ISO.test(o.timestamp)) throw malformed('timestamp must look like 2024-05-01T08:00:00.000Z');
  const timestamp = new Date(o.timestamp);
  if (Number.isNaN(timestamp.getTime()) || timestamp.toISOString() !== o.timestamp) throw malformed('timestamp is not a real instant');
  if (typeof o.alg !== 'string' || !(o.alg in ALGS)) throw new CryptoVerifyError('UNSUPPORTED_ALGORITHM', `signed tree head: unknown alg ${String(o.alg)}`);
  const signature = b64(o.signature, 'signature');
  const signerCert = b64(o.signerCert, 'signerCert');
  if (signature.length === 0 || signerCert.length === 0) throw malformed('signature and signerCert are required');
  return { logId, treeSize: o.treeSize, root, timestamp, alg: o.alg as SthAlg, signerCert, signature };
}

/**
 * Checks the signature with the certificate's key and, when `trustAnchors` are given, the
 * certificate chain (purpose 'sign'; SM2 certificates through validateSm2Chain) at the tree head's
 * own time unless `at` says otherwise. Throws CryptoVerifyError; returns the decoded head.
 */
export async function verifyTreeHead(
  sth: unknown,
  opts: { trustAnchors?: Uint8Array[]; intermediates?: Uint8Array[]; crls?: Uint8Array[]; at?: Date } = {},
): Promise<VerifiedTreeHead> {
  const h = parseTreeHead(sth);
  const body = treeHeadBody({ ...h, signerCertSha256: await sha256(h.signerCert) });
  let ok: boolean;
  try {
    if (h.alg === 'sm2-sm3') {
      ok = await sm2Suite.verify(body, h.signature, sm2CertPublicKey(h.signerCert));
    } else {
      const webAlg = h.alg === 'rsa-pss-sha256' ? 'RSA-PSS' : h.alg === 'rsa-pkcs1-sha256' ? 'RSASSA-PKCS1-v1_5' : 'ECDSA';
      const key = await certPublicKey(h.signerCert, 'verify', webAlg);
      ok = await ALGS[h.alg].verify(body, h.signature, key);
    }
  } catch (e) {
    if (e instanceof CryptoVerifyError) throw e;
    throw new CryptoVerifyError('SIGNATURE_INVALID', `signed tree head: the signer certificate does not fit ${h.alg}: ${errorText(e)}`);
  }
  if (!ok) throw new CryptoVerifyError('SIGNATURE_INVALID', `signed tree head of ${h.logId} at size ${h.treeSize}: signature does not verify`);
  if (opts.trustAnchors) {
    const at = opts.at ?? h.timestamp;
    if (h.alg === 'sm2-sm3') validateSm2Chain({ cert: h.signerCert, trustAnchors: opts.trustAnchors, at });
    else await validateChain({ cert: h.signerCert, trustAnchors: opts.trustAnchors, intermediates: opts.intermediates, crls: opts.crls, at, purpose: 'sign' });
  }
  const { signature: _sig, ...head } = h;
  return head;
}
