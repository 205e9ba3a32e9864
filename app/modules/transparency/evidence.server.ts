// Builds evidence packages (crypto/record.ts): the record and its file list signed by the platform
// record signer (manifest attached), a time stamp on the manifest, the cited audit entries with
// inclusion proofs against a signed tree head, and the certificates, anchors and CRL needed to
// check everything offline with `npx tsx crypto/cli.ts record verify`.
import { canonicalJson } from '../../../crypto/auditlog';
import { sha256, toBase64, toHex } from '../../../crypto/hash';
import { hashFileStreaming } from '../../../crypto/cli/record';
import { derToPem } from '../../../crypto/pki';
import { buildManifest, EVIDENCE_VERSION, manifestBytes, type EvidenceFile, type EvidencePackage, type EvidenceTimestamp } from '../../../crypto/record';
import { getPrisma } from '~/db/index.server';
import { toAuditFields } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { currentCrl, getPlatformPki, signAsPlatform, timestampDigest } from '~/modules/pki/platform.server';
import { inclusionProofFor, latestTreeHead, signTreeHeadNow } from './log.server';

export type { EvidencePackage, EvidenceFile, EvidenceTimestamp };

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

/** Streams a file from disk: whole SHA-256 and per-chunk hashes (so a verifier can name the damaged part). */
export async function digestFile(filePath: string, name: string, chunkSize = DEFAULT_CHUNK_SIZE): Promise<EvidenceFile> {
  const d = await hashFileStreaming(filePath, chunkSize);
  return { name, sha256: d.sha256, size: d.size, chunkSize, chunks: d.chunks };
}

export async function buildEvidencePackage(input: {
  kind: string;
  record: unknown;
  auditEntrySeqs: (bigint | number | string)[];
  files?: EvidenceFile[];
  timestampTokens?: EvidenceTimestamp[];
  /** extra PEM certificates (e.g. bidders' signing certificates) */
  certificates?: string[];
}): Promise<EvidencePackage> {
  if (!/^[a-z][a-z0-9.-]{1,63}$/.test(input.kind)) throw new Error(`bad evidence kind: ${input.kind}`);
  const record = JSON.parse(canonicalJson(input.record ?? null));
  const files = input.files ?? [];
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) throw new Error(`duplicate file name in evidence package: ${f.name}`);
    names.add(f.name);
  }
  const pki = await getPlatformPki();
  const manifest = manifestBytes(await buildManifest(input.kind, record, files));
  const signature = await signAsPlatform(manifest);
  const digest = await sha256(manifest);
  const stamp = await timestampDigest(digest);

  const seqs = [...new Set(input.auditEntrySeqs.map((s) => BigInt(s)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const prisma = await getPrisma();
  const rows = seqs.length ? await prisma.auditEntry.findMany({ where: { seq: { in: seqs } }, orderBy: { seq: 'asc' } }) : [];
  if (rows.length !== seqs.length) {
    const have = new Set(rows.map((r) => r.seq));
    throw new Error(`audit entries not found: ${seqs.filter((s) => !have.has(s)).join(', ')}`);
  }
  // A head that covers every cited entry: the latest one, or a fresh one when the entries are newer.
  let head = await latestTreeHead();
  const maxSeq = seqs.length ? Number(seqs[seqs.length - 1]) : 0;
  if (!head || head.treeSize < maxSeq) head = await signTreeHeadNow();
  const proofs = await Promise.all(rows.map((r) => inclusionProofFor(r.seq, head!.treeSize)));

  return {
    version: EVIDENCE_VERSION,
    kind: input.kind,
    createdAt: now().toISOString(),
    record,
    recordSignatures: [toBase64(signature)],
    auditEntries: rows.map(toAuditFields),
    inclusionProofs: proofs.map((p) => ({ seq: p.seq, leafIndex: p.leafIndex, treeSize: p.treeSize, proof: p.proof })),
    treeHead: head.sth,
    certificates: [pki.signer.certPem, pki.tsa.certPem, ...(input.certificates ?? [])],
    trustAnchors: pki.trustAnchors.map((c) => derToPem(c, 'CERTIFICATE')),
    crls: [toBase64(await currentCrl())],
    timestampTokens: [{ label: 'manifest', of: 'manifest', digestHex: toHex(digest), token: toBase64(stamp.token) }, ...(input.timestampTokens ?? [])],
    files,
  };
}
