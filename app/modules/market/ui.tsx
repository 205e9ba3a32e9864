// Small presentational pieces shared by the supermarket pages (no server imports).
import { Link } from '@remix-run/react';
import { PURCHASE_STATUS_LABELS, ORDER_STATUS_LABELS } from './constants';

export function GradeBadge({ grade, blacklisted }: { grade: string; blacklisted?: boolean }) {
  if (blacklisted) return <span className="grade grade-black" title="已列入黑名单">黑名单</span>;
  return (
    <span className={`grade grade-${grade.toLowerCase()}`} title={`信用等级 ${grade}`}>
      {grade}
    </span>
  );
}

export function Stars({ value }: { value: number }) {
  if (!value) return <span className="muted">暂无评价</span>;
  return (
    <span className="stars" aria-label={`服务评价 ${value.toFixed(1)} 分（满分5分）`}>
      <span aria-hidden>{'★'.repeat(Math.round(value))}{'☆'.repeat(5 - Math.round(value))}</span> {value.toFixed(1)}
    </span>
  );
}

const STATUS_TONE: Record<string, string> = {
  published: 'info', closed: 'warn', scoring: 'warn', announced: 'ok', awarded: 'ok', failed: 'bad', cancelled: 'muted',
  contracting: 'warn', in_progress: 'info', submitted: 'warn', accepted: 'ok',
};

export function StatusTag({ status, kind = 'purchase' }: { status: string; kind?: 'purchase' | 'order' }) {
  const label = (kind === 'purchase' ? PURCHASE_STATUS_LABELS : ORDER_STATUS_LABELS)[status] ?? status;
  return <span className={`pill pill-${STATUS_TONE[status] ?? 'muted'}`}>{label}</span>;
}

/** Share of the time limit used, with the yellow and red marks. */
export function TimeBar({ fraction, level, yellow, red }: { fraction: number; level: string; yellow: number; red: number }) {
  const pct = Math.min(100, Math.round((fraction / Math.max(red, 1)) * 100));
  const label = level === 'red' ? '红色预警：已超过承诺时限' : level === 'yellow' ? `黄色预警：已用时限 ${Math.round(fraction * 100)}%` : `已用时限 ${Math.round(fraction * 100)}%`;
  return (
    <div className={`timebar timebar-${level}`} role="status" aria-label={label}>
      <div className="timebar-track">
        <div className="timebar-fill" style={{ width: `${pct}%` }} />
        <div className="timebar-mark" style={{ left: `${Math.round((yellow / Math.max(red, 1)) * 100)}%` }} aria-hidden />
      </div>
      <strong>{label}</strong>
    </div>
  );
}

export function MarketTabs({ current }: { current: string }) {
  const tabs = [
    ['/market', '服务大厅'],
    ['/market/purchases', '采购公告'],
    ['/market/catalog', '服务事项目录'],
    ['/market/credit-rules', '信用评价规则'],
  ];
  return (
    <nav className="subnav" aria-label="中介超市">
      {tabs.map(([to, label]) => (
        <Link key={to} to={to} aria-current={current === to ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
