// The one place that reads the opening context's tables (Opening, OpeningBid): "the opened bids of
// a tender section, with their outcome and form values". If the opening module's storage changes,
// only this file changes.
import type { Tx } from '~/db/db.server';
import { getPrisma } from '~/db/index.server';

export interface OpenedBid {
  openingBidId: string;
  bidId: string;
  bidderOrgId: string;
  bidderName: string;
  position: number;
  /** valid | revoked | withdrawn | rejected */
  result: string;
  reason: string | null;
  /** 投标报价 in fen, from the bid form read out at the opening. */
  priceFen: number | null;
  form: Record<string, unknown>;
}

export interface SectionOpening {
  openingId: string;
  /** The opening ended (record signed): its results are final. */
  closed: boolean;
  closedAt: Date | null;
  recordSha256: string | null;
  bids: OpenedBid[];
}

function priceOf(form: Record<string, unknown>): number | null {
  const v = form.price;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}

/** Every bid of the section as the opening left it (all outcomes), in reading order. */
export async function openedBidsOfSection(tenderId: string, sectionId: string, db?: Tx): Promise<SectionOpening | null> {
  const prisma = db ?? (await getPrisma());
  const opening = await prisma.opening.findUnique({ where: { tenderId } });
  if (!opening) return null;
  const rows = await prisma.openingBid.findMany({ where: { openingId: opening.id, sectionId }, orderBy: { position: 'asc' } });
  return {
    openingId: opening.id,
    closed: opening.state === 'closed',
    closedAt: opening.closedAt,
    recordSha256: opening.recordSha256,
    bids: rows.map((r) => {
      const form = (r.form && typeof r.form === 'object' && !Array.isArray(r.form) ? r.form : {}) as Record<string, unknown>;
      return {
        openingBidId: r.id,
        bidId: r.bidId,
        bidderOrgId: r.bidderOrgId,
        bidderName: r.bidderName,
        position: r.position,
        result: r.result ?? 'pending',
        reason: r.reason,
        priceFen: priceOf(form),
        form,
      };
    }),
  };
}

/** Sections of tenders whose opening has closed, for an agent org (candidates for an evaluation plan). */
export async function openedSectionsOfAgent(agentOrgId: string) {
  const prisma = await getPrisma();
  const tenders = await prisma.tender.findMany({
    where: { agentOrgId, status: { in: ['opened', 'opening'] } },
    include: { sections: { orderBy: { seq: 'asc' } } },
    orderBy: { bidDeadline: 'desc' },
    take: 50,
  });
  const openings = await prisma.opening.findMany({ where: { tenderId: { in: tenders.map((t) => t.id) } }, select: { tenderId: true, state: true } });
  const closed = new Set(openings.filter((o) => o.state === 'closed').map((o) => o.tenderId));
  return tenders.filter((t) => closed.has(t.id));
}

export interface DecryptedBidFile {
  id: string;
  openingBidId: string;
  seq: number;
  name: string;
  sha256: string;
  size: number;
}

/** The files the opening decrypted for these opened bids (plaintext in the file store), in manifest order. */
export async function decryptedFilesOf(openingBidIds: string[], db?: Tx): Promise<DecryptedBidFile[]> {
  if (openingBidIds.length === 0) return [];
  const prisma = db ?? (await getPrisma());
  const rows = await prisma.openingBidFile.findMany({ where: { openingBidId: { in: openingBidIds } }, orderBy: [{ openingBidId: 'asc' }, { seq: 'asc' }] });
  return rows.map((r) => ({ id: r.id, openingBidId: r.openingBidId, seq: r.seq, name: r.name, sha256: r.sha256, size: r.size }));
}

/** One decrypted file by id, or null. */
export async function decryptedFile(id: string, db?: Tx): Promise<DecryptedBidFile | null> {
  const prisma = db ?? (await getPrisma());
  const r = await prisma.openingBidFile.findUnique({ where: { id } });
  return r ? { id: r.id, openingBidId: r.openingBidId, seq: r.seq, name: r.name, sha256: r.sha256, size: r.size } : null;
}
