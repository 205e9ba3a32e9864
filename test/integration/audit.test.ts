import { describe, expect, it } from 'vitest';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, SYSTEM_ACTOR, verifyAuditLog } from '~/modules/audit/audit.server';
import { GENESIS_HASH } from '../../crypto/auditlog';
import { useTestDatabase } from '../setup/db';

const ctx = useTestDatabase();

async function append(n: number) {
  const prisma = await getPrisma();
  for (let i = 0; i < n; i++) {
    await prisma.$transaction((tx) => appendAuditEntry(tx, { ...SYSTEM_ACTOR, ip: '10.0.0.5' }, { action: 'test.step', objectType: 'thing', objectId: String(i), payload: { i, note: '测试' } }));
  }
}

describe('audit log', () => {
  it('chains entries from the genesis hash', async () => {
    await append(3);
    const prisma = await getPrisma();
    const rows = await prisma.auditEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual([1n, 2n, 3n]);
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    expect(rows[1].prevHash).toBe(rows[0].entryHash);
    expect(rows[2].prevHash).toBe(rows[1].entryHash);
    expect((await verifyAuditLog(prisma)).problems).toEqual([]);
  });

  it('is written in the same transaction as the change: a rollback leaves no entry', async () => {
    const prisma = await getPrisma();
    await expect(
      prisma.$transaction(async (tx) => {
        await appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'test.rolledback' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await prisma.auditEntry.count()).toBe(0);
  });

  it('keeps one valid chain under concurrent writers', async () => {
    const prisma = await getPrisma();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => prisma.$transaction((tx) => appendAuditEntry(tx, SYSTEM_ACTOR, { action: 'test.concurrent', objectId: String(i) }))),
    );
    const r = await verifyAuditLog(prisma);
    expect(r.checked).toBe(12);
    expect(r.problems).toEqual([]);
  });

  it('refuses updates and deletes at the database', async () => {
    await append(1);
    const prisma = await getPrisma();
    await expect(prisma.auditEntry.updateMany({ data: { action: 'forged' } })).rejects.toThrow(/append-only/);
    await expect(prisma.auditEntry.deleteMany({})).rejects.toThrow(/append-only/);
  });

  it('reports a row changed behind the application’s back', async () => {
    await append(4);
    // Only a superuser who disables the trigger can do this; the chain still exposes it.
    await ctx.db.sql.exec(`ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only"`);
    await ctx.db.sql.exec(`UPDATE "AuditEntry" SET ip = '6.6.6.6' WHERE seq = 2`);
    await ctx.db.sql.exec(`ALTER TABLE "AuditEntry" ENABLE TRIGGER "AuditEntry_append_only"`);
    const r = await verifyAuditLog(await getPrisma());
    expect(new Set(r.problems.map((p) => p.seq))).toEqual(new Set(['2']));
    expect(r.problems.map((p) => p.problem)).toContain('ENTRY_HASH_MISMATCH');
  });

  it('reports a deleted row and a changed payload', async () => {
    await append(4);
    await ctx.db.sql.exec(`ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only"`);
    await ctx.db.sql.exec(`DELETE FROM "AuditEntry" WHERE seq = 2`);
    await ctx.db.sql.exec(`UPDATE "AuditEntry" SET payload = '{"i": 99}' WHERE seq = 4`);
    await ctx.db.sql.exec(`ALTER TABLE "AuditEntry" ENABLE TRIGGER "AuditEntry_append_only"`);
    const problems = (await verifyAuditLog(await getPrisma())).problems.map((p) => `${p.seq}:${p.problem}`);
    expect(problems).toContain('3:PREV_HASH_MISMATCH');
    expect(problems).toContain('3:SEQ_GAP');
    expect(problems).toContain('4:PAYLOAD_HASH_MISMATCH');
  });
});
