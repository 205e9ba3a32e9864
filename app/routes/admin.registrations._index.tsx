import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '~/modules/auth/session.server';
import { REGISTRATION_STATUS_LABELS } from '~/modules/market/constants';
import { listRegistrations } from '~/modules/market/registration.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '入驻审核 - 网上中介超市' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'review:registration');
  const status = new URL(request.url).searchParams.get('status') ?? 'submitted';
  const rows = await listRegistrations(status === 'all' ? undefined : status);
  return {
    status,
    rows: rows.map((r) => ({ id: r.id, name: r.name, creditCode: r.creditCode, region: r.region, status: r.status, submittedAt: r.submittedAt?.toISOString() ?? null, quals: r._count.qualifications, people: r._count.practitioners })),
  };
}

export default function Registrations() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>中介机构入驻审核</h1>
      <Form method="get" className="filters">
        <label>
          状态
          <select name="status" defaultValue={d.status}>
            <option value="all">全部</option>
            {Object.entries(REGISTRATION_STATUS_LABELS)
              .filter(([k]) => k !== 'draft')
              .map(([k, v]) => (
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
      {d.rows.length === 0 ? (
        <p className="empty">没有{d.status === 'submitted' ? '待审核的' : ''}入驻申请</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>机构名称</th>
                <th>统一社会信用代码</th>
                <th>区域</th>
                <th className="num">资质</th>
                <th className="num">人员</th>
                <th>提交时间</th>
                <th>状态</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/admin/registrations/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>{r.creditCode}</td>
                  <td>{r.region}</td>
                  <td className="num">{r.quals}</td>
                  <td className="num">{r.people}</td>
                  <td>{formatDateTime(r.submittedAt)}</td>
                  <td>{REGISTRATION_STATUS_LABELS[r.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
