// A small pool of worker threads for CPU-heavy jobs (cpu.worker.ts). The server runs on one event
// loop; a receipt PDF (~10 ms of layout, font subsetting and deflate) or hashing a 20 MB sealed
// bid (~12 ms) there makes every other request wait, and near a bid deadline a hundred bidders
// complete at once. In a worker they run beside the event loop on another core.
//
// The worker is the TypeScript entry bundled by esbuild at first use into node_modules/.cache
// (packages stay external and resolve from the project's node_modules), so the server build, the
// tests and tsx scripts all run the same source without a separate build step. See
// docs/decisions/114-cpu-worker-threads.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CryptoVerifyError } from '../../../crypto/errors';
import { log } from '~/modules/log.server';
import type { JobRequest, JobResponse, Jobs } from './cpu.worker';

// A small young generation: the jobs allocate little that lives, and each MB here is resident.
const WORKER_YOUNG_GENERATION_MB = 8;
const MAX_WORKERS = Math.max(1, Math.min(2, (os.availableParallelism?.() ?? os.cpus().length) - 1));

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}
interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const slots: Slot[] = [];
let nextId = 1;
let scriptPromise: Promise<string> | undefined;

async function buildScript(): Promise<string> {
  const root = process.cwd();
  const entry = path.join(root, 'app/modules/workers/cpu.worker.ts');
  if (!fs.existsSync(entry)) throw new Error(`CPU worker entry not found at ${entry} (the server must run from the project folder)`);
  const dir = path.join(root, 'node_modules/.cache/ggzy-workers');
  fs.mkdirSync(dir, { recursive: true });
  removeOrphans(dir);
  const out = path.join(dir, `cpu.worker.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.mjs`);
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages stay external (resolved from node_modules at run time); `~/` is the app alias.
    plugins: [{ name: 'external-packages', setup: (b) => b.onResolve({ filter: /^[^./~]/ }, (a) => ({ path: a.path, external: true })) }],
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'error',
  });
  process.once('exit', () => fs.rmSync(out, { force: true }));
  return out;
}

/** Bundles left by processes that were killed (SIGKILL skips the exit handler). */
function removeOrphans(dir: string) {
  for (const f of fs.readdirSync(dir)) {
    const pid = Number(/^cpu\.worker\.(\d+)\./.exec(f)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(dir, f), { force: true });
    }
  }
}

function workerScript(): Promise<string> {
  scriptPromise ??= buildScript().catch((e) => {
    scriptPromise = undefined;
    throw e;
  });
  return scriptPromise;
}

function errorFrom(e: { name: string; message: string; code?: string; stack?: string }): Error {
  const err = e.name === 'CryptoVerifyError' && e.code ? new CryptoVerifyError(e.code as never, e.message) : Object.assign(new Error(e.message), { name: e.name, code: e.code });
  if (e.stack) err.stack = e.stack;
  return err;
}

function startSlot(script: string): Slot {
  const worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  const slot: Slot = { worker, pending: new Map() };
  worker.unref();
  worker.on('message', (m: JobResponse) => {
    const p = slot.pending.get(m.id);
    if (!p) return;
    slot.pending.delete(m.id);
    if (slot.pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(errorFrom(m.error));
  });
  const fail = (e: unknown) => {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    for (const p of slot.pending.values()) p.reject(e instanceof Error ? e : new Error(`CPU worker stopped: ${String(e)}`));
    slot.pending.clear();
  };
  worker.on('error', (e) => {
    log.error('worker.cpu.error', { message: e.message });
    fail(e);
  });
  worker.on('exit', (code) => fail(new Error(`CPU worker exited with code ${code}`)));
  slots.push(slot);
  return slot;
}

async function pickSlot(): Promise<Slot> {
  const idle = slots.find((s) => s.pending.size === 0);
  if (idle) return idle;
  if (slots.length < MAX_WORKERS) {
    const script = await workerScript();
    // Another job may have started a worker while the script was being built.
    if (slots.length < MAX_WORKERS) return startSlot(script);
  }
  return slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
}

/** Runs one job on a worker thread. Arguments and results are copied (structured clone). */
export async function runJob<K extends keyof Jobs>(op: K, ...args: Parameters<Jobs[K]>): Promise<Awaited<ReturnType<Jobs[K]>>> {
  return send(await pickSlot(), op, args);
}

// Jobs that keep state in their worker between calls (an upload's running hash) go to the worker
// that holds it. A worker that died took its state with it; the next job picks another and the
// stateful job falls back to starting over (running-hash.server.ts).
const MAX_AFFINITY = 5000;
const affinity = new Map<string, Slot>();

/** Runs a job on the worker that ran the previous jobs for `key`. */
export async function runJobFor<K extends keyof Jobs>(key: string, op: K, ...args: Parameters<Jobs[K]>): Promise<Awaited<ReturnType<Jobs[K]>>> {
  let slot = affinity.get(key);
  if (!slot || !slots.includes(slot)) {
    slot = await pickSlot();
    affinity.set(key, slot);
    if (affinity.size > MAX_AFFINITY) affinity.delete(affinity.keys().next().value!);
  }
  return send(slot, op, args);
}

/** Forgets which worker holds `key` (its state was consumed or dropped). */
export function releaseAffinity(key: string): void {
  affinity.delete(key);
}

function send<K extends keyof Jobs>(slot: Slot, op: K, args: Parameters<Jobs[K]>): Promise<Awaited<ReturnType<Jobs[K]>>> {
  const id = nextId++;
  return new Promise<Awaited<ReturnType<Jobs[K]>>>((resolve, reject) => {
    slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    // Keep the process alive while a job is out (scripts awaiting a PDF), not when idle.
    slot.worker.ref();
    slot.worker.postMessage({ id, op, args } satisfies JobRequest);
  });
}

/** Starts the workers ahead of the first job (server start), so no request pays for the bundling. */
export function warmWorkers(): void {
  void workerScript()
    .then((script) => {
      while (slots.length < MAX_WORKERS) startSlot(script);
    })
    .catch((e: Error) => log.error('worker.cpu.build-failed', { message: e.message }));
}

/** Stops the workers (tests, shutdown); the next job starts them again. */
export async function stopWorkers(): Promise<void> {
  affinity.clear();
  await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
}
