// 收费超标准: a contract (service order) or awarded fee outside the catalog's uniform fee standard
// (统一收费标准). fixed: at most the fixed fee; range: inside [min, max]; rate: at most the rate of
// the project investment, clamped to [min, max], and at least the floor.
import { formatFen } from '~/modules/documents/money';
import type { Finding, WarningRule } from '../warnings.server';

interface FeeStandard {
  feeKind: string;
  feeFixedFen: number | null;
  feeMinFen: number | null;
  feeMaxFen: number | null;
  feeRatePpm: number | null;
}

/** The allowed fee interval for an item (and, for rate items, the project investment). */
export function feeBounds(item: FeeStandard, investmentFen?: bigint | null): { min: number | null; max: number | null } {
  switch (item.feeKind) {
    case 'fixed':
      return { min: null, max: item.feeFixedFen };
    case 'range':
      return { min: item.feeMinFen, max: item.feeMaxFen };
    case 'rate': {
      if (investmentFen == null || item.feeRatePpm == null) return { min: item.feeMinFen, max: item.feeMaxFen };
      let base = Number((investmentFen * BigInt(item.feeRatePpm)) / 1_000_000n);
      if (item.feeMinFen != null) base = Math.max(base, item.feeMinFen);
      if (item.feeMaxFen != null) base = Math.min(base, item.feeMaxFen);
      return { min: item.feeMinFen, max: base };
    }
    default:
      return { min: null, max: null };
  }
}

function describe(b: { min: number | null; max: number | null }) {
  if (b.min != null && b.max != null) return `${formatFen(b.min)}元至${formatFen(b.max)}元`;
  if (b.max != null) return `不高于${formatFen(b.max)}元`;
  if (b.min != null) return `不低于${formatFen(b.min)}元`;
  return '无';
}

export const feeStandardRule: WarningRule = {
  id: 'market.fee.outside-standard',
  name: '收费超出统一标准',
  level: 'red',
  category: 'fee',
  description: '中介服务合同金额或成交金额超出目录统一收费标准',
  async evaluate(db) {
    const orders = await db.serviceOrder.findMany({ where: { status: { not: 'cancelled' } }, select: { id: true, code: true, feeFen: true, itemId: true, purchaseId: true, agencyId: true } });
    const purchases = await db.purchase.findMany({
      where: { winningFeeFen: { not: null }, status: { notIn: ['cancelled', 'failed'] } },
      select: { id: true, code: true, projectName: true, winningFeeFen: true, itemId: true, investmentFen: true, winnerAgencyId: true },
    });
    const items = await db.serviceItem.findMany({ where: { id: { in: [...new Set([...orders.map((o) => o.itemId), ...purchases.map((p) => p.itemId)])] } } });
    const itemOf = new Map(items.map((i) => [i.id, i]));
    const purchaseOf = new Map(purchases.map((p) => [p.id, p]));
    const agencyIds = [...new Set([...orders.map((o) => o.agencyId), ...purchases.map((p) => p.winnerAgencyId).filter((x): x is string => !!x)])];
    const agencies = await db.agencyProfile.findMany({ where: { id: { in: agencyIds } }, select: { id: true, orgId: true, name: true } });
    const agencyOf = new Map(agencies.map((a) => [a.id, a]));
    const findings: Finding[] = [];
    const check = (fee: number, itemId: string, investment: bigint | null | undefined) => {
      const item = itemOf.get(itemId);
      if (!item) return null;
      const b = feeBounds(item, investment);
      const out = (b.max != null && fee > b.max) || (b.min != null && fee < b.min);
      return out ? { item, bounds: b } : null;
    };
    const ordered = new Set<string>();
    for (const o of orders) {
      if (o.purchaseId) ordered.add(o.purchaseId);
      const hit = check(o.feeFen, o.itemId, o.purchaseId ? purchaseOf.get(o.purchaseId)?.investmentFen : null);
      if (!hit) continue;
      const agency = agencyOf.get(o.agencyId);
      findings.push({
        subjectType: 'service-order',
        subjectId: o.id,
        subjectLabel: `订单 ${o.code} · ${agency?.name ?? ''}`,
        title: `订单 ${o.code} 收费 ${formatFen(o.feeFen)} 元超出统一收费标准`,
        detail: `服务事项“${hit.item.name}”统一收费标准为${describe(hit.bounds)}，合同金额 ${formatFen(o.feeFen)} 元。`,
        facts: { feeFen: o.feeFen, minFen: hit.bounds.min, maxFen: hit.bounds.max, itemCode: hit.item.code },
        link: `/market/orders/${o.id}`,
        responsibleOrgIds: agency ? [agency.orgId] : [],
      });
    }
    for (const p of purchases) {
      if (ordered.has(p.id)) continue;
      const hit = check(p.winningFeeFen!, p.itemId, p.investmentFen);
      if (!hit) continue;
      findings.push({
        subjectType: 'purchase',
        subjectId: p.id,
        subjectLabel: `采购 ${p.code} ${p.projectName}`,
        title: `采购项目 ${p.code} 成交金额超出统一收费标准`,
        detail: `服务事项“${hit.item.name}”统一收费标准为${describe(hit.bounds)}，成交金额 ${formatFen(p.winningFeeFen!)} 元。`,
        facts: { feeFen: p.winningFeeFen, minFen: hit.bounds.min, maxFen: hit.bounds.max, itemCode: hit.item.code },
        link: `/market/purchases/${p.id}`,
      });
    }
    return findings;
  },
};
