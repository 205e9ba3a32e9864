// Shared by the server and the browser (no server imports): evaluation states, methods, criteria,
// form schemas and the texts experts and tenderers sign.
// Glossary: 评标 evaluation, 评标委员会 committee (members), 组长 chair, 综合评分法 comprehensive
// scoring, 经评审的最低投标价法 lowest evaluated price, 否决投标 rejection, 澄清 clarification,
// 评标报告 report, 中标候选人公示 candidate publicity, 异议 objection, 中标通知书 award notice,
// 中标结果通知书 result notice, 合同备案 contract filing.
import { z } from 'zod';

export const EVALUATION_STATES = {
  planned: '待抽取专家',
  drawn: '专家确认中',
  evaluating: '评标中',
  reporting: '评标报告签署中',
  reported: '评标结束',
  publicity: '中标候选人公示中',
  awarded: '已定标，待合同备案',
  closed: '合同已备案',
} as const;
export type EvaluationState = keyof typeof EVALUATION_STATES;

/** States in which the evaluation has ended: the committee's names are no longer sealed. */
export const ENDED_STATES: EvaluationState[] = ['reported', 'publicity', 'awarded', 'closed'];

export const METHOD_LABELS: Record<string, string> = { comprehensive: '综合评分法', lowest_price: '经评审的最低投标价法' };

export const MEMBER_STATUS_LABELS: Record<string, string> = { invited: '待确认', accepted: '已确认', declined: '已拒绝' };

export interface Criterion {
  key: string;
  label: string;
  /** Maximum points (comprehensive method; all weights sum to 100). */
  weight: number;
  /** price: computed from the bid prices; subjective: scored by each expert. */
  kind: 'price' | 'subjective';
}

export const DEFAULT_CRITERIA_TEXT = '技术标（施工组织设计）=35\n商务标（企业业绩与信誉）=15\n项目管理机构=10';
export const DEFAULT_PRICE_WEIGHT = 40;

/** Parses "名称=分值" lines into subjective criteria plus the price criterion. */
export function parseCriteria(priceWeight: number, text: string): { criteria: Criterion[] } | { error: string } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return { error: '请至少填写一项评分因素' };
  if (lines.length > 8) return { error: '评分因素最多8项' };
  const criteria: Criterion[] = [{ key: 'price', label: '投标报价', weight: priceWeight, kind: 'price' }];
  for (const [i, line] of lines.entries()) {
    const m = /^(.{2,30}?)\s*[=＝:：]\s*(\d{1,3})$/.exec(line);
    if (!m) return { error: `第${i + 1}行格式应为“评分因素=分值”，例如：技术标=40` };
    const weight = Number(m[2]);
    if (weight < 1) return { error: `第${i + 1}行分值须大于0` };
    criteria.push({ key: `c${i + 1}`, label: m[1].trim(), weight, kind: 'subjective' });
  }
  const total = criteria.reduce((s, c) => s + c.weight, 0);
  if (total !== 100) return { error: `各项分值合计须为100分（当前合计${total}分）` };
  return { criteria };
}

export const planSchema = z.object({
  sectionId: z.string({ required_error: '请选择标段' }).min(1, '请选择标段'),
  method: z.enum(['comprehensive', 'lowest_price'], { required_error: '请选择评标办法', invalid_type_error: '请选择评标办法' }),
  specialty: z.string({ required_error: '请选择评标专业' }).min(1, '请选择评标专业'),
  // 招标投标法 第三十七条: a committee of five or more, an odd number; experts at least two thirds.
  expertCount: z.coerce.number({ invalid_type_error: '请选择专家人数' }).int().refine((n) => [5, 7, 9].includes(n), '评标委员会成员应为5人以上单数'),
  scheduledAt: z.string({ required_error: '请选择评标时间' }).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, '请选择评标时间'),
  priceWeight: z.coerce.number({ invalid_type_error: '请输入价格分值' }).int('请输入整数').min(10, '价格分值不低于10分').max(90, '价格分值不高于90分').optional(),
  criteriaText: z.string().trim().max(600).optional(),
});

/** Points typed by an expert: 0 to the criterion's weight, at most two decimals → centi-points. */
export function parsePoints(raw: string, weight: number): number | string {
  const s = raw.trim();
  if (!s) return '请打分';
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return '请输入数字，最多两位小数';
  const [i, f = ''] = s.split('.');
  const centi = Number(i) * 100 + Number((f + '00').slice(0, 2));
  if (centi > weight * 100) return `不能超过${weight}分`;
  return centi;
}

export function centiText(c: number | null | undefined): string {
  if (c === null || c === undefined) return '—';
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

/** The 无利害关系声明 an expert signs before seeing any bid (实施条例 第四十六条、第四十九条). */
export function declarationText(x: { evaluationId: string; tenderCode: string; tenderName: string; sectionName: string; expertCode: string; expertName: string; bidders: string[]; tendererName: string }): string {
  return [
    '评标专家回避声明及承诺书',
    `项目：${x.tenderCode} ${x.tenderName}（${x.sectionName}）`,
    `招标人：${x.tendererName}`,
    `投标人：${x.bidders.join('；')}`,
    `本人 ${x.expertName}（专家编号 ${x.expertCode}）郑重声明：本人与上述招标人、投标人不存在利害关系，不存在依法应当回避的情形；`,
    '本人将客观、公正地履行职责，遵守职业道德，对所提出的评审意见承担个人责任；不私下接触投标人，不收受财物，不透露评审情况。',
    `评标编号：${x.evaluationId}`,
  ].join('\n');
}

/** What each expert signs for the report: its exact bytes, by SHA-256. */
export function reportStatement(evaluationId: string, pdfSha256: string): string {
  return `评标报告签署\n评标编号：${evaluationId}\n报告文件SHA-256：${pdfSha256}\n本人已审阅评标报告全部内容，同意评审结论。`;
}

/** What the tenderer's certificate signs to issue the award: every notice by its PDF SHA-256 (canonical JSON manifest). */
export function awardStatement(manifest: string): string {
  return `定标确认\n${manifest}`;
}

/** The system's preliminary check (初步评审) of a bid whose deposit was found unpaid at the opening. */
export const DEPOSIT_UNPAID_CHECK = '初步评审：投标保证金未缴纳（系统核验），应否决投标并写明依据';
export const DEPOSIT_UNPAID_REASON = '未按招标文件要求提交投标保证金（系统核验）';
