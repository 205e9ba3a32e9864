#!/usr/bin/env node
// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes the schema as
// committed at HEAD to HEAD plus the working-tree versions of the given schema files.
//   node scripts/new-migration.js bidding prisma/schema/bidding.prisma
// Several people can add models at once: each diffs only their own files against HEAD, so one
// migration never carries someone else's uncommitted tables. Commit the schema file and its
// migration together.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [name, ...files] = process.argv.slice(2);
if (!name || !/^[a-z0-9_]+$/.test(name) || files.length === 0) {
  console.error('usage: node scripts/new-migration.js <name: a-z0-9_> <prisma/schema/file.prisma>...');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ggzy-migration-'));
const from = path.join(tmp, 'from');
const to = path.join(tmp, 'to');
fs.mkdirSync(from);
fs.mkdirSync(to);
const headFiles = execFileSync('git', ['ls-tree', '--name-only', 'HEAD', 'prisma/schema/'], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.prisma'));
for (const f of headFiles) {
  const text = execFileSync('git', ['show', `HEAD:${f}`], { encoding: 'utf8' });
  fs.writeFileSync(path.join(from, path.basename(f)), text);
  fs.writeFileSync(path.join(to, path.basename(f)), text);
}
for (const f of files) {
  if (!fs.existsSync(f)) {
    console.error(`no such file: ${f}`);
    process.exit(2);
  }
  fs.copyFileSync(f, path.join(to, path.basename(f)));
}
const sql = execFileSync(
  path.resolve('node_modules/.bin/prisma'),
  ['migrate', 'diff', '--from-schema-datamodel', from, '--to-schema-datamodel', to, '--script'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
fs.rmSync(tmp, { recursive: true, force: true });
if (!/CREATE|ALTER|DROP/.test(sql)) {
  console.error('No schema change found between HEAD and the given files.');
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join('prisma', 'migrations', `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/m, ''));
console.log(`wrote ${dir}/migration.sql`);
