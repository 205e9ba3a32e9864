/**
 * Sealed-bid upload benchmark: `npm run bench -- upload [--uploads 100] [--mb 20] [--rounds 3]`.
 *
 * 1. Setup in this process on a fresh PGlite data folder: a published tender (real key ceremony),
 *    N/2 bidders with real certificates, N sealed bids of M MB (2 sections each), sealed with
 *    crypto/seal.ts and written to temporary files (never all in memory).
 * 2. The production server (`scripts/start.js`, child process) receives all N uploads at once over
 *    the real protocol: start → 8 MB chunks → complete (inspection, TSA, store, receipt).
 * 3. Baseline in the same run: a bare node:http server (child process) that appends the same
 *    chunks of the same files to disk, with the same concurrency.
 * 4. Steps 2 and 3 alternate for --rounds rounds; later rounds re-submit the same bids (replacements).
 *    --waves N: each server first takes N − 1 untimed waves of the same uploads (steady state).
 *    Each round's uploads come from a fresh load-generator process (bench/lib/upload-client.ts), the
 *    same for app and baseline, and every round starts with the page cache's dirty pages written out.
 * Prints throughput, wall time, the server's peak RSS (VmHWM) and the CPU time of server and load
 * generator for both per round, and the ratio of the medians. Asserts
 * nothing (targets: ≥ 0.5× the baseline, RSS < 400 MB). Also used by the crash test
 * (test/integration/bidding.fault.test.ts). With DATABASE_URL set the app runs on a fresh database
 * on that PostgreSQL server instead of PGlite (see benchDatabase).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHUNK, runLoad, type PreparedBid, type UploadOutcome } from './lib/upload-client';

export { continueUpload, uploadBid, type PreparedBid, type UploadOutcome } from './lib/upload-client';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: number): number {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * Creates the data folder with a published tender and `count` sealed bids on disk. Runs the app's
 * own modules in this process, then closes the database so the server can open it.
 */
