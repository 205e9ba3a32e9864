// 投诉处理: every complaint, objection and query, newest first, with deadline status.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { COMPLAINT_KINDS, COMPLAINT_STATUS, type ComplaintKind } from '~/modules/supervision/complaint-types';
import { listComplaints } from '~/modules/supervision/complaints.server';
import { ComplaintStatusTag, DueIn } from '~/modules/supervision/ui';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '投诉处理 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'handle:complaint');
  const u = new URL(request.url).searchParams;
  const status = u.get('status') ?? 'open';
  const kind = u.get('kind') ?? '';
  const r = await listComplaints(await getPrisma(), {
    status: status === 'open' || status in COMPLAINT_STATUS ? status : undefined,
    kind: kind in COMPLAINT_KINDS ? kind : undefined,
    overdue: u.get('overdue') === '1',
    q: u.get('q')?.trim().slice(0, 60) || undefined,
    page: Number(u.get('page')) || 1,
  });
  return {
    ...r,
    now: now().toISOString(),
    filter: { status, kind, q: u.get('q') ?? '', overdue: u.get('overdue') === '1' },
    items: r.items.map((c) => ({
      id: c.id,
      no: c.no,
      kind: c.kind,
      title: c.title,
      subjectLabel: c.subjectLabel,
      complainantName: c.complainantName,
      status: c.status,
      filedAt: c.filedAt.toISOString(),
      dueAt: (c.kind === 'complaint' && c.status === 'submitted' && c.acceptDueAt ? c.acceptDueAt : c.answerDueAt).toISOString(),
    })),
  };
}

export default function SupervisionComplaints() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>投诉处理</h1>
        <Link to="/supervision">返回监察台</Link>
      </div>
      <Form method="get" className="filters" role="search">
        <label>
          状态
          <select name="status" defaultValue={d.filter.status}>
            <option value="open">办理中</option>
            {Object.entries(COMPLAINT_STATUS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
            <option value="all">全部</option>
          </select>
        </label>
        <label>
          类型
          <select name="kind" defaultValue={d.filter.kind}>
            <option value="">全部</option>
            {Object.entries(COMPLAINT_KINDS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          关键词
          <input name="q" defaultValue={d.filter.q} placeholder="编号、标题、项目或提出人" />
        </label>
        <label className="sup-check">
          <input type="checkbox" name="overdue" value="1" defaultChecked={d.filter.overdue} /> 只看已超期
        </label>
        <button className="btn" type="submit">
          筛选
        </button>
      </Form>
      {d.items.length === 0 ? (
        <p className="empty">没有符合条件的事项</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">编号</th>
                <th scope="col">类型</th>
                <th scope="col">事项</th>
                <th scope="col">提出人</th>
                <th scope="col">提交时间</th>
                <th scope="col">期限</th>
                <th scope="col">状态</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/supervision/complaints/${c.id}`}>{c.no}</Link>
                  </td>
                  <td>{COMPLAINT_KINDS[c.kind as ComplaintKind]}</td>
                  <td>
                    {c.title}
                    <div className="muted small">{c.subjectLabel}</div>
                  </td>
                  <td>{c.complainantName}</td>
                  <td>{formatDateTime(c.filedAt)}</td>
                  <td>{['submitted', 'accepted'].includes(c.status) ? <DueIn due={c.dueAt} now={d.now} /> : '—'}</td>
                  <td>
                    <ComplaintStatusTag status={c.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}
