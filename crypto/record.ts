/**
 * Evidence packages (证据包): one JSON document (optionally with the files it lists beside it) that
 * lets anyone check offline that a record — an opening record, a contract, an evaluation report —
 * is what the platform signed, that the operations it cites are in the audit log the platform
 * published, that its time stamps are genuine, and that the attached files are intact.
 *
 * What is signed is not the record itself but a MANIFEST: the hash of every leaf of the record
 * (by JSON path) and the list of files. So a verifier that finds a mismatch can say which field
 * changed ("record field 'bids[2].price' changed"), which was added after signing ("not covered by
 * signature") and which was removed. See docs/decisions/064-evidence-packages.md.
 *
 * Isomorphic (WebCrypto); file hashing is injected (`hashFile`) so the CLI can stream from disk.
 */
import { auditEntryHashes, canonicalJson, payloadHash, type AuditEntryFields } from './auditlog.js';
import { verifySignedData } from './cms.js';
import { errorText, isCryptoVerifyError } from './errors.js';
import { fromBase64, fromHex, sha256, toHex, utf8, fromUtf8 } from './hash.js';
import { verifyInclusion } from './merkle.js';
import { pemBlocks } from './pki.js';
import { verifyTreeHead, type SignedTreeHead } from './sth.js';
import { verifyTimeStamp } from './tsp.js';
import { OPENING_EVIDENCE_KIND, openingChecks } from './opening-record.js';

export const EVIDENCE_VERSION = 1;

export interface EvidenceAuditEntry extends AuditEntryFields {
  entryHash: string;
  leafHash: string;
  payload: unknown;
}

export interface EvidenceInclusionProof {
  seq: string;
  leafIndex: number;
  treeSize: number;
  proof: string[];
}

export interface EvidenceTimestamp {
  label: string;
  /** hex SHA-256 of what was stamped */
  digestHex: string;
  /** base64 RFC 3161 TimeStampToken (CMS SignedData) */
  token: string;
  /** what the digest is of: 'manifest', 'signature:N', 'file:<name>' — checked when given */
  of?: string;
}

export interface EvidenceFile {
  name: string;
  sha256: string;
  size?: number;
  /** chunk size in bytes, when chunk hashes are given (lets a verifier say which part changed) */
  chunkSize?: number;
  chunks?: string[];
}

export interface EvidencePackage {
  version: number;
  kind: string;
  createdAt: string;
  record: unknown;
  /** base64 CMS SignedData with the manifest attached (canonical JSON bytes) */
  recordSignatures: string[];
  auditEntries: EvidenceAuditEntry[];
  inclusionProofs: EvidenceInclusionProof[];
  treeHead: SignedTreeHead | null;
  /** PEM: signer chains and any other certificate a check needs */
  certificates: string[];
  /** PEM: the anchors the package claims; a verifier should pin its own (--ca) */
  trustAnchors: string[];
  /** base64 DER CRLs at packaging time */
  crls?: string[];
  timestampTokens: EvidenceTimestamp[];
  files: EvidenceFile[];
}

export interface EvidenceManifest {
  v: 1;
  kind: string;
  /** JSON path → hex SHA-256 of the canonical JSON of the leaf value */
  fields: Record<string, string>;
  files: { name: string; sha256: string }[];
}

const TOP_FIELDS = [
  'version',
  'kind',
  'createdAt',
  'record',
  'recordSignatures',
  'auditEntries',
  'inclusionProofs',
  'treeHead',
  'certificates',
  'trustAnchors',
  'crls',
  'timestampTokens',
  'files',
];

// ---------------------------------------------------------------------------------------------
// manifest

