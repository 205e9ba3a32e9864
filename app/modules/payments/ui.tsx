// Small shared pieces of the payment pages (browser-safe: no server imports).
import { STATUS_LABELS, STATUS_TONES, type OrderStatus } from './labels';

export function yuan(fen: number): string {
  const neg = fen < 0;
  const abs = Math.abs(fen);
  const int = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}¥${int}.${String(abs % 100).padStart(2, '0')}`;
}

export function OrderStatusTag({ status }: { status: string }) {
  const tone = STATUS_TONES[status as OrderStatus] ?? 'muted';
  return <span className={`pay-status pay-${tone}`}>{STATUS_LABELS[status as OrderStatus] ?? status}</span>;
}
