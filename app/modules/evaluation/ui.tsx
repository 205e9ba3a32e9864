// Small presentational pieces shared by the evaluation and award pages (browser-safe).
import { EVALUATION_STATES, type EvaluationState } from './types';

const ORDER: EvaluationState[] = ['planned', 'drawn', 'evaluating', 'reporting', 'reported', 'publicity', 'awarded', 'closed'];
const STEP_LABELS: Record<EvaluationState, string> = {
  planned: '登记评标',
  drawn: '抽取专家',
  evaluating: '在线评审',
  reporting: '评标报告',
  reported: '评标结束',
  publicity: '候选人公示',
  awarded: '定标通知',
  closed: '合同备案',
};

export function EvaluationSteps({ state }: { state: EvaluationState }) {
  const at = ORDER.indexOf(state);
  return (
    <ol className="steps" aria-label={`办理进度：${EVALUATION_STATES[state]}`}>
      {ORDER.map((s, i) => (
        <li key={s} className={i < at ? 'done' : i === at ? 'current' : undefined} aria-current={i === at ? 'step' : undefined}>
          {STEP_LABELS[s]}
        </li>
      ))}
    </ol>
  );
}

export function formValueText(v: unknown, type: string | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  if (type === 'money' && typeof v === 'number') return `¥${(v / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (type === 'days' && typeof v === 'number') return `${v} 天`;
  return String(v);
}

export function fenText(fen: number) {
  return `¥${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function utf8Bytes(s: string) {
  return new TextEncoder().encode(s);
}

function sizeText(n: number) {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;
}

/** Links to a bid's decrypted files: PDFs open in the browser, everything can be downloaded. Each read is logged. */
export function BidFileLinks({ evaluationId, bidderName, files }: { evaluationId: string; bidderName: string; files: { id: string; name: string; size: number }[] }) {
  if (files.length === 0) return <span className="muted">无解密文件</span>;
  return (
    <ul className="bid-files" aria-label={`${bidderName}的投标文件`}>
      {files.map((f) => (
        <li key={f.id}>
          <a href={`/evaluation/${evaluationId}/bids/${f.id}`} target="_blank" rel="noreferrer">
            {f.name}
          </a>{' '}
          <small className="muted">
            {sizeText(f.size)} ·{' '}
            <a href={`/evaluation/${evaluationId}/bids/${f.id}?download=1`} download aria-label={`下载 ${f.name}`}>
              下载
            </a>
          </small>
        </li>
      ))}
    </ul>
  );
}
