// 招标项目: the public list of published tenders; agents also see their own drafts ("本单位项目").
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getSessionUser } from '~/modules/auth/session.server';
import { can } from '~/modules/auth/permissions';
import { now } from '~/modules/clock/clock.server';
import { listTenders } from '~/modules/bidding/tenders.server';
import { METHOD_LABELS, TENDER_STATUS_LABELS } from '~/modules/bidding/types';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '招标项目 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const url = new URL(request.url);
  const mine = url.searchParams.get('mine') === '1' && can(user?.role, 'read:tender:own');
  const q = url.searchParams.get('q')?.slice(0, 50) || undefined;
  const r = await listTenders({ mine, orgId: user?.organizationId, q, page: Number(url.searchParams.get('page')) || 1 });
  return {
    mine,
    q: q ?? '',
    canCreate: can(user?.role, 'create:tender'),
    isAgent: can(user?.role, 'read:tender:own'),
    now: now().toISOString(),
    page: r.page,
    pageSize: r.pageSize,
    total: r.total,
    items: r.items.map((t) => ({
      id: t.id,
      code: t.code,
      name: t.name,
      method: t.method,
      status: t.status,
      sections: t.sections.length,
      bidDeadline: t.bidDeadline.toISOString(),
      publishedAt: t.publishedAt?.toISOString() ?? null,
    })),
  };
}

export default function Tenders() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>{d.mine ? '本单位招标项目' : '招标项目'}</h1>
        <div className="actions">
          {d.isAgent ? (
            <Link className="btn" to={d.mine ? '/tenders' : '/tenders?mine=1'}>
              {d.mine ? '全部公开项目' : '本单位项目'}
            </Link>
          ) : null}
          {d.canCreate ? (
            <Link className="btn btn-primary" to="/tenders/new">
              新建招标项目
            </Link>
          ) : null}
        </div>
      </div>
      {!d.mine ? (
        <Form method="get" className="filters" role="search">
          <label>
            项目名称或编号
            <input type="search" name="q" defaultValue={d.q} placeholder="输入关键字" />
          </label>
          <button type="submit" className="btn">
            查询
          </button>
        </Form>
      ) : null}
      {d.items.length === 0 ? (
        <p className="empty">{d.mine ? '本单位还没有招标项目' : '暂无招标项目'}</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>项目编号</th>
                <th>项目名称</th>
                <th>招标方式</th>
                <th className="num">标段</th>
                <th>投标截止 / 开标时间</th>
                <th>状态</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((t) => (
                <tr key={t.id}>
                  <td>
                    <code>{t.code}</code>
                  </td>
                  <td>
                    <Link to={`/tenders/${t.id}`}>{t.name}</Link>
                  </td>
                  <td>{METHOD_LABELS[t.method]}</td>
                  <td className="num">{t.sections}</td>
                  <td>{formatDateTime(t.bidDeadline)}</td>
                  <td>
                    <span className={`t-state t-${t.status}`}>{TENDER_STATUS_LABELS[t.status] ?? t.status}</span>
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
