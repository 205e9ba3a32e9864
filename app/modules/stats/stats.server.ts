// Statistics (统计分析): selects the rows the definitions in aggregate.ts need, for a date range
// and a market. Reads only; the page view itself is audited by the route.
import type { Tx } from '~/db/db.server';
import { chinaDay, endOfChinaDay, startOfChinaDay } from '~/modules/clock/workdays';
import { loadWorkCalendar } from '~/modules/market/calendar.server';
import { GRADES } from '~/modules/market/constants';
import { orderPauses } from '~/modules/market/orders.server';
import { computeStats, type StatsRows } from './aggregate';
import type { StatsFilter, StatsMarket, StatsReport } from './types';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function validDay(s: string | null): s is string {
  if (!s || !DAY_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00+08:00`);
  return !Number.isNaN(d.getTime()) && chinaDay(d) === s;
}

/** Filter from the query string; the default is the last twelve months up to today. */
export function statsFilterFrom(params: URLSearchParams, at: Date): { filter: StatsFilter; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const today = chinaDay(at);
  const [y, m] = today.split('-').map(Number);
  const defFrom = `${m === 12 ? y : y - 1}-${String((m % 12) + 1).padStart(2, '0')}-01`;
  let from = params.get('from') || defFrom;
  let to = params.get('to') || today;
  if (!validDay(from)) {
    errors.from = '开始日期格式应为 年-月-日';
    from = defFrom;
  }
  if (!validDay(to)) {
    errors.to = '结束日期格式应为 年-月-日';
    to = today;
  }
  if (from > to) {
    errors.to = '结束日期不能早于开始日期';
    to = from;
  }
  // Five years at most: the monthly table and charts stay readable and the query bounded.
  const maxFrom = `${Number(to.slice(0, 4)) - 5}${to.slice(4)}`;
  if (from < maxFrom) {
    errors.from = '统计区间最长5年';
    from = maxFrom;
  }
  const mk = params.get('market');
  const market: StatsMarket = mk === 'bidding' || mk === 'market' ? mk : 'all';
  return { filter: { from, to, market }, errors };
}

export async function collectStatsRows(db: Tx, filter: StatsFilter, at: Date): Promise<StatsRows> {
  const gte = startOfChinaDay(filter.from);
  const lte = endOfChinaDay(filter.to);
  const range = { gte, lte };
  const [tenders, evaluations, purchases, orders, grades, ratings] = await Promise.all([
    db.tender.findMany({ where: { publishedAt: range }, select: { publishedAt: true } }),
    db.tenderEvaluation.findMany({ where: { awardedAt: range }, select: { awardedAt: true, sectionId: true, awardAmountFen: true, contract: { select: { amountFen: true, status: true } } } }),
    db.purchase.findMany({ where: { publishedAt: range, round: 1 }, select: { publishedAt: true } }),
    // Orders touching the range in any way the statistics use (created, delivered, accepted, or
    // still running): the definitions filter by the relevant date.
    db.serviceOrder.findMany({
      where: { OR: [{ createdAt: range }, { submittedAt: range }, { acceptedAt: range }, { status: 'in_progress', startedAt: { lte } }] },
      select: {
        code: true, createdAt: true, feeFen: true, purchaseId: true, agencyId: true, ownerOrgId: true, status: true, timeLimitDays: true,
        startedAt: true, submittedAt: true, acceptedAt: true, overtime: true, pauses: { select: { from: true, to: true } },
      },
    }),
    db.agencyProfile.groupBy({ by: ['creditGrade'], where: { status: 'approved' }, _count: { _all: true } }),
    db.serviceRating.findMany({ where: { createdAt: range }, select: { createdAt: true, score: true, window: true } }),
  ]);
  const sectionIds = evaluations.map((e) => e.sectionId);
  const sections = new Map((await db.tenderSection.findMany({ where: { id: { in: sectionIds } }, select: { id: true, budgetFen: true } })).map((s) => [s.id, s.budgetFen]));
  const purchaseIds = orders.map((o) => o.purchaseId).filter((x): x is string => !!x);
  const budgets = new Map((await db.purchase.findMany({ where: { id: { in: purchaseIds } }, select: { id: true, budgetFen: true } })).map((p) => [p.id, p.budgetFen]));
  const agencies = new Map((await db.agencyProfile.findMany({ where: { id: { in: [...new Set(orders.map((o) => o.agencyId))] } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  const owners = new Map((await db.organization.findMany({ where: { id: { in: [...new Set(orders.map((o) => o.ownerOrgId))] } }, select: { id: true, name: true } })).map((o) => [o.id, o.name]));
  const gradeCounts = new Map(grades.map((g) => [g.creditGrade, g._count._all]));
  return {
    tenders: tenders.filter((t) => t.publishedAt).map((t) => ({ publishedAt: t.publishedAt! })),
    awards: evaluations
      .filter((e) => e.awardedAt && (e.contract?.amountFen ?? e.awardAmountFen) != null)
      .map((e) => {
        const b = sections.get(e.sectionId);
        const price = (e.contract?.status === 'filed' ? e.contract.amountFen : null) ?? e.awardAmountFen!;
        return { awardedAt: e.awardedAt!, budgetFen: b == null ? null : Number(b), priceFen: Number(price) };
      }),
    purchases,
    orders: orders.map((o) => ({
      code: o.code,
      createdAt: o.createdAt,
      feeFen: o.feeFen,
      budgetFen: o.purchaseId ? (budgets.get(o.purchaseId) ?? null) : null,
      agencyName: agencies.get(o.agencyId) ?? o.agencyId,
      ownerName: owners.get(o.ownerOrgId) ?? o.ownerOrgId,
      status: o.status,
      timeLimitDays: o.timeLimitDays,
      startedAt: o.startedAt,
      submittedAt: o.submittedAt,
      acceptedAt: o.acceptedAt,
      overtime: o.overtime,
      pauses: orderPauses(o, o.pauses),
    })),
    grades: GRADES.map((g) => ({ grade: g, count: gradeCounts.get(g) ?? 0 })),
    ratings,
  };
}

export async function statsReport(db: Tx, filter: StatsFilter, at: Date): Promise<StatsReport> {
  const [rows, cal] = await Promise.all([collectStatsRows(db, filter, at), loadWorkCalendar(db)]);
  return computeStats(rows, filter, cal, at);
}
