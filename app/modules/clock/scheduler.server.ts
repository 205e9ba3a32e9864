// Timed transitions (deadlines passing, overtime warnings, payment queries) run as jobs. Each job
// is idempotent: it reads the state and the clock and does what is due. Across app instances a
// job runs in one place at a time: it takes a transaction-scoped advisory lock keyed by its name
// and skips the round when another instance holds it.
import crypto from 'node:crypto';
import type { Database, Tx } from '~/db/db.server';
import { getDatabase } from '~/db/index.server';
import { log } from '~/modules/log.server';
import { loadClockOffset } from './clock-store.server';

export interface Job {
  name: string;
  /** How often the background loop runs it. */
  everyMs: number;
  run(ctx: { db: Database }): Promise<void | { did: number }>;
}

const jobs = new Map<string, Job>();

export function registerJob(job: Job) {
  jobs.set(job.name, job);
}

export function registeredJobs() {
  return [...jobs.values()];
}

function lockKey(name: string): bigint {
  return crypto.createHash('sha256').update(`job:${name}`).digest().readBigInt64BE(0);
}

/** Runs one job now unless another instance is running it. Returns false when skipped. */
export async function runJob(job: Job, db?: Database): Promise<boolean> {
  const database = db ?? (await getDatabase());
  return database.withConnection(async (sql) => {
    const [row] = await sql.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockKey(job.name).toString()]);
    if (!row.locked) return false;
    try {
      await job.run({ db: database });
      return true;
    } catch (err) {
      log.error('job.failed', { job: job.name, error: err instanceof Error ? err.message : String(err) });
      return true;
    } finally {
      await sql.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey(job.name).toString()]);
    }
  });
}

/** Runs every job once, in registration order (tests, and right after the demo clock moves). */
export async function runDueJobs(db?: Database) {
  for (const job of jobs.values()) await runJob(job, db);
}

let timers: NodeJS.Timeout[] = [];

export function startScheduler() {
  stopScheduler();
  // Keep every instance's clock offset in step with the shared setting.
  timers.push(setInterval(() => void loadClockOffset().catch(() => {}), 5_000));
  for (const job of jobs.values()) {
    const t = setInterval(() => void runJob(job), job.everyMs);
    t.unref();
    timers.push(t);
  }
  for (const t of timers) t.unref();
}

export function stopScheduler() {
  for (const t of timers) clearInterval(t);
  timers = [];
}

export type { Tx };
