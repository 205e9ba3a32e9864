import { describe, expect, it } from 'vitest';
import { yieldToEventLoop } from './testkit';
import { CryptoVerifyError } from './errors.js';
import { fromHex, toHex, utf8 } from './hash.js';
import {
  EMPTY_ROOT,
  MerkleAccumulator,
  MerkleTree,
  consistencyProof,
  inclusionProof,
  leafGetterSource,
  leafHash,
  merkleRoot,
  nodeHash,
  rangeHash,
  sha256Sync,
  verifyConsistency,
  verifyInclusion,
  type InclusionCheck,
  type MerkleNode,
  type MerkleNodeSource,
} from './merkle.js';

// Deterministic PRNG so a failure can be replayed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(9162);
const randInt = (n: number) => Math.floor(rand() * n);
const randBytes = (n: number) => Uint8Array.from({ length: n }, () => randInt(256));

function rejects(fn: () => void): CryptoVerifyError | null {
  try {
    fn();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoVerifyError);
    return e as CryptoVerifyError;
  }
}

function flipBit(proof: Uint8Array[], el: number, bit: number): Uint8Array[] {
  return proof.map((p, i) => {
    if (i !== el) return p;
    const q = p.slice();
    q[bit >> 3] ^= 1 << (bit & 7);
    return q;
  });
}

/**
 * Independent oracle for what a verifier can tell apart: the sequence of sibling sides along the
 * RFC PATH recursion. Proofs whose shapes match hash identically, so a tree-size change that keeps
 * the shape is indistinguishable from the proof alone — the size is bound by the signed tree head.
 */
function inclusionShape(m: number, n: number): string {
  if (n === 1) return '';
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k ? inclusionShape(m, k) + 'R' : inclusionShape(m - k, n - k) + 'L';
}

/** Same for SUBPROOF: S = seed from the proof, B = left sibling of both roots, N = right sibling of the new root only. */
function consistencyShape(m: number, n: number, complete = true): string {
  if (m === n) return complete ? '' : 'S';
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k ? consistencyShape(m, k, complete) + 'N' : consistencyShape(m - k, n - k, false) + 'B';
}

const leavesOf = (n: number, salt = 0) => Array.from({ length: n }, (_, i) => leafHash(utf8(`entry ${salt}:${i}`)));

