// Shared with the browser: labels, qualification levels and the fee-standard arithmetic that both
// the forms (to explain a refusal before sending) and the server (to enforce it) use.
// Glossary: 中介服务事项 ServiceItem, 统一收费标准 fee standard, 统一承诺时限 time limit,
// 入驻 registration, 网上挂牌 listing, 采购公告 purchase, 报名 sign-up, 随机抽取 draw,
// 竞价选取 price competition, 比选 comparison, 直接选取 direct selection, 中选公告 result,
// 质疑 objection, 流标 failed purchase, 服务评价 evaluation, 信用等级 credit grade.

export const QUAL_LEVELS = ['综合', '甲级', '乙级', '丙级', '丁级', '不分级'] as const;
export type QualLevel = (typeof QUAL_LEVELS)[number];

/** Higher is better; 不分级 (a type without levels) satisfies only 不分级 requirements... and any holder of the type does. */
export const LEVEL_RANK: Record<string, number> = { 综合: 5, 甲级: 4, 乙级: 3, 丙级: 2, 丁级: 1, 不分级: 0 };

export function levelRank(level: string): number {
  return LEVEL_RANK[level] ?? 0;
}

/** Whether a certificate of `held` level meets a requirement of `required` level (same type). */
export function levelMeets(held: string, required: string): boolean {
  return levelRank(held) >= levelRank(required);
}

export const METHODS = ['draw', 'price', 'compare', 'direct'] as const;
export type Method = (typeof METHODS)[number];
export const METHOD_LABELS: Record<Method, string> = {
  draw: '随机抽取',
  price: '竞价选取',
  compare: '比选（综合评分）',
  direct: '直接选取',
};

export const PURCHASE_STATUS_LABELS: Record<string, string> = {
  published: '报名中',
  closed: '报名截止，待选取',
  scoring: '比选评分中',
  announced: '中选公示（质疑期）',
  awarded: '已确定中选机构',
  failed: '流标',
  cancelled: '已终止',
};

export const REGISTRATION_STATUS_LABELS: Record<string, string> = {
  draft: '未提交',
  submitted: '待审核',
  returned: '退回补正',
  approved: '已入驻',
  rejected: '不予入驻',
  cleared: '已清退',
};

export const ORDER_STATUS_LABELS: Record<string, string> = {
  contracting: '待签订合同',
  in_progress: '服务中',
  submitted: '成果待验收',
  accepted: '已验收',
  cancelled: '已终止',
};

export const LISTING_STATUS_LABELS: Record<string, string> = { active: '挂牌中', suspended: '已暂停', withdrawn: '已撤牌' };

export const FEE_KIND_LABELS: Record<string, string> = { fixed: '固定收费', range: '区间收费', rate: '按投资额比例' };

/** Comparison criteria (比选评分因素) with weights in points out of 100. */
export const CRITERIA_KEYS = ['price', 'qualification', 'experience', 'credit'] as const;
export type CriteriaKey = (typeof CRITERIA_KEYS)[number];
export const CRITERIA_LABELS: Record<CriteriaKey, string> = { price: '报价', qualification: '资质', experience: '业绩经验', credit: '信用' };
export const DEFAULT_CRITERIA: Record<CriteriaKey, number> = { price: 40, qualification: 20, experience: 25, credit: 15 };

export interface FeeStandard {
  feeKind: string;
  feeFixedFen: number | null;
  feeMinFen: number | null;
  feeMaxFen: number | null;
  feeRatePpm: number | null;
}

/**
 * The allowed fee interval for a purchase under the item's uniform standard. A fixed fee allows a
 * discount down to MAX_DISCOUNT_PCT; a rate applies to the investment and is clamped to the floor
 * and ceiling. Returns null when the investment needed by a rate standard is missing.
 */
export const MAX_DISCOUNT_PCT = 20;

export function feeBounds(item: FeeStandard, investmentFen?: number | bigint | null): { min: number; max: number } | null {
  if (item.feeKind === 'fixed') {
    const f = item.feeFixedFen ?? 0;
    return { min: Math.ceil((f * (100 - MAX_DISCOUNT_PCT)) / 100), max: f };
  }
  if (item.feeKind === 'range') return { min: item.feeMinFen ?? 0, max: item.feeMaxFen ?? 0 };
  if (item.feeKind === 'rate') {
    if (investmentFen == null) return null;
    const raw = Number((BigInt(investmentFen) * BigInt(item.feeRatePpm ?? 0)) / 1_000_000n);
    const floor = item.feeMinFen ?? 0;
    const ceil = item.feeMaxFen ?? Number.MAX_SAFE_INTEGER;
    const max = Math.min(Math.max(raw, floor), ceil);
    return { min: Math.max(floor, Math.ceil((max * (100 - MAX_DISCOUNT_PCT)) / 100)), max };
  }
  return null;
}

/** `¥1,234.56` — formats fen without importing server code. */
export function yuan(fen: number | bigint | null | undefined): string {
  if (fen == null) return '—';
  const v = BigInt(fen);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const y = (a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}¥${y}.${(a % 100n).toString().padStart(2, '0')}`;
}

export function describeFee(item: FeeStandard): string {
  if (item.feeKind === 'fixed') return `${yuan(item.feeFixedFen)}（可在标准内下浮不超过${MAX_DISCOUNT_PCT}%）`;
  if (item.feeKind === 'range') return `${yuan(item.feeMinFen)} – ${yuan(item.feeMaxFen)}`;
  const rate = ((item.feeRatePpm ?? 0) / 10_000).toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return `投资额的 ${rate}%，最低 ${yuan(item.feeMinFen)}，最高 ${yuan(item.feeMaxFen)}`;
}

/** Parses a yuan amount typed by a person ("12,345.6") into fen; null when it is not one. */
export function parseYuan(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = s.replace(/[,，\s¥￥元]/g, '');
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(t)) return null;
  const [i, f = ''] = t.split('.');
  return Number(i) * 100 + Number(f.padEnd(2, '0'));
}

export const GRADES = ['AAA', 'AA', 'A', 'B', 'C'] as const;
export type Grade = (typeof GRADES)[number];
export function gradeRank(g: string): number {
  const i = (GRADES as readonly string[]).indexOf(g);
  return i < 0 ? 0 : GRADES.length - i;
}

/** Browse sort orders of the supermarket. */
export const SORTS = { credit: '信用分', rating: '服务评价', orders: '完成订单数', newest: '最新挂牌' } as const;
export type Sort = keyof typeof SORTS;
