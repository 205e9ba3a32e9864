// Statistics (统计分析) shared with the browser: filters, table shapes and formatting.

export type StatsMarket = 'all' | 'bidding' | 'market';
export const STATS_MARKETS: Record<StatsMarket, string> = { all: '全部市场', bidding: '工程建设招投标', market: '网上中介超市' };

/** Days in China time, inclusive. */
export interface StatsFilter {
  from: string;
  to: string;
  market: StatsMarket;
}

export type ColumnKind = 'text' | 'int' | 'fen' | 'pct' | 'num';
export interface StatsColumn {
  key: string;
  label: string;
  kind: ColumnKind;
}
export type Cell = string | number | null;
export interface StatsTable {
  key: StatsTableKey;
  title: string;
  columns: StatsColumn[];
  rows: Cell[][];
}

export const STATS_TABLES = {
  monthly: '月度交易量与成交金额',
  savings: '节约资金',
  completion: '中介服务办结时间',
  'overtime-agency': '超时率（按中介机构）',
  'overtime-owner': '超时率（按业主单位）',
  credit: '中介机构信用等级分布',
  satisfaction: '满意度（按窗口）',
} as const;
export type StatsTableKey = keyof typeof STATS_TABLES;
export const isStatsTableKey = (k: string): k is StatsTableKey => k in STATS_TABLES;

export interface StatsReport {
  filter: StatsFilter;
  generatedAt: string;
  totals: {
    tenders: number;
    purchases: number;
    dealAmountFen: number;
    savingsRate: number | null;
    avgCompletionDays: number | null;
    overtimeRate: number | null;
    agencies: number;
  };
  tables: Record<StatsTableKey, StatsTable>;
}

/** 12 345 678 fen → "123,456.78" */
export function formatYuan(fen: number): string {
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** 1 234 567 800 fen → "1,234.57万" — for chart labels. */
export function formatWan(fen: number): string {
  return `${(fen / 1_000_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}万`;
}

export function formatPct(x: number | null): string {
  return x == null ? '—' : `${(x * 100).toFixed(1)}%`;
}

export function formatCell(kind: ColumnKind, v: Cell): string {
  if (v == null) return '—';
  if (typeof v === 'string') return v;
  if (kind === 'fen') return formatYuan(v);
  if (kind === 'pct') return formatPct(v);
  if (kind === 'num') return v.toFixed(1);
  return String(v);
}