describe('hashing', () => {
  it('the synchronous SHA-256 matches WebCrypto for every length 0..300 and multi-block inputs', async () => {
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1000, 4096, 65537, 1 << 20];
    for (const len of lengths) {
      const data = randBytes(len);
      const want = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      expect(toHex(sha256Sync(data)), `length ${len}`).toBe(toHex(want));
    }
    expect(toHex(sha256Sync(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('uses the RFC 9162 domain-separation prefixes', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // RFC 6962 test vector: leaf hash of the empty string.
    expect(toHex(leafHash(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const a = leafHash(utf8('a'));
    const b = leafHash(utf8('b'));
    expect(nodeHash(a, b)).toEqual(sha256Sync(Uint8Array.from([1, ...a, ...b])));
    expect(nodeHash(a, b)).not.toEqual(nodeHash(b, a));
  });

  it('computes the roots of the transparency-dev reference tree', () => {
    // Leaves and roots from transparency-dev/merkle testonly/reference_test.go (RFC 6962 test data).
    const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const leaves = data.map((h) => leafHash(fromHex(h)));
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    for (let n = 1; n <= 8; n++) expect(toHex(merkleRoot(leaves.slice(0, n))), `size ${n}`).toBe(roots[n - 1]);
    expect(merkleRoot([])).toEqual(EMPTY_ROOT);
  });
});

describe('building', () => {
  it('accumulator, in-memory tree and plain root agree for sizes 0..300, and the frontier survives a restart', async () => {
    const leaves = leavesOf(300);
    const tree = new MerkleTree(leaves);
    const acc = new MerkleAccumulator();
    for (let n = 1; n <= 300; n++) {
      acc.append(leaves[n - 1]);
      const want = merkleRoot(leaves.slice(0, n));
      expect(acc.root()).toEqual(want);
      expect(await tree.root(n)).toEqual(want);
      const resumed = MerkleAccumulator.fromFrontier(n, acc.frontier);
      expect(resumed.root()).toEqual(want);
    }
    expect(() => MerkleAccumulator.fromFrontier(5, acc.frontier)).toThrow(CryptoVerifyError);
  });

  it('proofs served from nodes stored at append time equal in-memory proofs (the database layout)', async () => {
    const n = 777;
    const leaves = leavesOf(n, 1);
    const rows = new Map<string, Uint8Array>();
    const acc = new MerkleAccumulator();
    let stored = 0;
    for (const l of leaves) {
      for (const node of acc.append(l) as MerkleNode[]) {
        rows.set(`${node.level}/${node.index}`, node.hash);
        stored++;
      }
    }
    expect(stored).toBeLessThan(2 * n);
    let reads = 0;
    const db: MerkleNodeSource = {
      size: n,
      async node(level, index) {
        reads++;
        const h = rows.get(`${level}/${index}`);
        if (!h) throw new Error(`missing node ${level}/${index}`);
        return h;
      },
    };
    const mem = new MerkleTree(leaves);
    for (const [i, size] of [[0, 1], [5, 777], [776, 777], [300, 513], [511, 512]]) {
      reads = 0;
      expect(await inclusionProof(db, i, size)).toEqual(await inclusionProof(mem, i, size));
      expect(reads).toBeLessThan(60); // O(log² n), never the whole log
    }
    for (const [m, size] of [[1, 777], [300, 777], [512, 777], [776, 777], [3, 7]]) {
      expect(await consistencyProof(db, m, size)).toEqual(await consistencyProof(mem, m, size));
    }
    expect(await rangeHash(db, 0, n)).toEqual(acc.root());
    const fromLeaves = leafGetterSource(40, (i) => leaves[i]);
    expect(await inclusionProof(fromLeaves, 13, 40)).toEqual(await inclusionProof(leaves.slice(0, 40), 13));
  });

  it('computes the root of 1,000,000 leaves in a few seconds', () => {
    const leaves = Array.from({ length: 1_000_000 }, (_, i) => {
      const h = new Uint8Array(32);
      new DataView(h.buffer).setUint32(0, i);
      return h;
    });
    const t0 = performance.now();
    const root = merkleRoot(leaves);
    const ms = performance.now() - t0;
    console.log(`merkleRoot(1,000,000 leaves): ${ms.toFixed(0)} ms`);
    expect(root).toHaveLength(32);
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
});

describe('proof properties on random trees of size 1..300', () => {
  const MAX = 300;
  const leaves = Array.from({ length: MAX }, () => randBytes(32));
  const tree = new MerkleTree(leaves);
  const roots: Uint8Array[] = [EMPTY_ROOT];
  for (let n = 1; n <= MAX; n++) roots.push(merkleRoot(leaves.slice(0, n)));
  // Every index for small trees, the edges and a few random ones for larger trees.
  const sampled = (n: number) => (n <= 40 ? Array.from({ length: n }, (_, i) => i) : [0, 1, n - 1, n >> 1, randInt(n), randInt(n)]);

  it('every inclusion proof verifies', async () => {
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(tree, i, n);
        verifyInclusion({ leafIndex: i, treeSize: n, leafHash: leaves[i], proof, root: roots[n] });
      }
    }
  }, 60_000);

  it('every mutation of an inclusion proof is rejected', async () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (const i of sampled(n)) {
        const proof = await inclusionProof(tree, i, n);
        const base: InclusionCheck = { leafIndex: i, treeSize: n, leafHash: leaves[i], proof, root: roots[n] };
        const bad: (typeof base)[] = [];
        for (let e = 0; e < proof.length; e++) bad.push({ ...base, proof: flipBit(proof, e, randInt(256)) });
        for (let e = 0; e <= proof.length; e++) bad.push({ ...base, proof: [...proof.slice(0, e), randBytes(32), ...proof.slice(e)] });
        for (let e = 0; e < proof.length; e++) bad.push({ ...base, proof: proof.filter((_, j) => j !== e) });
        if (proof.length > 1) bad.push({ ...base, proof: [...proof].reverse() });
        bad.push({ ...base, leafHash: flipBit([leaves[i]], 0, randInt(256))[0] });
        bad.push({ ...base, root: flipBit([roots[n]], 0, randInt(256))[0] });
        for (const j of [i - 1, i + 1, i ^ 1, i ^ 2, i + n]) if (j >= 0 && j !== i) bad.push({ ...base, leafIndex: j });
        for (const c of bad) {
          expect(rejects(() => verifyInclusion(c)), `leaf ${i} of ${n}`).not.toBeNull();
          checked++;
        }
        for (const m of [n - 1, n + 1, n * 2, n >> 1, n + 7]) {
          if (m <= i) {
            expect(rejects(() => verifyInclusion({ ...base, treeSize: m }))?.code).toBe('BAD_SIZE');
            continue;
          }
          const r = rejects(() => verifyInclusion({ ...base, treeSize: m }));
          expect(r === null, `leaf ${i}: size ${n} → ${m}`).toBe(inclusionShape(i, m) === inclusionShape(i, n));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  }, 60_000);

  it('every consistency proof verifies', async () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = await consistencyProof(tree, m, n);
        verifyConsistency({ size1: m, size2: n, root1: roots[m], root2: roots[n], proof });
      }
    }
  }, 60_000);

  it('every mutation of a consistency proof is rejected', async () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (const m of sampled(n).map((x) => x + 1)) {
        const proof = await consistencyProof(tree, m, n);
        const base = { size1: m, size2: n, root1: roots[m], root2: roots[n], proof };
        const bad: (typeof base)[] = [];
        for (let e = 0; e < proof.length; e++) bad.push({ ...base, proof: flipBit(proof, e, randInt(256)) });
        for (let e = 0; e <= proof.length; e++) bad.push({ ...base, proof: [...proof.slice(0, e), randBytes(32), ...proof.slice(e)] });
        for (let e = 0; e < proof.length; e++) bad.push({ ...base, proof: proof.filter((_, j) => j !== e) });
        if (proof.length > 1) bad.push({ ...base, proof: [...proof].reverse() });
        bad.push({ ...base, root1: flipBit([roots[m]], 0, randInt(256))[0] });
        bad.push({ ...base, root2: flipBit([roots[n]], 0, randInt(256))[0] });
        if (m !== n) bad.push({ ...base, root1: roots[n], root2: roots[m] });
        bad.push({ ...base, size1: 0 });
        if (m < n) bad.push({ ...base, size1: n, size2: m });
        for (const c of bad) {
          expect(rejects(() => verifyConsistency(c)), `${m} → ${n}`).not.toBeNull();
          checked++;
        }
        for (const [m2, n2] of [[m - 1, n], [m + 1, n], [m, n - 1], [m, n + 1], [m * 2, n * 2], [m, n * 2]]) {
          if (m2 < 1 || m2 > n2 || (m2 === m && n2 === n)) continue;
          const r = rejects(() => verifyConsistency({ ...base, size1: m2, size2: n2 }));
          const same = (m2 === n2 && m === n) || (m2 < n2 && m < n && consistencyShape(m2, n2) === consistencyShape(m, n));
          expect(r === null, `${m} → ${n} claimed as ${m2} → ${n2}`).toBe(same);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  }, 60_000);

  it('refuses impossible requests with BAD_SIZE', async () => {
    await expect(inclusionProof(tree, 5, 5)).rejects.toMatchObject({ code: 'BAD_SIZE' });
    await expect(inclusionProof(tree, 0, MAX + 1)).rejects.toMatchObject({ code: 'BAD_SIZE' });
    await expect(consistencyProof(tree, 0, 5)).rejects.toMatchObject({ code: 'BAD_SIZE' });
    await expect(consistencyProof(tree, 6, 5)).rejects.toMatchObject({ code: 'BAD_SIZE' });
    expect(rejects(() => verifyInclusion({ leafIndex: -1, treeSize: 3, leafHash: leaves[0], proof: [], root: roots[3] }))?.code).toBe('BAD_SIZE');
    expect(rejects(() => verifyInclusion({ leafIndex: 0.5, treeSize: 3, leafHash: leaves[0], proof: [], root: roots[3] }))?.code).toBe('BAD_SIZE');
  });
});

describe('fuzz', () => {
  it('10,000 random mutations of valid proofs end in a verdict or a CryptoVerifyError, never a crash', async () => {
    const leaves = Array.from({ length: 64 }, () => randBytes(32));
    const tree = new MerkleTree(leaves);
    const junk = (): unknown => {
      const pick = [() => randBytes(randInt(40)), () => null, () => 'abc', () => -1, () => NaN, () => 2 ** 60, () => Number.MAX_SAFE_INTEGER, () => [], () => ({}), () => undefined, () => [randBytes(31)], () => 3.5];
      return pick[randInt(pick.length)]();
    };
    let rejected = 0;
    for (let t = 0; t < 10_000; t++) {
      if (t % 250 === 0) await yieldToEventLoop();
      const n = 1 + randInt(64);
      const kind = randInt(2);
      const c: Record<string, unknown> =
        kind === 0
          ? await (async () => {
              const i = randInt(n);
              return { leafIndex: i, treeSize: n, leafHash: leaves[i], proof: await inclusionProof(tree, i, n), root: await tree.root(n) };
            })()
          : await (async () => {
              const m = 1 + randInt(n);
              return { size1: m, size2: n, root1: await tree.root(m), root2: await tree.root(n), proof: await consistencyProof(tree, m, n) };
            })();
      const keys = Object.keys(c);
      const op = randInt(4);
      const proof = c.proof as Uint8Array[];
      if (op === 0) c[keys[randInt(keys.length)]] = junk();
      else if (op === 1 && proof.length > 0) c.proof = proof.map((p) => (rand() < 0.3 ? p.subarray(0, randInt(33)) : p));
      else if (op === 2) c.proof = [...proof, ...(rand() < 0.5 ? [junk()] : [])].slice(0, randInt(proof.length + 2));
      else c[keys[randInt(keys.length)]] = typeof c[keys[0]] === 'number' ? randInt(200) - 50 : randBytes(32);
      try {
        if (kind === 0) verifyInclusion(c as never);
        else verifyConsistency(c as never);
      } catch (e) {
        if (!(e instanceof CryptoVerifyError)) throw e;
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(5000);
  }, 60_000);
});
