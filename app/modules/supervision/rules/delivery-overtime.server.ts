// 中介服务超时: an agency's delivery against the catalog's uniform committed time limit (统一承诺时限),
// counted in working days from the start of service with the owner's suspensions (中止) taken
// out. Yellow at 80 % of the limit, red once overdue — the same thresholds the market shows.
import { formatDateTime } from '~/modules/documents/datetime';
import type { Finding, WarningRule } from '../warnings.server';

export const deliveryOvertimeRule: WarningRule = {
  id: 'market.delivery.overtime',
  name: '中介服务交付超时',
  level: 'red',
  category: 'overtime',
  description: '中介机构未在统一承诺时限内提交服务成果（黄色：已用80%时限；红色：已超时）',
  async evaluate(db, now, { calendar }) {
    const orders = await db.serviceOrder.findMany({
      where: { status: 'in_progress', startedAt: { not: null } },
      include: { pauses: true },
    });
    if (orders.length === 0) return [];
    const agencies = await db.agencyProfile.findMany({ where: { id: { in: [...new Set(orders.map((o) => o.agencyId))] } }, select: { id: true, orgId: true, name: true } });
    const items = await db.serviceItem.findMany({ where: { id: { in: [...new Set(orders.map((o) => o.itemId))] } }, select: { id: true, name: true } });
    const agencyOf = new Map(agencies.map((a) => [a.id, a]));
    const itemOf = new Map(items.map((i) => [i.id, i.name]));
    const findings: Finding[] = [];
    for (const o of orders) {
      const pauses = o.pauses.map((p) => ({ from: p.from, to: p.to }));
      const s = calendar.timeLimitStatus(o.startedAt!, o.timeLimitDays, now, pauses);
      if (s.level === 'normal') continue;
      const agency = agencyOf.get(o.agencyId);
      const due = s.dueAt ? formatDateTime(s.dueAt) : '（中止中）';
      findings.push({
        subjectType: 'service-order',
        subjectId: o.id,
        subjectLabel: `订单 ${o.code} · ${agency?.name ?? ''}`,
        level: s.level,
        title: s.level === 'red' ? `${agency?.name ?? '中介机构'} 的服务“${itemOf.get(o.itemId) ?? ''}”已超时未交付` : `${agency?.name ?? '中介机构'} 的服务“${itemOf.get(o.itemId) ?? ''}”即将超时`,
        detail: `订单 ${o.code} 承诺时限 ${o.timeLimitDays} 个工作日，应于 ${due} 前交付，已用 ${Math.min(999, Math.round(s.fraction * 100))}% 时限。`,
        facts: { code: o.code, timeLimitDays: o.timeLimitDays, startedAt: o.startedAt!.toISOString(), dueAt: s.dueAt?.toISOString() ?? null, fraction: Math.round(s.fraction * 1000) / 1000 },
        link: `/market/orders/${o.id}`,
        responsibleOrgIds: agency ? [agency.orgId] : [],
      });
    }
    return findings;
  },
};
