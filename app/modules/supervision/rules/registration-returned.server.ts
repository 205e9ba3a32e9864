// 多次退件: the same registration returned for supplements twice or more breaks the one-time
// complete notice rule (一次性告知): everything missing must be listed the first time.
import type { Finding, WarningRule } from '../warnings.server';

export const registrationReturnedRule: WarningRule = {
  id: 'market.registration.returned',
  name: '同一申请多次退件',
  level: 'yellow',
  category: 'procedure',
  description: '同一入驻申请被退回补正两次及以上，违反一次性告知要求（两次黄色，三次及以上红色）',
  async evaluate(db) {
    const groups = await db.registrationReview.groupBy({ by: ['agencyId'], where: { decision: 'return' }, _count: { _all: true }, having: { agencyId: { _count: { gte: 2 } } } });
    if (groups.length === 0) return [];
    const agencies = await db.agencyProfile.findMany({ where: { id: { in: groups.map((g) => g.agencyId) } }, select: { id: true, name: true } });
    const name = new Map(agencies.map((a) => [a.id, a.name]));
    return groups.map((g): Finding => {
      const n = g._count._all;
      return {
        subjectType: 'agency-registration',
        subjectId: g.agencyId,
        subjectLabel: `入驻申请 · ${name.get(g.agencyId) ?? g.agencyId}`,
        level: n >= 3 ? 'red' : 'yellow',
        title: `${name.get(g.agencyId) ?? '中介机构'} 的入驻申请已被退回 ${n} 次`,
        detail: `同一申请被退回补正 ${n} 次，请核查审核人员是否一次性告知全部补正材料。`,
        facts: { returns: n },
        link: `/admin/registrations/${g.agencyId}`,
      };
    });
  },
};
