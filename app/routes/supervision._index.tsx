// 监察台: live, read-only view of tenders, purchases, openings, warnings and complaints.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { COMPLAINT_KINDS, type ComplaintKind } from '~/modules/supervision/complaint-types';
import { OPENING_STATE, PURCHASE_STATUS, TENDER_STATUS, type ConsoleSnapshot } from '~/modules/supervision/console-types';
import { consoleFilterFrom, consoleSnapshot } from '~/modules/supervision/console.server';
import { ComplaintStatusTag, DueIn, LevelBadge, WarningStatusTag } from '~/modules/supervision/ui';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '电子监察台 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:supervision');
  const u = new URL(request.url).searchParams;
  const filter = consoleFilterFrom(u);
  const prisma = await getPrisma();
  const snapshot = await consoleSnapshot(prisma, now(), filter);
  await prisma.$transaction((tx) => appendAuditEntry(tx, actorOf(request, user), { action: 'supervision.view', objectType: 'console', payload: { filter } }));
  return {
    snapshot,
    filter: { q: u.get('q') ?? '', market: u.get('market') ?? 'all', tenderStatus: u.get('tenderStatus') ?? '', purchaseStatus: u.get('purchaseStatus') ?? '' },
    canHandleWarnings: can(user.role, 'handle:warning'),
    canHandleComplaints: can(user.role, 'handle:complaint'),
  };
}

const POLL_MS = 5000;

