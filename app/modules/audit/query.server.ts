import { getPrisma } from '~/db/index.server';

export interface AuditFilter {
  action?: string;
  objectType?: string;
  objectId?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  page?: number;
  pageSize?: number;
  /** Who bid, and who obtained tender documents, is secret before the opening (《电子招标投标办法》);
   * only supervisors see those entries. Everyone else gets the log without them. */
  includeBidderActivity?: boolean;
}

/** Entries that reveal bidders or document holders. */
export const BIDDER_ACTIVITY_ACTIONS = ['bid.', 'tender.document.obtain', 'tender.document.download'];

export async function searchAuditLog(f: AuditFilter) {
  const prisma = await getPrisma();
  const pageSize = Math.min(f.pageSize ?? 50, 200);
  const page = Math.max(f.page ?? 1, 1);
  const where = {
    ...(f.action ? { action: { startsWith: f.action } } : {}),
    ...(f.objectType ? { objectType: f.objectType } : {}),
    ...(f.objectId ? { objectId: f.objectId } : {}),
    ...(f.actor ? { OR: [{ actorName: { contains: f.actor } }, { actorUserId: f.actor }] } : {}),
    ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
    ...(f.includeBidderActivity
      ? {}
      : { NOT: { OR: [...BIDDER_ACTIVITY_ACTIONS.map((a) => ({ action: { startsWith: a } })), { objectType: 'bid' }] } }),
  };
  const [rows, total] = await Promise.all([
    prisma.auditEntry.findMany({ where, orderBy: { seq: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
    prisma.auditEntry.count({ where }),
  ]);
  return { rows, total, page, pageSize };
}
