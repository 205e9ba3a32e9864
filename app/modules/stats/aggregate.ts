// The statistics as pure functions over plain rows, so that the definitions (decision 095) are
// tested on hand-made data and the database code only selects rows.
import type { Pause, WorkCalendar } from '~/modules/clock/workdays';
import { chinaDay } from '~/modules/clock/workdays';
import { STATS_TABLES, type Cell, type StatsFilter, type StatsReport, type StatsTable } from './types';

export interface OrderRow {
  code: string;
  createdAt: Date;
  feeFen: number;
  /** The purchase's budget, when the order came from a purchase */
  budgetFen: number | null;
  agencyName: string;
  ownerName: string;
  status: string;
  timeLimitDays: number;
  startedAt: Date | null;
  submittedAt: Date | null;
  acceptedAt: Date | null;
  /** Set by the market's warning job when the red line was crossed */
  overtime: boolean;
  pauses: Pause[];
}

export interface StatsRows {
  /** Tenders published (not drafts) */
  tenders: { publishedAt: Date }[];
  /** Awarded tender sections: budget (最高限价) when known, and the contract price (or the award) */
  awards: { awardedAt: Date; budgetFen: number | null; priceFen: number }[];
  /** Market purchases published (first rounds only: a republished purchase is the same matter) */
  purchases: { publishedAt: Date }[];
  orders: OrderRow[];
  grades: { grade: string; count: number }[];
  ratings: { createdAt: Date; score: number; window: string | null }[];
}

const monthOf = (d: Date) => chinaDay(d).slice(0, 7);
const inRange = (d: Date | null | undefined, f: StatsFilter) => {
  if (!d) return false;
  const day = chinaDay(d);
  return day >= f.from && day <= f.to;
};

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number);
  const [ty, tm] = to.slice(0, 7).split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

/**
 * Savings rate (节约率) = (budget − price) / budget over the deals whose budget is known; deals
 * without a budget are counted but do not enter the rate.
 */
export function savings(deals: { budgetFen: number | null; priceFen: number }[]) {
  const known = deals.filter((d) => d.budgetFen != null && d.budgetFen > 0);
  const budget = known.reduce((s, d) => s + d.budgetFen!, 0);
  const price = known.reduce((s, d) => s + d.priceFen, 0);
  return { count: deals.length, withBudget: known.length, budgetFen: budget, priceFen: price, savedFen: budget - price, rate: ratio(budget - price, budget) };
}

/**
 * Whether an order's delivery ran over its committed time limit, once the outcome is known: the
 * result came in after the deadline, or the deadline passed with nothing delivered. null while
 * the order is still inside its limit (it counts neither way yet).
 */
export function orderOvertime(cal: WorkCalendar, o: OrderRow, at: Date): { overtime: boolean; decidedAt: Date } | null {
  if (!o.startedAt || o.status === 'cancelled') return null;
  const due = cal.dueAt(o.startedAt, o.timeLimitDays, o.pauses);
  if (o.submittedAt) return { overtime: o.overtime || (due != null && o.submittedAt > due), decidedAt: o.submittedAt };
  if (due && due < at) return { overtime: true, decidedAt: due };
  return null;
}

/** Working days from the contract (clock start) to acceptance. */
export function completionDays(cal: WorkCalendar, o: OrderRow): number | null {
  if (!o.startedAt || !o.acceptedAt) return null;
  return cal.workdaysBetween(o.startedAt, o.acceptedAt);
}

function overtimeTable(key: 'overtime-agency' | 'overtime-owner', label: string, groups: Map<string, { total: number; over: number }>): StatsTable {
  const rows = [...groups.entries()]
    .map(([name, g]) => [name, g.total, g.over, ratio(g.over, g.total)] as Cell[])
    .sort((a, b) => (b[3] as number) - (a[3] as number) || (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]), 'zh-CN'));
  return {
    key,
    title: STATS_TABLES[key],
    columns: [
      { key: 'name', label, kind: 'text' },
      { key: 'total', label: '办结订单数', kind: 'int' },
      { key: 'over', label: '超时订单数', kind: 'int' },
      { key: 'rate', label: '超时率', kind: 'pct' },
    ],
    rows,
  };
}

