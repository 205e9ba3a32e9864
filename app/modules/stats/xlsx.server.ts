// XLSX export with exceljs (decision 095): money as numbers in yuan with a thousands format and
// rates as numbers with a percent format, so the sheet can be summed and charted in Excel.
import ExcelJS from 'exceljs';
import type { StatsTable } from './types';

export async function tablesToXlsx(tables: StatsTable[], meta: { title: string; createdAt: Date }): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '公共资源交易平台';
  wb.created = meta.createdAt;
  wb.modified = meta.createdAt;
  wb.title = meta.title;
  for (const t of tables) {
    // Sheet names: at most 31 characters, none of []:*?/\
    const ws = wb.addWorksheet(t.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
    ws.columns = t.columns.map((c) => ({
      header: c.label,
      key: c.key,
      width: Math.max(12, c.label.length * 2 + 2),
      style: c.kind === 'fen' ? { numFmt: '#,##0.00' } : c.kind === 'pct' ? { numFmt: '0.0%' } : c.kind === 'num' ? { numFmt: '0.0' } : {},
    }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const r of t.rows) {
      ws.addRow(r.map((v, i) => (v == null ? null : t.columns[i].kind === 'fen' && typeof v === 'number' ? v / 100 : v)));
    }
  }
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
