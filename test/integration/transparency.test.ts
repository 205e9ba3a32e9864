import { describe, expect, it } from 'vitest';
import { auditEntryHashes } from '../../crypto/auditlog';
import { fromHex, toHex } from '../../crypto/hash';
import { merkleRoot, verifyConsistency, verifyInclusion } from '../../crypto/merkle';
import { verifyTreeHead } from '../../crypto/sth';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, toAuditFields } from '~/modules/audit/audit.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import {
  consistencyProofBetween,
  inclusionProofFor,
  latestTreeHead,
  rootAt,
  signTreeHeadIfGrown,
  signTreeHeadNow,
  treeSize,
} from '~/modules/transparency/log.server';
import { verifyTreeHeadInBrowser } from '~/modules/transparency/verify';
import { useTestDatabase } from '../setup/db';

const ctx = useTestDatabase();

async function append(n: number, from = 0) {
  const prisma = await getPrisma();
  for (let i = from; i < from + n; i++) {
    await prisma.$transaction((tx) => appendAuditEntry(tx, { ...SYSTEM_ACTOR, ip: '10.0.0.5' }, { action: 'test.step', objectType: 'thing', objectId: String(i), payload: { i } }));
  }
}

async function leafHashes() {
  const prisma = await getPrisma();
  return (await prisma.auditEntry.findMany({ orderBy: { seq: 'asc' } })).map((r) => fromHex(r.leafHash));
}

