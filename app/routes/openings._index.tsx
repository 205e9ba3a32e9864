// 不见面开标大厅: today's, upcoming and finished openings. Public: anyone may see the schedule and
// watch public rooms; participants enter their rooms from here.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { now } from '~/modules/clock/clock.server';
import { listOpenings } from '~/modules/opening/view.server';
import { STATE_LABELS, type OpeningState } from '~/modules/opening/types';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '不见面开标大厅 - 江城市公共资源交易平台' }];

export async function loader(_: LoaderFunctionArgs) {
  return { now: now().toISOString(), items: await listOpenings() };
}

export default function Openings() {
  const { items, now: n } = useLoaderData<typeof loader>();
  const t = new Date(n).getTime();
  const upcoming = items.filter((i) => new Date(i.bidDeadline).getTime() > t && i.state !== 'closed').reverse();
  const active = items.filter((i) => new Date(i.bidDeadline).getTime() <= t && i.state !== 'closed');
  const done = items.filter((i) => i.state === 'closed');
  const Row = ({ i }: { i: (typeof items)[number] }) => (
    <tr>
      <td>{i.code}</td>
      <td>{i.name}</td>
      <td>{formatDateTime(i.bidDeadline)}</td>
      <td>
        {i.state ? <span className={`state-pill state-${i.state}`}>{STATE_LABELS[i.state as OpeningState]}</span> : <span className="muted">未开始</span>}
        {i.paused ? <span className="result result-revoked"> 暂停中</span> : null}
      </td>
      <td>
        <Link to={`/opening/${i.openingId ?? i.tenderId}`}>{i.state === 'closed' ? '查看' : '进入开标室'}</Link>
        {i.state === 'closed' && i.openingId ? (
          <>
            {' · '}
            <Link to={`/opening/${i.openingId}/record`}>开标记录</Link>
          </>
        ) : null}
      </td>
    </tr>
  );
  const Table = ({ rows, empty }: { rows: typeof items; empty: string }) => (
    <table className="data">
      <thead>
        <tr>
          <th>项目编号</th>
          <th>项目名称</th>
          <th>开标时间</th>
          <th>状态</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => (
          <Row key={i.tenderId} i={i} />
        ))}
        {rows.length === 0 ? (
          <tr>
            <td colSpan={5} className="muted">
              {empty}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
  return (
    <div>
      <h1>不见面开标大厅</h1>
      <p className="muted">投标人无需到场：在线签到、远程解密、在线唱标与确认，全程录像并生成可离线核验的开标记录。</p>
      <section className="panel">
        <h2>正在开标</h2>
        <Table rows={active} empty="当前没有正在进行的开标" />
      </section>
      <section className="panel">
        <h2>即将开标</h2>
        <Table rows={upcoming} empty="近期没有待开标项目" />
      </section>
      <section className="panel">
        <h2>已开标</h2>
        <Table rows={done} empty="暂无" />
      </section>
    </div>
  );
}
