import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeDatabase, getDatabase } from '~/db/index.server';
import { migrate } from '~/db/migrate.server';
import { env, type Env } from '~/env.server';
import { log } from '~/modules/log.server';
import { handleUploadChunk } from '~/modules/bidding/upload-http.server';
import { registerAllJobs } from '~/jobs.server';
import { loadClockOffset } from '~/modules/clock/clock-store.server';
import { startScheduler, stopScheduler } from '~/modules/clock/scheduler.server';
import { startPayments, stopPayments } from '~/modules/payments/config.server';
import { stopWorkers, warmWorkers } from '~/modules/workers/pool.server';
import { isEmpty, seedDemo } from '../prisma/seed/seed';

export interface StartupOptions {
  migrationsDir?: string;
  seed?: boolean;
  scheduler?: boolean;
}

/** Applies migrations and, on an empty database in demo mode, seeds the demo data. */
export async function startup(opts: StartupOptions = {}) {
  const e = env();
  // Bundle and start the CPU worker threads while migrations run (the seed already renders PDFs).
  warmWorkers();
  const db = await getDatabase();
  const applied = await migrate(db, undefined);
  if (applied.length) log.info('db.migrated', { applied });
  // Before the seed: demo payments go through the (local) Alipay gateway.
  await startPayments();
  let seeded: Awaited<ReturnType<typeof seedDemo>> | null = null;
  if ((opts.seed ?? e.DEMO_MODE) && (await isEmpty(db))) {
    seeded = await seedDemo(db);
    log.info('db.seeded', { accounts: seeded.accounts.length });
  }
  if (e.DEMO_MODE) await loadClockOffset();
  registerAllJobs();
  if (opts.scheduler ?? true) startScheduler();
  return { database: db.kind, dataDir: db.kind === 'pglite' ? path.resolve(e.DATA_DIR) : null, seeded };
}

export async function shutdown() {
  stopScheduler();
  await stopPayments();
  await stopWorkers();
  await closeDatabase();
}

/** Parses and checks the environment; throws an error naming each bad variable. */
export function validateEnv(): Env {
  return env();
}

/**
 * Requests served from Node's request and response before Express sees them (scripts/server.js):
 * sealed-bid chunk uploads. Returns whether the request was taken.
 */
export function rawRoutes(req: IncomingMessage, res: ServerResponse): boolean {
  return handleUploadChunk(req, res);
}
