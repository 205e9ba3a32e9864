import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { getRules } from '~/modules/credit/credit.server';
import { loadWorkCalendar } from '~/modules/market/calendar.server';
import { ORDER_STATUS_LABELS, yuan } from '~/modules/market/constants';
import { listOrders, timeStatus } from '~/modules/market/orders.server';
import { StatusTag } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '服务订单 - 网上中介超市' }];

// Agencies and owners see their own orders; supervisors and the center see all, with warnings.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:market');
  const u = new URL(request.url).searchParams;
  const all = can(user.role, 'read:supervision') || can(user.role, 'manage:credit-rules');
  const r = await listOrders({
    ownerOrgId: !all && user.role === 'owner' ? user.organizationId ?? '-' : undefined,
    agencyOrgId: !all && user.role === 'agency' ? user.organizationId ?? '-' : undefined,
    status: u.get('status') || undefined,
    page: Number(u.get('page')) || 1,
  });
  if (!all && user.role !== 'owner' && user.role !== 'agency') throw new Response('无权查看', { status: 403 });
  const [{ rules }, cal, prisma] = await Promise.all([getRules(), loadWorkCalendar(), getPrisma()]);
  const agencies = new Map((await prisma.agencyProfile.findMany({ where: { id: { in: r.items.map((o) => o.agencyId) } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  const owners = new Map((await prisma.organization.findMany({ where: { id: { in: r.items.map((o) => o.ownerOrgId) } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  const items = new Map((await prisma.serviceItem.findMany({ where: { id: { in: r.items.map((o) => o.itemId) } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  const t = now();
  return {
    status: u.get('status') ?? '',
    ...r,
    items: r.items.map((o) => {
      const st = timeStatus(cal, rules, o, o.pauses, t);
      return { id: o.id, code: o.code, status: o.status, fee: yuan(o.feeFen), agency: agencies.get(o.agencyId) ?? '', owner: owners.get(o.ownerOrgId) ?? '', item: items.get(o.itemId) ?? '', level: st?.level ?? null, pct: st ? Math.round(st.fraction * 100) : null, dueAt: st?.dueAt?.toISOString() ?? null };
    }),
  };
}

export default function Orders() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>服务订单</h1>
      <Form method="get" className="filters">
        <label>
          状态
          <select name="status" defaultValue={d.status}>
            <option value="">全部</option>
            {Object.entries(ORDER_STATUS_LABELS).map(([k, v]) => (
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
      {d.items.length === 0 ? (
        <p className="empty">暂无服务订单</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>订单</th>
                <th>服务事项</th>
                <th>采购人</th>
                <th>中介机构</th>
                <th className="num">服务费</th>
                <th>时限</th>
                <th>状态</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/market/orders/${o.id}`}>{o.code}</Link>
                  </td>
                  <td>{o.item}</td>
                  <td>{o.owner}</td>
                  <td>{o.agency}</td>
                  <td className="num">{o.fee}</td>
                  <td>
                    {o.level ? (
                      <span className={o.level === 'red' ? 'status-bad' : o.level === 'yellow' ? 'status-warn' : ''}>
                        {o.level === 'red' ? '红色预警 ' : o.level === 'yellow' ? '黄色预警 ' : ''}已用 {o.pct}%
                      </span>
                    ) : (
                      '—'
                    )}
                    {o.dueAt ? <div className="muted">截止 {formatDateTime(o.dueAt)}</div> : null}
                  </td>
                  <td>
                    <StatusTag status={o.status} kind="order" />
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
