// Fixed-window counters in the database, so that every app instance enforces the same limit.
import type { Tx } from '~/db/db.server';
import { now } from '~/modules/clock/clock.server';

export async function hitRateLimit(tx: Tx, key: string, windowMs: number): Promise<number> {
  const t = now();
  const windowStart = new Date(Math.floor(t.getTime() / windowMs) * windowMs);
  const rows = await tx.$queryRawUnsafe<{ count: number }[]>(
    `INSERT INTO "RateLimit"(key, "windowStart", count) VALUES ($1, $2, 1)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN "RateLimit"."windowStart" = EXCLUDED."windowStart" THEN "RateLimit".count + 1 ELSE 1 END,
       "windowStart" = EXCLUDED."windowStart"
     RETURNING count`,
    key,
    windowStart,
  );
  return Number(rows[0].count);
}

export async function peekRateLimit(tx: Tx, key: string, windowMs: number): Promise<number> {
  const t = now();
  const windowStart = new Date(Math.floor(t.getTime() / windowMs) * windowMs);
  const row = await tx.rateLimit.findUnique({ where: { key } });
  if (!row || row.windowStart.getTime() !== windowStart.getTime()) return 0;
  return row.count;
}

export async function clearRateLimit(tx: Tx, key: string) {
  await tx.rateLimit.deleteMany({ where: { key } });
}
