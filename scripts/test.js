#!/usr/bin/env node
// `npm test`: every test. vitest (unit + integration; PGlite, or the PostgreSQL server named by
// DATABASE_URL), then a production build and the Playwright suites in Debian's Chromium.
// `npm test -- --unit` or `--e2e` runs one half.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

process.env.TZ = 'Asia/Shanghai';
const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all';
const bin = (name) => path.resolve('node_modules/.bin', name);

function run(label, cmd, cmdArgs, env = {}) {
  console.log(`\n=== ${label} ===`);
  const t0 = Date.now();
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`);
  return r.status === 0;
}

const results = [];
// Arguments other than the mode flags and spec files go to vitest (paths, --exclude …).
const vitestArgs = args.filter((a) => !['--unit', '--e2e'].includes(a) && !a.endsWith('.spec.ts'));
if (only !== 'e2e') results.push(['vitest', run('vitest (unit + integration)', bin('vitest'), ['run', ...vitestArgs])]);
if (only !== 'unit') {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) {
    console.error(`Chromium not found at ${chromium}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    results.push(['playwright', false]);
  } else {
    const built =
      run('web workers', process.execPath, [path.resolve('scripts/build-workers.js')]) &&
      run('remix build', process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'build'], { NODE_ENV: 'production' });
    results.push(['build', built]);
    if (built) {
      const filter = args.filter((a) => a.endsWith('.spec.ts'));
      for (const [name, ok] of await runE2eSuites(filter)) results.push([name, ok]);
    }
  }
}
/**
 * Each spec file gets its own copy of one freshly seeded data folder and its own server: specs
 * move the demo clock (deadlines, overtime) and must not see each other's time or data. Seeding
 * once and copying the folder keeps that cheap.
 */
async function runE2eSuites(filter) {
  const specs = fs
    .readdirSync('test/e2e')
    .filter((f) => f.endsWith('.spec.ts'))
    .filter((f) => filter.length === 0 || filter.some((x) => x.endsWith(f)))
    .sort();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ggzy-e2e-'));
  const template = path.join(root, 'template');
  const port = process.env.E2E_PORT ? Number(process.env.E2E_PORT) : await freePort();
  if (!(await portIsFree(port))) {
    console.error(`Port ${port} is in use (another server?): stop it or set E2E_PORT to a free port.`);
    return [['e2e port', false]];
  }
  console.log('\n=== seeding the e2e template data folder ===');
  const t0 = Date.now();
  if (!(await seedTemplate(template, port))) return [['e2e seed', false]];
  console.log(`=== seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`);
  const out = [];
  for (const spec of specs) {
    const dir = path.join(root, spec.replace(/\.spec\.ts$/, ''));
    fs.cpSync(template, dir, { recursive: true });
    out.push([`e2e ${spec}`, run(`playwright ${spec}`, bin('playwright'), ['test', path.join('test/e2e', spec)], { E2E_DATA_DIR: dir, E2E_PORT: String(port) })]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.rmSync(root, { recursive: true, force: true });
  return out;
}

/** Starts the app once on an empty folder (migrate + demo seed), then stops it cleanly. */
async function seedTemplate(dir, port) {
  const child = spawn(process.execPath, ['scripts/start.js'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DATA_DIR: dir, PORT: String(port), DATABASE_URL: '', DEMO_MODE: 'true', LOG_LEVEL: 'warn' },
  });
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 600_000;
  let healthy = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) {
        healthy = true;
        break;
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const ours = healthy && child.exitCode === null;
  child.kill('SIGTERM');
  await exited;
  if (!ours) console.error('The app did not become healthy while seeding the e2e template.');
  return ours && fs.existsSync(dir);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

const failed = results.filter(([, ok]) => !ok).map(([n]) => n);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed${failed.length ? ` (${failed.join(', ')})` : ''}`);
process.exit(failed.length ? 1 : 0);
