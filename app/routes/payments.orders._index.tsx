// 我的订单: every order of the user's organization, newest first.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '~/modules/auth/session.server';
import { PURPOSE_LABELS, type OrderPurpose } from '~/modules/payments/labels';
import { OrderStatusTag, yuan } from '~/modules/payments/ui';
import { listMyOrders } from '~/modules/payments/views.server';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '我的订单 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:order:own');
  const r = await listMyOrders(user, { page: Number(new URL(request.url).searchParams.get('page')) || 1 });
  return {
    ...r,
    items: r.items.map((o) => ({
      id: o.id, outTradeNo: o.outTradeNo, purpose: PURPOSE_LABELS[o.purpose as OrderPurpose] ?? o.purpose, subject: o.subject,
      amountFen: o.amountFen, refundedFen: o.refundedFen, status: o.status, createdAt: o.createdAt.toISOString(), paidAt: o.paidAt?.toISOString() ?? null,
    })),
  };
}

export default function MyOrders() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>我的订单</h1>
      </div>
      <p className="muted">招标文件费、投标保证金、中介服务费通过支付宝在线缴纳；保证金按规定原路退回。</p>
      {d.items.length === 0 ? (
        <p className="empty">暂无订单</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr><th>订单号</th><th>类型</th><th>事项</th><th className="num">金额</th><th>状态</th><th>下单时间</th><th>支付时间</th><th></th></tr>
            </thead>
            <tbody>
              {d.items.map((o) => (
                <tr key={o.id}>
                  <td className="mono">{o.outTradeNo}</td>
                  <td>{o.purpose}</td>
                  <td>{o.subject}</td>
                  <td className="num">{yuan(o.amountFen)}{o.refundedFen > 0 ? <div className="muted">已退 {yuan(o.refundedFen)}</div> : null}</td>
                  <td><OrderStatusTag status={o.status} /></td>
                  <td>{formatDateTime(o.createdAt)}</td>
                  <td>{formatDateTime(o.paidAt)}</td>
                  <td><Link to={`/payments/orders/${o.id}`} aria-label={`查看订单 ${o.outTradeNo}`}>{o.status === 'created' || o.status === 'paying' ? '去支付' : '查看'}</Link></td>
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
