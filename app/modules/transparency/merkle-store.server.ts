// The audit log's Merkle tree in the database: every perfect subtree hash (RFC 9162) as a
// MerkleNode row, written by appendAuditEntry in the same transaction as the entry. Proofs then
// cost O(log² n) primary-key lookups and never rehash the log (decision 021).
import { fromHex, toHex } from '../../../crypto/hash';
import { MerkleAccumulator, type MerkleNodeSource } from '../../../crypto/merkle';
import type { SqlRunner, Tx } from '~/db/db.server';


/** Leaves stored = the Merkle tree size. */
export async function storedTreeSize(tx: Pick<Tx, 'merkleNode'>): Promise<number> {
  const last = await tx.merkleNode.findFirst({ where: { level: 0 }, orderBy: { index: 'desc' }, select: { index: true } });
  return last ? Number(last.index) + 1 : 0;
}

/** The perfect subtrees along the right edge of a tree of `size` leaves, largest first. */
function frontierPositions(size: number): { level: number; index: number }[] {
  const out: { level: number; index: number }[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const w = 2 ** level;
    if (Math.floor(size / w) % 2 === 1) {
      out.push({ level, index: start / w });
      start += w;
    }
  }
  return out;
}

/** A stored node as read in plain SQL: index as text (a bigint), hash as lowercase hex. */
export interface MerkleNodeRow {
  level: number;
  index: string;
  hash: string;
}

/** The frontier of a tree of `size` leaves from the given rows, or null if any of its nodes is missing. */
function frontierOf(size: number, rows: MerkleNodeRow[]): Uint8Array[] | null {
  const byKey = new Map(rows.map((r) => [`${Number(r.level)}/${r.index}`, fromHex(r.hash)]));
  const hashes = frontierPositions(size).map((p) => byKey.get(`${p.level}/${p.index}`));
  return hashes.every((h) => h) ? (hashes as Uint8Array[]) : null;
}

async function frontierAt(sql: SqlRunner, size: number): Promise<Uint8Array[] | null> {
  const pos = frontierPositions(size);
  if (pos.length === 0) return [];
  const rows = await sql.query<MerkleNodeRow>(
    `SELECT "level", "index"::text AS "index", "hash" FROM "MerkleNode" WHERE ("level", "index") IN (${pos.map((_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::bigint)`).join(', ')})`,
    pos.flatMap((p) => [p.level, String(p.index)]),
  );
  return frontierOf(size, rows);
}

async function accumulatorAt(sql: SqlRunner, size: number): Promise<MerkleAccumulator> {
  const f = await frontierAt(sql, size);
  if (!f) throw new Error(`Merkle frontier of size ${size} is incomplete`);
  return MerkleAccumulator.fromFrontier(size, f);
}

/**
 * Adds the leaf of audit entry `seq` (leaf index seq−1). Called under the audit advisory lock.
 * If earlier entries have no leaves yet (a database from before the Merkle tree existed), they are
 * added first, in order, from their stored leaf hashes. `frontierRows` are the stored nodes of the
 * frontier of a tree of seq−1 leaves, which appendAuditEntry reads with the last entry, under the
 * same lock. `withStatement` (the audit entry's insert) runs in the same round trip: the node
 * insert becomes a data-modifying CTE in front of it, its parameters numbered after the statement's own.
 */
export async function appendMerkleLeaf(sql: SqlRunner, seq: bigint, leafHashHex: string, frontierRows: MerkleNodeRow[], withStatement?: { text: string; params: unknown[] }) {
  const index = Number(seq - 1n);
  // Fast path, no read: the frontier of a tree of `index` leaves. Its last node covers leaf
  // index−1, and a node exists only once all its leaves do, so a complete frontier proves the
  // tree has exactly caught up (a duplicate leaf would then fail on the primary key).
  const frontier = frontierOf(index, frontierRows);
  let acc: MerkleAccumulator;
  const rows: { level: number; index: bigint; hash: string }[] = [];
  const push = (leaf: Uint8Array) => {
    for (const n of acc.append(leaf)) rows.push({ level: n.level, index: BigInt(n.index), hash: toHex(n.hash) });
  };
  if (frontier) {
    acc = MerkleAccumulator.fromFrontier(index, frontier);
  } else {
    const [top] = await sql.query<{ index: string | null }>(`SELECT max("index")::text AS "index" FROM "MerkleNode" WHERE "level" = 0`);
    let size = top?.index == null ? 0 : Number(top.index) + 1;
    if (size > index) throw new Error(`Merkle leaf ${index} already exists (tree size ${size})`);
    acc = await accumulatorAt(sql, size);
    while (size < index) {
      const batch = await sql.query<{ seq: string; leafHash: string }>(
        `SELECT e."seq"::text AS "seq", e."leafHash" FROM "AuditEntry" e WHERE e."seq" > $1::bigint AND e."seq" <= $2::bigint ORDER BY e."seq"`,
        [String(size), String(Math.min(index, size + 5000))],
      );
      if (batch.length === 0) throw new Error(`audit entry ${size + 1} is missing; cannot extend the Merkle tree`);
      for (const b of batch) {
        if (b.seq !== String(size + 1)) throw new Error(`audit entry ${size + 1} is missing; cannot extend the Merkle tree`);
        push(fromHex(b.leafHash));
        size++;
      }
    }
  }
  push(fromHex(leafHashHex));
  const base = withStatement?.params.length ?? 0;
  const insert = `INSERT INTO "MerkleNode" ("level", "index", "hash") VALUES ${rows.map((_, i) => `($${base + 3 * i + 1}::int, $${base + 3 * i + 2}::bigint, $${base + 3 * i + 3})`).join(', ')}`;
  const params = rows.flatMap((r) => [r.level, String(r.index), r.hash]);
  if (!withStatement) await sql.query(insert, params);
  else await sql.query(`WITH merkle AS (${insert}) ${withStatement.text}`, [...withStatement.params, ...params]);
}

/** Proof source over the stored nodes, with a per-request cache (a proof reads some nodes twice). */
export function dbNodeSource(tx: Pick<Tx, 'merkleNode'>, size: number): MerkleNodeSource {
  const cache = new Map<string, Promise<Uint8Array>>();
  return {
    size,
    node(level: number, index: number) {
      const key = `${level}/${index}`;
      let p = cache.get(key);
      if (!p) {
        p = tx.merkleNode.findUnique({ where: { level_index: { level, index: BigInt(index) } } }).then((r) => {
          if (!r) throw new Error(`Merkle node ${key} is missing`);
          return fromHex(r.hash);
        });
        cache.set(key, p);
      }
      return p;
    },
  };
}
