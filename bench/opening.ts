/**
 * Opening benchmark (`npm run bench -- opening [--viewers 1000] [--events 40] [--bids 200] [--mb 5]`):
 *
 * (a) live room delivery: 1,000 SSE viewers split across two app instances (`node scripts/start.js`
 *     twice, different ports, one PostgreSQL database), events published as real opening steps
 *     (transaction + audit entry + event row + NOTIFY); delivery latency from just before the step
 *     to the viewer's receipt, p50/p99, next to a bare node:http SSE broadcast server serving the
 *     same number of viewers in the same run. Target p99 < 250 ms.
 * (b) decrypting and verifying 200 sealed bids of 5 MB (crypto/seal.ts openBid with the opening
 *     key: AES-256-GCM, CMS signature and certificate checks, file digests) on a worker_threads pool
 *     of one worker per core, next to OpenSSL doing the same work on its own envelopes and
 *     signatures (`openssl cms -decrypt` + `openssl cms -verify`), one process per core at a time.
 *
 * PostgreSQL: DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/ggzy_bench_opening (created
 * and emptied here). Prints numbers and ratios; asserts nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const OPENSSL = '/usr/bin/openssl';
const BIND = { tenderId: 'BENCH-T', sectionId: 'BENCH-S', bidderId: 'BENCH-B' };

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const nowMs = () => performance.timeOrigin + performance.now();

function pct(sorted: number[], p: number) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port: number, child: ChildProcess, pathName = '/healthz') {
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((r) => http.get({ host: '127.0.0.1', port, path: pathName }, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)));
    if (ok) return;
    if (i > 600 || child.exitCode !== null) throw new Error('a server did not start (see the output above)');
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---------------------------------------------------------------------------------------------
// (a) SSE viewers

interface Viewers {
  /** latency samples per event seq */
  lat: number[];
  received: Map<number, number>;
  close(): void;
  connected: Promise<void>;
}

/** `n` EventSource-like clients (raw node:http, no per-client timers); `stamp` reads t0 from a frame's JSON. */
function connectViewers(targets: { port: number; path: string }[], n: number, stamp: (data: unknown) => { seq: number; t0: number } | null): Viewers {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const lat: number[] = [];
  const received = new Map<number, number>();
  const reqs: http.ClientRequest[] = [];
  let open = 0;
  let resolveAll: () => void;
  const connected = new Promise<void>((r) => (resolveAll = r));
  for (let i = 0; i < n; i++) {
    const t = targets[i % targets.length];
    const req = http.get({ host: '127.0.0.1', port: t.port, path: t.path, agent, headers: { Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) throw new Error(`viewer got ${res.statusCode} from :${t.port}${t.path}`);
      if (++open === n) resolveAll();
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, k);
          buf = buf.slice(k + 2);
          const line = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!line || frame.startsWith('event: hello')) continue;
          const s = stamp(JSON.parse(line.slice(6)));
          if (!s) continue;
          lat.push(nowMs() - s.t0);
          received.set(s.seq, (received.get(s.seq) ?? 0) + 1);
        }
      });
    });
    req.on('error', () => {});
    reqs.push(req);
  }
  return { lat, received, connected, close: () => { for (const r of reqs) r.destroy(); agent.destroy(); } };
}

