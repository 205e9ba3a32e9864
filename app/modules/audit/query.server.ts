// The audit log as a viewer may browse it. Before a tender's opening nobody but the supervisors may
// learn who obtained its documents or bid, or how many (招标投标法 第二十二条, decision 032); the
// audit log names payers, bidders and counts, so for everyone else the entries that relate to a
// tender not yet opened are sealed: listed with their sequence number, time and hashes only (so the
// chain and the Merkle proofs still check), and left out of filtered searches (a match on an
// actor's name or an action would itself disclose). Evaluated per request: everything shows once
// the opening begins.
import { getPrisma } from '~/db/index.server';
import type { Prisma } from '~/generated/prisma/client';
import { sealedTenders } from '~/modules/payments/disclosure.server';

export interface AuditFilter {
  action?: string;
  objectType?: string;
  objectId?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  page?: number;
  pageSize?: number;
  /** Supervisors (`read:bidders:any`): every entry in full. Everyone else: sealed entries redacted. */
  includeBidderActivity?: boolean;
}

/** The label a sealed entry is shown with instead of its action. */
export const SEALED_ACTION_LABEL = '投标相关记录（开标前保密）';

/**
 * Actions on a sealed tender that name no bidder and carry no count: the tenderer's own management
 * of its tender. Everything else that relates to a sealed tender is sealed (deny by default).
 */
const TENDER_MANAGEMENT_ACTIONS = ['tender.create', 'tender.publish', 'tender.amend', 'tender.cancel', 'tender.document.upload', 'tender.document.remove'];

/**
 * A `where` matching the entries that relate to a tender not yet opened (null: there is none).
 * Related = the object is the tender (except its own management), one of its bids, bank guarantees,
 * payment orders (deposits of its sections, its document fees) or their refunds, its opening; or the
 * payload names the tender, one of its sections, or such an order as refType/refId.
 */
export async function sealedEntriesWhere(): Promise<Prisma.AuditEntryWhereInput | null> {
  const s = await sealedTenders();
  if (s.tenderIds.size === 0) return null;
  const prisma = await getPrisma();
  const tenderIds = [...s.tenderIds];
  const sectionIds = [...s.sectionIds];
  const [bids, guarantees, orders, openings] = await Promise.all([
    prisma.bid.findMany({ where: { tenderId: { in: tenderIds } }, select: { id: true } }),
    prisma.bidGuarantee.findMany({ where: { tenderId: { in: tenderIds } }, select: { id: true } }),
    prisma.paymentOrder.findMany({
      where: { OR: [{ refType: 'tender', refId: { in: tenderIds } }, { refType: 'tender_section', refId: { in: sectionIds } }] },
      select: { id: true, refunds: { select: { id: true } } },
    }),
    prisma.opening.findMany({ where: { tenderId: { in: tenderIds } }, select: { id: true } }),
  ]);
  const or: Prisma.AuditEntryWhereInput[] = [
    { objectType: 'tender', objectId: { in: tenderIds }, action: { notIn: TENDER_MANAGEMENT_ACTIONS } },
    { objectType: 'tender_section', objectId: { in: sectionIds } },
    { objectType: 'bid', objectId: { in: bids.map((b) => b.id) } },
    { objectType: 'bid-guarantee', objectId: { in: guarantees.map((g) => g.id) } },
    { objectType: 'PaymentOrder', objectId: { in: orders.map((o) => o.id) } },
    { objectType: 'PaymentRefund', objectId: { in: orders.flatMap((o) => o.refunds.map((r) => r.id)) } },
    { objectType: 'opening', objectId: { in: openings.map((o) => o.id) } },
  ];
  for (const id of tenderIds) {
    or.push({ payload: { path: ['tenderId'], equals: id }, action: { notIn: TENDER_MANAGEMENT_ACTIONS } });
    or.push({ payload: { path: ['refId'], equals: id } });
  }
  for (const id of sectionIds) {
    or.push({ payload: { path: ['sectionId'], equals: id } });
    or.push({ payload: { path: ['refId'], equals: id } });
  }
  return { OR: or };
}

/** A sealed entry as a non-supervisor sees it: sequence, time and hashes, nothing that names anyone. */
export interface AuditRowView {
  seq: string;
  at: string;
  sealed: boolean;
  actorName: string | null;
  role: string | null;
  ip: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  payloadHash: string;
  entryHash: string;
}

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof getPrisma>>['auditEntry']['findMany']>>[number];

function view(e: Row, sealed: boolean): AuditRowView {
  const base = { seq: e.seq.toString(), at: e.at.toISOString(), payloadHash: e.payloadHash, entryHash: e.entryHash, sealed };
  if (sealed) return { ...base, actorName: null, role: null, ip: null, action: SEALED_ACTION_LABEL, objectType: null, objectId: null };
  return { ...base, actorName: e.actorName, role: e.role, ip: e.ip, action: e.action, objectType: e.objectType, objectId: e.objectId };
}

export async function searchAuditLog(f: AuditFilter) {
  const prisma = await getPrisma();
  const pageSize = Math.min(f.pageSize ?? 50, 200);
  const page = Math.max(f.page ?? 1, 1);
  const sealed = f.includeBidderActivity ? null : await sealedEntriesWhere();
  const searching = !!(f.action || f.objectType || f.objectId || f.actor);
  const conditions: Prisma.AuditEntryWhereInput[] = [
    f.action ? { action: { startsWith: f.action } } : {},
    f.objectType ? { objectType: f.objectType } : {},
    f.objectId ? { objectId: f.objectId } : {},
    f.actor ? { OR: [{ actorName: { contains: f.actor } }, { actorUserId: f.actor }] } : {},
    f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {},
    // A search that matches a sealed entry would disclose it: sealed entries are only listed unfiltered.
    sealed && searching ? { NOT: sealed } : {},
  ];
  const where: Prisma.AuditEntryWhereInput = { AND: conditions };
  const [rows, total] = await Promise.all([
    prisma.auditEntry.findMany({ where, orderBy: { seq: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
    prisma.auditEntry.count({ where }),
  ]);
  const sealedSeqs = new Set<bigint>();
  if (sealed && !searching && rows.length) {
    const hits = await prisma.auditEntry.findMany({ where: { AND: [{ seq: { in: rows.map((r) => r.seq) } }, sealed] }, select: { seq: true } });
    for (const h of hits) sealedSeqs.add(h.seq);
  }
  return { rows: rows.map((e) => view(e, sealedSeqs.has(e.seq))), total, page, pageSize };
}

/** Is this one entry sealed for a viewer without `read:bidders:any`? */
export async function isSealedEntry(seq: bigint): Promise<boolean> {
  const sealed = await sealedEntriesWhere();
  if (!sealed) return false;
  const prisma = await getPrisma();
  return (await prisma.auditEntry.count({ where: { AND: [{ seq }, sealed] } })) > 0;
}