function useLiveSnapshot(initial: ConsoleSnapshot) {
  const location = useLocation();
  const [snap, setSnap] = useState(initial);
  const [live, setLive] = useState<'ok' | 'error'>('ok');
  useEffect(() => setSnap(initial), [initial]);
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const r = await fetch(`/supervision/live${location.search}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!r.ok) throw new Error(String(r.status));
        const next = (await r.json()) as ConsoleSnapshot;
        if (!stopped) {
          setSnap(next);
          setLive('ok');
        }
      } catch {
        if (!stopped) setLive('error');
      }
    };
    const t = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [location.search]);
  return { snap, live };
}

function Stat({ label, value, tone, to }: { label: string; value: number; tone?: 'red' | 'yellow' | 'plain'; to?: string }) {
  const body = (
    <>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </>
  );
  return <li className={`stat tone-${tone ?? 'plain'}`}>{to ? <Link to={to}>{body}</Link> : body}</li>;
}

export default function SupervisionConsole() {
  const d = useLoaderData<typeof loader>();
  const { snap, live } = useLiveSnapshot(d.snapshot);
  const c = snap.counts;
  return (
    <div className="stack">
      <section className="panel">
        <div className="panel-head">
          <h1>电子监察台</h1>
          <p className={`sup-live ${live}`} role="status" aria-live="polite">
            {live === 'ok' ? '实时' : '连接中断，正在重试'} · 更新于 {formatDateTime(snap.at)}
          </p>
        </div>
        <p className="muted">只读监察：所有查看均记入审计日志。数据每5秒自动刷新。</p>
        <ul className="stats" aria-label="概况">
          <Stat label="红色预警" value={c.redWarnings} tone="red" to="/warnings?level=red" />
          <Stat label="黄色预警" value={c.yellowWarnings} tone="yellow" to="/warnings?level=yellow" />
          <Stat label="办理中投诉" value={c.openComplaints} to="/supervision/complaints" />
          <Stat label="超期投诉" value={c.overdueComplaints} tone={c.overdueComplaints ? 'red' : 'plain'} to="/supervision/complaints?overdue=1" />
          <Stat label="进行中招标" value={c.activeTenders} />
          <Stat label="进行中采购" value={c.activePurchases} />
          <Stat label="服务中订单" value={c.ordersInProgress} />
          <Stat label="正在开标" value={c.openingsLive} />
        </ul>
        <nav className="actions quick-links" aria-label="监察功能">
          <Link to="/warnings">预警纠错</Link>
          <Link to="/supervision/complaints">投诉处理</Link>
          <Link to="/ocds/releases.json">开放数据（OCDS）</Link>
          <Link to="/audit">审计日志</Link>
        </nav>
      </section>

      <div className="two-col">
        <section className="panel" aria-labelledby="h-warn">
          <div className="panel-head">
            <h2 id="h-warn">待办预警</h2>
            <Link to="/warnings">全部</Link>
          </div>
          {snap.warnings.length === 0 ? (
            <p className="empty">暂无未办结预警</p>
          ) : (
            <ul className="sup-feed">
              {snap.warnings.map((w) => (
                <li key={w.id}>
                  <LevelBadge level={w.level} /> {d.canHandleWarnings ? <Link to={`/warnings/${w.id}`}>{w.title}</Link> : w.title}
                  <span className="sup-feed-meta">
                    <WarningStatusTag status={w.status} /> {formatDateTime(w.raisedAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="h-comp">
          <div className="panel-head">
            <h2 id="h-comp">投诉与异议</h2>
            <Link to="/supervision/complaints">全部</Link>
          </div>
          {snap.complaints.length === 0 ? (
            <p className="empty">暂无办理中的投诉</p>
          ) : (
            <ul className="sup-feed">
              {snap.complaints.map((x) => (
                <li key={x.id}>
                  <span className="tag">{COMPLAINT_KINDS[x.kind as ComplaintKind]}</span>{' '}
                  {d.canHandleComplaints ? <Link to={`/supervision/complaints/${x.id}`}>{x.no} {x.title}</Link> : `${x.no} ${x.title}`}
                  <span className="sup-feed-meta">
                    <ComplaintStatusTag status={x.status} /> <DueIn due={x.dueAt} now={snap.at} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      {snap.openings.length > 0 ? (
        <section className="panel" aria-labelledby="h-open">
          <h2 id="h-open">正在开标</h2>
          <ul className="sup-feed">
            {snap.openings.map((o) => (
              <li key={o.id}>
                <strong>{o.code}</strong> {o.name} <span className="tag">{OPENING_STATE[o.state] ?? o.state}</span>
                {o.paused ? <span className="state state-paused">已暂停</span> : null} <Link to={o.link}>进入开标室（只读监督）</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="panel" aria-labelledby="h-proj">
        <h2 id="h-proj">交易项目</h2>
        <Form method="get" className="filters" role="search">
          <label>
            关键词
            <input name="q" defaultValue={d.filter.q} placeholder="项目编号或名称" />
          </label>
          <label>
            市场
            <select name="market" defaultValue={d.filter.market}>
              <option value="all">全部</option>
              <option value="tenders">工程招投标</option>
              <option value="purchases">中介超市</option>
            </select>
          </label>
          <label>
            招标状态
            <select name="tenderStatus" defaultValue={d.filter.tenderStatus}>
              <option value="">全部</option>
              {Object.entries(TENDER_STATUS)
                .filter(([k]) => k !== 'draft')
                .map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
            </select>
          </label>
          <label>
            采购状态
            <select name="purchaseStatus" defaultValue={d.filter.purchaseStatus}>
              <option value="">全部</option>
              {Object.entries(PURCHASE_STATUS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <button className="btn" type="submit">
            查询
          </button>
        </Form>
        {d.filter.market !== 'purchases' ? (
          <div className="table-wrap">
            <table className="data">
              <caption>工程招投标</caption>
              <thead>
                <tr>
                  <th scope="col">项目编号</th>
                  <th scope="col">项目名称</th>
                  <th scope="col">投标截止/开标</th>
                  <th scope="col">投标人数</th>
                  <th scope="col">状态</th>
                </tr>
              </thead>
              <tbody>
                {snap.tenders.length === 0 ? (
                  <tr>
                    <td colSpan={5} className="empty">
                      无
                    </td>
                  </tr>
                ) : (
                  snap.tenders.map((t) => (
                    <tr key={t.id}>
                      <td>
                        <Link to={t.link}>{t.code}</Link>
                      </td>
                      <td>{t.name}</td>
                      <td>{formatDateTime(t.bidDeadline)}</td>
                      <td className="num">{t.bids ?? <span className="muted">截止后显示</span>}</td>
                      <td>
                        <span className={`state state-t-${t.status}`}>{TENDER_STATUS[t.status] ?? t.status}</span>
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        ) : null}
        {d.filter.market !== 'tenders' ? (
          <div className="table-wrap">
            <table className="data">
              <caption>中介服务采购</caption>
              <thead>
                <tr>
                  <th scope="col">采购编号</th>
                  <th scope="col">项目名称</th>
                  <th scope="col">报名截止</th>
                  <th scope="col">预算（元）</th>
                  <th scope="col">状态</th>
                </tr>
              </thead>
              <tbody>
                {snap.purchases.length === 0 ? (
                  <tr>
                    <td colSpan={5} className="empty">
                      无
                    </td>
                  </tr>
                ) : (
                  snap.purchases.map((p) => (
                    <tr key={p.id}>
                      <td>
                        <Link to={p.link}>{p.code}</Link>
                      </td>
                      <td>{p.name}</td>
                      <td>{formatDateTime(p.signupEnd)}</td>
                      <td className="num">{(p.budgetFen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2 })}</td>
                      <td>
                        <span className="state">{PURCHASE_STATUS[p.status] ?? p.status}</span>
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </div>
  );
}
