// 不见面开标大厅: one tender's live opening room. The page is rebuilt from the loader snapshot;
// the room's event stream (SSE, from event 1) drives the timeline and tells the page to reload
// the snapshot, so every participant sees every step in the same order.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Link, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getSessionUser } from '~/modules/auth/session.server';
import { ensureOpening, getOpening, openingByTender, seatOf } from '~/modules/opening/room.server';
import {
  CAUSE_LABELS,
  DEPOSIT_LABELS,
  EVENT_LABELS,
  formatFormValue,
  KIND_LABELS,
  OpeningError,
  RESULT_LABELS,
  STATE_LABELS,
  type BidResult,
  type OpeningState,
} from '~/modules/opening/types';
import { freezeRecord } from '~/modules/opening/record.server';
import { roomSnapshot } from '~/modules/opening/view.server';
import { KeyPicker, SignButton } from '~/ui/sign-button';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.tender.name ?? '开标室'} - 不见面开标大厅` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const id = params.id ?? '';
  let opening = await getOpening(id).catch(() => null);
  if (!opening) {
    // a tender id: open (or create) its room
    opening = await openingByTender(id);
    if (!opening) {
      try {
        opening = await ensureOpening(id);
      } catch (e) {
        if (e instanceof OpeningError) throw new Response(e.message, { status: 404 });
        throw e;
      }
    }
    throw redirect(`/opening/${opening.id}`);
  }
  const seat = await seatOf(user, opening);
  if (!seat) {
    if (!user) throw redirect(`/login?redirectTo=${encodeURIComponent(`/opening/${id}`)}`);
    throw new Response('本开标室不公开，您不是本项目的参与方', { status: 403 });
  }
  // The close step is logged before the record is frozen: a viewer who arrives in between gets
  // the frozen record, not an empty one (freezeRecord is idempotent).
  if (opening.state === 'signing' && !opening.recordSha256) await freezeRecord(opening.id);
  return roomSnapshot(opening.id, user, seat);
}

type Snap = ReturnType<typeof useLoaderData<typeof loader>>;
interface LiveItem {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

const STEP_ORDER: OpeningState[] = ['checkin', 'ceremony', 'decrypting', 'processing', 'reading', 'signing', 'closed'];

function useServerClock(serverNow: string) {
  const offset = useRef(new Date(serverNow).getTime() - Date.now());
  const [t, setT] = useState(() => Date.now() + offset.current);
  useEffect(() => {
    const h = setInterval(() => setT(Date.now() + offset.current), 1000);
    return () => clearInterval(h);
  }, []);
  const sync = useCallback((iso: string) => {
    offset.current = new Date(iso).getTime() - Date.now();
    setT(Date.now() + offset.current);
  }, []);
  return { now: t, sync };
}

function countdown(ms: number) {
  if (ms <= 0) return '00:00:00';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d > 0 ? `${d}天 ` : ''}${hh}:${mm}:${ss}`;
}

/** The room's SSE stream from event 1; the browser resumes with Last-Event-ID after a drop. */
function useRoomEvents(openingId: string, onEvent: (e: LiveItem) => void, onHello: (h: { serverNow: string }) => void) {
  const [live, setLive] = useState<LiveItem[]>([]);
  const [connected, setConnected] = useState(false);
  const cb = useRef({ onEvent, onHello });
  cb.current = { onEvent, onHello };
  useEffect(() => {
    const es = new EventSource(`/api/opening/${openingId}/events?lastEventId=0`);
    let last = 0;
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    es.addEventListener('hello', (m) => cb.current.onHello(JSON.parse((m as MessageEvent).data)));
    es.onmessage = (m) => {
      const e = JSON.parse(m.data) as LiveItem;
      if (e.seq <= last) return;
      last = e.seq;
      setLive((prev) => [...prev, e]);
      (window as unknown as { __openingEvents: { seq: number; type: string }[] }).__openingEvents ??= [];
      (window as unknown as { __openingEvents: { seq: number; type: string }[] }).__openingEvents.push({ seq: e.seq, type: e.type });
      cb.current.onEvent(e);
    };
    return () => es.close();
  }, [openingId]);
  return { live, connected };
}

