// Statistics definitions on a small hand-made dataset, CSV escaping, and an XLSX that opens.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '~/modules/clock/workdays';
import { computeStats, monthsBetween, savings, type OrderRow, type StatsRows } from '~/modules/stats/aggregate';
import { csvCell, tableToCsv } from '~/modules/stats/export';
import type { StatsTable } from '~/modules/stats/types';
import { tablesToXlsx } from '~/modules/stats/xlsx.server';
import { loader as exportLoader } from '~/routes/stats.export';
import { useTestDatabase } from '../setup/db';
import { createUser, makeRequest, sessionCookieFor } from '../setup/fixtures';
import { getPrisma } from '~/db/index.server';

useTestDatabase();

const cal = WorkCalendar.china();
const at = (s: string) => new Date(`${s}+08:00`);
const DAY = 86_400_000;

function order(o: Partial<OrderRow> & { code: string }): OrderRow {
  return { createdAt: at('2026-03-02T10:00:00'), feeFen: 100_000, budgetFen: null, agencyName: '甲机构', ownerName: '业主一', status: 'accepted', timeLimitDays: 5, startedAt: null, submittedAt: null, acceptedAt: null, overtime: false, pauses: [], ...o };
}

function dataset(): StatsRows {
  const s1 = at('2026-03-02T10:00:00');
  const due1 = cal.dueAt(s1, 5)!;
  const s2 = at('2026-03-09T10:00:00');
  const due2 = cal.dueAt(s2, 5)!;
  const s3 = at('2026-03-16T10:00:00');
  return {
    tenders: [{ publishedAt: at('2026-01-05T09:00:00') }, { publishedAt: at('2026-01-20T09:00:00') }, { publishedAt: at('2026-03-03T09:00:00') }, { publishedAt: at('2025-12-30T09:00:00') }],
    awards: [
      { awardedAt: at('2026-02-10T09:00:00'), budgetFen: 1_000_000, priceFen: 900_000 },
      { awardedAt: at('2026-03-10T09:00:00'), budgetFen: null, priceFen: 500_000 },
    ],
    purchases: [{ publishedAt: at('2026-01-08T09:00:00') }, { publishedAt: at('2026-02-08T09:00:00') }, { publishedAt: at('2026-02-18T09:00:00') }],
    orders: [
      // on time: delivered a day before the deadline, accepted two days later
      order({ code: 'o1', createdAt: at('2026-01-28T10:00:00'), feeFen: 90_000, budgetFen: 100_000, startedAt: s1, submittedAt: new Date(due1.getTime() - DAY), acceptedAt: new Date(due1.getTime() + DAY) }),
      // late: delivered after the deadline
      order({ code: 'o2', createdAt: at('2026-02-20T10:00:00'), feeFen: 200_000, budgetFen: 200_000, agencyName: '乙机构', ownerName: '业主二', startedAt: s2, submittedAt: new Date(due2.getTime() + DAY), acceptedAt: new Date(due2.getTime() + 2 * DAY) }),
      // still running, deadline passed in March: overtime
      order({ code: 'o3', createdAt: at('2026-03-12T10:00:00'), feeFen: 50_000, agencyName: '乙机构', status: 'in_progress', startedAt: s3 }),
      // still running and inside its limit: not counted either way
      order({ code: 'o4', createdAt: at('2026-03-30T10:00:00'), feeFen: 10_000, status: 'in_progress', startedAt: at('2026-03-30T10:00:00') }),
      order({ code: 'o5', createdAt: at('2026-03-12T10:00:00'), feeFen: 999_999, status: 'cancelled' }),
    ],
    grades: [{ grade: 'AAA', count: 1 }, { grade: 'AA', count: 3 }, { grade: 'A', count: 4 }, { grade: 'B', count: 2 }, { grade: 'C', count: 0 }],
    ratings: [{ createdAt: at('2026-02-01T10:00:00'), score: 5, window: '中介服务' }, { createdAt: at('2026-02-01T10:00:00'), score: 2, window: '中介服务' }],
  };
}

