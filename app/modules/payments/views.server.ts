// Read models for the payment and finance pages. Ownership is decided here: a payer sees its own
// organization's orders; finance staff (read:order:any) see every order, except that the money of
// tenders not yet opened is shown to supervisors only (disclosure.server.ts, decision 032).
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import type { SessionUser } from '~/modules/auth/session.server';
import type { Prisma } from '~/generated/prisma/client';
import { financeScope, isSealedRef, mayView, visibleRefsWhere, type FinanceScope } from './disclosure.server';
import { balances, depositsHeld, trialBalance } from './ledger.server';
import { beijingDate } from './reconcile.server';

export async function listMyOrders(user: SessionUser, opts: { page?: number; pageSize?: number } = {}) {
  const prisma = await getPrisma();
  const pageSize = Math.min(opts.pageSize ?? 20, 100);
  const page = Math.max(opts.page ?? 1, 1);
  const where = { payerOrgId: user.organizationId ?? '__none__' };
  const [items, total] = await Promise.all([
    prisma.paymentOrder.findMany({ where, orderBy: { createdAt: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
    prisma.paymentOrder.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

/**
 * The order page's access decision: the payer's own order; any order for finance staff and
 * supervisors (`read:order:any`), except that someone else's deposit or document fee of a tender not
 * yet opened is shown to supervisors only (decision 032) — 'sealed' lets the route say so (403).
 */
export async function orderAccessFor(user: SessionUser, id: string) {
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findUnique({ where: { id }, include: { refunds: { orderBy: { createdAt: 'asc' } }, forfeitures: { orderBy: { requestedAt: 'asc' } } } });
  if (!o) return { kind: 'missing' as const };
  const mine = !!user.organizationId && o.payerOrgId === user.organizationId;
  if (mine) return { kind: 'ok' as const, order: o, mine };
  if (!can(user.role, 'read:order:any')) return { kind: 'missing' as const };
  if (!mayView(await financeScope(user), o.refType, o.refId)) return { kind: 'sealed' as const };
  return { kind: 'ok' as const, order: o, mine };
}

/** The order if this user may see it; null otherwise (the route answers 404 either way). */
export async function orderForViewer(user: SessionUser, id: string) {
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findUnique({ where: { id }, include: { refunds: { orderBy: { createdAt: 'asc' } }, forfeitures: { orderBy: { requestedAt: 'asc' } } } });
  if (!o) return null;
  const mine = !!user.organizationId && o.payerOrgId === user.organizationId;
  if (!mine && !can(user.role, 'read:order:any')) return null;
  // Someone else's deposit or document fee for a tender not yet opened names a bidder (decision 032).
  if (!mine && !mayView(await financeScope(user), o.refType, o.refId)) return null;
  return { order: o, mine };
}

/** Human names of business objects: "JC-2026-GC-0031 江城市… 第1标段" for a section's deposits. */
export async function refLabels(refs: { refType: string; refId: string }[]): Promise<Record<string, string>> {
  const prisma = await getPrisma();
  const sectionIds = [...new Set(refs.filter((r) => r.refType === 'tender_section').map((r) => r.refId))];
  const tenderIds = [...new Set(refs.filter((r) => r.refType === 'tender').map((r) => r.refId))];
  const [sections, tenders] = await Promise.all([
    sectionIds.length ? prisma.tenderSection.findMany({ where: { id: { in: sectionIds } }, select: { id: true, seq: true, name: true, tender: { select: { code: true, name: true } } } }) : [],
    tenderIds.length ? prisma.tender.findMany({ where: { id: { in: tenderIds } }, select: { id: true, code: true, name: true } }) : [],
  ]);
  const out: Record<string, string> = {};
  for (const s of sections) out[`tender_section:${s.id}`] = `${s.tender.code} ${s.tender.name} 第${s.seq}标段`;
  for (const t of tenders) out[`tender:${t.id}`] = `${t.code} ${t.name}`;
  for (const r of refs) out[`${r.refType}:${r.refId}`] ??= `${r.refType}:${r.refId}`;
  return out;
}

/**
 * The finance overview as this viewer may see it (decision 032): for everyone but supervisors the
 * money of tenders not yet opened is left out of every figure, list and count, and the
 * reconciliation figures of a day that includes such trades are withheld.
 */
export async function financeOverview(scope: FinanceScope, filter: { q?: string; status?: string } = {}) {
  const prisma = await getPrisma();
  const visible = visibleRefsWhere(scope);
  const ledgerWhere = scope.full ? undefined : visible;
  const where = {
    AND: [
      filter.status ? { status: filter.status } : {},
      filter.q ? { OR: [{ outTradeNo: { contains: filter.q } }, { subject: { contains: filter.q } }, { refId: filter.q }] } : {},
      visible,
    ],
  };
  const [accounts, trial, whole, held, orders, refunds, runs, issues, forfeitures, orgs] = await Promise.all([
    balances({ where: ledgerWhere }),
    trialBalance(ledgerWhere),
    scope.full ? null : trialBalance(),
    depositsHeld({ where: ledgerWhere }),
    prisma.paymentOrder.findMany({ where, orderBy: { createdAt: 'desc' }, take: 50 }),
    prisma.paymentRefund.findMany({ where: { order: visible }, orderBy: { createdAt: 'desc' }, take: 30, include: { order: { select: { outTradeNo: true, subject: true } } } }),
    prisma.reconciliationRun.findMany({ orderBy: { billDate: 'desc' }, take: 14 }),
    prisma.reconciliationIssue.findMany({ where: { status: 'open' }, orderBy: { createdAt: 'desc' }, take: 100 }),
    prisma.forfeitureRequest.findMany({ where: { order: visible }, orderBy: { requestedAt: 'desc' }, take: 20, include: { order: { select: { outTradeNo: true, subject: true, amountFen: true } } } }),
    prisma.organization.findMany({ select: { id: true, name: true } }),
  ]);
  const wholeTrial = whole ?? trial;
  const heldRows = held.filter((h) => h.heldFen !== 0);
  const labels = await refLabels(heldRows);
  // What a reconciliation run or an issue would tell about a tender not yet opened.
  let withheldDays = new Set<string>();
  let sealedTradeNos = new Set<string>();
  if (!scope.full) {
    const sealedOrders = await prisma.paymentOrder.findMany({
      where: { OR: [{ refType: 'tender', refId: { in: [...scope.sealedTenderIds] } }, { refType: 'tender_section', refId: { in: [...scope.sealedSectionIds] } }] },
      select: { outTradeNo: true, paidAt: true, refunds: { select: { succeededAt: true, alipayRefundAt: true } } },
    });
    sealedTradeNos = new Set(sealedOrders.map((o) => o.outTradeNo));
    withheldDays = new Set(
      sealedOrders.flatMap((o) => [
        ...(o.paidAt ? [beijingDate(o.paidAt)] : []),
        ...o.refunds.flatMap((r) => [...(r.succeededAt ? [beijingDate(r.succeededAt)] : []), ...(r.alipayRefundAt ? [r.alipayRefundAt.slice(0, 10)] : [])]),
      ]),
    );
  }
  return {
    full: scope.full,
    accounts,
    trial,
    /** The whole ledger balances (every viewer may know that much; no amounts). */
    ledgerBalanced: wholeTrial.debitFen === wholeTrial.creditFen && wholeTrial.unbalancedPostings.length === 0,
    held: heldRows.map((h) => ({ ...h, label: labels[`${h.refType}:${h.refId}`] })),
    orders,
    refunds,
    runs: runs.map((r) => (withheldDays.has(r.billDate) ? { ...r, withheld: true as const, billRows: null, matched: null, billFenIn: null, billFenOut: null } : { ...r, withheld: false as const })),
    issues: issues.map((i) =>
      i.outTradeNo && sealedTradeNos.has(i.outTradeNo) ? { ...i, outTradeNo: null, outRequestNo: null, expectedFen: null, actualFen: null, detail: '涉及尚未开标项目的订单，详情开标后显示（监督人员可查看）' } : i,
    ),
    forfeitures,
    orgNames: Object.fromEntries(orgs.map((o) => [o.id, o.name])),
  };
}

/**
 * 项目资金台账: one tender's deposits per section and bidder, its document fees, and whether its
 * entries balance. `sealed` (no figures at all) for a viewer who may not see the tender's money yet.
 */
export async function projectLedger(scope: FinanceScope, code: string) {
  const prisma = await getPrisma();
  const t = await prisma.tender.findUnique({ where: { code }, include: { sections: { orderBy: { seq: 'asc' } } } });
  if (!t) return { found: false as const, code };
  const head = { found: true as const, code: t.code, name: t.name, tenderId: t.id, bidDeadline: t.bidDeadline };
  if (!mayView(scope, 'tender', t.id)) return { ...head, sealed: true as const };
  const sectionIds = t.sections.map((s) => s.id);
  const refs: Prisma.LedgerEntryWhereInput = { OR: [{ refType: 'tender', refId: t.id }, { refType: 'tender_section', refId: { in: sectionIds } }] };
  const [perParty, accounts, sums, orgs] = await Promise.all([
    prisma.ledgerEntry.groupBy({ by: ['refId', 'partyOrgId'], where: { account: 'deposits_held', refType: 'tender_section', refId: { in: sectionIds } }, _sum: { debitFen: true, creditFen: true } }),
    balances({ where: refs }),
    prisma.ledgerEntry.aggregate({ where: refs, _sum: { debitFen: true, creditFen: true } }),
    prisma.organization.findMany({ select: { id: true, name: true } }),
  ]);
  const name = new Map(orgs.map((o) => [o.id, o.name]));
  const acc = (a: string) => accounts.find((x) => x.account === a)?.balanceFen ?? 0;
  const sections = t.sections.map((s) => {
    const rows = perParty
      .filter((r) => r.refId === s.id)
      .map((r) => ({ party: name.get(r.partyOrgId) ?? r.partyOrgId, partyOrgId: r.partyOrgId, receivedFen: r._sum.creditFen ?? 0, releasedFen: r._sum.debitFen ?? 0, heldFen: (r._sum.creditFen ?? 0) - (r._sum.debitFen ?? 0) }))
      .sort((a, b) => a.party.localeCompare(b.party, 'zh'));
    return { id: s.id, seq: s.seq, name: s.name, rows, heldFen: rows.reduce((n, r) => n + r.heldFen, 0), receivedFen: rows.reduce((n, r) => n + r.receivedFen, 0) };
  });
  const debitFen = sums._sum.debitFen ?? 0;
  const creditFen = sums._sum.creditFen ?? 0;
  return {
    ...head,
    sealed: false as const,
    /** Shown to a supervisor before the opening (read-only, logged). */
    beforeOpening: isSealedRef(scope, 'tender', t.id),
    sections,
    depositsHeldFen: acc('deposits_held'),
    refundsPayableFen: acc('refunds_payable'),
    feeIncomeFen: acc('fee_income'),
    forfeitedFen: acc('forfeited_deposits'),
    debitFen,
    creditFen,
    balanced: debitFen === creditFen,
  };
}

export async function pendingForfeitures() {
  const prisma = await getPrisma();
  const rows = await prisma.forfeitureRequest.findMany({
    orderBy: [{ status: 'asc' }, { requestedAt: 'desc' }],
    take: 100,
    include: { order: { select: { outTradeNo: true, subject: true, amountFen: true, payerOrgId: true, refType: true, refId: true } } },
  });
  const ids = [...new Set(rows.flatMap((r) => [r.requestedById, r.decidedById, r.order.payerOrgId].filter((x): x is string => !!x)))];
  const [users, orgs] = await Promise.all([
    prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } }),
    prisma.organization.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
  ]);
  const names = Object.fromEntries([...users.map((u) => [u.id, u.displayName]), ...orgs.map((o) => [o.id, o.name])]);
  return rows.map((r) => ({ ...r, requestedBy: names[r.requestedById] ?? '—', decidedBy: r.decidedById ? names[r.decidedById] ?? '—' : null, payer: names[r.order.payerOrgId] ?? '—' }));
}