export default function OpeningRoom() {
  const s = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const clock = useServerClock(s.serverNow);
  // Every snapshot carries the server's time: the demo clock may have moved since the page loaded.
  const syncClock = clock.sync;
  useEffect(() => {
    syncClock(s.serverNow);
  }, [s.serverNow, syncClock]);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  // A room event reloads the snapshot, but never while a form submission or another reload is on
  // its way: starting one then aborts the loads in flight (single fetch leaves that abort as an
  // unhandled rejection in the page). It waits, and the reload after them sees the newest state.
  const navigation = useNavigation();
  const busy = useRef(false);
  busy.current = revalidator.state !== 'idle' || navigation.state !== 'idle';
  const revalidate = revalidator.revalidate;
  const scheduleReload = useCallback(() => {
    if (pending.current) clearTimeout(pending.current);
    const tick = () => {
      if (busy.current) {
        pending.current = setTimeout(tick, 150);
        return;
      }
      pending.current = null;
      revalidate();
    };
    pending.current = setTimeout(tick, 120);
  }, [revalidate]);
  useEffect(() => () => {
    if (pending.current) clearTimeout(pending.current);
  }, []);
  const [videoSeqs, setVideoSeqs] = useState<Chunk[]>(s.videoChunks);
  const onEvent = useCallback(
    (e: LiveItem) => {
      if (e.type === 'video.chunk') {
        setVideoSeqs((prev) => (prev.some((p) => p.seq === e.data.seq) ? prev : [...prev, { seq: Number(e.data.seq), mime: String(e.data.mime ?? 'video/webm'), sha256: String(e.data.sha256) }]));
        return;
      }
      scheduleReload();
    },
    [scheduleReload],
  );
  const { live, connected } = useRoomEvents(s.id, onEvent, (h) => clock.sync(h.serverNow));
  const [cert, setCert] = useState<string | null>(null);
  const participant = s.seat !== 'public';
  const deadline = new Date(s.tender.bidDeadline).getTime();
  const state = s.state as OpeningState;
  const stepIndex = STEP_ORDER.indexOf(state);

  return (
    <div className="opening-room">
      <div className="room-head">
        <div>
          <p className="muted small">
            <Link to="/openings">不见面开标大厅</Link> / {s.tender.code}
          </p>
          <h1>{s.tender.name}</h1>
          <p className="muted">
            招标人：{s.tender.tendererName} · 主持人：{s.host} · 开标时间 {formatDateTime(s.tender.bidDeadline)}
          </p>
        </div>
        <div className="room-clock" aria-live="polite">
          <span className={`state-pill state-${state}`} data-testid="room-state">
            {STATE_LABELS[state]}
          </span>
          {clock.now < deadline ? (
            <div>
              <small>距开标</small>
              <strong data-testid="countdown">{countdown(deadline - clock.now)}</strong>
            </div>
          ) : state === 'decrypting' && s.decryptUntil ? (
            <div>
              <small>解密剩余</small>
              <strong data-testid="countdown">{countdown(new Date(s.decryptUntil).getTime() - clock.now)}</strong>
            </div>
          ) : null}
          <span className={`live-dot${connected ? ' on' : ''}`} title={connected ? '实时连接正常' : '正在重新连接…'}>
            {connected ? '实时' : '重连中'}
          </span>
        </div>
      </div>
      {s.paused ? (
        <p className="notice error" role="alert">
          开标已被监督人员暂停：{s.pauseReason}
        </p>
      ) : null}
      <ol className="steps" aria-label="开标环节">
        {STEP_ORDER.map((st, i) => (
          <li key={st} className={i < stepIndex ? 'done' : i === stepIndex ? 'current' : ''}>
            {STATE_LABELS[st]}
          </li>
        ))}
      </ol>

      <div className="room-grid">
        <div className="room-main">
          <VideoPanel openingId={s.id} isHost={s.seat === 'host'} chunks={videoSeqs} closed={state === 'signing' || state === 'closed'} />
          <DecryptionPanel s={s} />
          <ReadingTable s={s} />
          <Objections s={s} />
          {(state === 'signing' || state === 'closed') && <RecordPanel s={s} />}
        </div>
        <aside className="room-side">
          {participant && state !== 'closed' ? (
            <section className="panel">
              <h2>我的数字证书</h2>
              <KeyPicker userId={s.me?.id} value={cert} onChange={setCert} />
            </section>
          ) : null}
          <Actions s={s} cert={cert} now={clock.now} />
          <Attendance s={s} />
          <Holders s={s} />
          <Timeline items={live} />
        </aside>
      </div>
    </div>
  );
}