export async function prepare(opts: { dataDir: string; count: number; bytes: number; deadlineMs?: number; databaseUrl?: string }): Promise<PreparedBid[]> {
  process.env.DATA_DIR = opts.dataDir;
  process.env.DATABASE_URL = opts.databaseUrl ?? '';
  process.env.TZ = 'Asia/Shanghai';
  const { resetEnvCache } = await import('~/env.server');
  resetEnvCache();
  const { getDatabase, closeDatabase } = await import('~/db/index.server');
  const { migrate } = await import('~/db/migrate.server');
  const { hashPassword } = await import('~/modules/auth/password.server');
  const { withCheckChar } = await import('~/modules/auth/credit-code');
  const { createSession } = await import('~/modules/auth/session.server');
  const { now } = await import('~/modules/clock/clock.server');
  const { enrollLocally } = await import('~/modules/pki/local-enroll.server');
  const { runOpeningKeyCeremony } = await import('~/modules/bidding/ceremony');
  const { obtainDocuments, uploadTenderDocument } = await import('~/modules/bidding/documents.server');
  const { certifyOpeningKey, createTender, publishTender } = await import('~/modules/bidding/tenders.server');
  const { DAY_MS, toBeijingLocal } = await import('~/modules/bidding/types');
  const { sealBid } = await import('../crypto/seal');
  const { pemToDer } = await import('../crypto/pki');
  const { toBase64 } = await import('../crypto/hash');

  const db = await getDatabase();
  await migrate(db);
  const prisma = db.prisma;
  const passwordHash = await hashPassword('Bench2026pass');
  let n = 0;
  async function user(role: string) {
    n++;
    const staff = role === 'supervisor';
    const org = staff
      ? null
      : await prisma.organization.create({ data: { name: `基准测试单位${n}`, creditCode: withCheckChar(`91420100MA4B${String(n).padStart(5, '0')}`), roles: [role], createdAt: now() } });
    return prisma.user.create({ data: { username: `bench${n}`, displayName: `基准用户${n}`, role, passwordHash, organizationId: org?.id, createdAt: now() } });
  }
  const actor = (u: { id: string; displayName: string; organizationId: string | null; role: string }) => ({ userId: u.id, name: u.displayName, orgId: u.organizationId, role: u.role, ip: '127.0.0.1', userAgent: 'bench' });
  const agent = await user('tenderer');
  const sups = [await user('supervisor'), await user('supervisor')];
  const holders = [];
  for (const u of [agent, ...sups]) holders.push({ userId: u.id, certPem: (await enrollLocally(actor(u), u.id, { rsaBits: 2048 })).certPem });
  const tender = await createTender(actor(agent), agent, {
    code: `BENCH-${Date.now()}`,
    name: '上传基准测试工程',
    tendererName: '基准测试招标人',
    method: 'open',
    summary: '用于测量密文投标文件上传吞吐量的测试项目。',
    bidDeadline: toBeijingLocal(new Date(now().getTime() + 25 * DAY_MS)),
    deposit: '0',
    documentFee: '0',
    sections: [{ name: '第一标段' }, { name: '第二标段' }],
    fields: ['durationDays'],
    customFields: '',
    supervisorIds: sups.map((s) => s.id),
    threshold: 2,
    invitedCreditCodes: '',
  });
  await uploadTenderDocument(actor(agent), agent, tender.id, { name: '招标文件.pdf', mime: 'application/pdf', body: new Blob(['%PDF-1.4 bench']).stream() });
  const ceremony = await runOpeningKeyCeremony({ k: 2, holders, requestCertificate: (spkiB64, keyId) => certifyOpeningKey(actor(agent), agent, tender.id, { spkiB64, keyId }) });
  await publishTender(actor(agent), agent, tender.id, { shares: ceremony.shares });
  if (opts.deadlineMs !== undefined) await prisma.tender.update({ where: { id: tender.id }, data: { bidDeadline: new Date(now().getTime() + opts.deadlineMs) } });
  const full = await prisma.tender.findUniqueOrThrow({ where: { id: tender.id }, include: { sections: { orderBy: { seq: 'asc' } } } });
  const openingCert = pemToDer(full.openingCertPem!);

  const dir = path.join(opts.dataDir, 'bench-envelopes');
  fs.mkdirSync(dir, { recursive: true });
  const content = new Uint8Array(opts.bytes);
  for (let i = 0; i < content.length; i += 65536) crypto.getRandomValues(content.subarray(i, Math.min(i + 65536, content.length)));
  const out: PreparedBid[] = [];
  const bidders = Math.ceil(opts.count / 2);
  for (let b = 0; b < bidders; b++) {
    const u = await user('bidder');
    const e = await enrollLocally(actor(u), u.id, { rsaBits: 2048 });
    await obtainDocuments(actor(u), u, tender.id);
    const cookie = (await createSession(new Request('http://localhost/login', { headers: { 'x-ggzy-client-ip': '127.0.0.1' } }), u.id)).split(';')[0];
    for (const section of full.sections) {
      if (out.length >= opts.count) break;
      content[0] = out.length & 0xff; // every bid distinct
      const sealed = await sealBid({
        tenderId: tender.id,
        sectionId: section.id,
        bidderId: u.organizationId!,
        form: { price: 100_000_00 + out.length, durationDays: 300 },
        files: [{ name: 'bid.zip', bytes: content }],
        signerCert: e.cert,
        signerKey: e.signKey,
        recipients: [openingCert],
      });
      const file = path.join(dir, `${out.length}.p7m`);
      fs.writeFileSync(file, sealed.envelope);
      out.push({ cookie, tenderId: tender.id, sectionId: section.id, submissionB64: toBase64(sealed.submission), file, size: sealed.envelope.length });
    }
  }
  await closeDatabase();
  return out;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  peakRssMb(): number;
  /** CPU time (user + system, all threads) the server used since it answered its health check. */
  cpuSeconds(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function waitFor(url: string, child: ChildProcess, ms: number) {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() - t0 > ms) throw new Error(`server not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function processCpu(pid: number): number {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    // utime + stime in clock ticks, which /proc counts at USER_HZ = 100 on Linux.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

function track(child: ChildProcess, url: string): RunningServer {
  const busy0 = processCpu(child.pid!);
  let busyAtStop: number | undefined;
  let peak = 0;
  const timer = setInterval(() => {
    const v = vmHwmMb(child.pid!);
    if (v > peak) peak = v;
  }, 200);
  timer.unref();
  return {
    url,
    child,
    peakRssMb: () => Math.max(peak, vmHwmMb(child.pid!) || 0),
    cpuSeconds: () => (busyAtStop ?? processCpu(child.pid!)) - busy0,
    async stop(signal = 'SIGTERM') {
      clearInterval(timer);
      busyAtStop ??= processCpu(child.pid!);
      if (child.exitCode !== null || child.signalCode) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await done;
    },
  };
}

/** The production server on `dataDir` (builds into BUILD_DIR first if needed); PGlite unless `databaseUrl`. */
export async function startAppServer(dataDir: string, opts: { log?: string; databaseUrl?: string } = {}): Promise<RunningServer> {
  const port = await freePort();
  const logFd = fs.openSync(opts.log ?? path.join(dataDir, 'server.log'), 'a');
  // BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'scripts/start.js')], {
    cwd: ROOT,
    // MALLOC_ARENA_MAX as `npm start` sets it (package.json; docs/decisions/116).
    env: { MALLOC_ARENA_MAX: '2', ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: opts.databaseUrl ?? '', DEMO_MODE: 'true', TZ: 'Asia/Shanghai', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: `http://localhost:${port}`, BUILD_DIR: process.env.BUILD_DIR ?? 'build-bid' },
    stdio: ['ignore', logFd, logFd],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, child, 300_000);
  return track(child, url);
}

/** A bare node:http server that appends PUT bodies at ?offset= to files: the baseline. */
const BASELINE_SOURCE = `
const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
const dir = process.argv[2]; fs.mkdirSync(dir, { recursive: true });
http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const file = path.join(dir, u.pathname.replace(/[^a-z0-9]/gi, '_'));
  if (req.method === 'PUT') {
    const out = fs.createWriteStream(file, { flags: 'a' });
    req.pipe(out);
    out.on('finish', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ received: fs.statSync(file).size })); });
    return;
  }
  if (req.method === 'POST') { const fd = fs.openSync(file, 'r'); fs.fsyncSync(fd); fs.closeSync(fd); res.end('{}'); return; }
  res.end('ok');
}).listen(Number(process.argv[3]), '127.0.0.1', () => process.send && process.send('up'));
`;

export async function startBaseline(dir: string): Promise<RunningServer> {
  const port = await freePort();
  const script = path.join(os.tmpdir(), `bench-baseline-${process.pid}.cjs`);
  fs.writeFileSync(script, BASELINE_SOURCE);
  const child = spawn(process.execPath, [script, dir, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return track(child, `http://127.0.0.1:${port}`);
}

/**
 * With DATABASE_URL set (a PostgreSQL server), the app runs on a fresh database created on that
 * server for this run and dropped afterwards; otherwise on the embedded PGlite, as `npm start`.
 */
async function benchDatabase(): Promise<{ url?: string; label: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { label: 'PGlite (embedded, in the server process)', drop: async () => {} };
  const pg = (await import('pg')).default;
  const name = `ggzy_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `PostgreSQL server ${url.host} (its memory is not in the app's RSS)`,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Writes every dirty page to disk before a round starts (sync(1)), so that neither server pays for
 * the write-back of what came before it: the 2,000 MB of sealed bids just prepared, or the previous
 * round's files.
 */
function flushDirtyPages() {
  spawnSync('sync', { stdio: 'ignore' });
}

/**
 * The uploads of one round against `server`: `waves` − 1 untimed waves first (`betweenWaves` after
 * each), then the timed one. Stops the server; returns the load generator's result with the
 * server's CPU during the timed wave and its peak RSS over all of them.
 */
async function timedWave(kind: 'app' | 'baseline', server: RunningServer, bids: PreparedBid[], waves: number, betweenWaves?: () => void) {
  for (let w = 1; w < waves; w++) {
    await runLoad(kind, server.url, bids);
    betweenWaves?.();
  }
  if (waves > 1) flushDirtyPages();
  const cpu0 = server.cpuSeconds();
  const load = await runLoad(kind, server.url, bids);
  const peakRss = server.peakRssMb();
  await server.stop();
  return { ...load, serverCpu: server.cpuSeconds() - cpu0, peakRss };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run() {
  const count = arg('uploads', 100);
  const mb = arg('mb', 20);
  // This machine's timings vary by ±30 % from one run to the next (the baseline alone took 4.6 to
  // 7.9 s in one afternoon), so app and baseline alternate for several rounds and the medians are
  // compared. Rounds after the first re-submit the same bids: each becomes a replacement (修改),
  // which is the same work for the server plus one UPDATE.
  const rounds = Math.max(1, arg('rounds', 3));
  // A fresh server per round by default. With --waves N each server first takes N − 1 untimed waves
  // of the same uploads: the timed wave then runs warm (JIT done) and the peak RSS shows the
  // steady state of a server that has been through deadline rushes before.
  const waves = Math.max(1, arg('waves', 1));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-upload-'));
  const database = await benchDatabase();
  try {
    console.log(`preparing ${count} sealed bids of ${mb} MB in ${dataDir} (database: ${database.label}) …`);
    const t0 = performance.now();
    const bids = await prepare({ dataDir, count, bytes: mb * 1024 * 1024, databaseUrl: database.url });
    const total = bids.reduce((n, b) => n + b.size, 0);
    console.log(
      `prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${(total / 1024 / 1024).toFixed(0)} MB of ciphertext, ${CHUNK / 1024 / 1024} MB chunks, ${rounds} round(s)` +
        (waves > 1 ? `, each server timed on its wave ${waves} of ${waves} (peak RSS over all of them)` : ''),
    );

    const mbps = (s: number) => total / 1024 / 1024 / s;
    const appSecs: number[] = [];
    const appRsses: number[] = [];
    const baseSecs: number[] = [];
    const baseRsses: number[] = [];
    let failed: UploadOutcome[] = [];
    console.log('');
    // CPU columns: seconds of CPU (all threads) used during the round by the server and by the load
    // generator; both share this machine's cores, so a round is CPU-bound once their sum nears
    // wall time × cores.
    console.log(`round  app wall s   MB/s  peak RSS MB  receipted  server/client CPU s   baseline wall s   MB/s  peak RSS MB  server/client CPU s`);
    for (let r = 1; r <= rounds; r++) {
      flushDirtyPages();
      const app = await startAppServer(dataDir, { databaseUrl: database.url });
      const { seconds: appSec, results, cpuSeconds: appClientCpu, serverCpu: appCpu, peakRss: appRss } = await timedWave('app', app, bids, waves);
      const receipted = results.filter((x) => x.ok && x.receiptNo).length;
      failed = failed.concat(results.filter((x) => !x.ok));

      const baseDir = path.join(dataDir, `baseline-${r}`);
      flushDirtyPages();
      const base = await startBaseline(baseDir);
      const { seconds: baseSec, results: baseResults, cpuSeconds: baseClientCpu, serverCpu: baseCpu, peakRss: baseRss } = await timedWave('baseline', base, bids, waves, () => {
        // The baseline appends whatever it gets: each wave starts from empty files.
        fs.rmSync(baseDir, { recursive: true, force: true });
        fs.mkdirSync(baseDir);
      });
      fs.rmSync(baseDir, { recursive: true, force: true });
      if (baseResults.some((x) => !x.ok)) throw new Error('the baseline server failed an upload');

      appSecs.push(appSec);
      appRsses.push(appRss);
      baseSecs.push(baseSec);
      baseRsses.push(baseRss);
      console.log(
        `${String(r).padStart(5)} ${appSec.toFixed(1).padStart(11)} ${mbps(appSec).toFixed(0).padStart(6)} ${appRss.toFixed(0).padStart(12)} ${`${receipted}/${count}`.padStart(10)} ${`${appCpu.toFixed(1)} / ${appClientCpu.toFixed(1)}`.padStart(20)}` +
          `   ${baseSec.toFixed(1).padStart(15)} ${mbps(baseSec).toFixed(0).padStart(6)} ${baseRss.toFixed(0).padStart(12)} ${`${baseCpu.toFixed(1)} / ${baseClientCpu.toFixed(1)}`.padStart(20)}`,
      );
    }

    const appSec = median(appSecs);
    const baseSec = median(baseSecs);
    const appRss = Math.max(...appRsses);
    const ratio = baseSec / appSec;
    console.log('');
    console.log(`database: ${database.label}`);
    console.log(`medians over ${rounds} round(s): app ${appSec.toFixed(1)} s (${mbps(appSec).toFixed(0)} MB/s), baseline ${baseSec.toFixed(1)} s (${mbps(baseSec).toFixed(0)} MB/s)`);
    console.log(
      `ratio app/baseline throughput: ${ratio.toFixed(2)}× (target ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'NOT met'}); ` +
        `app peak RSS, highest round: ${appRss.toFixed(0)} MB (target < 400 MB: ${appRss < 400 ? 'met' : 'NOT met'}); ${(appRss / Math.max(...baseRsses)).toFixed(1)}× the baseline's RSS`,
    );
    console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (timings on a busy machine are noisy)`);
    if (failed.length) {
      const kept = path.join(os.tmpdir(), `bench-upload-server-${process.pid}.log`);
      fs.copyFileSync(path.join(dataDir, 'server.log'), kept);
      console.log(`failures: ${failed.length}, first: ${failed[0].status} ${failed[0].error?.slice(0, 200)} (server log: ${kept})`);
    }
  } finally {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
