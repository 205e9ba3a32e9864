#!/usr/bin/env node
// Bundles the browser Web Workers (crypto/seal.worker.ts: sealing a bid off the main thread) into
// public/workers/, served as static files at /workers/*.js. Run by `npm start` (buildIfNeeded) and
// `npm test` before the e2e suites; the output is generated, not committed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'public/workers');
const WORKERS = { 'seal.worker': 'crypto/seal.worker.ts' };

export function workersUpToDate() {
  const newestSource = Math.max(...fs.readdirSync(path.join(ROOT, 'crypto')).map((f) => fs.statSync(path.join(ROOT, 'crypto', f)).mtimeMs));
  return Object.keys(WORKERS).every((name) => {
    const out = path.join(OUT, `${name}.js`);
    return fs.existsSync(out) && fs.statSync(out).mtimeMs >= newestSource;
  });
}

export async function buildWorkers() {
  fs.mkdirSync(OUT, { recursive: true });
  // Write to a temporary directory and rename, so a concurrent server never serves half a file.
  const tmp = fs.mkdtempSync(path.join(OUT, '.tmp-'));
  try {
    await build({
      entryPoints: Object.fromEntries(Object.entries(WORKERS).map(([n, src]) => [n, path.join(ROOT, src)])),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      sourcemap: false,
      outdir: tmp,
      logLevel: 'error',
    });
    for (const name of Object.keys(WORKERS)) fs.renameSync(path.join(tmp, `${name}.js`), path.join(OUT, `${name}.js`));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-needed') && workersUpToDate()) process.exit(0);
  await buildWorkers();
  console.log(`workers built into ${path.relative(process.cwd(), OUT) || OUT}`);
}
