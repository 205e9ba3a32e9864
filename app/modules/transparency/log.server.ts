// The audit log as a transparency log (审计日志透明化): tree sizes, roots, inclusion and
// consistency proofs from the stored Merkle nodes, and signed tree heads (STH) by the platform
// record signer. Proofs carry hashes only, never entry contents, so they are public.
import { toHex } from '../../../crypto/hash';
import { consistencyProof, EMPTY_ROOT, inclusionProof, rangeHash } from '../../../crypto/merkle';
import { signTreeHead, type SignedTreeHead } from '../../../crypto/sth';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import type { Job } from '~/modules/clock/scheduler.server';
import { log } from '~/modules/log.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { AUDIT_LOG_ID, TREE_HEAD_INTERVAL_MS } from './constants';
import { dbNodeSource, storedTreeSize } from './merkle-store.server';

export class ProofRequestError extends Error {
  readonly status = 400;
}

export async function treeSize(): Promise<number> {
  return storedTreeSize(await getPrisma());
}

function checkSize(n: number, max: number, what: string) {
  if (!Number.isSafeInteger(n) || n < 0) throw new ProofRequestError(`${what} 须为非负整数`);
  if (n > max) throw new ProofRequestError(`${what} ${n} 超出当前日志规模 ${max}`);
}

/** MTH of the first `size` leaves, hex. */
export async function rootAt(size: number): Promise<string> {
  const prisma = await getPrisma();
  const total = await storedTreeSize(prisma);
  checkSize(size, total, 'size');
  if (size === 0) return toHex(EMPTY_ROOT);
  return toHex(await rangeHash(dbNodeSource(prisma, total), 0, size));
}

export interface InclusionProofJson {
  seq: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
}

/** Inclusion of audit entry `seq` in the tree of `size` leaves (default: the latest signed tree head's size). */
export async function inclusionProofFor(seq: bigint | number | string, size?: number): Promise<InclusionProofJson> {
  const prisma = await getPrisma();
  const total = await storedTreeSize(prisma);
  const s = BigInt(seq);
  if (s < 1n) throw new ProofRequestError('seq 须为正整数');
  const ts = size ?? (await latestTreeHead())?.treeSize ?? total;
  checkSize(ts, total, 'size');
  const leafIndex = Number(s - 1n);
  if (leafIndex >= ts) throw new ProofRequestError(`第 ${s} 条记录不在规模为 ${ts} 的树中`);
  const src = dbNodeSource(prisma, total);
  const [proof, leaf] = await Promise.all([inclusionProof(src, leafIndex, ts), src.node(0, leafIndex)]);
  return { seq: s.toString(), leafIndex, treeSize: ts, leafHash: toHex(leaf), proof: proof.map(toHex) };
}

export interface ConsistencyProofJson {
  from: number;
  to: number;
  proof: string[];
}

export async function consistencyProofBetween(size1: number, size2: number): Promise<ConsistencyProofJson> {
  const prisma = await getPrisma();
  const total = await storedTreeSize(prisma);
  checkSize(size2, total, 'to');
  checkSize(size1, size2, 'from');
  if (size1 === 0) throw new ProofRequestError('from 须大于 0（空树没有一致性证明）');
  const proof = await consistencyProof(dbNodeSource(prisma, total), size1, size2);
  return { from: size1, to: size2, proof: proof.map(toHex) };
}

export interface TreeHeadRow {
  id: number;
  treeSize: number;
  rootHash: string;
  timestamp: Date;
  sth: SignedTreeHead;
}

function toRow(r: { id: number; treeSize: number; rootHash: string; timestamp: Date; signature: unknown }): TreeHeadRow {
  return { id: r.id, treeSize: r.treeSize, rootHash: r.rootHash, timestamp: r.timestamp, sth: r.signature as SignedTreeHead };
}

/** Signs the current tree (every audit entry committed so far) and stores the head. */
export async function signTreeHeadNow(): Promise<TreeHeadRow> {
  const prisma = await getPrisma();
  const pki = await getPlatformPki();
  const size = await storedTreeSize(prisma);
  const root = size === 0 ? EMPTY_ROOT : await rangeHash(dbNodeSource(prisma, size), 0, size);
  const sth = await signTreeHead({ treeSize: size, root, timestamp: now(), logId: AUDIT_LOG_ID, signerKey: pki.signer.privateKey, signerCert: pki.signer.cert });
  const row = await prisma.treeHead.create({
    data: { treeSize: size, rootHash: toHex(root), timestamp: new Date(sth.timestamp), signature: sth as unknown as object },
  });
  return toRow(row);
}

export async function latestTreeHead(): Promise<TreeHeadRow | null> {
  const prisma = await getPrisma();
  const r = await prisma.treeHead.findFirst({ orderBy: { id: 'desc' } });
  return r ? toRow(r) : null;
}

export async function treeHeadBySize(size: number): Promise<TreeHeadRow | null> {
  const prisma = await getPrisma();
  const r = await prisma.treeHead.findFirst({ where: { treeSize: size }, orderBy: { id: 'desc' } });
  return r ? toRow(r) : null;
}

export async function listTreeHeads(opts: { page?: number; pageSize?: number } = {}) {
  const prisma = await getPrisma();
  const pageSize = opts.pageSize ?? 20;
  const page = Math.max(1, opts.page ?? 1);
  const [total, rows] = await Promise.all([
    prisma.treeHead.count(),
    prisma.treeHead.findMany({ orderBy: { id: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  return { total, page, pageSize, rows: rows.map(toRow) };
}

/** Signs a new head when the log grew since the last one. */
export async function signTreeHeadIfGrown(): Promise<TreeHeadRow | null> {
  const prisma = await getPrisma();
  const [size, last] = await Promise.all([storedTreeSize(prisma), latestTreeHead()]);
  if (last && last.treeSize >= size) return null;
  return signTreeHeadNow();
}

export const treeHeadJob: Job = {
  name: 'transparency.sign-tree-head',
  everyMs: TREE_HEAD_INTERVAL_MS,
  async run() {
    const head = await signTreeHeadIfGrown();
    if (head) log.info('transparency.sth.signed', { treeSize: head.treeSize, root: head.rootHash });
    return { did: head ? 1 : 0 };
  },
};