describe('Merkle audit log', () => {
  it('stores nodes per append whose proofs verify for every entry and every size', async () => {
    await append(21);
    expect(await treeSize()).toBe(21);
    const leaves = await leafHashes();
    for (let size = 1; size <= 21; size++) {
      const root = await rootAt(size);
      expect(root).toBe(toHex(merkleRoot(leaves.slice(0, size))));
      for (let seq = 1; seq <= size; seq += 3) {
        const p = await inclusionProofFor(seq, size);
        verifyInclusion({ leafIndex: p.leafIndex, treeSize: size, leafHash: fromHex(p.leafHash), proof: p.proof.map(fromHex), root: fromHex(root) });
      }
      for (let from = 1; from <= size; from += 4) {
        const c = await consistencyProofBetween(from, size);
        verifyConsistency({ size1: from, size2: size, root1: fromHex(await rootAt(from)), root2: fromHex(root), proof: c.proof.map(fromHex) });
      }
    }
    const prisma = await getPrisma();
    // n leaves produce 2n − popcount(n) perfect nodes
    expect(await prisma.merkleNode.count()).toBe(2 * 21 - 3);
  });

  it('appends each entry in three statements, the frontier read with the last entry, for every tree shape', async () => {
    // lock, last entry with the Merkle frontier, entry + nodes: the frontier query computes the
    // right-edge subtrees of every size (1..70 covers frontiers of one to six nodes); a wrong one
    // would fall back to a separate read (or fail the append) and show here.
    for (let i = 0; i < 70; i++) {
      const seen: string[] = [];
      await ctx.db.transaction((sql) =>
        appendAuditEntry({ query: (text, params) => (seen.push(text), sql.query(text, params)), exec: (text) => sql.exec(text) }, SYSTEM_ACTOR, { action: 'test.shape', payload: { i } }),
      );
      expect(seen, `append ${i + 1}`).toHaveLength(3);
    }
    expect(await rootAt(70)).toBe(toHex(merkleRoot(await leafHashes())));
  });

  it('keeps one consistent tree under concurrent writers', async () => {
    const prisma = await getPrisma();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => prisma.$transaction((tx) => appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'test.concurrent', payload: { i } }))),
    );
    expect(await rootAt(12)).toBe(toHex(merkleRoot(await leafHashes())));
  });

  it('a rolled-back append leaves no Merkle nodes', async () => {
    const prisma = await getPrisma();
    await append(2);
    await expect(
      prisma.$transaction(async (tx) => {
        await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'test.rolledback' });
        throw new Error('rule failed');
      }),
    ).rejects.toThrow('rule failed');
    expect(await treeSize()).toBe(2);
    await append(1, 2);
    expect(await rootAt(3)).toBe(toHex(merkleRoot(await leafHashes())));
  });

  it('catches up entries written before the tree existed', async () => {
    await append(9);
    const prisma = await getPrisma();
    await expect(prisma.merkleNode.deleteMany({})).rejects.toThrow();
    await ctx.db.sql.exec(`ALTER TABLE "MerkleNode" DISABLE TRIGGER "MerkleNode_append_only"`);
    await ctx.db.sql.exec(`DELETE FROM "MerkleNode"`);
    await ctx.db.sql.exec(`ALTER TABLE "MerkleNode" ENABLE TRIGGER "MerkleNode_append_only"`);
    await append(1, 9);
    expect(await treeSize()).toBe(10);
    expect(await rootAt(10)).toBe(toHex(merkleRoot(await leafHashes())));
  });

  it('a tampered audit row no longer verifies against the signed tree head', async () => {
    await append(13);
    const head = await signTreeHeadNow();
    const pki = await getPlatformPki();
    const verified = await verifyTreeHead(head.sth, { trustAnchors: pki.trustAnchors });
    expect(verified.treeSize).toBe(13);

    const prisma = await getPrisma();
    const check = async (seq: number) => {
      const row = await prisma.auditEntry.findUniqueOrThrow({ where: { seq: BigInt(seq) } });
      const { leafHash } = await auditEntryHashes(toAuditFields(row));
      const p = await inclusionProofFor(seq, head.treeSize);
      verifyInclusion({ leafIndex: p.leafIndex, treeSize: verified.treeSize, leafHash: fromHex(leafHash), proof: p.proof.map(fromHex), root: verified.root });
    };
    await check(7);
    await ctx.db.sql.exec(`ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only"`);
    await ctx.db.sql.exec(`UPDATE "AuditEntry" SET "objectId" = 'forged' WHERE seq = 7`);
    await ctx.db.sql.exec(`ALTER TABLE "AuditEntry" ENABLE TRIGGER "AuditEntry_append_only"`);
    await expect(check(7)).rejects.toMatchObject({ code: 'ROOT_MISMATCH' });
    await check(8);
  });

  it('signs a tree head only when the log grew; heads verify with the platform CA and are consistent', async () => {
    await append(5);
    const h1 = await signTreeHeadIfGrown();
    expect(h1?.treeSize).toBe(5);
    expect(await signTreeHeadIfGrown()).toBeNull();
    await append(6, 5);
    const h2 = (await signTreeHeadIfGrown())!;
    expect(h2.treeSize).toBe(11);
    expect((await latestTreeHead())?.id).toBe(h2.id);
    const pki = await getPlatformPki();
    const v1 = await verifyTreeHead(h1!.sth, { trustAnchors: pki.trustAnchors });
    const v2 = await verifyTreeHead(h2.sth, { trustAnchors: pki.trustAnchors });
    const c = await consistencyProofBetween(5, 11);
    verifyConsistency({ size1: 5, size2: 11, root1: v1.root, root2: v2.root, proof: c.proof.map(fromHex) });
    // a forged head (size changed) fails its signature, in crypto/sth.ts and in the browser checker alike
    await expect(verifyTreeHead({ ...h2.sth, treeSize: 12 })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    await expect(verifyTreeHeadInBrowser({ ...h2.sth, treeSize: 12 }, pki.trustAnchors)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    const b = await verifyTreeHeadInBrowser(h2.sth, pki.trustAnchors);
    expect(toHex(b.root)).toBe(toHex(v2.root));
    await expect(verifyTreeHeadInBrowser({ ...h2.sth, extra: 1 } as never, pki.trustAnchors)).rejects.toMatchObject({ code: 'MALFORMED' });
  });

  it('refuses proofs outside the log', async () => {
    await append(3);
    await expect(inclusionProofFor(4, 3)).rejects.toThrow();
    await expect(inclusionProofFor(1, 4)).rejects.toThrow();
    await expect(consistencyProofBetween(0, 3)).rejects.toThrow();
    await expect(consistencyProofBetween(3, 2)).rejects.toThrow();
  });
});
