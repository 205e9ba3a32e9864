// 监察台: one snapshot of what is happening on the platform, for the live supervisor console.
// Read-only; the route logs each page view (not each refresh) as `supervision.view`.
import type { Db } from '~/db/db.server';
import type { Prisma } from '~/generated/prisma/client';
import type { ConsoleSnapshot } from './console-types';

export interface ConsoleFilter {
  q?: string;
  /** all | tenders | purchases */
  market?: string;
  tenderStatus?: string;
  purchaseStatus?: string;
}

const ACTIVE_TENDER = ['published', 'closed', 'opening', 'opened'];
const ACTIVE_PURCHASE = ['published', 'closed', 'scoring', 'announced'];
const LIVE_OPENING = ['checkin', 'ceremony', 'decrypting', 'reading', 'signing'];

export async function consoleSnapshot(prisma: Db, now: Date, f: ConsoleFilter = {}): Promise<ConsoleSnapshot> {
  const q = f.q?.trim();
  const tenderWhere: Prisma.TenderWhereInput = {
    status: f.tenderStatus ? f.tenderStatus : { not: 'draft' },
    ...(q ? { OR: [{ code: { contains: q, mode: 'insensitive' } }, { name: { contains: q, mode: 'insensitive' } }, { tendererName: { contains: q } }] } : {}),
  };
  const purchaseWhere: Prisma.PurchaseWhereInput = {
    ...(f.purchaseStatus ? { status: f.purchaseStatus } : {}),
    ...(q ? { OR: [{ code: { contains: q, mode: 'insensitive' } }, { projectName: { contains: q, mode: 'insensitive' } }] } : {}),
  };
  const showTenders = f.market !== 'purchases';
  const showPurchases = f.market !== 'tenders';
  const [red, yellow, openComplaints, overdueComplaints, activeTenders, activePurchases, ordersInProgress, tenders, purchases, openings, warnings, complaints] = await Promise.all([
    prisma.warning.count({ where: { status: { not: 'closed' }, level: 'red' } }),
    prisma.warning.count({ where: { status: { not: 'closed' }, level: 'yellow' } }),
    prisma.complaint.count({ where: { status: { in: ['submitted', 'accepted'] } } }),
    prisma.complaint.count({ where: overdueComplaintWhere(now) }),
    prisma.tender.count({ where: { status: { in: ACTIVE_TENDER } } }),
    prisma.purchase.count({ where: { status: { in: ACTIVE_PURCHASE } } }),
    prisma.serviceOrder.count({ where: { status: 'in_progress' } }),
    showTenders ? prisma.tender.findMany({ where: tenderWhere, orderBy: { bidDeadline: 'desc' }, take: 15, select: { id: true, code: true, name: true, status: true, bidDeadline: true } }) : [],
    showPurchases
      ? prisma.purchase.findMany({ where: purchaseWhere, orderBy: { publishedAt: 'desc' }, take: 15, select: { id: true, code: true, projectName: true, status: true, method: true, budgetFen: true, signupEnd: true } })
      : [],
    prisma.opening.findMany({ where: { state: { in: LIVE_OPENING } }, select: { id: true, tenderId: true, state: true, paused: true } }),
    prisma.warning.findMany({ where: { status: { not: 'closed' } }, orderBy: [{ level: 'asc' }, { raisedAt: 'desc' }], take: 8, select: { id: true, level: true, title: true, status: true, raisedAt: true } }),
    prisma.complaint.findMany({ where: { status: { in: ['submitted', 'accepted'] } }, orderBy: { answerDueAt: 'asc' }, take: 8 }),
  ]);
  // Bid counts only after the deadline: before it, even the number of bidders is confidential.
  const closedIds = tenders.filter((t) => t.bidDeadline <= now).map((t) => t.id);
  const bidCounts = closedIds.length
    ? await prisma.bid.groupBy({ by: ['tenderId', 'bidderOrgId'], where: { tenderId: { in: closedIds }, status: 'active' } })
    : [];
  const perTender = new Map<string, number>();
  for (const b of bidCounts) perTender.set(b.tenderId, (perTender.get(b.tenderId) ?? 0) + 1);
  const openingTenders = openings.length ? await prisma.tender.findMany({ where: { id: { in: openings.map((o) => o.tenderId) } }, select: { id: true, code: true, name: true } }) : [];
  const tenderOf = new Map(openingTenders.map((t) => [t.id, t]));
  return {
    at: now.toISOString(),
    counts: { redWarnings: red, yellowWarnings: yellow, openComplaints, overdueComplaints, activeTenders, activePurchases, ordersInProgress, openingsLive: openings.length },
    tenders: tenders.map((t) => ({ id: t.id, code: t.code, name: t.name, status: t.status, bidDeadline: t.bidDeadline.toISOString(), bids: t.bidDeadline <= now ? (perTender.get(t.id) ?? 0) : null, link: `/tenders/${t.id}` })),
    purchases: purchases.map((p) => ({ id: p.id, code: p.code, name: p.projectName, status: p.status, method: p.method, budgetFen: p.budgetFen, signupEnd: p.signupEnd.toISOString(), link: `/market/purchases/${p.id}` })),
    openings: openings.map((o) => ({ id: o.id, tenderId: o.tenderId, code: tenderOf.get(o.tenderId)?.code ?? '', name: tenderOf.get(o.tenderId)?.name ?? '', state: o.state, paused: o.paused, link: `/tenders/${o.tenderId}/opening` })),
    warnings: warnings.map((w) => ({ id: w.id, level: w.level, title: w.title, status: w.status, raisedAt: w.raisedAt.toISOString() })),
    complaints: complaints.map((c) => ({
      id: c.id,
      no: c.no,
      kind: c.kind,
      title: c.title,
      status: c.status,
      dueAt: (c.kind === 'complaint' && c.status === 'submitted' && c.acceptDueAt ? c.acceptDueAt : c.answerDueAt).toISOString(),
    })),
  };
}

/** Open and past its current deadline: acceptance (投诉 not yet accepted) or answer. */
export function overdueComplaintWhere(now: Date): Prisma.ComplaintWhereInput {
  return {
    OR: [
      { kind: 'complaint', status: 'submitted', acceptDueAt: { lt: now } },
      { status: { in: ['submitted', 'accepted'] }, answerDueAt: { lt: now } },
    ],
  };
}

export function consoleFilterFrom(u: URLSearchParams): ConsoleFilter {
  const s = (k: string, max = 40) => u.get(k)?.trim().slice(0, max) || undefined;
  return { q: s('q', 60), market: s('market'), tenderStatus: s('tenderStatus'), purchaseStatus: s('purchaseStatus') };
}
