// A test database per test file: PGlite in memory by default, or a fresh database on the
// PostgreSQL server named by DATABASE_URL (created from the migrations, dropped afterwards).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openDatabase, type Database } from '~/db/db.server';
import { setDatabase } from '~/db/index.server';
import { migrate } from '~/db/migrate.server';
import { resetEnvCache } from '~/env.server';
import { resetClock } from '~/modules/clock/clock.server';

export const usingPostgres = !!process.env.DATABASE_URL;

async function createServerDatabase(baseUrl: string) {
  const pg = await import('pg');
  const name = `ggzy_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.default.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.default.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestDatabase(): Promise<{ db: Database; dispose: () => Promise<void> }> {
  if (usingPostgres) {
    const server = await createServerDatabase(process.env.DATABASE_URL!);
    const db = await openDatabase({ url: server.url });
    await migrate(db);
    return {
      db,
      async dispose() {
        await db.close();
        await server.drop();
      },
    };
  }
  const db = await openDatabase({ memory: true });
  await migrate(db);
  return { db, dispose: () => db.close() };
}

const TABLES_SQL = `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_migrations'`;

export async function truncateAll(db: Database) {
  const rows = await db.sql.query<{ tablename: string }>(TABLES_SQL);
  if (rows.length) await db.sql.exec(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

/** Call at the top of a test file: one database for the file, emptied before each test. */
export function useTestDatabase() {
  const ref: { db: Database } = {} as { db: Database };
  let dispose: () => Promise<void> = async () => {};
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ggzy-test-'));
  beforeAll(async () => {
    process.env.DATA_DIR = dataDir;
    process.env.SESSION_SECRET ??= 'test-secret-'.padEnd(48, 'x');
    resetEnvCache();
    const t = await createTestDatabase();
    ref.db = t.db;
    dispose = t.dispose;
    setDatabase(t.db);
  });
  beforeEach(async () => {
    resetClock();
    await truncateAll(ref.db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return ref;
}
