/**
 * Supermarket browse/search benchmark on PostgreSQL, with 20,000 agencies, ~100,000 listings,
 * 50,000 orders and 200,000 evaluations (`npm run bench:seed` first):
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ggzy_bench_market npm run bench -- market [--seconds 8] [--concurrency 8]
 *
 * 1. the browse/search loader (app/routes/market._index.tsx) called in-process, per query shape;
 * 2. the same pages over HTTP against the production server (child process, `scripts/start.js`),
 *    next to a static asset and the health route measured in the same run.
 * Prints p50/p95/p99 and requests/s and ratios to the static route; asserts nothing (target p95 < 50 ms).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: number): number {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

function pct(sorted: number[], p: number) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Stats {
  name: string;
  n: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

function summarize(name: string, lat: number[], ms: number, errors = 0): Stats {
  const s = [...lat].sort((a, b) => a - b);
  return { name, n: s.length, rps: (s.length / ms) * 1000, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), errors };
}

function table(rows: Stats[], baseline?: Stats) {
  const f = (x: number) => x.toFixed(1).padStart(8);
  console.log(`  ${'scenario'.padEnd(44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)}${baseline ? '  p95 vs static' : ''}`);
  for (const r of rows) {
    const ratio = baseline ? `  ${(r.p95 / baseline.p95).toFixed(1).padStart(6)}×` : '';
    const err = r.errors ? `  (${r.errors} errors)` : '';
    console.log(`  ${r.name.padEnd(44)} ${f(r.rps)} ${f(r.p50)} ${f(r.p95)} ${f(r.p99)}${ratio}${err}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Closed-loop load: `concurrency` workers, each sending the next request when the last answered. */
async function load(port: number, pathQuery: string, seconds: number, concurrency: number): Promise<{ lat: number[]; ms: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path: pathQuery, agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
    });
  const warmUntil = performance.now() + 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < warmUntil) await get().catch(() => {});
  }));
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        try {
          lat.push(await get());
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  return { lat, ms: performance.now() - t0, errors };
}

export async function run(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log('skipped: set DATABASE_URL to a PostgreSQL database seeded with `npm run bench:seed`');
    return;
  }
  const seconds = arg('seconds', 8);
  const concurrency = arg('concurrency', 8);
  process.env.LOG_LEVEL = 'warn';
  const { openDatabase } = await import('../app/db/db.server.js');
  const { setDatabase } = await import('../app/db/index.server.js');
  const db = await openDatabase({ url });
  setDatabase(db);
  const [{ n }] = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM "AgencyProfile"`);
  const counts = await db.sql.query<{ t: string; n: string }>(`
    SELECT 'listings' t, count(*)::text n FROM "Listing" UNION ALL SELECT 'orders', count(*)::text FROM "ServiceOrder"
    UNION ALL SELECT 'evaluations', count(*)::text FROM "Evaluation"`);
  if (Number(n) < 20_000) {
    console.log(`only ${n} agencies in the database: run \`npm run bench:seed\` with the same DATABASE_URL first`);
    await db.close();
    return;
  }
  console.log(`data: ${n} agencies, ${counts.map((c) => `${c.n} ${c.t}`).join(', ')}`);
  const cats = await db.sql.query<{ id: string; name: string }>(`SELECT id, name FROM "ServiceCategory" ORDER BY sort`);
  const cat = (name: string) => cats.find((c) => c.name === name)!.id;
  const scenarios: [string, string][] = [
    ['all, by credit (page 1)', '/market'],
    ['category 造价咨询', `/market?category=${cat('造价咨询')}`],
    ['category 测绘 + grade ≥ AA, by rating', `/market?category=${cat('测绘')}&grade=AA&sort=rating`],
    ['region + level ≥ 乙级', `/market?region=${encodeURIComponent('江城市高新区')}&level=${encodeURIComponent('乙级')}`],
    ['by completed orders, page 40', '/market?sort=orders&page=40'],
    ['newest, category 工程咨询, page 10', `/market?category=${cat('工程咨询')}&sort=newest&page=10`],
    ['keyword 楚天 (free text)', `/market?q=${encodeURIComponent('楚天')}`],
  ];

  // 1. The loader itself, in-process (no HTTP, no rendering).
  const route = await import('../app/routes/market._index.js');
  console.log(`\n1) browse/search loader in-process (${Math.min(200, seconds * 25)} calls per query shape)`);
  const inproc: Stats[] = [];
  for (const [name, q] of scenarios) {
    const call = () => route.loader({ request: new Request(`http://localhost${q}`), params: {}, context: {} });
    for (let i = 0; i < 10; i++) await call();
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < Math.min(200, seconds * 25); i++) {
      const t = performance.now();
      await call();
      lat.push(performance.now() - t);
    }
    inproc.push(summarize(name, lat, performance.now() - t0));
  }
  table(inproc);
  await db.close();

  // 2. Over HTTP against the production server.
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: url,
      DEMO_MODE: 'false',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      TZ: 'Asia/Shanghai',
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  try {
    for (let i = 0; ; i++) {
      const ok = await new Promise<boolean>((r) => http.get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)));
      if (ok) break;
      if (i > 300 || child.exitCode !== null) throw new Error('the server did not start (see the output above)');
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`\n2) over HTTP, production server, ${concurrency} concurrent clients, ${seconds} s per scenario`);
    const stat = await load(port, '/styles/app.css', seconds, concurrency);
    const staticStats = summarize('static /styles/app.css', stat.lat, stat.ms, stat.errors);
    const rows: Stats[] = [staticStats];
    const h = await load(port, '/healthz', seconds, concurrency);
    rows.push(summarize('/healthz (Remix resource route)', h.lat, h.ms, h.errors));
    for (const [name, q] of scenarios) {
      const r = await load(port, q, seconds, concurrency);
      rows.push(summarize(`GET ${name}`, r.lat, r.ms, r.errors));
    }
    table(rows, staticStats);
    const browse = rows.slice(2);
    const worst = browse.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    console.log(`\n  worst browse p95 ${worst.p95.toFixed(1)} ms (${worst.name}); target < 50 ms`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
