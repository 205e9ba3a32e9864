// Small presentational pieces shared by the supervision pages (browser-safe: no server imports).
import { COMPLAINT_STATUS, type ComplaintStatus } from './complaint-types';
import { WARNING_LEVELS, WARNING_STATUS, type WarningLevel, type WarningStatus } from './warning-types';

export function LevelBadge({ level }: { level: string }) {
  return <span className={`level level-${level}`}>{WARNING_LEVELS[level as WarningLevel] ?? level}</span>;
}

export function WarningStatusTag({ status }: { status: string }) {
  return <span className={`state state-${status}`}>{WARNING_STATUS[status as WarningStatus] ?? status}</span>;
}

export function ComplaintStatusTag({ status }: { status: string }) {
  return <span className={`state state-c-${status}`}>{COMPLAINT_STATUS[status as ComplaintStatus] ?? status}</span>;
}

/** Remaining time to a deadline in words, red when past. */
export function DueIn({ due, now }: { due: string; now: string }) {
  const ms = new Date(due).getTime() - new Date(now).getTime();
  const days = Math.floor(Math.abs(ms) / 86_400_000);
  const hours = Math.floor((Math.abs(ms) % 86_400_000) / 3_600_000);
  const text = days > 0 ? `${days}天${hours}小时` : `${hours}小时`;
  return ms < 0 ? <span className="due overdue">已超期 {text}</span> : <span className="due">剩余 {text}</span>;
}