function pathKey(parent: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

/** Every leaf of a JSON value by path: primitives, and empty arrays/objects (so removing all items shows). */
export function recordLeaves(value: unknown, path = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path || '$', []);
    value.forEach((v, i) => recordLeaves(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (keys.length === 0) out.set(path || '$', {});
    for (const k of keys.sort()) recordLeaves((value as Record<string, unknown>)[k], pathKey(path, k), out);
  } else {
    out.set(path || '$', value);
  }
  return out;
}

export async function buildManifest(kind: string, record: unknown, files: { name: string; sha256: string }[]): Promise<EvidenceManifest> {
  const fields: Record<string, string> = {};
  for (const [p, v] of recordLeaves(JSON.parse(canonicalJson(record)))) fields[p] = toHex(await sha256(utf8(canonicalJson(v))));
  return { v: 1, kind, fields, files: files.map((f) => ({ name: f.name, sha256: f.sha256 })) };
}

export function manifestBytes(m: EvidenceManifest): Uint8Array {
  return utf8(canonicalJson(m));
}

// ---------------------------------------------------------------------------------------------
// verification

export interface VerifyEvidenceOptions {
  /** anchors the verifier trusts (DER); when absent the package's own are used and a warning is given */
  trustAnchors?: Uint8Array[];
  /** hashes a file listed in the package (whole and per chunk), or null when it is not available */
  hashFile?: (name: string, chunkSize?: number) => Promise<FileDigest | null>;
  /** time the chains are checked at (default: each signature's own time) */
  at?: Date;
}

export interface EvidenceReport {
  ok: boolean;
  /** what was checked and held */
  checks: string[];
  /** what failed, one sentence each, naming the part */
  problems: string[];
  warnings: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function reason(e: unknown): string {
  if (isCryptoVerifyError(e)) return `${e.code}: ${e.message}`;
  return errorText(e);
}

export interface FileDigest {
  sha256: string;
  size: number;
  /** hex SHA-256 of each chunkSize piece, when asked for */
  chunks: string[];
}

/** In-memory file hashing (tests, small files); the CLI streams from disk with the same result. */
export async function hashBytes(bytes: Uint8Array, chunkSize?: number): Promise<FileDigest> {
  const chunks: string[] = [];
  if (chunkSize) for (let o = 0; o < bytes.length; o += chunkSize) chunks.push(toHex(await sha256(bytes.subarray(o, o + chunkSize))));
  return { sha256: toHex(await sha256(bytes)), size: bytes.length, chunks };
}

export async function verifyEvidencePackage(input: unknown, opts: VerifyEvidenceOptions = {}): Promise<EvidenceReport> {
  const checks: string[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  const done = (): EvidenceReport => ({ ok: problems.length === 0, checks, problems, warnings });

  // -- structure
  if (!isObject(input)) {
    problems.push('package is not a JSON object');
    return done();
  }
  const pkg = input as unknown as EvidencePackage;
  for (const k of Object.keys(input)) if (!TOP_FIELDS.includes(k)) problems.push(`package field '${k}' is unknown and not covered by any signature`);
  if (pkg.version !== EVIDENCE_VERSION) problems.push(`package version ${String(pkg.version)} is not ${EVIDENCE_VERSION}`);
  if (typeof pkg.kind !== 'string' || !pkg.kind) problems.push('package kind is missing');
  const arrays = ['recordSignatures', 'auditEntries', 'inclusionProofs', 'certificates', 'trustAnchors', 'timestampTokens', 'files'] as const;
  for (const k of arrays) {
    if (!Array.isArray(pkg[k])) {
      problems.push(`package field '${k}' must be an array`);
      return done();
    }
  }

  // -- trust
  let anchors: Uint8Array[];
  if (opts.trustAnchors?.length) {
    anchors = opts.trustAnchors;
  } else {
    anchors = pkg.trustAnchors.flatMap((p) => {
      try {
        return pemBlocks(String(p));
      } catch {
        problems.push('a trust anchor in the package is not a PEM certificate');
        return [];
      }
    });
    warnings.push('trust anchors were taken from the package itself; pin the platform CA with --ca to make this check meaningful');
  }
  if (anchors.length === 0) problems.push('no trust anchors');
  const crls: Uint8Array[] = [];
  for (const [i, c] of (pkg.crls ?? []).entries()) {
    try {
      crls.push(fromBase64(String(c)));
    } catch {
      problems.push(`CRL ${i + 1} is not base64`);
    }
  }

  // -- record signatures over the manifest
  const current = await buildManifest(String(pkg.kind), pkg.record ?? null, Array.isArray(pkg.files) ? pkg.files : []);
  let signed: EvidenceManifest | undefined;
  let signedBytes: Uint8Array | undefined;
  if (pkg.recordSignatures.length === 0) problems.push('record is not signed (no recordSignatures)');
  for (const [i, sigB64] of pkg.recordSignatures.entries()) {
    const label = `record signature ${i + 1}`;
    let sig: Uint8Array;
    try {
      sig = fromBase64(String(sigB64));
    } catch {
      problems.push(`${label}: not base64`);
      continue;
    }
    try {
      const r = await verifySignedData({ signedData: sig, trustAnchors: anchors, crls, at: opts.at });
      if (!r.content) throw new Error('the signature does not carry the manifest');
      const m = JSON.parse(fromUtf8(r.content)) as EvidenceManifest;
      if (!isObject(m) || m.v !== 1 || !isObject(m.fields) || !Array.isArray(m.files)) throw new Error('the signed content is not an evidence manifest');
      if (signedBytes && toHex(signedBytes) !== toHex(r.content)) problems.push(`${label}: signs a different manifest than record signature 1`);
      signed ??= m;
      signedBytes ??= r.content;
      checks.push(`${label}: valid, by ${r.signer.subject}${r.signingTime ? ` at ${r.signingTime.toISOString()}` : ''}`);
    } catch (e) {
      problems.push(`${label}: ${reason(e)}`);
    }
  }
  if (signed) {
    if (signed.kind !== pkg.kind) problems.push(`package kind '${String(pkg.kind)}' differs from the signed kind '${signed.kind}'`);
    const seen = new Set<string>();
    for (const [p, h] of Object.entries(current.fields)) {
      seen.add(p);
      if (!(p in signed.fields)) problems.push(`record field '${p}' not covered by signature (added after signing)`);
      else if (signed.fields[p] !== h) problems.push(`record field '${p}' changed (does not match the signed value)`);
    }
    for (const p of Object.keys(signed.fields)) if (!seen.has(p)) problems.push(`record field '${p}' removed (it was signed)`);
    const signedFiles = new Map(signed.files.map((f) => [f.name, f.sha256]));
    for (const f of current.files) {
      if (!signedFiles.has(f.name)) problems.push(`file '${f.name}' not covered by signature`);
      else if (signedFiles.get(f.name) !== f.sha256) problems.push(`file '${f.name}' listed sha256 differs from the signed one`);
      signedFiles.delete(f.name);
    }
    for (const name of signedFiles.keys()) problems.push(`file '${name}' removed from the package (it was signed)`);
    if (problems.length === 0) checks.push(`record: all ${Object.keys(current.fields).length} fields and ${current.files.length} file entries match the signed manifest`);
  }

  // -- tree head
  let root: Uint8Array | undefined;
  let headSize = -1;
  if (pkg.treeHead) {
    try {
      const h = await verifyTreeHead(pkg.treeHead, { trustAnchors: anchors, crls });
      root = h.root;
      headSize = h.treeSize;
      checks.push(`tree head: ${h.logId} size ${h.treeSize} at ${h.timestamp.toISOString()}, signature valid`);
    } catch (e) {
      problems.push(`tree head: ${reason(e)}`);
    }
  } else if (pkg.auditEntries.length > 0) {
    problems.push('audit entries are given but no signed tree head');
  }

  // -- audit entries
  const proofs = new Map<string, EvidenceInclusionProof>();
  for (const p of pkg.inclusionProofs) if (isObject(p)) proofs.set(String(p.seq), p);
  const bySeq = new Map<string, { entryHash: string }>();
  for (const e of pkg.auditEntries) {
    const label = `audit entry ${isObject(e) ? String(e.seq) : '?'}`;
    if (!isObject(e) || typeof e.seq !== 'string') {
      problems.push(`${label}: malformed`);
      continue;
    }
    let bad = false;
    try {
      const ph = await payloadHash(e.payload ?? null);
      if (ph !== e.payloadHash) {
        problems.push(`${label}: payload changed (payloadHash mismatch)`);
        bad = true;
      }
      const { entryHash, leafHash } = await auditEntryHashes(e);
      if (entryHash !== e.entryHash) {
        problems.push(`${label}: field changed (entryHash mismatch)`);
        bad = true;
      }
      if (leafHash !== e.leafHash) {
        problems.push(`${label}: leafHash does not match its fields`);
        bad = true;
      }
      const prev = bySeq.get((BigInt(e.seq) - 1n).toString());
      if (prev && prev.entryHash !== e.prevHash) {
        problems.push(`${label}: prevHash does not link to entry ${(BigInt(e.seq) - 1n).toString()}`);
        bad = true;
      }
      bySeq.set(e.seq, { entryHash });
      const proof = proofs.get(e.seq);
      if (!proof) {
        problems.push(`${label}: no inclusion proof`);
        continue;
      }
      if (root) {
        try {
          if (proof.treeSize !== headSize) throw new Error(`proof is for tree size ${proof.treeSize}, the tree head has ${headSize}`);
          if (proof.leafIndex !== Number(BigInt(e.seq) - 1n)) throw new Error(`proof is for leaf ${proof.leafIndex}, not ${e.seq}`);
          // The leaf is recomputed from the fields: a rewritten entry with matching hashes still fails here.
          verifyInclusion({ leafIndex: proof.leafIndex, treeSize: headSize, leafHash: fromHex(leafHash), proof: proof.proof.map((h) => fromHex(String(h))), root });
          if (!bad) checks.push(`${label}: ${e.action} at ${e.at}, included in the signed tree head`);
        } catch (err) {
          problems.push(`${label}: not included in the signed tree head (${reason(err)})`);
        }
      }
    } catch (err) {
      problems.push(`${label}: ${reason(err)}`);
    }
  }
  for (const seq of proofs.keys()) if (!pkg.auditEntries.some((e) => isObject(e) && e.seq === seq)) warnings.push(`inclusion proof for entry ${seq} has no entry`);

  // -- time stamps
  const fileSha = new Map(pkg.files.filter(isObject).map((f) => [String(f.name), String(f.sha256)]));
  for (const t of pkg.timestampTokens) {
    const label = `timestamp token '${isObject(t) ? String(t.label) : '?'}'`;
    if (!isObject(t) || typeof t.digestHex !== 'string' || typeof t.token !== 'string') {
      problems.push(`${label}: malformed`);
      continue;
    }
    try {
      if (t.of) {
        let expected: string | undefined;
        if (t.of === 'manifest') expected = signedBytes ? toHex(await sha256(signedBytes)) : undefined;
        else if (t.of.startsWith('signature:')) {
          const s = pkg.recordSignatures[Number(t.of.slice(10)) - 1];
          expected = s ? toHex(await sha256(fromBase64(s))) : undefined;
        } else if (t.of.startsWith('file:')) expected = fileSha.get(t.of.slice(5));
        if (expected === undefined) problems.push(`${label}: stamps '${t.of}', which is not in the package`);
        else if (expected !== t.digestHex) problems.push(`${label}: digest does not match ${t.of}`);
      }
      const info = await verifyTimeStamp({ token: fromBase64(t.token), digest: fromHex(t.digestHex), trustAnchors: anchors, crls });
      checks.push(`${label}: ${info.genTime.toISOString()} by ${info.tsa.subject}`);
    } catch (e) {
      if (isCryptoVerifyError(e) && e.code === 'DIGEST_MISMATCH') problems.push(`${label} does not match digest`);
      else problems.push(`${label}: ${reason(e)}`);
    }
  }

  // -- kind-specific checks
  if (pkg.kind === OPENING_EVIDENCE_KIND) {
    const extra = await openingChecks(pkg, anchors);
    checks.push(...extra.checks);
    problems.push(...extra.problems);
  }

  // -- files
  for (const f of pkg.files) {
    if (!isObject(f) || typeof f.name !== 'string' || typeof f.sha256 !== 'string') {
      problems.push('a file entry is malformed');
      continue;
    }
    const h = opts.hashFile ? await opts.hashFile(f.name, f.chunks?.length ? f.chunkSize : undefined) : null;
    if (!h) {
      warnings.push(`file ${f.name}: not present, only its listed hash was checked against the signature`);
      continue;
    }
    if (h.sha256 === f.sha256 && (f.size === undefined || f.size === h.size)) {
      checks.push(`file ${f.name}: ${h.size} bytes, sha256 matches`);
      continue;
    }
    if (f.size !== undefined && f.size !== h.size) problems.push(`file ${f.name} size ${h.size} differs from the listed ${f.size}`);
    const badChunks = (f.chunks ?? []).map((c, i) => (h.chunks[i] === c ? -1 : i + 1)).filter((i) => i > 0);
    if (badChunks.length) for (const i of badChunks.slice(0, 10)) problems.push(`file ${f.name} chunk ${i} sha256 mismatch`);
    else problems.push(`file ${f.name} sha256 mismatch`);
  }
  return done();
}