describe('statistics definitions', () => {
  const filter = { from: '2026-01-01', to: '2026-03-31', market: 'all' as const };
  const r = computeStats(dataset(), filter, cal, at('2026-03-31T12:00:00'));

  it('counts volumes and amounts by month in China time', () => {
    expect(r.tables.monthly.rows).toEqual([
      ['2026-01', 2, 1, 0, 90_000],
      ['2026-02', 0, 2, 900_000, 200_000],
      ['2026-03', 1, 0, 500_000, 60_000],
    ]);
    expect(r.totals).toMatchObject({ tenders: 3, purchases: 3, dealAmountFen: 900_000 + 500_000 + 90_000 + 200_000 + 60_000 });
  });

  it('computes the savings rate over the deals with a known budget', () => {
    const [bid, market, all] = r.tables.savings.rows;
    expect(bid).toEqual(['工程建设招投标', 2, 1_000_000, 900_000, 100_000, 0.1]);
    expect(market[0]).toBe('网上中介超市');
    expect(market.slice(2)).toEqual([300_000, 290_000, 10_000, 10_000 / 300_000]);
    expect(all[5]).toBeCloseTo(110_000 / 1_300_000, 12);
    expect(savings([]).rate).toBeNull();
  });

  it('computes overtime rates by agency and owner, counting only decided orders', () => {
    expect(r.totals.overtimeRate).toBeCloseTo(2 / 3, 12);
    expect(r.tables['overtime-agency'].rows).toEqual([
      ['乙机构', 2, 2, 1],
      ['甲机构', 1, 0, 0],
    ]);
    expect(r.tables['overtime-owner'].rows).toEqual([
      ['业主二', 1, 1, 1],
      ['业主一', 2, 1, 0.5],
    ]);
  });

  it('averages completion time in working days from the contract to acceptance', () => {
    const rows = dataset().orders;
    const d1 = cal.workdaysBetween(rows[0].startedAt!, rows[0].acceptedAt!);
    const d2 = cal.workdaysBetween(rows[1].startedAt!, rows[1].acceptedAt!);
    expect(r.totals.avgCompletionDays).toBeCloseTo((d1 + d2) / 2, 12);
    expect(r.tables.completion.rows.find((x) => x[0] === '2026-03')).toEqual(['2026-03', 2, (d1 + d2) / 2]);
  });

  it('filters by market and shows the credit grade shares', () => {
    const bidding = computeStats(dataset(), { ...filter, market: 'bidding' }, cal, at('2026-03-31T12:00:00'));
    expect(bidding.totals.purchases).toBe(0);
    expect(bidding.tables.monthly.rows.map((x) => x[4])).toEqual([0, 0, 0]);
    expect(bidding.tables.savings.rows.map((x) => x[0])).toEqual(['工程建设招投标', '合计']);
    expect(r.tables.credit.rows[1]).toEqual(['AA', 3, 0.3]);
    expect(monthsBetween('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('exports', () => {
  const table: StatsTable = {
    key: 'overtime-agency',
    title: '超时率（按中介机构）',
    columns: [
      { key: 'name', label: '中介机构', kind: 'text' },
      { key: 'fee', label: '金额（元）', kind: 'fen' },
      { key: 'rate', label: '超时率', kind: 'pct' },
    ],
    rows: [
      ['=HYPERLINK("http://evil")', 123_456, 0.25],
      ['甲, "乙"', -5_000, null],
      ['@SUM(A1)', 0, 1],
    ],
  };

  it('neutralises formulas and quotes CSV fields', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('-x')).toBe("'-x");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('-12.5', true)).toBe('-12.5');
    expect(csvCell('a"b,c')).toBe('"a""b,c"');
    const csv = tableToCsv(table);
    expect(csv.startsWith('\uFEFF中介机构,金额（元）,超时率\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil"")",1234.56,25.0%`);
    expect(lines[2]).toBe('"甲, ""乙""",-50.00,');
    expect(lines[3]).toBe("'@SUM(A1),0.00,100.0%");
    expect(lines[4]).toBe('');
  });

  it('writes an XLSX that exceljs reads back with the same rows', async () => {
    const bytes = await tablesToXlsx([table], { title: '统计', createdAt: new Date('2026-03-01T00:00:00Z') });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('超时率（按中介机构）')!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(1).values).toEqual([undefined, '中介机构', '金额（元）', '超时率']);
    // Text stays text (no formula), money in yuan as a number, rates as fractions.
    expect(ws.getCell('A2').value).toBe('=HYPERLINK("http://evil")');
    expect(ws.getCell('A2').formula).toBeUndefined();
    expect(ws.getCell('B2').value).toBe(1234.56);
    expect(ws.getCell('B2').numFmt).toBe('#,##0.00');
    expect(ws.getCell('C2').value).toBe(0.25);
    expect(ws.getCell('C3').value).toBeNull();
  });

  it('serves the CSV to a supervisor and records the export', async () => {
    const sup = await createUser('supervisor');
    const res = (await exportLoader({ request: makeRequest('/stats/export?table=credit&format=csv', { cookie: await sessionCookieFor(sup.id) }), params: {}, context: {} })) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    // Response.text() drops a BOM, so check the bytes.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text).toBe('\uFEFF信用等级,机构数,占比\r\nAAA,0,\r\nAA,0,\r\nA,0,\r\nB,0,\r\nC,0,\r\n');
    const prisma = await getPrisma();
    expect(await prisma.auditEntry.count({ where: { action: 'stats.export', actorUserId: sup.id } })).toBe(1);
  });
});