export function computeStats(rows: StatsRows, filter: StatsFilter, cal: WorkCalendar, at: Date): StatsReport {
  const bidding = filter.market !== 'market';
  const market = filter.market !== 'bidding';
  const months = monthsBetween(filter.from, filter.to);
  const monthly = new Map(months.map((m) => [m, { tenders: 0, purchases: 0, tenderFen: 0, marketFen: 0 }]));
  const tenders = bidding ? rows.tenders.filter((t) => inRange(t.publishedAt, filter)) : [];
  const awards = bidding ? rows.awards.filter((a) => inRange(a.awardedAt, filter)) : [];
  const purchases = market ? rows.purchases.filter((p) => inRange(p.publishedAt, filter)) : [];
  const orders = market ? rows.orders.filter((o) => o.status !== 'cancelled') : [];
  const ordersCreated = orders.filter((o) => inRange(o.createdAt, filter));
  for (const t of tenders) monthly.get(monthOf(t.publishedAt))!.tenders++;
  for (const p of purchases) monthly.get(monthOf(p.publishedAt))!.purchases++;
  for (const a of awards) monthly.get(monthOf(a.awardedAt))!.tenderFen += a.priceFen;
  for (const o of ordersCreated) monthly.get(monthOf(o.createdAt))!.marketFen += o.feeFen;

  const sBid = savings(awards);
  const sMarket = savings(ordersCreated.map((o) => ({ budgetFen: o.budgetFen, priceFen: o.feeFen })));
  const sAll = savings([...awards, ...ordersCreated.map((o) => ({ budgetFen: o.budgetFen, priceFen: o.feeFen }))]);
  const savingsRow = (name: string, s: ReturnType<typeof savings>): Cell[] => [name, s.count, s.budgetFen, s.priceFen, s.savedFen, s.rate];

  const accepted = orders.filter((o) => inRange(o.acceptedAt, filter));
  const completion = new Map(months.map((m) => [m, { n: 0, days: 0 }]));
  let daysSum = 0;
  let daysN = 0;
  for (const o of accepted) {
    const d = completionDays(cal, o);
    if (d == null) continue;
    const c = completion.get(monthOf(o.acceptedAt!))!;
    c.n++;
    c.days += d;
    daysSum += d;
    daysN++;
  }

  const byAgency = new Map<string, { total: number; over: number }>();
  const byOwner = new Map<string, { total: number; over: number }>();
  let overAll = 0;
  let decidedAll = 0;
  for (const o of orders) {
    const v = orderOvertime(cal, o, at);
    if (!v || !inRange(v.decidedAt, filter)) continue;
    decidedAll++;
    if (v.overtime) overAll++;
    for (const [map, name] of [[byAgency, o.agencyName], [byOwner, o.ownerName]] as const) {
      const g = map.get(name) ?? { total: 0, over: 0 };
      g.total++;
      if (v.overtime) g.over++;
      map.set(name, g);
    }
  }

  const gradeTotal = rows.grades.reduce((s, g) => s + g.count, 0);
  const windows = new Map<string, { n: number; sum: number; sat: number }>();
  for (const r of rows.ratings.filter((r) => inRange(r.createdAt, filter))) {
    const k = r.window ?? '其他';
    const w = windows.get(k) ?? { n: 0, sum: 0, sat: 0 };
    w.n++;
    w.sum += r.score;
    if (r.score >= 4) w.sat++;
    windows.set(k, w);
  }

  const tables: StatsReport['tables'] = {
    monthly: {
      key: 'monthly',
      title: STATS_TABLES.monthly,
      columns: [
        { key: 'month', label: '月份', kind: 'text' },
        { key: 'tenders', label: '招标项目（个）', kind: 'int' },
        { key: 'purchases', label: '中介采购（宗）', kind: 'int' },
        { key: 'tenderFen', label: '招标成交金额（元）', kind: 'fen' },
        { key: 'marketFen', label: '中介成交金额（元）', kind: 'fen' },
      ],
      rows: [...monthly.entries()].map(([m, v]) => [m, v.tenders, v.purchases, v.tenderFen, v.marketFen]),
    },
    savings: {
      key: 'savings',
      title: STATS_TABLES.savings,
      columns: [
        { key: 'market', label: '市场', kind: 'text' },
        { key: 'count', label: '成交宗数', kind: 'int' },
        { key: 'budget', label: '预算/最高限价（元）', kind: 'fen' },
        { key: 'price', label: '成交/合同金额（元）', kind: 'fen' },
        { key: 'saved', label: '节约资金（元）', kind: 'fen' },
        { key: 'rate', label: '节约率', kind: 'pct' },
      ],
      rows: [...(bidding ? [savingsRow('工程建设招投标', sBid)] : []), ...(market ? [savingsRow('网上中介超市', sMarket)] : []), savingsRow('合计', sAll)],
    },
    completion: {
      key: 'completion',
      title: STATS_TABLES.completion,
      columns: [
        { key: 'month', label: '验收月份', kind: 'text' },
        { key: 'orders', label: '验收订单数', kind: 'int' },
        { key: 'avg', label: '平均办结时间（工作日）', kind: 'num' },
      ],
      rows: [...completion.entries()].map(([m, c]) => [m, c.n, c.n ? c.days / c.n : null]),
    },
    'overtime-agency': overtimeTable('overtime-agency', '中介机构', byAgency),
    'overtime-owner': overtimeTable('overtime-owner', '业主单位', byOwner),
    credit: {
      key: 'credit',
      title: STATS_TABLES.credit,
      columns: [
        { key: 'grade', label: '信用等级', kind: 'text' },
        { key: 'count', label: '机构数', kind: 'int' },
        { key: 'share', label: '占比', kind: 'pct' },
      ],
      rows: rows.grades.map((g) => [g.grade, g.count, ratio(g.count, gradeTotal)]),
    },
    satisfaction: {
      key: 'satisfaction',
      title: STATS_TABLES.satisfaction,
      columns: [
        { key: 'window', label: '服务窗口', kind: 'text' },
        { key: 'count', label: '评价数', kind: 'int' },
        { key: 'avg', label: '平均分', kind: 'num' },
        { key: 'sat', label: '满意率', kind: 'pct' },
      ],
      rows: [...windows.entries()].sort((a, b) => b[1].n - a[1].n).map(([k, w]) => [k, w.n, w.sum / w.n, w.sat / w.n]),
    },
  };
  return {
    filter,
    generatedAt: at.toISOString(),
    totals: {
      tenders: tenders.length,
      purchases: purchases.length,
      dealAmountFen: awards.reduce((s, a) => s + a.priceFen, 0) + ordersCreated.reduce((s, o) => s + o.feeFen, 0),
      savingsRate: sAll.rate,
      avgCompletionDays: daysN ? daysSum / daysN : null,
      overtimeRate: ratio(overAll, decidedAll),
      agencies: gradeTotal,
    },
    tables,
  };
}
