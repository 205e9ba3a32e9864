// 对账单/资金明细 for one tender (refType/refId) or one payer: the ledger entries with running
// totals per account, as CSV (for spreadsheets) and PDF (for the file).
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { renderPdf } from '~/modules/documents/pdf.server';
import type { Prisma } from '~/generated/prisma/client';
import { ACCOUNTS, balances, type Account } from './ledger.server';
import { fenToYuan } from './money';

export interface StatementFilter {
  refType?: string;
  refId?: string;
  partyOrgId?: string;
  /** What the viewer may see (disclosure.server.ts: no money of tenders not yet opened for non-supervisors). */
  where?: Prisma.LedgerEntryWhereInput;
}

const fmt = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

export async function statementRows(f: StatementFilter) {
  const prisma = await getPrisma();
  const entries = await prisma.ledgerEntry.findMany({
    where: { refType: f.refType, refId: f.refId, partyOrgId: f.partyOrgId, ...(f.where ? { AND: [f.where] } : {}) },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    take: 20_000,
    include: { posting: { select: { memo: true, kind: true, orderId: true } } },
  });
  const orgs = await prisma.organization.findMany({ where: { id: { in: [...new Set(entries.map((e) => e.partyOrgId))] } }, select: { id: true, name: true } });
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  return entries.map((e) => ({
    at: fmt(e.at), postingId: e.postingId, memo: e.posting.memo, account: ACCOUNTS[e.account as Account]?.label ?? e.account,
    ref: `${e.refType}:${e.refId}`, party: names.get(e.partyOrgId) ?? e.partyOrgId, debitFen: e.debitFen, creditFen: e.creditFen,
  }));
}

function csvCell(v: string): string {
  // A leading = + - @ would run as a formula in spreadsheet software.
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export async function statementCsv(f: StatementFilter): Promise<string> {
  const rows = await statementRows(f);
  const lines = [['记账时间', '凭证号', '摘要', '科目', '业务对象', '缴款单位', '借方（元）', '贷方（元）']];
  for (const r of rows) lines.push([r.at, r.postingId, r.memo, r.account, r.ref, r.party, r.debitFen ? fenToYuan(r.debitFen) : '', r.creditFen ? fenToYuan(r.creditFen) : '']);
  const d = rows.reduce((a, r) => a + r.debitFen, 0);
  const c = rows.reduce((a, r) => a + r.creditFen, 0);
  lines.push(['合计', '', '', '', '', '', fenToYuan(d), fenToYuan(c)]);
  // BOM: Excel opens UTF-8 Chinese correctly only with it.
  return '\ufeff' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export async function statementPdf(f: StatementFilter, title: string): Promise<Uint8Array> {
  const rows = await statementRows(f);
  const bal = await balances(f);
  const d = rows.reduce((a, r) => a + r.debitFen, 0);
  const c = rows.reduce((a, r) => a + r.creditFen, 0);
  return renderPdf({
    title: '资金明细对账单',
    subtitle: title,
    header: '江城市公共资源交易中心',
    meta: { createdAt: now(), documentId: `ST-${fmt(now()).replace(/\D/g, '')}`, creator: '江城市公共资源交易平台' },
    blocks: [
      { type: 'kv', rows: [['对账范围', title], ['生成时间', fmt(now())], ['分录条数', String(rows.length)], ['借贷平衡', d === c ? '是' : '否']] },
      { type: 'heading', text: '科目余额', level: 2 },
      { type: 'table', columns: [{ title: '科目' }, { title: '借方合计', align: 'right' }, { title: '贷方合计', align: 'right' }, { title: '余额', align: 'right' }], rows: bal.filter((b) => b.debitFen || b.creditFen).map((b) => [b.label, fenToYuan(b.debitFen), fenToYuan(b.creditFen), fenToYuan(b.balanceFen)]) },
      { type: 'heading', text: '明细', level: 2 },
      {
        type: 'table',
        columns: [{ title: '时间', width: 0.17 }, { title: '摘要', width: 0.3 }, { title: '科目', width: 0.15 }, { title: '缴款单位', width: 0.18 }, { title: '借方', align: 'right' }, { title: '贷方', align: 'right' }],
        rows: rows.map((r) => [r.at, r.memo, r.account, r.party, r.debitFen ? fenToYuan(r.debitFen) : '', r.creditFen ? fenToYuan(r.creditFen) : '']),
        footer: [['合计', '', '', '', fenToYuan(d), fenToYuan(c)]],
      },
      { type: 'note', text: '本对账单由平台复式记账台账生成；保证金为代收第三方资金，与平台收入分账核算。' },
    ],
  });
}
