import type { Block, PdfDoc } from '../pdf.server';
import { formatFen } from '../money';
import { verificationBlocks, type IssueInfo } from './shared';

/** MonthlyReport 月度报告: the trading center's monthly figures for supervisors and the public. */
export interface MonthlyReportData extends IssueInfo {
  reportNo: string;
  year: number;
  month: number;
  summary: {
    tendersPublished: number;
    tendersOpened: number;
    dealCount: number;
    dealAmountFen: number | bigint;
    /** Money saved against budgets or control prices (节约资金). */
    savedFen: number | bigint;
    purchasesCompleted: number;
    overdueWarnings: { red: number; yellow: number };
    complaints: number;
    /** Share of satisfied ratings, as a fraction (0.987 → 98.7%). */
    satisfaction: number;
  };
  byCategory: { category: string; count: number; amountFen: number | bigint }[];
  agencies: { name: string; services: number; onTimeRate: number; averageRating: number; creditGrade: string }[];
  remarks: string[];
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

export function monthlyReport(data: MonthlyReportData): PdfDoc {
  const s = data.summary;
  const period = `${data.year}年${data.month}月`;
  const blocks: Block[] = [
    { type: 'heading', text: '一、总体情况' },
    {
      type: 'paragraph',
      indent: true,
      text: `${period}，平台共发布招标项目 ${s.tendersPublished} 个，完成开标 ${s.tendersOpened} 场，成交 ${s.dealCount} 宗，成交金额 ${formatFen(s.dealAmountFen)}，节约资金 ${formatFen(s.savedFen)}。中介服务超市完成采购 ${s.purchasesCompleted} 宗，服务满意率 ${percent(s.satisfaction)}。`,
    },
    {
      type: 'kv',
      rows: [
        ['红色预警', `${s.overdueWarnings.red} 次`],
        ['黄色预警', `${s.overdueWarnings.yellow} 次`],
        ['投诉举报', `${s.complaints} 件`],
      ],
    },
    { type: 'heading', text: '二、分类交易情况' },
    {
      type: 'table',
      columns: [{ title: '交易类别' }, { title: '成交宗数', width: 0.18, align: 'right' }, { title: '成交金额（元）', width: 0.28, align: 'right' }],
      rows: data.byCategory.map((c) => [c.category, String(c.count), formatFen(c.amountFen)]),
      footer: [
        [
          '合计',
          String(data.byCategory.reduce((n, c) => n + c.count, 0)),
          formatFen(data.byCategory.reduce((n, c) => n + BigInt(c.amountFen), 0n)),
        ],
      ],
    },
    { type: 'heading', text: '三、中介机构服务情况' },
    {
      type: 'table',
      columns: [
        { title: '中介机构' },
        { title: '服务宗数', width: 0.12, align: 'right' },
        { title: '按时办结率', width: 0.14, align: 'right' },
        { title: '平均评分', width: 0.12, align: 'right' },
        { title: '信用等级', width: 0.12, align: 'center' },
      ],
      rows: data.agencies.map((a) => [a.name, String(a.services), percent(a.onTimeRate), a.averageRating.toFixed(2), a.creditGrade]),
    },
  ];
  if (data.remarks.length) {
    blocks.push({ type: 'heading', text: '四、需要说明的事项' });
    data.remarks.forEach((r, i) => blocks.push({ type: 'paragraph', indent: true, text: `${i + 1}. ${r}` }));
  }
  blocks.push(...verificationBlocks(data));
  return {
    title: `${period}公共资源交易情况报告`,
    header: data.issuer,
    meta: {
      createdAt: data.issuedAt,
      documentId: data.reportNo,
      author: data.issuer,
      subject: `${period}月度报告`,
      keywords: ['月度报告', period],
    },
    blocks,
  };
}
