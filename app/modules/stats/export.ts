// CSV export of a statistics table: UTF-8 with a BOM (Excel on Windows reads UTF-8 only with it),
// CRLF lines (RFC 4180), and text that a spreadsheet would run as a formula neutralised.
import { formatCell, type Cell, type StatsTable } from './types';

/**
 * A cell starting with = + - @ (or a tab / carriage return that some programs strip first) is
 * prefixed with an apostrophe so that Excel and LibreOffice show it as text (OWASP CSV injection).
 * Numbers we format ourselves are never text, so negative amounts stay numbers.
 */
export function csvCell(v: Cell, numeric = false): string {
  let t = v == null ? '' : String(v);
  if (!numeric && /^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** Money as yuan with two decimals, rates as percentages: what a reader expects in a sheet. */
function plain(kind: string, v: Cell): { text: Cell; numeric: boolean } {
  if (v == null) return { text: '', numeric: true };
  if (typeof v === 'string') return { text: v, numeric: false };
  if (kind === 'fen') return { text: (v / 100).toFixed(2), numeric: true };
  if (kind === 'pct') return { text: `${(v * 100).toFixed(1)}%`, numeric: true };
  if (kind === 'num') return { text: v.toFixed(1), numeric: true };
  return { text: formatCell('int', v), numeric: true };
}

export function tableToCsv(t: StatsTable): string {
  const lines = [t.columns.map((c) => csvCell(c.label)).join(',')];
  for (const r of t.rows) lines.push(r.map((v, i) => {
    const p = plain(t.columns[i].kind, v);
    return csvCell(p.text, p.numeric);
  }).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