function useAction(fn: () => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function ActionButton({ label, fn, className = 'btn btn-primary', disabled }: { label: string; fn: () => Promise<unknown>; className?: string; disabled?: boolean }) {
  const a = useAction(fn);
  return (
    <div className="room-action">
      <button type="button" className={className} disabled={a.busy || disabled} onClick={() => void a.run()}>
        {a.busy ? '处理中…' : label}
      </button>
      {a.error ? (
        <p className="form-errors" role="alert">
          {a.error}
        </p>
      ) : null}
    </div>
  );
}

async function client() {
  return import('~/modules/opening/client');
}

function TextAction({ label, placeholder, fields, minLength = 2 }: { label: string; placeholder: string; fields: (text: string) => Record<string, string> & { __id: string }; minLength?: number }) {
  const [text, setText] = useState('');
  const a = useAction(async () => {
    const { __id, ...f } = fields(text);
    await (await client()).post(__id, f);
    setText('');
  });
  return (
    <div className="room-action">
      <label className="sr-only" htmlFor={`ta-${label}`}>
        {label}
      </label>
      <textarea id={`ta-${label}`} placeholder={placeholder} value={text} onChange={(e) => setText(e.target.value)} rows={2} />
      <button type="button" className="btn" disabled={a.busy || text.trim().length < minLength} onClick={() => void a.run()}>
        {a.busy ? '提交中…' : label}
      </button>
      {a.error ? (
        <p className="form-errors" role="alert">
          {a.error}
        </p>
      ) : null}
    </div>
  );
}

function Actions({ s, cert, now }: { s: Snap; cert: string | null; now: number }) {
  const state = s.state as OpeningState;
  const me = s.me;
  const checkedIn = s.attendance.some((a) => a.mine);
  const need = (fn: (c: string) => Promise<unknown>) => async () => {
    if (!cert) throw new Error('请先在上方选择或导入您的数字证书');
    return fn(cert);
  };
  if (s.seat === 'public') {
    return (
      <section className="panel">
        <h2>公开观看</h2>
        <p className="muted">您正在以公众身份观看本次开标，只能查看，不能操作。</p>
      </section>
    );
  }
  const past = now >= new Date(s.tender.bidDeadline).getTime();
  const myBidsDone = s.bids.filter((b) => s.myBids.includes(b.id)).every((b) => b.result !== null);
  const validUnread = s.bids.filter((b) => b.result === 'valid' && !b.read).length;
  return (
    <section className="panel room-actions" aria-label="我的操作">
      <h2>我的操作</h2>
      {state !== 'closed' && !checkedIn ? <ActionButton label="签到" fn={need(async (c) => (await client()).checkInWith(s.id, c))} /> : null}
      {checkedIn ? <p className="ok-line">✓ 已签到</p> : null}
      {s.seat === 'host' && state === 'checkin' ? (
        <ActionButton label="开始开标" disabled={!past} fn={async () => (await client()).post(s.id, { intent: 'start' })} />
      ) : null}
      {s.myShare && state === 'ceremony' && !s.myShare.submitted ? (
        <ActionButton label={`解密并提交第 ${s.myShare.shareIndex} 份密钥份额`} fn={need(async (c) => (await client()).handInShare(s.id, c))} />
      ) : null}
      {s.myShare?.submitted ? <p className="ok-line">✓ 已提交第 {s.myShare.shareIndex} 份密钥份额</p> : null}
      {s.seat === 'bidder' && state === 'decrypting' && !myBidsDone ? (
        <BidderDecrypt openingId={s.id} cert={cert} />
      ) : null}
      {s.seat === 'bidder' && s.myBids.length > 0 && myBidsDone && state !== 'checkin' && state !== 'ceremony' ? <p className="ok-line">✓ 我的投标文件已解密核验</p> : null}
      {s.seat === 'host' && state === 'decrypting' ? <ActionButton label="结束解密" className="btn" fn={async () => (await client()).post(s.id, { intent: 'end-decrypt' })} /> : null}
      {s.seat === 'host' && state === 'reading' && validUnread > 0 ? <ActionButton label="唱标（下一家）" fn={async () => (await client()).post(s.id, { intent: 'read' })} /> : null}
      {s.seat === 'host' && state === 'reading' && validUnread === 0 ? <ActionButton label="结束开标并生成开标记录" fn={async () => (await client()).post(s.id, { intent: 'close' })} /> : null}
      {s.seat === 'bidder' && state === 'reading' && validUnread === 0 && !s.attendance.some((a) => a.mine && a.confirmed) ? (
        <ActionButton label="确认开标结果" fn={async () => (await client()).post(s.id, { intent: 'confirm' })} />
      ) : null}
      {s.seat === 'bidder' && ['ceremony', 'decrypting', 'reading'].includes(state) ? (
        <TextAction label="提出异议" placeholder="对开标过程或唱标结果有异议的，请在此当场提出" fields={(text) => ({ __id: s.id, intent: 'objection', text })} />
      ) : null}
      {s.seat === 'supervisor' && state !== 'closed' && state !== 'signing' ? (
        s.paused ? (
          <ActionButton label="恢复开标" fn={async () => (await client()).post(s.id, { intent: 'resume' })} />
        ) : (
          <TextAction label="暂停开标" placeholder="暂停原因" fields={(reason) => ({ __id: s.id, intent: 'pause', reason })} />
        )
      ) : null}
      {s.seat === 'agent' && state !== 'closed' ? (
        <TextAction label="接替主持" placeholder="接替原因，如：原主持人网络中断" fields={(reason) => ({ __id: s.id, intent: 'takeover', reason })} />
      ) : null}
      {(s.seat === 'host' || s.seat === 'supervisor') && state === 'signing' && !s.signatures.some((x) => x.mine) ? (
        <SignButton label="签署开标记录" userId={s.me?.id} content={async () => (await client()).recordBytes(s.id)} onSigned={async (sig) => void (await (await client()).post(s.id, { intent: 'sign', signature: sig }))} />
      ) : null}
      {s.seat === 'host' && state === 'signing' ? <ActionButton label="发布开标记录" fn={async () => (await client()).post(s.id, { intent: 'finalize' })} /> : null}
    </section>
  );
}

/** The bidder unwraps each own bid's content key here; a failure is reported to the room (logged). */
function BidderDecrypt({ openingId, cert }: { openingId: string; cert: string | null }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const a = useAction(async () => {
    if (!cert) throw new Error('请先在上方选择或导入您的数字证书');
    setProgress({ done: 0, total: 0 });
    await (await client()).decryptOwnBids(openingId, cert, (done, total) => setProgress({ done, total }));
  });
  return (
    <div className="room-action">
      <button type="button" className="btn btn-primary" disabled={a.busy} onClick={() => void a.run()}>
        {a.busy ? '正在解密…' : '解密我的投标文件'}
      </button>
      {a.busy && progress ? (
        <div className="progress" role="progressbar" aria-label="我的解密进度" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
          <div className="progress-fill" style={{ width: `${progress.total ? Math.round((progress.done / progress.total) * 100) : 5}%` }} />
          <span>{progress.total ? `已解密 ${progress.done} / ${progress.total} 份` : '正在读取投标文件…'}</span>
        </div>
      ) : null}
      {a.error ? (
        <p className="form-errors" role="alert">
          {a.error}
        </p>
      ) : null}
    </div>
  );
}

function DecryptionPanel({ s }: { s: Snap }) {
  const state = s.state as OpeningState;
  if (state === 'checkin') {
    return (
      <section className="panel">
        <h2>投标文件</h2>
        <p className="muted">投标截止后由主持人开始开标。截止前任何人（包括平台）都无法解密投标文件。</p>
      </section>
    );
  }
  const done = s.bids.filter((b) => b.result !== null).length;
  const pct = s.bids.length ? Math.round((done / s.bids.length) * 100) : 100;
  return (
    <section className="panel">
      <h2>解密及核验</h2>
      <div className="progress" role="progressbar" aria-label="解密进度" aria-valuemin={0} aria-valuemax={s.bids.length} aria-valuenow={done}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
        <span>
          {done} / {s.bids.length}
        </span>
      </div>
      <div className="table-wrap">
      <table className="data room-bids">
        <thead>
          <tr>
            <th>序号</th>
            <th>标段</th>
            <th>投标人</th>
            <th>解密</th>
            <th>结果</th>
          </tr>
        </thead>
        <tbody>
          {s.bids.map((b) => (
            <tr key={b.id} data-bid={b.position}>
              <td>{b.position}</td>
              <td>{b.sectionSeq}</td>
              <td>{b.bidderName}</td>
              <td>{b.decryptedBy === 'bidder' ? '投标人已解密' : b.decryptedBy === 'opening-key' ? '开标密钥' : b.result ? '未解密' : '等待解密'}</td>
              <td>
                {b.result ? (
                  <span className={`result result-${b.result}`}>
                    {RESULT_LABELS[b.result as BidResult]}
                    {b.result !== 'valid' ? `（${CAUSE_LABELS[b.cause ?? ''] ?? ''}）` : ''}
                  </span>
                ) : b.fallbackReason ? (
                  <span className="muted">正在以开标密钥解密</span>
                ) : (
                  '—'
                )}
                {b.reason ? <div className="small muted">{b.reason}</div> : null}
                {!b.result && b.fallbackReason ? <div className="small muted">非投标人原因：{b.fallbackReason}</div> : null}
                {!b.result && !b.fallbackReason && s.seat === 'host' && s.state === 'decrypting' ? (
                  <details className="fallback">
                    <summary>非投标人原因无法解密？</summary>
                    <TextAction
                      label={`以开标密钥解密第${b.position}号`}
                      placeholder="说明经核实的非投标人原因（如平台故障），将记入开标记录"
                      minLength={4}
                      fields={(reason) => ({ __id: s.id, intent: 'fallback', bidId: b.id, reason })}
                    />
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </section>
  );
}

function ReadingTable({ s }: { s: Snap }) {
  const read = s.bids.filter((b) => b.read);
  if (!['reading', 'signing', 'closed'].includes(s.state)) return null;
  return (
    <section className="panel">
      <h2>开标一览表（唱标）</h2>
      <div className="table-wrap">
      <table className="data reading-table" aria-label="开标一览表">
        <thead>
          <tr>
            <th>序号</th>
            <th>投标人</th>
            {s.tender.bidForm.map((f) => (
              <th key={f.key}>{f.label}</th>
            ))}
            <th>保证金</th>
          </tr>
        </thead>
        <tbody>
          {read.map((b) => (
            <tr key={b.id}>
              <td>{b.position}</td>
              <td>{b.bidderName}</td>
              {s.tender.bidForm.map((f) => (
                <td key={f.key} className={f.type === 'money' ? 'num' : ''}>
                  {formatFormValue(f.type, b.form?.[f.key])}
                </td>
              ))}
              <td>{DEPOSIT_LABELS[b.depositStatus ?? ''] ?? '—'}</td>
            </tr>
          ))}
          {read.length === 0 ? (
            <tr>
              <td colSpan={s.tender.bidForm.length + 3} className="muted">
                等待主持人唱标
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      </div>
    </section>
  );
}

function Objections({ s }: { s: Snap }) {
  if (s.objections.length === 0) return null;
  return (
    <section className="panel">
      <h2>异议及答复</h2>
      <ol className="objections">
        {s.objections.map((o) => (
          <li key={o.seq} data-objection={o.seq}>
            <p>
              <strong>{o.orgName}</strong> <span className="muted small">{formatDateTime(o.at)}</span>
            </p>
            <p>{o.text}</p>
            {o.answer ? (
              <p className="answer">
                <strong>主持人答复：</strong>
                {o.answer}
              </p>
            ) : s.seat === 'host' ? (
              <TextAction label={`答复异议 ${o.seq}`} placeholder="答复内容将记入开标记录" fields={(answer) => ({ __id: s.id, intent: 'answer', seq: String(o.seq), answer })} />
            ) : (
              <p className="muted small">等待主持人答复</p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function RecordPanel({ s }: { s: Snap }) {
  return (
    <section className="panel">
      <h2>开标记录</h2>
      <p>
        记录摘要（SHA-256）：<code className="hash">{s.recordSha256}</code>
      </p>
      <p className="muted small" data-testid="record-signers">
        签署：{s.signatures.map((x) => `${x.role === 'agent' ? '主持人' : '监督人员'} ${x.name}`).join('、') || '尚无'}</p>
      {s.state === 'closed' ? (
        <p className="room-downloads">
          {s.seat !== 'public' ? (
            <>
              <a className="btn" href={`/api/opening/${s.id}/record?format=pdf`}>
                下载开标记录（PDF）
              </a>
              <a className="btn" href={`/api/opening/${s.id}/record?format=evidence`}>
                下载证据包（离线核验）
              </a>
            </>
          ) : null}
          <Link to={`/opening/${s.id}/record`}>公开的开标记录</Link>
        </p>
      ) : null}
      {s.state === 'closed' && s.seat !== 'public' ? (
        <p className="muted small">证据包（tar）解压后，可用 npx tsx crypto/cli.ts record verify --in 解压目录 离线核验记录、日志、签名、时间戳与录像。</p>
      ) : null}
    </section>
  );
}

function Attendance({ s }: { s: Snap }) {
  return (
    <section className="panel">
      <h2>签到（{s.attendance.length}）</h2>
      <ul className="plain-list attendance">
        {s.attendance.map((a, i) => (
          <li key={i}>
            <span className="tag">{KIND_LABELS[a.kind] ?? a.kind}</span> {a.orgName ?? '交易中心'}
            {a.name ? ` · ${a.name}` : ''}
            {a.confirmed ? <span className="ok-line small"> 已确认</span> : null}
          </li>
        ))}
        {s.attendance.length === 0 ? <li className="muted">尚无人签到</li> : null}
      </ul>
    </section>
  );
}

function Holders({ s }: { s: Snap }) {
  const submitted = s.holders.filter((h) => h.submitted).length;
  const missing = s.holders.filter((h) => !h.submitted);
  return (
    <section className="panel">
      <h2>
        开标密钥（{submitted}/{s.tender.threshold}）
      </h2>
      <ul className="plain-list">
        {s.holders.map((h) => (
          <li key={h.shareIndex}>
            第{h.shareIndex}份 · {h.name} {h.submitted ? <span className="ok-line">已提交</span> : <span className="muted">未提交</span>}
          </li>
        ))}
      </ul>
      {s.state === 'ceremony' && submitted < s.tender.threshold ? (
        <p className="notice small" data-testid="missing-holders">
          还需 {s.tender.threshold - submitted} 份，尚未提交：{missing.map((h) => h.name).join('、')}
        </p>
      ) : null}
      {s.keyRebuiltAt ? <p className="ok-line small">开标密钥已于 {formatDateTime(s.keyRebuiltAt)} 恢复并与开标证书核对一致</p> : null}
    </section>
  );
}

function Timeline({ items }: { items: LiveItem[] }) {
  const shown = useMemo(() => items.filter((e) => e.type !== 'video.chunk'), [items]);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    // follow the newest step
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [shown.length]);
  return (
    <section className="panel">
      <h2>开标过程</h2>
      <ol className="timeline" data-testid="timeline" ref={list}>
        {shown.map((e) => (
          <li key={e.seq} data-seq={e.seq} data-type={e.type}>
            <span className="muted small">{formatDateTime(e.at).slice(11)}</span> {EVENT_LABELS[e.type] ?? e.type}
            {typeof e.data.bidderName === 'string' ? ` · ${e.data.bidderName}` : typeof e.data.orgName === 'string' ? ` · ${e.data.orgName}` : typeof e.data.name === 'string' ? ` · ${e.data.name}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}

type Chunk = { seq: number; mime: string; sha256: string };

async function sha256Hex(b: ArrayBuffer) {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)), (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Host: camera + microphone → MediaRecorder chunks (2 s) → POST, one after another; each chunk's
 * SHA-256 goes into the audit log. Everyone else (and the host once the opening is closed): a
 * MediaSource fed with the chunks in order, a few seconds behind live, each chunk checked against
 * the SHA-256 the log announced.
 */
function VideoPanel({ openingId, isHost, chunks, closed }: { openingId: string; isHost: boolean; chunks: Chunk[]; closed: boolean }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<string>('');
  const [streaming, setStreaming] = useState(false);
  const recorder = useRef<MediaRecorder | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const recording = isHost && !closed;

  async function startCamera() {
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
      if (videoRef.current) {
        videoRef.current.srcObject = media;
        videoRef.current.muted = true;
        void videoRef.current.play().catch(() => {});
      }
      const mime = ['video/webm;codecs=vp8,opus', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m)) ?? 'video/webm';
      const rec = new MediaRecorder(media, { mimeType: mime, videoBitsPerSecond: 400_000 });
      let sent = 0;
      rec.ondataavailable = (ev) => {
        if (!ev.data.size) return;
        const blob = ev.data;
        queue.current = queue.current.then(async () => {
          const res = await fetch(`/api/opening/${openingId}/video`, { method: 'POST', body: blob, headers: { 'Content-Type': mime }, credentials: 'same-origin' }).catch(() => null);
          const body = ((await res?.json().catch(() => ({}))) ?? {}) as { error?: string; seq?: number; sha256?: string };
          if (!res?.ok) setStatus(body.error ?? '录像片段上传失败，网络恢复后继续');
          else setStatus(`正在直播 · 已上传 ${++sent} 个片段 · 最新片段 SHA-256 ${body.sha256?.slice(0, 12)}… 已记入审计日志`);
        });
      };
      rec.start(2000);
      recorder.current = rec;
      setStreaming(true);
      setStatus('正在直播，录像随开标记录封存');
    } catch (e) {
      setStatus(`无法打开摄像头：${e instanceof Error ? e.message : String(e)}`);
    }
  }

  useEffect(() => {
    if (closed && recorder.current?.state === 'recording') {
      recorder.current.stop();
      (videoRef.current?.srcObject as MediaStream | null)?.getTracks().forEach((t) => t.stop());
      if (videoRef.current) videoRef.current.srcObject = null;
      setStreaming(false);
    }
  }, [closed]);

  useEffect(
    () => () => {
      if (recorder.current?.state === 'recording') recorder.current.stop();
      (videoRef.current?.srcObject as MediaStream | null)?.getTracks().forEach((t) => t.stop());
    },
    [],
  );

  // viewer: feed the chunks in order into one SourceBuffer ('sequence' mode: a host who restarts
  // the camera starts a new WebM stream at timestamp 0, which then simply follows)
  const ms = useRef<{ source: MediaSource; buffer: SourceBuffer | null; next: number; busy: boolean; verified: number; mismatch: number[] } | null>(null);
  const chunksRef = useRef(chunks);
  chunksRef.current = chunks;
  useEffect(() => {
    if (recording || chunks.length === 0 || !videoRef.current || typeof MediaSource === 'undefined') return;
    const video = videoRef.current;
    async function pump() {
      const st = ms.current;
      if (!st?.buffer || st.busy) return;
      st.busy = true;
      try {
        while (st.next <= chunksRef.current.length) {
          const c = chunksRef.current[st.next - 1];
          const res = await fetch(`/api/opening/${openingId}/video?seq=${c.seq}`, { credentials: 'same-origin' });
          if (!res.ok) return;
          const data = await res.arrayBuffer();
          if ((await sha256Hex(data)) === c.sha256) st.verified++;
          else st.mismatch.push(c.seq);
          await new Promise<void>((resolve, reject) => {
            st.buffer!.addEventListener('updateend', () => resolve(), { once: true });
            st.buffer!.addEventListener('error', () => reject(new Error('append')), { once: true });
            st.buffer!.appendBuffer(data);
          });
          st.next++;
        }
      } catch {
        setStatus('直播片段无法播放，请刷新页面');
        return;
      } finally {
        st.busy = false;
      }
      if (!closed && video.buffered.length) {
        const end = video.buffered.end(video.buffered.length - 1);
        // a few seconds behind live
        if (end - video.currentTime > 8) video.currentTime = Math.max(0, end - 3);
        if (video.paused) void video.play().catch(() => {});
      }
      const check = st.mismatch.length ? `片段 ${st.mismatch.join('、')} 与审计日志的摘要不符！` : `摘要均与审计日志一致`;
      setStatus(`${closed ? '开标录像' : '直播（延迟约数秒）'} · 已接收 ${st.next - 1}/${chunksRef.current.length} 个片段 · ${check}`);
      if (st.next <= chunksRef.current.length) void pump();
    }
    if (!ms.current) {
      const source = new MediaSource();
      ms.current = { source, buffer: null, next: 1, busy: false, verified: 0, mismatch: [] };
      video.src = URL.createObjectURL(source);
      source.addEventListener('sourceopen', () => {
        const mime = chunks[0].mime;
        if (!MediaSource.isTypeSupported(mime)) return setStatus('本浏览器不支持播放该录像格式');
        const buffer = source.addSourceBuffer(mime);
        buffer.mode = 'sequence';
        ms.current!.buffer = buffer;
        void pump();
      });
    } else void pump();
  }, [chunks, recording, openingId, closed]);

  if (closed && chunks.length === 0) {
    return (
      <section className="panel video-card">
        <h2>开标录像</h2>
        <p className="muted">本次开标未进行直播录像。</p>
      </section>
    );
  }
  return (
    <section className="panel video-card">
      <h2>{closed ? '开标录像' : '开标直播'}</h2>
      <video ref={videoRef} className="room-video" playsInline muted={recording} controls={!recording} data-testid="room-video" />
      <p className="muted small" data-testid="video-status">
        {status || (recording ? '主持人开启摄像头后，所有参与方可实时观看。' : chunks.length ? '正在加载直播…' : '主持人尚未开启直播')}
      </p>
      {recording && !streaming ? (
        <button type="button" className="btn" onClick={() => void startCamera()}>
          开启摄像头直播
        </button>
      ) : null}
    </section>
  );
}
