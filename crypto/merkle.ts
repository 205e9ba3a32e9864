/**
 * Merkle tree of the audit log, RFC 9162 §2.1 (the Certificate Transparency tree, same hashes as
 * RFC 6962): leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), a tree of n
 * leaves splits at the largest power of two below n.
 *
 * Storage model (see docs/decisions/021-merkle-audit-log.md): the app keeps, per log, every leaf
 * hash and every *perfect* subtree hash `node(level, index)` = hash of leaves
 * [index·2^level, (index+1)·2^level). `MerkleAccumulator.append()` returns exactly the nodes that
 * one append completes (one on average), so the app can insert them in the same transaction as
 * the entry. Every hash a proof needs is then either such a node or a right-border combination of
 * O(log n) of them, so proofs cost O(log² n) lookups at worst and never rehash the log.
 *
 * Hashing is synchronous (a small SHA-256 below, checked against WebCrypto in merkle.test.ts):
 * WebCrypto's digest is async and costs 15-30 µs per call in Node, which makes a million-leaf
 * root take ~20 s; the synchronous one does it in about two seconds, in browsers too.
 */
import { CryptoVerifyError } from './errors.js';
import { bytesEqual, concatBytes } from './hash.js';

export const HASH_SIZE = 32;

export { sha256Sync } from './sha256-sync.js';
import { sha256Sync } from './sha256-sync.js';

// ---------------------------------------------------------------------------------------------
// Hashes (RFC 9162 §2.1.1)

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

/** MTH of the empty list: SHA-256 of nothing. */
export const EMPTY_ROOT = sha256Sync(new Uint8Array(0));

export function leafHash(data: Uint8Array): Uint8Array {
  return sha256Sync(concatBytes(LEAF_PREFIX, data));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Sync(concatBytes(NODE_PREFIX, left, right));
}

/** Largest power of two strictly below n (n ≥ 2); arithmetic, not bit ops, so sizes up to 2^53 work. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

function log2(n: number): number {
  let l = 0;
  while (2 ** l < n) l++;
  return l;
}

// ---------------------------------------------------------------------------------------------
// Building: an append-only accumulator (compact range) and an in-memory tree.

/** A perfect subtree hash completed by an append: covers leaves [index·2^level, (index+1)·2^level). */
export interface MerkleNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/**
 * Root of an ever-growing log in O(log n) memory. `frontier` (the perfect subtree hashes along the
 * right edge, largest first) is all that must be kept to continue after a restart.
 */
export class MerkleAccumulator {
  #size = 0;
  #stack: { level: number; hash: Uint8Array }[] = [];

  static fromFrontier(size: number, frontier: Uint8Array[]): MerkleAccumulator {
    checkSize(size, 'size');
    const acc = new MerkleAccumulator();
    const levels: number[] = [];
    for (let rest = size, level = 0; rest > 0; rest = Math.floor(rest / 2), level++) {
      if (rest % 2 === 1) levels.unshift(level);
    }
    if (levels.length !== frontier.length) {
      throw new CryptoVerifyError('BAD_SIZE', `a log of ${size} leaves has ${levels.length} frontier hashes, got ${frontier.length}`);
    }
    acc.#stack = levels.map((level, i) => ({ level, hash: checkHash(frontier[i], `frontier[${i}]`) }));
    acc.#size = size;
    return acc;
  }

  get size(): number {
    return this.#size;
  }

  get frontier(): Uint8Array[] {
    return this.#stack.map((s) => s.hash);
  }

