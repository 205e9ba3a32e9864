// Applies prisma/migrations/*/migration.sql in order, each in its own transaction, and records a
// checksum so an edited migration is noticed. Our own runner because Prisma's `migrate deploy`
// needs its schema engine, which cannot be downloaded here; the SQL files are still produced by
// `prisma migrate diff`, so the schema stays the single source of truth.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database, SqlRunner } from './db.server';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = path.resolve('prisma', 'migrations')): Migration[] {
  if (!fs.existsSync(dir)) throw new Error(`Migrations folder not found: ${dir}`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  return db.withConnection((sql) => migrateOn(sql, migrations));
}

async function migrateOn(sql: SqlRunner, migrations: Migration[]): Promise<string[]> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS "_migrations" (
    name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  // Several app instances may start together: one applies, the others wait for it.
  await sql.query('SELECT pg_advisory_lock(7301001)');
  try {
    const rows = await sql.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM "_migrations"',
    );
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const done: string[] = [];
    for (const m of migrations) {
      const prev = applied.get(m.name);
      if (prev) {
        if (prev !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied (checksum differs)`);
        }
        continue;
      }
      await sql.exec(`BEGIN;\n${m.sql}\n;INSERT INTO "_migrations"(name, checksum) VALUES ('${m.name.replace(/'/g, "''")}', '${m.checksum}');\nCOMMIT;`);
      done.push(m.name);
    }
    return done;
  } catch (e) {
    await sql.exec('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await sql.query('SELECT pg_advisory_unlock(7301001)');
  }
}