async function waitDelivered(v: Viewers, seqs: number[], n: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (seqs.every((s) => (v.received.get(s) ?? 0) >= n)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function report(label: string, v: Viewers, expected: number) {
  const s = [...v.lat].sort((a, b) => a - b);
  const lost = expected - s.length;
  console.log(`  ${label.padEnd(58)} p50 ${pct(s, 50).toFixed(1).padStart(7)} ms   p99 ${pct(s, 99).toFixed(1).padStart(7)} ms   max ${s.at(-1)?.toFixed(1).padStart(7)} ms   ${s.length} deliveries${lost ? `, ${lost} MISSING` : ''}`);
  return { p50: pct(s, 50), p99: pct(s, 99) };
}

const BASELINE_SERVER = `
const http = require('node:http');
const clients = new Set();
let seq = 0;
http.createServer((req, res) => {
  if (req.url.startsWith('/events')) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write('retry: 2000\\n\\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if (req.url.startsWith('/publish')) {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const frame = 'id: ' + ++seq + '\\ndata: ' + JSON.stringify({ seq, data: JSON.parse(body) }) + '\\n\\n';
      for (const c of clients) c.write(frame);
      res.end(String(clients.size));
    });
    return;
  }
  res.end('ok');
}).listen(Number(process.argv[1]), '127.0.0.1');
`;

async function ensureDatabase(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const url = 'postgresql://postgres@127.0.0.1:5432/ggzy_bench_opening';
  const drop = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-c', 'DROP DATABASE IF EXISTS ggzy_bench_opening WITH (FORCE)'], { encoding: 'utf8' });
  const create = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-c', 'CREATE DATABASE ggzy_bench_opening'], { encoding: 'utf8' });
  if (drop.status !== 0 || create.status !== 0) throw new Error(`cannot create the bench database (set DATABASE_URL): ${drop.stderr}${create.stderr}`);
  return url;
}

async function sseBench(viewers: number, events: number) {
  const url = await ensureDatabase();
  console.log(`(a) live room: ${viewers} SSE viewers, ${events} events ~150 ms apart, PostgreSQL ${url.replace(/\/\/[^@]*@/, '//')}`);
  const instances: { port: number; child: ChildProcess }[] = [];
  const startInstance = async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATABASE_URL: url, DEMO_MODE: 'false', NODE_ENV: 'production', LOG_LEVEL: 'warn', TZ: 'Asia/Shanghai', SESSION_SECRET: crypto.randomBytes(32).toString('hex') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.resume();
    instances.push({ port, child });
    await waitHealthy(port, child);
    return port;
  };
  const baselinePort = await freePort();
  const baseline = spawn(process.execPath, ['-e', BASELINE_SERVER, String(baselinePort)], { stdio: 'inherit' });
  try {
    // one after the other: the first applies the migrations
    await startInstance();
    await startInstance();
    process.env.LOG_LEVEL = 'warn';
    const { openDatabase } = await import('../app/db/db.server.js');
    const { setDatabase } = await import('../app/db/index.server.js');
    const db = await openDatabase({ url });
    setDatabase(db);
    const { runStep } = await import('../app/modules/opening/steps.server.js');
    const { SYSTEM_ACTOR } = await import('../app/modules/audit/audit.server.js');
    const t = new Date();
    const opening = await db.prisma.opening.create({
      data: { tenderId: `bench-${crypto.randomUUID()}`, state: 'checkin', hostUserId: 'bench', hostOrgId: 'bench', publicWatch: true, createdAt: t, updatedAt: t },
    });
    const publish = (i: number) => runStep(opening.id, SYSTEM_ACTOR, async () => ({ action: 'opening.bench', payload: { i, t0: nowMs() } }));
    await publish(0); // warm-up step (the viewers start after it)

    // ours: half of the viewers on each instance, anonymous public viewers of a public room
    const ours = connectViewers(
      instances.map((x) => ({ port: x.port, path: `/api/opening/${opening.id}/events?lastEventId=1` })),
      viewers,
      (d) => {
        const e = d as { seq: number; data: { t0?: number } };
        return typeof e.data?.t0 === 'number' ? { seq: e.seq, t0: e.data.t0 } : null;
      },
    );
    await ours.connected;
    await new Promise((r) => setTimeout(r, 1000));
    const seqs: number[] = [];
    for (let i = 1; i <= events; i++) {
      const ev = await publish(i);
      seqs.push(ev!.seq);
      await new Promise((r) => setTimeout(r, 150));
    }
    const oursDone = await waitDelivered(ours, seqs, viewers, 15_000);
    ours.close();

    // baseline: a bare node:http SSE broadcast server, same viewers, same rhythm
    await waitHealthy(baselinePort, baseline, '/');
    const base = connectViewers([{ port: baselinePort, path: '/events' }], viewers, (d) => {
      const e = d as { seq: number; data: { t0: number } };
      return { seq: e.seq, t0: e.data.t0 };
    });
    await base.connected;
    await new Promise((r) => setTimeout(r, 1000));
    const bseqs: number[] = [];
    for (let i = 1; i <= events; i++) {
      const body = JSON.stringify({ i, t0: nowMs() });
      await new Promise<void>((r) => {
        const req = http.request({ host: '127.0.0.1', port: baselinePort, path: '/publish', method: 'POST' }, (res) => { res.resume(); res.on('end', () => r()); });
        req.end(body);
      });
      bseqs.push(i);
      await new Promise((r) => setTimeout(r, 150));
    }
    const baseDone = await waitDelivered(base, bseqs, viewers, 15_000);
    base.close();

    const b = report(`baseline: bare node:http SSE broadcast, 1 process`, base, viewers * events);
    const o = report(`ours: opening step → LISTEN/NOTIFY → SSE, 2 instances`, ours, viewers * events);
    if (!oursDone || !baseDone) console.log('  (some deliveries did not arrive within 15 s)');
    console.log(`  ratio ours/baseline: p50 ×${(o.p50 / b.p50).toFixed(1)}, p99 ×${(o.p99 / b.p99).toFixed(1)}; target p99 < 250 ms: ${o.p99 < 250 ? 'met' : 'NOT met'} (${o.p99.toFixed(0)} ms)`);
    await db.close();
  } finally {
    baseline.kill('SIGTERM');
    for (const x of instances) x.child.kill('SIGTERM');
    await Promise.all(instances.map((x) => (x.child.exitCode !== null ? null : new Promise((r) => x.child.once('exit', r)))));
  }
}

// ---------------------------------------------------------------------------------------------
// (b) decrypt + verify

interface PkiFiles {
  dir: string;
}

/** Worker side: seal (prepare) or open (measure) the bids it is given. */
async function workerMain() {
  const { op, dir, files } = workerData as { op: 'seal' | 'open'; dir: string; files: string[] };
  const { importPrivateKeyPem, pemToDer } = await import('../crypto/pki.js');
  const { sealBid, openBid } = await import('../crypto/seal.js');
  const pem = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  if (op === 'seal') {
    const signerKey = await importPrivateKeyPem(pem('bidder.key'), 'sign');
    const plain = fs.readFileSync(path.join(dir, 'bid.bin'));
    for (const f of files) {
      const sealed = await sealBid({ ...BIND, form: { price: 1 }, files: [{ name: 'bid.bin', bytes: new Uint8Array(plain.buffer, plain.byteOffset, plain.length) }], signerCert: pemToDer(pem('bidder.pem')), signerKey, recipients: [pemToDer(pem('opening.pem'))] });
      fs.writeFileSync(f, sealed.envelope);
    }
  } else {
    const recipientKey = await importPrivateKeyPem(pem('opening.key'), 'decrypt', { alg: 'RSA-OAEP' });
    const recipientCert = pemToDer(pem('opening.pem'));
    const trustAnchors = [pemToDer(pem('ca.pem'))];
    // a warm worker, like a running server: the clock starts once every worker is ready
    await new Promise<void>((resolve) => {
      parentPort!.once('message', () => resolve());
      parentPort!.postMessage({ ready: true });
    });
    let bytes = 0;
    for (const f of files) {
      const b = fs.readFileSync(f);
      const bid = await openBid({ envelope: new Uint8Array(b.buffer, b.byteOffset, b.length), recipientCert, recipientKey, trustAnchors, expect: BIND });
      bytes += bid.files[0].bytes.length;
    }
    parentPort!.postMessage({ bytes });
    return;
  }
  parentPort!.postMessage({ bytes: 0 });
}

/** Runs `op` on one worker per part; for 'open', returns the bytes and the ms from "go" to the last result. */
async function pool(op: 'seal' | 'open', dir: string, files: string[], workers: number): Promise<{ bytes: number; ms: number }> {
  const parts = Array.from({ length: workers }, (_, w) => files.filter((_, i) => i % workers === w));
  let ready = 0;
  let t0 = performance.now();
  const started: Worker[] = [];
  const results = await Promise.all(
    parts.map(
      (part) =>
        new Promise<number>((resolve, reject) => {
          // the worker loads this very file through tsx (Node 20 workers take no --import flag)
          const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
          const w = new Worker(boot, { eval: true, workerData: { op, dir, files: part } });
          started.push(w);
          w.on('message', (m: { bytes?: number; ready?: boolean }) => {
            if (m.ready) {
              if (++ready === parts.length) {
                t0 = performance.now();
                for (const x of started) x.postMessage('go');
              }
            } else resolve(m.bytes ?? 0);
          });
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`worker exit ${code}`)));
        }),
    ),
  );
  return { bytes: results.reduce((a, b) => a + b, 0), ms: performance.now() - t0 };
}

