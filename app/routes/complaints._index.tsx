// 我的投诉与异议: what the signed-in participant filed, with state and deadline.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { COMPLAINT_KINDS, type ComplaintKind } from '~/modules/supervision/complaint-types';
import { listComplaints } from '~/modules/supervision/complaints.server';
import { ComplaintStatusTag, DueIn } from '~/modules/supervision/ui';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '我的投诉与异议 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'create:complaint');
  const page = Number(new URL(request.url).searchParams.get('page')) || 1;
  const r = await listComplaints(await getPrisma(), { complainantUserId: user.id, page });
  return {
    ...r,
    now: now().toISOString(),
    items: r.items.map((c) => ({ id: c.id, no: c.no, kind: c.kind, title: c.title, subjectLabel: c.subjectLabel, status: c.status, filedAt: c.filedAt.toISOString(), answerDueAt: c.answerDueAt.toISOString() })),
  };
}

export default function MyComplaints() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>我的投诉与异议</h1>
        <Link className="btn btn-primary btn-small" to="/complaints/new">
          提出投诉/异议
        </Link>
      </div>
      {d.items.length === 0 ? (
        <p className="empty">您还没有提出过投诉、异议或质疑。</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">编号</th>
                <th scope="col">类型</th>
                <th scope="col">事项</th>
                <th scope="col">提交时间</th>
                <th scope="col">办理期限</th>
                <th scope="col">状态</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/complaints/${c.id}`}>{c.no}</Link>
                  </td>
                  <td>{COMPLAINT_KINDS[c.kind as ComplaintKind]}</td>
                  <td>
                    {c.title}
                    <div className="muted small">{c.subjectLabel}</div>
                  </td>
                  <td>{formatDateTime(c.filedAt)}</td>
                  <td>{['submitted', 'accepted'].includes(c.status) ? <DueIn due={c.answerDueAt} now={d.now} /> : '—'}</td>
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
