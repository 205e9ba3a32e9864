// 月度报告: the month's figures as a PDF (documents/templates/monthlyReport) plus the statistics
// tables, so the printed report and the /stats page always agree (same definitions).
import type { Tx } from '~/db/db.server';
import { monthlyReport, renderPdf, type Block } from '~/modules/documents/index.server';
import { endOfChinaDay, startOfChinaDay } from '~/modules/clock/workdays';
import { loadWorkCalendar } from '~/modules/market/calendar.server';
import { collectStatsRows } from './stats.server';
import { computeStats, orderOvertime } from './aggregate';
import { formatCell, type StatsFilter, type StatsTable } from './types';

const ISSUER = '江城市公共资源交易中心';

export function monthRange(month: string): StatsFilter | null {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return null;
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}`, market: 'all' };
}

function tableBlock(t: StatsTable, limit = 40): Block {
  return {
    type: 'table',
    caption: t.title,
    columns: t.columns.map((c, i) => ({ title: c.label, align: i === 0 ? 'left' : 'right' })),
    rows: t.rows.slice(0, limit).map((r) => r.map((v, i) => formatCell(t.columns[i].kind, v))),
  };
}

export async function monthlyReportPdf(db: Tx, month: string, at: Date): Promise<{ bytes: Uint8Array; filename: string } | null> {
  const filter = monthRange(month);
  if (!filter) return null;
  const [y, m] = month.split('-').map(Number);
  const range = { gte: startOfChinaDay(filter.from), lte: endOfChinaDay(filter.to) };
  const [rows, cal, opened, warnings, complaints, ratings, inspections] = await Promise.all([
    collectStatsRows(db, filter, at),
    loadWorkCalendar(db),
    db.tender.count({ where: { status: 'opened', bidDeadline: range } }),
    db.warning.groupBy({ by: ['level'], where: { raisedAt: range }, _count: { _all: true } }),
    db.complaint.count({ where: { filedAt: range } }),
    db.serviceRating.findMany({ where: { createdAt: range }, select: { score: true, agencyOrgId: true } }),
    db.inspection.findMany({ where: { publishedAt: range }, select: { no: true, title: true, targets: { select: { result: true } } } }),
  ]);
  const report = computeStats(rows, filter, cal, at);
  const savings = report.tables.savings.rows.at(-1)!;
  const warn = (level: string) => warnings.find((w) => w.level === level)?._count._all ?? 0;

  // Orders by service category, and per agency: services decided this month and how many on time.
  const orderMeta = await db.serviceOrder.findMany({
    where: { code: { in: rows.orders.map((o) => o.code) } },
    select: { code: true, agencyId: true, itemId: true },
  });
  const items = new Map((await db.serviceItem.findMany({ where: { id: { in: orderMeta.map((o) => o.itemId) } }, select: { id: true, category: { select: { name: true } } } })).map((i) => [i.id, i.category.name]));
  const agencyRows = await db.agencyProfile.findMany({ where: { id: { in: orderMeta.map((o) => o.agencyId) } }, select: { id: true, orgId: true, name: true, creditGrade: true } });
  const agencies = new Map(agencyRows.map((a) => [a.id, a]));
  const metaBy = new Map(orderMeta.map((o) => [o.code, o]));
  const byCategory = new Map<string, { count: number; amountFen: number }>();
  const awards = rows.awards.filter((a) => a.awardedAt >= range.gte && a.awardedAt <= range.lte);
  if (awards.length) byCategory.set('工程建设招投标', { count: awards.length, amountFen: awards.reduce((s, a) => s + a.priceFen, 0) });
  const perAgency = new Map<string, { services: number; onTime: number }>();
  for (const o of rows.orders) {
    const meta = metaBy.get(o.code)!;
    if (o.status !== 'cancelled' && o.createdAt >= range.gte && o.createdAt <= range.lte) {
      const k = `中介服务·${items.get(meta.itemId) ?? '其他'}`;
      const c = byCategory.get(k) ?? { count: 0, amountFen: 0 };
      c.count++;
      c.amountFen += o.feeFen;
      byCategory.set(k, c);
    }
    const v = orderOvertime(cal, o, at);
    if (!v || v.decidedAt < range.gte || v.decidedAt > range.lte) continue;
    const g = perAgency.get(meta.agencyId) ?? { services: 0, onTime: 0 };
    g.services++;
    if (!v.overtime) g.onTime++;
    perAgency.set(meta.agencyId, g);
  }
  const ratingBy = new Map<string, { n: number; sum: number }>();
  for (const r of ratings) {
    if (!r.agencyOrgId) continue;
    const g = ratingBy.get(r.agencyOrgId) ?? { n: 0, sum: 0 };
    g.n++;
    g.sum += r.score;
    ratingBy.set(r.agencyOrgId, g);
  }
  const remarks: string[] = [];
  const worst = report.tables['overtime-agency'].rows.find((r) => (r[2] as number) > 0);
  if (worst) remarks.push(`${worst[0]}本月有 ${worst[2]} 宗服务超过承诺时限，已按信用评价规则扣分并纳入预警处置。`);
  for (const i of inspections) {
    const bad = i.targets.filter((t) => t.result && t.result !== 'pass').length;
    remarks.push(`本月公开双随机抽查结果（${i.no} ${i.title}），抽查 ${i.targets.length} 家中介机构，其中 ${bad} 家责令整改或不合格。`);
  }
  if (!remarks.length) remarks.push('本月无需要特别说明的事项。');

  const doc = monthlyReport({
    issuer: ISSUER,
    issuedAt: at,
    reportNo: `YB-${month.replace('-', '')}`,
    year: y,
    month: m,
    summary: {
      tendersPublished: report.totals.tenders,
      tendersOpened: opened,
      dealCount: awards.length + [...byCategory.entries()].filter(([k]) => k.startsWith('中介')).reduce((s, [, c]) => s + c.count, 0),
      dealAmountFen: report.totals.dealAmountFen,
      savedFen: Math.max(0, savings[4] as number),
      purchasesCompleted: report.tables.completion.rows.reduce((s, r) => s + (r[1] as number), 0),
      overdueWarnings: { red: warn('red'), yellow: warn('yellow') },
      complaints,
      satisfaction: ratings.length ? ratings.filter((r) => r.score >= 4).length / ratings.length : 0,
    },
    byCategory: [...byCategory.entries()].map(([category, c]) => ({ category, ...c })),
    agencies: [...perAgency.entries()]
      .map(([id, g]) => {
        const a = agencies.get(id)!;
        const r = ratingBy.get(a.orgId);
        return { name: a.name, services: g.services, onTimeRate: g.onTime / g.services, averageRating: r ? r.sum / r.n : 0, creditGrade: a.creditGrade };
      })
      .sort((a, b) => b.services - a.services),
    remarks,
  });
  doc.blocks.push(
    { type: 'heading', text: '附表' },
    tableBlock(report.tables.savings),
    tableBlock(report.tables['overtime-owner']),
    tableBlock(report.tables.credit),
    tableBlock(report.tables.satisfaction),
    { type: 'note', text: '统计口径：招标成交金额以备案合同金额为准（未备案的以中标金额计）；中介服务以订单合同金额计；节约率＝（预算或最高限价－成交金额）÷预算；办结时间自合同签订至验收，按工作日计；超时率按当月交付或到期的订单计算。' },
  );
  return { bytes: await renderPdf(doc), filename: `monthly-report-${month}.pdf` };
}