  /** Adds one leaf hash; returns the perfect nodes this completed, level 0 (the leaf) first. */
  append(leaf: Uint8Array): MerkleNode[] {
    checkHash(leaf, 'leaf hash');
    this.#size++;
    const done: MerkleNode[] = [{ level: 0, index: this.#size - 1, hash: leaf }];
    let cur = { level: 0, hash: leaf };
    while (this.#stack.length > 0 && this.#stack[this.#stack.length - 1].level === cur.level) {
      const left = this.#stack.pop()!;
      cur = { level: cur.level + 1, hash: nodeHash(left.hash, cur.hash) };
      done.push({ level: cur.level, index: this.#size / 2 ** cur.level - 1, hash: cur.hash });
    }
    this.#stack.push(cur);
    return done;
  }

  root(): Uint8Array {
    if (this.#stack.length === 0) return EMPTY_ROOT;
    let r = this.#stack[this.#stack.length - 1].hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) r = nodeHash(this.#stack[i].hash, r);
    return r;
  }
}

/** MTH(D[0:n]) of leaf hashes, iteratively (no recursion depth, O(log n) extra memory). */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const acc = new MerkleAccumulator();
  for (const h of leafHashes) acc.append(h);
  return acc.root();
}

/**
 * Where proofs get their hashes from. `node(level, index)` must return the perfect subtree hash
 * over leaves [index·2^level, (index+1)·2^level) — level 0 is the leaf hash itself. A database
 * implementation reads the rows that MerkleAccumulator.append() produced.
 */
export interface MerkleNodeSource {
  /** Leaves available; proofs may be asked for any tree size up to this. */
  readonly size: number;
  node(level: number, index: number): Uint8Array | Promise<Uint8Array>;
}

/** All perfect nodes in memory: build once (n−1 hashes), then proofs are lookups. */
export class MerkleTree implements MerkleNodeSource {
  readonly levels: Uint8Array[][];

  constructor(leafHashes: readonly Uint8Array[]) {
    leafHashes.forEach((h, i) => checkHash(h, `leaf hash ${i}`));
    this.levels = [leafHashes.slice()];
    for (let prev = this.levels[0]; prev.length >= 2; ) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < prev.length; i += 2) next.push(nodeHash(prev[i], prev[i + 1]));
      this.levels.push(next);
      prev = next;
    }
  }

  get size(): number {
    return this.levels[0].length;
  }

  node(level: number, index: number): Uint8Array {
    const h = this.levels[level]?.[index];
    if (!h) throw new RangeError(`no perfect subtree at level ${level} index ${index}`);
    return h;
  }

  root(treeSize = this.size): Promise<Uint8Array> {
    return rangeHash(this, 0, treeSize);
  }
}

/**
 * A source over leaf hashes only (e.g. `SELECT hash FROM audit_leaf WHERE idx = $1`): each
 * perfect node is recomputed from its 2^level leaves, so a proof costs O(n) reads. Fine for small
 * logs and for auditors holding only the leaves; use stored nodes for big ones.
 */
export function leafGetterSource(size: number, getLeaf: (i: number) => Promise<Uint8Array> | Uint8Array): MerkleNodeSource {
  checkSize(size, 'size');
  const node = async (level: number, index: number): Promise<Uint8Array> => {
    if (level === 0) return checkHash(await getLeaf(index), `leaf hash ${index}`);
    const [l, r] = await Promise.all([node(level - 1, index * 2), node(level - 1, index * 2 + 1)]);
    return nodeHash(l, r);
  };
  return { size, node };
}

function toSource(src: readonly Uint8Array[] | MerkleNodeSource): MerkleNodeSource {
  return Array.isArray(src) ? new MerkleTree(src as Uint8Array[]) : (src as MerkleNodeSource);
}

/** MTH(D[start:end]) following the RFC split, taking whole perfect subtrees from the source. */
export async function rangeHash(source: MerkleNodeSource, start: number, end: number): Promise<Uint8Array> {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && start % n === 0) return source.node(log2(n), start / n);
  const k = splitPoint(n);
  const [l, r] = await Promise.all([rangeHash(source, start, start + k), rangeHash(source, start + k, end)]);
  return nodeHash(l, r);
}

// ---------------------------------------------------------------------------------------------
// Proof generation (RFC 9162 §2.1.3.1 and §2.1.4.1). Proof order: from the leaf up.

/**
 * Inclusion proof for leaf `index` in the tree of the first `treeSize` leaves (default: all).
 * `source` is an array of leaf hashes or a MerkleNodeSource.
 */
export async function inclusionProof(
  source: readonly Uint8Array[] | MerkleNodeSource,
  index: number,
  treeSize?: number,
): Promise<Uint8Array[]> {
  const src = toSource(source);
  const size = treeSize ?? src.size;
  checkSize(size, 'treeSize');
  checkSize(index, 'leafIndex');
  if (size > src.size) throw new CryptoVerifyError('BAD_SIZE', `tree size ${size} exceeds the ${src.size} leaves available`);
  if (index >= size) throw new CryptoVerifyError('BAD_SIZE', `leaf index ${index} is outside a tree of size ${size}`);
  const path = async (m: number, start: number, end: number): Promise<Uint8Array[]> => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...(await path(m, start, start + k)), await rangeHash(src, start + k, end)];
    return [...(await path(m - k, start + k, end)), await rangeHash(src, start, start + k)];
  };
  return path(index, 0, size);
}

/** Consistency proof between the trees of the first `size1` and `size2` leaves (0 < size1 ≤ size2). */
export async function consistencyProof(
  source: readonly Uint8Array[] | MerkleNodeSource,
  size1: number,
  size2: number,
): Promise<Uint8Array[]> {
  const src = toSource(source);
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 === 0) throw new CryptoVerifyError('BAD_SIZE', 'no consistency proof exists from an empty tree');
  if (size1 > size2) throw new CryptoVerifyError('BAD_SIZE', `size1 ${size1} is larger than size2 ${size2}`);
  if (size2 > src.size) throw new CryptoVerifyError('BAD_SIZE', `tree size ${size2} exceeds the ${src.size} leaves available`);
  const subproof = async (m: number, start: number, end: number, complete: boolean): Promise<Uint8Array[]> => {
    const n = end - start;
    if (m === n) return complete ? [] : [await rangeHash(src, start, end)];
    const k = splitPoint(n);
    if (m <= k) return [...(await subproof(m, start, start + k, complete)), await rangeHash(src, start + k, end)];
    return [...(await subproof(m - k, start + k, end, false)), await rangeHash(src, start, start + k)];
  };
  return subproof(size1, 0, size2, true);
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2). Throws CryptoVerifyError; returns on success.

