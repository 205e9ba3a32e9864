import { describe, expect, it } from 'vitest';
import { openDatabase } from '~/db/db.server';
import { loadMigrations, migrate } from '~/db/migrate.server';

describe('migration runner', () => {
  it('applies every migration once and refuses an edited one', async () => {
    const db = await openDatabase({ memory: true });
    try {
      const all = loadMigrations();
      expect((await migrate(db, all)).length).toBe(all.length);
      expect(await migrate(db, all)).toEqual([]);
      const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
      await expect(migrate(db, edited)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await db.close();
    }
  });
});
