// Read models for the payment and finance pages. Ownership is decided here: a payer sees its own
// organization's orders; finance staff (read:order:any) see every order.
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import type { SessionUser } from '~/modules/auth/session.server';
import { balances, depositsHeld, trialBalance } from './ledger.server';

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

/** The order if this user may see it; null otherwise (the route answers 404 either way). */
export async function orderForViewer(user: SessionUser, id: string) {
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findUnique({ where: { id }, include: { refunds: { orderBy: { createdAt: 'asc' } }, forfeitures: { orderBy: { requestedAt: 'asc' } } } });
  if (!o) return null;
  const mine = !!user.organizationId && o.payerOrgId === user.organizationId;
  if (!mine && !can(user.role, 'read:order:any')) return null;
  return { order: o, mine };
}

export async function financeOverview(filter: { q?: string; status?: string } = {}) {
  const prisma = await getPrisma();
  const where = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.q ? { OR: [{ outTradeNo: { contains: filter.q } }, { subject: { contains: filter.q } }, { refId: filter.q }] } : {}),
  };
  const [accounts, trial, held, orders, refunds, runs, issues, forfeitures, orgs] = await Promise.all([
    balances(),
    trialBalance(),
    depositsHeld(),
    prisma.paymentOrder.findMany({ where, orderBy: { createdAt: 'desc' }, take: 50 }),
    prisma.paymentRefund.findMany({ orderBy: { createdAt: 'desc' }, take: 30, include: { order: { select: { outTradeNo: true, subject: true } } } }),
    prisma.reconciliationRun.findMany({ orderBy: { billDate: 'desc' }, take: 14 }),
    prisma.reconciliationIssue.findMany({ where: { status: 'open' }, orderBy: { createdAt: 'desc' }, take: 100 }),
    prisma.forfeitureRequest.findMany({ orderBy: { requestedAt: 'desc' }, take: 20, include: { order: { select: { outTradeNo: true, subject: true, amountFen: true } } } }),
    prisma.organization.findMany({ select: { id: true, name: true } }),
  ]);
  return { accounts, trial, held: held.filter((h) => h.heldFen !== 0), orders, refunds, runs, issues, forfeitures, orgNames: Object.fromEntries(orgs.map((o) => [o.id, o.name])) };
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
