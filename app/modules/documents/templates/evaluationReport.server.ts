import type { Block, PdfDoc } from '../pdf.server';
import { formatDateTime } from '../datetime';
import { formatFen } from '../money';
import { sectionLabel, signatureBlock, verificationBlocks, type IssueInfo, type SectionRef, type SignerData, type TenderRef } from './shared';

export interface EvaluationCriterion {
  name: string;
  maxScore: number;
}

/** EvaluationReport 评标报告, written by the evaluation committee. */
export interface EvaluationReportData extends IssueInfo {
  reportId: string;
  tender: TenderRef;
  section?: SectionRef;
  /** e.g. 综合评估法 / 经评审的最低投标价法. */
  method: string;
  evaluationStart: Date;
  evaluationEnd: Date;
  venue: string;
  experts: { name: string; role: '组长' | '成员'; specialty: string; source: string }[];
  criteria: EvaluationCriterion[];
  /** Committee scores per bidder, in the order of `criteria` (the average of the experts). */
  scores: { bidder: string; priceFen: number | bigint; byCriterion: number[] }[];
  rejected: { bidder: string; reason: string; basis: string }[];
  /** How many ranked bidders become 中标候选人 (at most three by law). */
  candidateCount: number;
  conclusion?: string;
  signers: SignerData[];
}

export interface RankedBid {
  rank: number;
  bidder: string;
  priceFen: number | bigint;
  /** Total in hundredths of a point, so ranking never depends on floating-point sums. */
  totalCentiPoints: number;
}

const centi = (score: number) => Math.round(score * 100);
const points = (centiPoints: number) => (centiPoints / 100).toFixed(2);

/**
 * Ranks by total score, higher first; equal totals rank by lower price (the usual tie rule in
 * tender documents); still equal totals and prices share a rank (1, 2, 2, 4).
 */
export function rankBids(scores: EvaluationReportData['scores']): RankedBid[] {
  const totals = scores.map((s) => ({
    bidder: s.bidder,
    priceFen: s.priceFen,
    totalCentiPoints: s.byCriterion.reduce((sum, v) => sum + centi(v), 0),
  }));
  totals.sort((a, b) => b.totalCentiPoints - a.totalCentiPoints || Number(BigInt(a.priceFen) - BigInt(b.priceFen)));
  return totals.map((t, i) => {
    let rank = i + 1;
    for (let j = i - 1; j >= 0; j--) {
      const prev = totals[j];
      if (prev.totalCentiPoints !== t.totalCentiPoints || BigInt(prev.priceFen) !== BigInt(t.priceFen)) break;
      rank = j + 1;
    }
    return { ...t, rank };
  });
}

export function evaluationReport(data: EvaluationReportData): PdfDoc {
  if (data.candidateCount < 1 || data.candidateCount > 3) throw new RangeError('One to three candidates may be recommended');
  const rejectedNames = new Set(data.rejected.map((r) => r.bidder));
  for (const s of data.scores) {
    if (rejectedNames.has(s.bidder)) throw new Error(`${s.bidder} was rejected and cannot be scored`);
    if (s.byCriterion.length !== data.criteria.length) throw new Error(`Scores of ${s.bidder} do not match the criteria`);
    s.byCriterion.forEach((v, i) => {
      const max = data.criteria[i].maxScore;
      if (!(v >= 0 && v <= max)) throw new RangeError(`${s.bidder}: ${data.criteria[i].name} score ${v} is outside 0–${max}`);
    });
  }
  const ranked = rankBids(data.scores);
  const maxTotal = data.criteria.reduce((sum, c) => sum + centi(c.maxScore), 0);
  const candidates = ranked.slice(0, data.candidateCount);

  const blocks: Block[] = [
    { type: 'heading', text: '一、基本情况' },
    {
      type: 'kv',
      rows: [
        ['项目名称', data.tender.name],
        ['项目编号', data.tender.code],
        ['标段（包）', sectionLabel(data.section)],
        ['评标办法', data.method],
        ['评标时间', `${formatDateTime(data.evaluationStart)} 至 ${formatDateTime(data.evaluationEnd)}`],
        ['评标地点', data.venue],
        ['有效投标', `${data.scores.length} 家`],
        ['否决投标', `${data.rejected.length} 家`],
      ],
    },
    { type: 'heading', text: '二、评标委员会' },
    {
      type: 'table',
      columns: [
        { title: '序号', width: 0.08, align: 'center' },
        { title: '姓名', width: 0.14 },
        { title: '职务', width: 0.1, align: 'center' },
        { title: '专业' },
        { title: '来源', width: 0.3 },
      ],
      rows: data.experts.map((e, i) => [String(i + 1), e.name, e.role, e.specialty, e.source]),
    },
    { type: 'heading', text: '三、否决投标情况' },
    data.rejected.length
      ? {
          type: 'table',
          columns: [
            { title: '序号', width: 0.08, align: 'center' },
            { title: '投标人', width: 0.28 },
            { title: '否决理由' },
            { title: '依据', width: 0.22 },
          ],
          rows: data.rejected.map((r, i) => [String(i + 1), r.bidder, r.reason, r.basis]),
        }
      : { type: 'paragraph', text: '无。' },
    { type: 'heading', text: '四、详细评审得分' },
    {
      type: 'table',
      caption: `各项得分为评标委员会成员评分的算术平均值，满分 ${points(maxTotal)} 分。`,
      columns: [
        { title: '投标人' },
        ...data.criteria.map((c) => ({ title: `${c.name}（${c.maxScore}分）`, width: Math.min(0.5 / data.criteria.length, 0.14), align: 'right' as const })),
        { title: '总分', width: 0.1, align: 'right' },
      ],
      rows: data.scores.map((s) => [
        s.bidder,
        ...s.byCriterion.map((v) => points(centi(v))),
        points(s.byCriterion.reduce((sum, v) => sum + centi(v), 0)),
      ]),
    },
    { type: 'heading', text: '五、排序及推荐中标候选人' },
    {
      type: 'table',
      columns: [
        { title: '排名', width: 0.08, align: 'center' },
        { title: '投标人' },
        { title: '投标报价（元）', width: 0.2, align: 'right' },
        { title: '总分', width: 0.12, align: 'right' },
        { title: '推荐结果', width: 0.16, align: 'center' },
      ],
      rows: ranked.map((r, i) => [
        String(r.rank),
        r.bidder,
        formatFen(r.priceFen),
        points(r.totalCentiPoints),
        i < data.candidateCount ? `第${['一', '二', '三'][i]}中标候选人` : '—',
      ]),
    },
    {
      type: 'paragraph',
      indent: true,
      text:
        data.conclusion ??
        `评标委员会按照招标文件规定的评标标准和方法，对有效投标文件进行了评审和比较，推荐中标候选人如下：${candidates
          .map((c, i) => `第${['一', '二', '三'][i]}中标候选人${c.bidder}`)
          .join('；')}。`,
    },
    { type: 'heading', text: '六、评标委员会签字' },
    signatureBlock(data.signers),
    ...verificationBlocks(data),
  ];

  return {
    title: '评标报告',
    subtitle: `${data.tender.name}（${data.tender.code}）`,
    header: data.issuer,
    meta: {
      createdAt: data.issuedAt,
      documentId: data.reportId,
      author: '评标委员会',
      subject: `${data.tender.name} 评标报告`,
      keywords: ['评标报告', data.tender.code],
    },
    blocks,
  };
}
