#!/usr/bin/env node
// `npm start`: build if the sources changed, apply migrations, seed demo data on an empty
// database, then serve on PORT (default 3000). `--dev` rebuilds on change.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import v8 from 'node:v8';
import path from 'node:path';
import { loadBuild, serve } from './server.js';

process.env.TZ ??= 'Asia/Shanghai';
// WebAssembly (the embedded PostgreSQL, Prisma's query compiler) is compiled by V8's baseline
// compiler only. Its optimizing tier kept ~50 MB more resident for no measurable gain on this
// workload (20,000 PGlite queries, 3,000 Prisma queries: within noise either way);
// docs/decisions/116-receipts-and-upload-memory.md. Set before the app and its WASM load.
if (process.env.GGZY_WASM_OPTIMIZE !== 'true') v8.setFlagsFromString('--liftoff-only');
const dev = process.argv.includes('--dev');
if (dev) process.env.NODE_ENV ??= 'development';
else process.env.NODE_ENV ??= 'production';

const SOURCES = ['app', 'crypto', 'prisma', 'remix.config.js', 'package-lock.json'];

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    max = Math.max(max, newestMtime(path.join(p, e)));
  }
  return max;
}

function buildIfNeeded() {
  // The Web Workers (bid sealing) are bundled separately into public/workers/.
  const workers = spawnSync(process.execPath, [path.resolve('scripts/build-workers.js'), '--if-needed'], { stdio: 'inherit' });
  if (workers.status !== 0) {
    console.error('Web Worker 构建失败 (worker build failed)');
    process.exit(workers.status ?? 1);
  }
  const out = path.resolve(process.env.BUILD_DIR || 'build', 'index.js');
  const built = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
  if (built && built >= Math.max(...SOURCES.map(newestMtime))) return;
  console.log('正在构建前端与服务端代码（Building the app）…');
  const r = spawnSync(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) {
    console.error('构建失败 (build failed)');
    process.exit(r.status ?? 1);
  }
}

async function main() {
  buildIfNeeded();
  if (dev) {
    // Rebuild on change; the process restarts itself through node --watch on the build output.
    spawn(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'watch'], { stdio: 'inherit' });
  }
  const build = await loadBuild();
  const mod = build.entry.module;
  let envConfig;
  try {
    envConfig = mod.validateEnv();
  } catch (e) {
    console.error(String(e.message ?? e));
    process.exit(1);
  }
  const info = await mod.startup();
  if (info.seeded) {
    console.log('\n已生成演示数据 (demo data seeded). 演示账号 / demo accounts (password: ' + info.seeded.password + '):');
    for (const a of info.seeded.accounts) console.log(`  ${a.username.padEnd(12)} ${a.role.padEnd(11)} ${a.organization ?? ''}`);
    console.log('');
  }
  const { server } = await serve({
    build,
    port: envConfig.PORT,
    host: envConfig.HOST,
    bodyLimitBytes: envConfig.BODY_LIMIT_BYTES,
    trustProxy: envConfig.TRUST_PROXY,
    onClose: () => mod.shutdown(),
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : envConfig.PORT;
  console.log(JSON.stringify({ t: new Date().toISOString(), level: 'info', msg: 'server.listening', url: `http://localhost:${port}`, database: info.database, dataDir: info.dataDir }));
  console.log(`江城市公共资源交易平台已启动: http://localhost:${port}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