function checkSize(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new CryptoVerifyError('BAD_SIZE', `${what} must be a non-negative integer, got ${String(n)}`);
  }
  return n;
}

function checkHash(h: unknown, what: string): Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    const len = h instanceof Uint8Array ? `${h.length} bytes` : typeof h;
    throw new CryptoVerifyError('MALFORMED', `${what} must be a ${HASH_SIZE}-byte SHA-256 hash, got ${len}`);
  }
  return h;
}

function checkProof(proof: unknown): Uint8Array[] {
  if (!Array.isArray(proof)) throw new CryptoVerifyError('MALFORMED', 'proof must be an array of hashes');
  proof.forEach((p, i) => checkHash(p, `proof[${i}]`));
  return proof as Uint8Array[];
}

/** Number of hashes in the inclusion proof of `index` in a tree of `size` leaves. */
export function inclusionProofLength(index: number, size: number): number {
  let len = 0;
  for (let fn = index, sn = size - 1; sn > 0; fn = Math.floor(fn / 2), sn = Math.floor(sn / 2)) {
    // Past the point where the leaf's path meets the right border, levels without a sibling are skipped.
    if (fn % 2 === 1 || fn !== sn) len++;
  }
  return len;
}

export interface InclusionCheck {
  leafIndex: number;
  treeSize: number;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  root: Uint8Array;
}

export function verifyInclusion({ leafIndex, treeSize, leafHash: leaf, proof, root }: InclusionCheck): void {
  checkSize(leafIndex, 'leafIndex');
  checkSize(treeSize, 'treeSize');
  if (leafIndex >= treeSize) {
    throw new CryptoVerifyError('BAD_SIZE', `leaf index ${leafIndex} is outside a tree of size ${treeSize}`);
  }
  checkHash(leaf, 'leaf hash');
  const path = checkProof(proof);
  if (!(root instanceof Uint8Array)) throw new CryptoVerifyError('MALFORMED', 'root must be bytes');
  const want = inclusionProofLength(leafIndex, treeSize);
  if (path.length !== want) {
    throw new CryptoVerifyError(
      'PROOF_INVALID',
      `inclusion proof for leaf ${leafIndex} in a tree of ${treeSize} must have ${want} hashes, got ${path.length}`,
    );
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new CryptoVerifyError('PROOF_INVALID', 'inclusion proof does not reach the root');
  if (!bytesEqual(r, root)) {
    throw new CryptoVerifyError('ROOT_MISMATCH', `leaf ${leafIndex} with this proof does not lead to the given root of a tree of ${treeSize}`);
  }
}

export interface ConsistencyCheck {
  size1: number;
  size2: number;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: Uint8Array[];
}

export function verifyConsistency({ size1, size2, root1, root2, proof }: ConsistencyCheck): void {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  const path = checkProof(proof);
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) {
    throw new CryptoVerifyError('MALFORMED', 'roots must be bytes');
  }
  if (size1 > size2) throw new CryptoVerifyError('BAD_SIZE', `size1 ${size1} is larger than size2 ${size2}`);
  // RFC 9162 §2.1.4 defines proofs for 0 < size1 only; an empty tree proves nothing.
  if (size1 === 0) throw new CryptoVerifyError('BAD_SIZE', 'no consistency proof exists from an empty tree');
  if (size1 === size2) {
    if (path.length !== 0) throw new CryptoVerifyError('PROOF_INVALID', 'equal tree sizes need an empty proof');
    if (!bytesEqual(root1, root2)) throw new CryptoVerifyError('ROOT_MISMATCH', `two different roots for the same tree size ${size1}`);
    return;
  }
  const want = consistencyProofLength(size1, size2);
  if (path.length !== want) {
    throw new CryptoVerifyError(
      'PROOF_INVALID',
      `consistency proof from ${size1} to ${size2} must have ${want} hashes, got ${path.length}`,
    );
  }
  const nodes = isPowerOfTwo(size1) ? [root1, ...path] : path;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = nodes[0];
  let sr = nodes[0];
  for (const c of nodes.slice(1)) {
    if (sn === 0) throw new CryptoVerifyError('PROOF_INVALID', 'consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new CryptoVerifyError('PROOF_INVALID', 'consistency proof does not reach the root');
  if (!bytesEqual(fr, root1)) throw new CryptoVerifyError('ROOT_MISMATCH', `the proof does not lead to the root of the tree of size ${size1}`);
  if (!bytesEqual(sr, root2)) throw new CryptoVerifyError('ROOT_MISMATCH', `the proof does not lead to the root of the tree of size ${size2}`);
}

/** Number of hashes in the consistency proof between sizes 0 < size1 < size2. */
export function consistencyProofLength(size1: number, size2: number): number {
  // SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1, counting instead of hashing.
  let len = 0;
  let m = size1;
  let n = size2;
  let complete = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) n = k;
    else {
      m -= k;
      n -= k;
      complete = false;
    }
    len++;
  }
  return complete ? len : len + 1;
}
