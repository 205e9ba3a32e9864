// The supervisor's in-browser checks on /audit: one entry's inclusion in the latest signed tree
// head, and the consistency of two signed tree heads. Everything is fetched and recomputed here.
import { useState } from 'react';
import type { SignedTreeHead } from '../../../crypto/sth';
import { formatDateTime } from '~/ui/format';
import type { EntryForCheck, Step } from './verify';

export interface HeadSummary {
  id: number;
  treeSize: number;
  timestamp: string;
  sth: SignedTreeHead;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin' });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `请求失败（${res.status}）`);
  return body;
}

function saveJson(name: string, value: unknown) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Result({ result }: { result: { ok: boolean; steps: Step[] } }) {
  return (
    <div className={`notice ${result.ok ? 'success' : 'danger'}`} role="status" aria-live="polite">
      <p>
        <strong>{result.ok ? '核验通过' : '核验未通过'}</strong>
      </p>
      <ul className="check-steps">
        {result.steps.map((s) => (
          <li key={s.label} className={s.ok ? 'ok' : 'bad'}>
            <strong>
              {s.ok ? '✔' : '✘'} {s.label}
            </strong>
            <span>{s.detail}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function TransparencyChecks({ heads, seq, onSeq }: { heads: HeadSummary[]; seq: string; onSeq: (s: string) => void }) {
  const [inc, setInc] = useState<{ ok: boolean; steps: Step[] } | null>(null);
  const [incBundle, setIncBundle] = useState<unknown>(null);
  const [incError, setIncError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'inc' | 'cons' | null>(null);
  const [from, setFrom] = useState(String(heads[1]?.id ?? heads[0]?.id ?? ''));
  const [to, setTo] = useState(String(heads[0]?.id ?? ''));
  const [cons, setCons] = useState<{ ok: boolean; steps: Step[] } | null>(null);
  const [consBundle, setConsBundle] = useState<unknown>(null);
  const [consError, setConsError] = useState<string | null>(null);
  const latest = heads[0];

  async function verifyEntry() {
    setInc(null);
    setIncError(null);
    if (!/^\d+$/.test(seq) || seq === '0') return setIncError('请输入记录序号（正整数）');
    if (!latest) return setIncError('尚无签名树头');
    if (Number(seq) > latest.treeSize) return setIncError(`第 ${seq} 条记录晚于最新签名树头（规模 ${latest.treeSize}），待下次树头签名后可核验`);
    setBusy('inc');
    try {
      const [{ checkEntryInclusion }, caPem, entry, proof] = await Promise.all([
        import('./verify'),
        fetch('/pki/ca.pem').then((r) => r.text()),
        getJson<EntryForCheck>(`/audit/entry.json?seq=${seq}`),
        getJson<{ leafIndex: number; treeSize: number; leafHash: string; proof: string[] }>(`/transparency/proof/inclusion?seq=${seq}&size=${latest.treeSize}`),
      ]);
      const r = await checkEntryInclusion({ entry, sth: latest.sth, caPem, proof });
      setInc(r);
      setIncBundle({ kind: 'audit-inclusion', entry, treeHead: latest.sth, inclusionProof: proof, trustAnchors: [caPem], result: r.ok ? 'OK' : 'FAILED' });
    } catch (e) {
      setIncError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  }

  async function verifyHeads() {
    setCons(null);
    setConsError(null);
    const a = heads.find((h) => String(h.id) === from);
    const b = heads.find((h) => String(h.id) === to);
    if (!a || !b) return setConsError('请选择两个树头');
    const [h1, h2] = a.treeSize <= b.treeSize ? [a, b] : [b, a];
    if (h1.treeSize === 0) return setConsError('空树没有一致性证明，请选择规模大于 0 的树头');
    setBusy('cons');
    try {
      const [{ checkHeadsConsistency }, caPem, proof] = await Promise.all([
        import('./verify'),
        fetch('/pki/ca.pem').then((r) => r.text()),
        getJson<{ proof: string[] }>(`/transparency/proof/consistency?from=${h1.treeSize}&to=${h2.treeSize}`),
      ]);
      const r = await checkHeadsConsistency({ sth1: h1.sth, sth2: h2.sth, caPem, proof: proof.proof });
      setCons(r);
      setConsBundle({ kind: 'audit-consistency', treeHeads: [h1.sth, h2.sth], consistencyProof: proof, trustAnchors: [caPem], result: r.ok ? 'OK' : 'FAILED' });
    } catch (e) {
      setConsError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  }

  const label = (h: HeadSummary) => `规模 ${h.treeSize} · ${formatDateTime(h.timestamp)}`;
  return (
    <section className="panel transparency-checks" aria-labelledby="tc-title">
      <h2 id="tc-title">Merkle 透明日志核验</h2>
      <p className="muted">在您的浏览器中独立重新计算记录哈希、核验平台签名树头和 Merkle 证明，不依赖服务器给出的结论。</p>
      <div className="two-col">
        <div>
          <h3>记录包含核验</h3>
          <div className="field">
            <label htmlFor="tc-seq">记录序号</label>
            <input id="tc-seq" inputMode="numeric" value={seq} onChange={(e) => onSeq(e.target.value.trim())} />
            <p className="hint">{latest ? `最新签名树头：规模 ${latest.treeSize}` : '尚无签名树头'}</p>
          </div>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => void verifyEntry()} disabled={busy !== null}>
              {busy === 'inc' ? '正在核验…' : '核验包含证明'}
            </button>
            {inc && incBundle ? (
              <button type="button" className="btn" onClick={() => saveJson(`inclusion-${seq}.json`, incBundle)}>
                下载证明
              </button>
            ) : null}
          </div>
          {incError ? (
            <p className="form-errors" role="alert">
              {incError}
            </p>
          ) : null}
          {inc ? <Result result={inc} /> : null}
        </div>
        <div>
          <h3>树头一致性核验</h3>
          <div className="field">
            <label htmlFor="tc-from">较早的树头</label>
            <select id="tc-from" value={from} onChange={(e) => setFrom(e.target.value)}>
              {heads.map((h) => (
                <option key={h.id} value={h.id}>
                  {label(h)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tc-to">较新的树头</label>
            <select id="tc-to" value={to} onChange={(e) => setTo(e.target.value)}>
              {heads.map((h) => (
                <option key={h.id} value={h.id}>
                  {label(h)}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => void verifyHeads()} disabled={busy !== null || heads.length === 0}>
              {busy === 'cons' ? '正在核验…' : '核验一致性'}
            </button>
            {cons && consBundle ? (
              <button type="button" className="btn" onClick={() => saveJson(`consistency-${from}-${to}.json`, consBundle)}>
                下载证明
              </button>
            ) : null}
          </div>
          {consError ? (
            <p className="form-errors" role="alert">
              {consError}
            </p>
          ) : null}
          {cons ? <Result result={cons} /> : null}
        </div>
      </div>
    </section>
  );
}
