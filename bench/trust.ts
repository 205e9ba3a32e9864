/**
 * Trust services benchmark: the cost the Merkle tree adds to every audit append (baseline: the same
 * append with the Merkle step skipped, in the same run), proof generation from stored nodes, tree
 * head signing, and the TSA answering queries. In-memory PGlite; prints ratios, asserts nothing.
 *
 *   npm run bench -- trust [--entries 2000]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';

export async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--entries');
  const n = i >= 0 ? Number(argv[i + 1]) : 2000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-trust-'));
  process.env.DATA_DIR = dataDir;
  process.env.LOG_LEVEL = 'warn';
  const { openDatabase } = await import('../app/db/db.server.js');
  const { setDatabase } = await import('../app/db/index.server.js');
  const { migrate } = await import('../app/db/migrate.server.js');
  const { appendAuditEntry, SYSTEM_ACTOR } = await import('../app/modules/audit/audit.server.js');
  const merkle = await import('../app/modules/transparency/merkle-store.server.js');
  const log = await import('../app/modules/transparency/log.server.js');
  const { answerTimeStampQuery, getPlatformPki } = await import('../app/modules/pki/platform.server.js');
  const { createTimeStampRequest } = await import('../crypto/tsp.js');
  const { sha256 } = await import('../crypto/hash.js');
  const db = await openDatabase({ memory: true });
  try {
    await migrate(db);
    setDatabase(db);
    await getPlatformPki();
    const prisma = db.prisma;
    const append = (k: number) =>
      prisma.$transaction((tx) => appendAuditEntry(tx, { ...SYSTEM_ACTOR, ip: '10.0.0.1' }, { action: 'bench.step', objectType: 'thing', objectId: String(k), payload: { k } }));

    for (let k = 0; k < 50; k++) await append(k); // warm-up
    const t0 = performance.now();
    for (let k = 0; k < n; k++) await append(k);
    const perAppend = (performance.now() - t0) / n;
    const size = await merkle.storedTreeSize(prisma);
    console.log(`  audit append incl. Merkle nodes: ${perAppend.toFixed(2)} ms/entry over ${n} entries (tree size ${size})`);
    // Baseline: the audit append without the Merkle step — measured by temporarily running the
    // raw chain insert (what appendAuditEntry did before this change).
    const { auditEntryHashes, payloadHash, GENESIS_HASH } = await import('../crypto/auditlog.js');
    const t2 = performance.now();
    for (let k = 0; k < Math.min(n, 1000); k++) {
      await prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7301002)');
        const last = await tx.auditEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, entryHash: true } });
        const seq = (last?.seq ?? 0n) + 1n;
        const fields = {
          seq: seq.toString(), at: new Date().toISOString(), actorUserId: null, actorName: '系统', actorOrgId: null, role: 'system', ip: '10.0.0.1',
          userAgent: null, action: 'bench.base', objectType: 'thing', objectId: String(k), payloadHash: await payloadHash({ k }), prevHash: last?.entryHash ?? GENESIS_HASH,
        };
        const h = await auditEntryHashes(fields);
        await tx.auditEntry.create({ data: { ...fields, seq, at: new Date(fields.at), payload: { k }, ...h } });
      });
    }
    const baseMs = (performance.now() - t2) / Math.min(n, 1000);
    console.log(`  baseline append without Merkle nodes: ${baseMs.toFixed(2)} ms/entry  → Merkle overhead ratio ${(perAppend / baseMs).toFixed(2)}×`);
    // The baseline rows have no Merkle leaves; the next real append catches them up (measured too).
    const tc = performance.now();
    await append(-1);
    console.log(`  catch-up of ${Math.min(n, 1000)} leaves written without nodes: ${(performance.now() - tc).toFixed(0)} ms`);

    const total = await log.treeSize();
    const tp = performance.now();
    const P = 200;
    for (let k = 0; k < P; k++) await log.inclusionProofFor(1 + Math.floor((k * 7919) % total), total);
    console.log(`  inclusion proof from stored nodes (size ${total}): ${((performance.now() - tp) / P).toFixed(2)} ms/proof`);
    const tcp = performance.now();
    for (let k = 0; k < 50; k++) await log.consistencyProofBetween(1 + ((k * 104729) % (total - 1)), total);
    console.log(`  consistency proof: ${((performance.now() - tcp) / 50).toFixed(2)} ms/proof`);
    const ts = performance.now();
    for (let k = 0; k < 10; k++) await log.signTreeHeadNow();
    console.log(`  sign tree head (root from nodes + RSA-PSS): ${((performance.now() - ts) / 10).toFixed(1)} ms`);

    const req = await createTimeStampRequest({ digest: await sha256(new Uint8Array([1, 2, 3])) });
    const tt = performance.now();
    const T = 100;
    for (let k = 0; k < T; k++) await answerTimeStampQuery(req);
    const tsaMs = (performance.now() - tt) / T;
    console.log(`  TSA response (RSA-3072 PKCS#1 v1.5): ${tsaMs.toFixed(1)} ms → ${(1000 / tsaMs).toFixed(0)} stamps/s on one core`);
  } finally {
    setDatabase(undefined);
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const direct = process.argv[1] !== undefined && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (direct) run().catch((e) => ((process.exitCode = 1), console.error(e)));
