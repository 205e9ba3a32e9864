import { env } from '~/env.server';
import { openDatabase, type Database } from './db.server';

declare global {
  // Survives module reloads in development so there is one connection pool per process.
  // eslint-disable-next-line no-var
  var __ggzyDb: Promise<Database> | undefined;
}

export function getDatabase(): Promise<Database> {
  if (!globalThis.__ggzyDb) {
    const e = env();
    globalThis.__ggzyDb = openDatabase({ url: e.DATABASE_URL, dataDir: e.DATA_DIR });
  }
  return globalThis.__ggzyDb;
}

export async function getPrisma() {
  return (await getDatabase()).prisma;
}

/** Tests inject their own database (one per worker). */
export function setDatabase(db: Database | undefined) {
  globalThis.__ggzyDb = db ? Promise.resolve(db) : undefined;
}

export async function closeDatabase() {
  const p = globalThis.__ggzyDb;
  globalThis.__ggzyDb = undefined;
  if (p) await (await p).close();
}