function execAsync(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')}: ${err}`))));
  });
}

/** Runs `jobs` with at most `n` at a time. */
async function limit<T>(n: number, jobs: (() => Promise<T>)[]) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) await jobs[next++]();
  }));
}

async function decryptBench(count: number, mb: number) {
  const cores = os.availableParallelism();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-opening-'));
  try {
    const { makeTestPki } = await import('../crypto/seal-test-pki.js');
    const pki = await makeTestPki();
    for (const [name, p] of [['bidder', pki.bidder], ['opening', pki.opening]] as const) {
      fs.writeFileSync(path.join(dir, `${name}.pem`), p.certPem);
      fs.writeFileSync(path.join(dir, `${name}.key`), p.keyPem);
    }
    fs.writeFileSync(path.join(dir, 'ca.pem'), pki.ca.certPem);
    const size = Math.round(mb * 1024 * 1024);
    fs.writeFileSync(path.join(dir, 'bid.bin'), crypto.randomBytes(size));
    const MB = (count * size) / 1e6;
    console.log(`\n(b) decrypt + verify ${count} bids of ${mb} MB (${MB.toFixed(0)} MB), ${cores} cores, RSA-2048 opening key, AES-256-GCM, ${spawnSync(OPENSSL, ['version']).stdout?.toString().trim()}`);

    // preparation (not measured): our sealed envelopes, OpenSSL's envelopes and detached signatures
    const ours = Array.from({ length: count }, (_, i) => path.join(dir, `ours-${i}.p7m`));
    await pool('seal', dir, ours, cores);
    const p = (f: string) => path.join(dir, f);
    const oaep = ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha256'];
    await execAsync(OPENSSL, ['cms', '-sign', '-binary', '-md', 'sha256', '-in', p('bid.bin'), '-signer', p('bidder.pem'), '-inkey', p('bidder.key'), '-outform', 'DER', '-out', p('ossl.p7s')]);
    await limit(cores, Array.from({ length: count }, (_, i) => () => execAsync(OPENSSL, ['cms', '-encrypt', '-binary', '-aes-256-gcm', '-in', p('bid.bin'), '-recip', p('opening.pem'), ...oaep, '-outform', 'DER', '-out', p(`ossl-${i}.p7m`)])));

    // measured: ours on warm worker threads, one per core (module loading and key import excluded,
    // as in a running server; OpenSSL's process start is part of its work as a CLI)
    const { bytes: opened, ms } = await pool('open', dir, ours, cores);
    const oursS = ms / 1000;
    if (opened !== count * size) throw new Error(`opened ${opened} bytes, expected ${count * size}`);

    // measured: OpenSSL, one decrypt+verify pipeline per core at a time
    const t1 = performance.now();
    await limit(
      cores,
      Array.from({ length: count }, (_, i) => async () => {
        const out = p(`ossl-${i}.out`);
        await execAsync(OPENSSL, ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', p(`ossl-${i}.p7m`), '-recip', p('opening.pem'), '-inkey', p('opening.key'), '-out', out]);
        await execAsync(OPENSSL, ['cms', '-verify', '-binary', '-inform', 'DER', '-in', p('ossl.p7s'), '-content', out, '-CAfile', p('ca.pem'), '-purpose', 'any', '-out', '/dev/null']);
        fs.rmSync(out);
      }),
    );
    const osslS = (performance.now() - t1) / 1000;
    const row = (label: string, s: number) => console.log(`  ${label.padEnd(58)} ${s.toFixed(2).padStart(7)} s ${(MB / s).toFixed(0).padStart(6)} MB/s  ${(s / count * 1000).toFixed(0).padStart(5)} ms/bid`);
    row(`OpenSSL cms -decrypt + cms -verify, ${cores} processes`, osslS);
    row(`ours openBid (decrypt, verify, digests), ${cores} worker threads`, oursS);
    console.log(`  ratio ours/OpenSSL throughput: ×${(osslS / oursS).toFixed(2)} (target ≥ 1×)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const viewers = arg('viewers', 1000);
  const events = arg('events', 40);
  const bids = arg('bids', 200);
  const mb = arg('mb', 5);
  if (!process.argv.includes('--no-sse')) await sseBench(viewers, events);
  if (!process.argv.includes('--no-decrypt')) await decryptBench(bids, mb);
}

if (!isMainThread) void workerMain();
else if (process.argv[1] && path.resolve(process.argv[1]) === SELF) run().catch((e) => { console.error(e); process.exitCode = 1; });
