// One PostgreSQL schema, two runtimes: PGlite persisted under DATA_DIR (the embedded default) or a
// PostgreSQL server when DATABASE_URL is set. Both go through Prisma driver adapters, so no Prisma
// engine binary is ever needed. See docs/decisions/001-prisma-6-driver-adapters.md and 002-pglite.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaClient } from '~/generated/prisma/client';
import { log } from '~/modules/log.server';

export type Db = InstanceType<typeof PrismaClient>;
export type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Plain SQL access to the same database, for migrations, LISTEN/NOTIFY and bulk work. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

/**
 * A transaction to write plain SQL in: Prisma's interactive transaction, or the runner of
 * Database.transaction (which skips Prisma's per-statement cost on hot paths; see decision 113).
 */
export type AnyTx = Tx | SqlRunner;

/** Plain SQL inside either kind of transaction. Parameters are $1, $2, …; results as the driver gives them. */
export function sqlOf(tx: AnyTx): SqlRunner {
  if (!('$queryRawUnsafe' in tx)) return tx;
  return {
    query: <T>(sql: string, params: unknown[] = []) => tx.$queryRawUnsafe<T[]>(sql, ...params),
    async exec(sql: string) {
      await tx.$executeRawUnsafe(sql);
    },
  };
}

export interface Database {
  prisma: Db;
  sql: SqlRunner;
  kind: 'pglite' | 'postgres';
  /** Run fn on one dedicated connection (session-level locks, multi-statement work). */
  withConnection<T>(fn: (sql: SqlRunner) => Promise<T>): Promise<T>;
  /** Run fn in one transaction of plain SQL: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (sql: SqlRunner) => Promise<T>): Promise<T>;
  /** Subscribe to a NOTIFY channel; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url?: string;
  dataDir?: string;
  /** PGlite only: keep the database in memory (tests). */
  memory?: boolean;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url);
  return openPglite(opts);
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import('pg');
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const Pool = pg.default?.Pool ?? (pg as unknown as typeof pg.default).Pool;
  const pool = new Pool({ connectionString: url, max: 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const listeners = new Map<string, Set<(p: string) => void>>();
  let listenClient: import('pg').PoolClient | null = null;
  let closed = false;
  // A connection the server ends (restart, failover, pg_terminate_backend) is reported as an
  // 'error' event; with no listener Node would crash the whole process. Idle pool connections are
  // simply replaced on the next query; the LISTEN connection is re-opened and re-subscribed.
  pool.on('error', (err) => log.warn('db.pool.connection-lost', { code: (err as { code?: string }).code, message: err.message }));

  async function ensureListenClient() {
    if (listenClient) return listenClient;
    const c = await pool.connect();
    c.on('notification', (msg) => {
      const set = listeners.get(msg.channel);
      if (set) for (const fn of set) fn(msg.payload ?? '');
    });
    c.on('error', (err) => {
      log.warn('db.listen.connection-lost', { code: (err as { code?: string }).code, message: err.message });
      if (listenClient === c) listenClient = null;
      c.release(err);
      if (!closed && listeners.size) setTimeout(() => void relisten(), 1000).unref();
    });
    listenClient = c;
    return c;
  }

  async function relisten(): Promise<void> {
    if (closed || !listeners.size) return;
    try {
      const c = await ensureListenClient();
      for (const channel of listeners.keys()) await c.query(`LISTEN "${channel}"`);
    } catch (e) {
      log.warn('db.listen.reconnect-failed', { message: (e as Error).message });
      setTimeout(() => void relisten(), 5000).unref();
    }
  }

  return {
    prisma,
    kind: 'postgres',
    sql: {
      async query(sql, params) {
        const r = await pool.query(sql, params as unknown[] | undefined);
        return r.rows;
      },
      async exec(sql) {
        await pool.query(sql);
      },
    },
    async withConnection(fn) {
      const c = await pool.connect();
      try {
        return await fn({
          async query(sql, params) {
            return (await c.query(sql, params as unknown[] | undefined)).rows;
          },
          async exec(sql) {
            await c.query(sql);
          },
        });
      } finally {
        c.release();
      }
    },
    async transaction(fn) {
      const c = await pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const result = await fn({
          async query(sql, params) {
            return (await c.query(sql, params as unknown[] | undefined)).rows;
          },
          async exec(sql) {
            await c.query(sql);
          },
        });
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch((err: Error) => {
          broken = err;
        });
        throw e;
      } finally {
        // A connection whose rollback failed is dropped, not handed to the next caller.
        c.release(broken);
      }
    },
    async listen(channel, onPayload) {
      assertChannel(channel);
      const client = await ensureListenClient();
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await client.query(`LISTEN "${channel}"`);
      }
      set.add(onPayload);
      return async () => {
        set!.delete(onPayload);
        if (set!.size === 0) {
          listeners.delete(channel);
          await listenClient?.query(`UNLISTEN "${channel}"`).catch(() => {});
        }
      };
    },
    async notify(channel, payload) {
      assertChannel(channel);
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      closed = true;
      await prisma.$disconnect();
      listenClient?.release();
      listenClient = null;
      await pool.end();
    },
  };
}

const PGLITE_SHARED_BUFFERS = '16MB';

async function openPglite(opts: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  let client: InstanceType<typeof PGlite>;
  // Postgres' default 128 MB of shared buffers is touched at start and stays resident in the WASM
  // memory: it was ~110 MB of the server's RSS. The files are in the OS page cache anyway
  // (docs/decisions/113-upload-hot-path-and-benchmark.md).
  const options = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] };
  if (opts.memory) {
    client = new PGlite(options);
  } else {
    const dir = path.resolve(opts.dataDir ?? 'data', 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    client = new PGlite(dir, options);
  }
  await client.waitReady;
  // The adapter bundles its own copy of Prisma's adapter types; the runtime contract is the same.
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) as never });
  const sql: SqlRunner = {
    async query(text, params) {
      const r = await client.query(text, params as unknown[] | undefined);
      return r.rows as never[];
    },
    async exec(text) {
      await client.exec(text);
    },
  };
  return {
    prisma,
    kind: 'pglite',
    sql,
    // PGlite is a single connection already.
    withConnection: (fn) => fn(sql),
    // PGlite runs one transaction at a time, and every other query waits for it to end.
    transaction: (fn) =>
      client.transaction((tx) =>
        fn({
          async query(text, params) {
            return (await tx.query(text, params as unknown[] | undefined)).rows as never[];
          },
          async exec(text) {
            await tx.exec(text);
          },
        }),
      ),
    async listen(channel, onPayload) {
      assertChannel(channel);
      const unsub = await client.listen(channel, onPayload);
      return async () => {
        await unsub();
      };
    },
    async notify(channel, payload) {
      assertChannel(channel);
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
    },
  };
}

function assertChannel(channel: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Bad channel name: ${channel}`);
}
