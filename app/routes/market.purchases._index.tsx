import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { getSessionUser } from '~/modules/auth/session.server';
import { METHOD_LABELS, PURCHASE_STATUS_LABELS, yuan, type Method } from '~/modules/market/constants';
import { listPurchases } from '~/modules/market/purchases.server';
import { MarketTabs, StatusTag } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '采购公告 - 网上中介超市' }];

// Public list; "mine" narrows to the owner's purchases or the agency's sign-ups.
export async function loader({ request }: LoaderFunctionArgs) {
  const u = new URL(request.url).searchParams;
  const user = await getSessionUser(request);
  const mine = u.get('mine') === '1' && !!user?.organizationId;
  let agencyId: string | undefined;
  if (mine && user?.role === 'agency') agencyId = (await (await getPrisma()).agencyProfile.findUnique({ where: { orgId: user.organizationId! }, select: { id: true } }))?.id ?? '-';
  const r = await listPurchases({
    status: u.get('status') || undefined,
    method: u.get('method') || undefined,
    q: u.get('q')?.trim().slice(0, 40) || undefined,
    ownerOrgId: mine && user?.role === 'owner' ? user.organizationId! : undefined,
    agencyId,
    page: Number(u.get('page')) || 1,
  });
  return {
    filters: { status: u.get('status') ?? '', method: u.get('method') ?? '', q: u.get('q') ?? '', mine },
    canCreate: can(user?.role, 'create:purchase'),
    loggedIn: !!user,
    ...r,
    items: r.items.map((p) => ({ id: p.id, code: p.code, projectName: p.projectName, item: p.item.name, category: p.item.category.name, method: p.method as Method, status: p.status, budget: yuan(p.budgetFen), signupEnd: p.signupEnd.toISOString(), publishedAt: p.publishedAt.toISOString() })),
  };
}

export default function Purchases() {
  const d = useLoaderData<typeof loader>();
  return (
    <div>
      <div className="panel-head">
        <h1>中介服务采购公告</h1>
        {d.canCreate ? (
          <Link className="btn btn-primary" to="/market/purchases/new">
            发布采购公告
          </Link>
        ) : null}
      </div>
      <MarketTabs current="/market/purchases" />
      <section className="panel">
        <Form method="get" className="filters" role="search">
          <label>
            关键字
            <input type="search" name="q" defaultValue={d.filters.q} placeholder="项目名称或采购编号" />
          </label>
          <label>
            状态
            <select name="status" defaultValue={d.filters.status}>
              <option value="">全部</option>
              {Object.entries(PURCHASE_STATUS_LABELS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            选取方式
            <select name="method" defaultValue={d.filters.method}>
              <option value="">全部</option>
              {Object.entries(METHOD_LABELS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          {d.loggedIn ? (
            <label style={{ flexDirection: 'row', alignItems: 'center', gap: '.3rem' }}>
              <input type="checkbox" name="mine" value="1" defaultChecked={d.filters.mine} /> 只看与我有关
            </label>
          ) : null}
          <button className="btn" type="submit">
            查询
          </button>
        </Form>
        {d.items.length === 0 ? (
          <p className="empty">暂无采购公告</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th>项目名称</th>
                  <th>服务事项</th>
                  <th>选取方式</th>
                  <th className="num">预算</th>
                  <th>报名截止</th>
                  <th>状态</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/market/purchases/${p.id}`}>{p.projectName}</Link>
                      <div className="muted">{p.code}</div>
                    </td>
                    <td>
                      {p.item}
                      <div className="muted">{p.category}</div>
                    </td>
                    <td>{METHOD_LABELS[p.method]}</td>
                    <td className="num">{p.budget}</td>
                    <td>{p.method === 'direct' ? '—' : formatDateTime(p.signupEnd)}</td>
                    <td>
                      <StatusTag status={p.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
      </section>
    </div>
  );
}
