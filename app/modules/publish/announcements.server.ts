import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';

export { ANNOUNCEMENT_KINDS } from './kinds';


export async function publishAnnouncement(
  tx: Tx,
  input: { kind: string; title: string; body: string; market?: string; sourceType?: string; sourceId?: string; publisherId?: string },
) {
  return tx.announcement.create({ data: { ...input, publishedAt: now() } });
}

export async function listAnnouncements(opts: { page?: number; pageSize?: number; kind?: string; market?: string; q?: string } = {}) {
  const prisma = await getPrisma();
  const pageSize = Math.min(opts.pageSize ?? 15, 50);
  const page = Math.max(opts.page ?? 1, 1);
  const where = {
    publishedAt: { lte: now() },
    ...(opts.kind ? { kind: opts.kind } : {}),
    ...(opts.market ? { market: opts.market } : {}),
    ...(opts.q ? { title: { contains: opts.q, mode: 'insensitive' as const } } : {}),
  };
  const [items, total] = await Promise.all([
    prisma.announcement.findMany({ where, orderBy: { publishedAt: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
    prisma.announcement.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export async function getAnnouncement(id: string) {
  const prisma = await getPrisma();
  return prisma.announcement.findFirst({ where: { id, publishedAt: { lte: now() } } });
}
