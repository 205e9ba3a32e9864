import type { PdfDoc } from '../pdf.server';
import { formatDate } from '../datetime';
import { formatFen } from '../money';
import { verificationBlocks, type IssueInfo } from './shared';

/** Statement 对账单: movements on one account (deposits, service fees) with a running balance. */
export interface StatementData extends IssueInfo {
  statementNo: string;
  account: { holder: string; creditCode?: string; number: string; kind: string };
  periodStart: Date;
  periodEnd: Date;
  openingBalanceFen: number | bigint;
  /** Positive: money in (收入); negative: money out (支出). Listed in booking order. */
  entries: { at: Date; summary: string; reference: string; amountFen: number | bigint }[];
}

export interface StatementTotals {
  incomeFen: bigint;
  expenseFen: bigint;
  closingBalanceFen: bigint;
  /** Balance after each entry, in entry order. */
  balancesFen: bigint[];
}

export function statementTotals(data: Pick<StatementData, 'openingBalanceFen' | 'entries'>): StatementTotals {
  let balance = BigInt(data.openingBalanceFen);
  let income = 0n;
  let expense = 0n;
  const balancesFen = data.entries.map((e) => {
    const amount = BigInt(e.amountFen);
    if (amount >= 0n) income += amount;
    else expense -= amount;
    balance += amount;
    return balance;
  });
  return { incomeFen: income, expenseFen: expense, closingBalanceFen: balance, balancesFen };
}

export function statement(data: StatementData): PdfDoc {
  for (let i = 1; i < data.entries.length; i++) {
    if (data.entries[i].at < data.entries[i - 1].at) throw new Error('Statement entries must be in booking order');
  }
  const totals = statementTotals(data);
  const period = `${formatDate(data.periodStart)} 至 ${formatDate(data.periodEnd)}`;
  return {
    title: '账户对账单',
    subtitle: `对账期间：${period}`,
    header: data.issuer,
    meta: {
      createdAt: data.issuedAt,
      documentId: data.statementNo,
      author: data.issuer,
      subject: `${data.account.holder} ${period} 对账单`,
      keywords: ['对账单', data.account.number],
    },
    blocks: [
      {
        type: 'kv',
        rows: [
          ['账户名称', data.account.holder],
          ...(data.account.creditCode ? [['统一社会信用代码', data.account.creditCode] as [string, string]] : []),
          ['账户类型', data.account.kind],
          ['账号', data.account.number],
          ['对账期间', period],
          ['期初余额', formatFen(data.openingBalanceFen)],
          ['本期收入', formatFen(totals.incomeFen)],
          ['本期支出', formatFen(totals.expenseFen)],
          ['期末余额', formatFen(totals.closingBalanceFen)],
        ],
      },
      { type: 'heading', text: '交易明细' },
      {
        type: 'table',
        columns: [
          { title: '记账日期', width: 0.125, align: 'center' },
          { title: '摘要' },
          { title: '凭证号', width: 0.2 },
          { title: '收入', width: 0.15, align: 'right' },
          { title: '支出', width: 0.15, align: 'right' },
          { title: '余额', width: 0.16, align: 'right' },
        ],
        rows: [
          ['', '期初余额', '', '', '', formatFen(data.openingBalanceFen)],
          ...data.entries.map((e, i) => {
            const amount = BigInt(e.amountFen);
            return [
              formatDate(e.at),
              e.summary,
              e.reference,
              amount >= 0n ? formatFen(amount) : '',
              amount < 0n ? formatFen(-amount) : '',
              formatFen(totals.balancesFen[i]),
            ];
          }),
        ],
        footer: [['', '本期合计', '', formatFen(totals.incomeFen), formatFen(totals.expenseFen), formatFen(totals.closingBalanceFen)]],
      },
      {
        type: 'note',
        text: '如对本对账单有异议，请于收到之日起十五日内通过平台提出；逾期未提出的，视为确认无误。金额单位：人民币元。',
      },
      ...verificationBlocks(data),
    ],
  };
}
