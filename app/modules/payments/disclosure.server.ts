// 开标前保密 in the money views (docs/decisions/032). Before a tender's opening nobody but the
// supervisors may learn who obtained its documents or bid, or how many (招标投标法 第二十二条,
// 《电子招标投标办法》). Deposits and document fees tell both: a payer's name is a bidder's name, and a
// tender's deposit total divided by its per-section deposit is the number of bidders. So, for a
// viewer without `read:bidders:any`, every ledger entry, order, refund, forfeiture and reconciliation
// figure that belongs to a tender not yet opened is left out (not merely aggregated: a total of all
// tenders minus the disclosed ones would give the withheld tender's figure back).
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';

/** The opening has begun (bidders have checked in at the deadline): who bid is no longer secret. */
const OPENED_STATUSES = ['opening', 'opened'];

export interface FinanceScope {
  /** Supervisors: everything, read-only, and each view is written to the audit log. */
  full: boolean;
  /** Tenders (document fees, refType 'tender') and their sections (deposits, refType 'tender_section') not yet opened. */
  sealedTenderIds: Set<string>;
  sealedSectionIds: Set<string>;
}

/** May this role see the money of tenders before their opening (supervisors)? */
export function seesSealedMoney(role: string | null | undefined): boolean {
  return can(role, 'read:bidders:any');
}

/**
 * Tenders whose bidders are still secret: the bid deadline has not passed by the platform clock, or
 * the opening has not begun (drafts, published, closed awaiting the opening, and cancelled tenders —
 * a tender cancelled before its opening never disclosed its bidders).
 */
export async function sealedTenders(): Promise<{ tenderIds: Set<string>; sectionIds: Set<string> }> {
  const prisma = await getPrisma();
  const rows = await prisma.tender.findMany({
    where: { OR: [{ status: { notIn: OPENED_STATUSES } }, { bidDeadline: { gt: now() } }] },
    select: { id: true, sections: { select: { id: true } } },
  });
  return { tenderIds: new Set(rows.map((r) => r.id)), sectionIds: new Set(rows.flatMap((r) => r.sections.map((s) => s.id))) };
}

export async function financeScope(user: { role: string }): Promise<FinanceScope> {
  const s = await sealedTenders();
  return { full: seesSealedMoney(user.role), sealedTenderIds: s.tenderIds, sealedSectionIds: s.sectionIds };
}

/** Does this business object belong to a tender not yet opened? */
export function isSealedRef(scope: Pick<FinanceScope, 'sealedTenderIds' | 'sealedSectionIds'>, refType: string, refId: string): boolean {
  return (refType === 'tender' && scope.sealedTenderIds.has(refId)) || (refType === 'tender_section' && scope.sealedSectionIds.has(refId));
}

/** May this viewer see this business object's money? */
export function mayView(scope: FinanceScope, refType: string, refId: string): boolean {
  return scope.full || !isSealedRef(scope, refType, refId);
}

/**
 * A Prisma `where` fragment for rows carrying refType/refId (LedgerEntry, PaymentOrder) that leaves
 * out what the viewer may not see; `{}` for supervisors.
 */
export function visibleRefsWhere(scope: FinanceScope) {
  if (scope.full) return {};
  return {
    NOT: {
      OR: [
        { refType: 'tender', refId: { in: [...scope.sealedTenderIds] } },
        { refType: 'tender_section', refId: { in: [...scope.sealedSectionIds] } },
      ],
    },
  };
}
