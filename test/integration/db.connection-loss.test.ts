// The PostgreSQL server may end any connection (restart, failover, an operator's
// pg_terminate_backend). The app must neither crash on the resulting 'error' events nor lose its
// LISTEN subscriptions (the opening hall's live updates ride on them). Runs against the server
// named by DATABASE_URL (CI's second pass); the embedded database has no server to lose.
import { describe, expect, it } from 'vitest';
import { createTestDatabase, usingPostgres } from '../setup/db';

describe.runIf(usingPostgres)('PostgreSQL connection loss', () => {
  it('survives the server ending every connection: queries go on and LISTEN is re-subscribed', { timeout: 60_000 }, async () => {
    const { db, dispose } = await createTestDatabase();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const got: string[] = [];
      await db.listen('conn_loss_test', (p) => got.push(p));
      await db.notify('conn_loss_test', 'before');
      await expect.poll(() => got, { timeout: 5000 }).toEqual(['before']);

      // An operator ends every backend of this database, from outside the app's pool.
      const pg = await import('pg');
      const [{ db: name }] = await db.sql.query<{ db: string }>('SELECT current_database() AS db');
      const admin = new pg.default.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await admin.end();
      expect(killed.rowCount).toBeGreaterThan(0);

      // Queries work again (the pool replaces dead connections) …
      await expect.poll(async () => (await db.sql.query<{ one: number }>('SELECT 1 AS one').catch(() => []))[0]?.one, { timeout: 10_000 }).toBe(1);
      // … and notifications reach the subscriber again.
      await expect
        .poll(
          async () => {
            await db.notify('conn_loss_test', 'after');
            return got.includes('after');
          },
          { timeout: 15_000, interval: 500 },
        )
        .toBe(true);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await dispose();
    }
  });
});
