// Prisma CLI configuration. With `engine: 'js'` and a driver adapter, `generate`, `migrate diff`
// and `db push` run on the WASM schema engine: Prisma's binary host is unreachable from these
// machines (and from most government intranets). The app itself applies migrations with its own
// runner (app/db/migrate.server.ts). See docs/decisions/001-prisma-6-driver-adapters.md.
import path from 'node:path';
import type { PrismaConfig } from 'prisma';

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema'),
  async adapter() {
    if (process.env.DATABASE_URL) {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: process.env.DATABASE_URL });
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    return new PrismaPGlite(new PGlite()) as never;
  },
} satisfies PrismaConfig;
