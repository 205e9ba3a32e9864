// 订单详情: the payer sees the order and pays at Alipay's cashier (去支付); after paying, the return
// page sends the payer here, and the state shown is the one Alipay confirmed (notify or signed query).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { can } from '~/modules/auth/permissions';
import { actorOf, requirePermission, requireUser } from '~/modules/auth/session.server';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { PURPOSE_LABELS, REFUND_KIND_LABELS, REFUND_STATUS_LABELS, type OrderPurpose } from '~/modules/payments/labels';
import { PaymentError, payUrlFor, syncOrderWithAlipay } from '~/modules/payments/orders.server';
import { OrderStatusTag, yuan } from '~/modules/payments/ui';
import { orderAccessFor, orderForViewer } from '~/modules/payments/views.server';
import { formatDateTime } from '~/ui/format';
import { RateService } from '~/ui/rate-service';

export const meta: MetaFunction = () => [{ title: '订单详情 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  // The payer (read:order:own), and finance staff and supervisors (read:order:any), who reach it from /finance.
  const user = await requireUser(request);
  if (!can(user.role, 'read:order:own') && !can(user.role, 'read:order:any')) throw new Response('您没有权限执行此操作', { status: 403, statusText: 'Forbidden' });
  const found = await orderAccessFor(user, params.id ?? '');
  if (found.kind === 'missing') throw new Response('订单不存在', { status: 404 });
  if (found.kind === 'sealed') {
    throw new Response('该订单为尚未开标项目的投标保证金或招标文件费，开标前不得披露投标人（《招标投标法》第二十二条），仅监督人员可以查看。', { status: 403, statusText: 'Forbidden' });
  }
  const { order: o, mine } = found;
  if (!mine && can(user.role, 'read:bidders:any')) {
    // Supervisors: read-only, and every view of someone else's order is logged (decision 032).
    const prisma = await getPrisma();
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actorOf(request, user), { action: 'payment.order.supervise.view', objectType: 'PaymentOrder', objectId: o.id }),
    );
  }
  const url = new URL(request.url);
  return {
    mine,
    returned: url.searchParams.get('returned') === '1',
    canPay: mine && can(user.role, 'pay:order:own') && (o.status === 'created' || o.status === 'paying') && o.expiresAt > now(),
    order: {
      id: o.id, outTradeNo: o.outTradeNo, purpose: PURPOSE_LABELS[o.purpose as OrderPurpose] ?? o.purpose, subject: o.subject,
      amountFen: o.amountFen, refundedFen: o.refundedFen, forfeitedFen: o.forfeitedFen, status: o.status, tradeNo: o.tradeNo,
      paidAt: o.paidAt?.toISOString() ?? null, closedAt: o.closedAt?.toISOString() ?? null, expiresAt: o.expiresAt.toISOString(),
      createdAt: o.createdAt.toISOString(), buyerLogonId: o.buyerLogonId,
    },
    refunds: o.refunds.map((r) => ({ id: r.id, outRequestNo: r.outRequestNo, kind: REFUND_KIND_LABELS[r.kind as keyof typeof REFUND_KIND_LABELS] ?? r.kind, amountFen: r.amountFen, interestFen: r.interestFen, status: r.status, reason: r.reason, dueAt: r.dueAt.toISOString(), succeededAt: r.succeededAt?.toISOString() ?? null })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'pay:order:own');
  const found = await orderForViewer(user, params.id ?? '');
  if (!found || !found.mine) throw new Response('订单不存在', { status: 404 });
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'refresh') {
    await syncOrderWithAlipay(found.order.id).catch(() => null);
    return redirect(`/payments/orders/${found.order.id}`);
  }
  if (intent !== 'pay') return Response.json({ error: '未知操作' }, { status: 400 });
  try {
    const mobile = /Mobile|Android|iPhone/i.test(request.headers.get('user-agent') ?? '');
    return redirect(await payUrlFor(found.order.id, { mobile }));
  } catch (e) {
    if (e instanceof PaymentError) return Response.json({ error: e.message }, { status: 409 });
    throw e;
  }
}

export default function OrderPage() {
  const { order: o, refunds, canPay, returned, mine } = useLoaderData<typeof loader>();
  const a = useActionData<{ error?: string }>();
  const busy = useNavigation().state !== 'idle';
  return (
    <section className="panel pay-order">
      <p className="crumbs">
        {mine ? <Link to="/payments/orders">我的订单</Link> : <Link to="/finance">资金监管</Link>} / 订单详情
      </p>
      <div className="panel-head">
        <h1>{o.subject}</h1>
        <OrderStatusTag status={o.status} />
      </div>
      {returned && o.status === 'paying' ? (
        <p className="notice warning" role="status">正在确认支付结果，请稍候刷新。支付宝到账通知通常在几秒内到达。</p>
      ) : null}
      {returned && o.paidAt ? <p className="notice success" role="status">支付成功，款项已由支付宝确认到账。</p> : null}
      {a?.error ? <p className="notice danger" role="alert">{a.error}</p> : null}
      <div className="pay-amount">
        <span>{o.purpose}</span>
        <strong>{yuan(o.amountFen)}</strong>
      </div>
      <dl className="pay-facts">
        <dt>订单号</dt><dd>{o.outTradeNo}</dd>
        <dt>创建时间</dt><dd>{formatDateTime(o.createdAt)}</dd>
        {o.paidAt ? (<><dt>支付时间</dt><dd>{formatDateTime(o.paidAt)}</dd></>) : (<><dt>支付期限</dt><dd>{formatDateTime(o.expiresAt)} 前</dd></>)}
        {o.tradeNo ? (<><dt>支付宝交易号</dt><dd>{o.tradeNo}</dd></>) : null}
        {o.buyerLogonId ? (<><dt>付款账号</dt><dd>{o.buyerLogonId}</dd></>) : null}
        {o.refundedFen > 0 ? (<><dt>已退款</dt><dd>{yuan(o.refundedFen)}</dd></>) : null}
        {o.forfeitedFen > 0 ? (<><dt>已没收</dt><dd className="status-bad">{yuan(o.forfeitedFen)}</dd></>) : null}
        {o.closedAt && !o.paidAt ? (<><dt>关闭时间</dt><dd>{formatDateTime(o.closedAt)}</dd></>) : null}
      </dl>
      {canPay ? (
        <div className="pay-actions">
          <Form method="post">
            <button className="btn btn-primary pay-button" type="submit" name="intent" value="pay" disabled={busy}>
              去支付
            </button>
          </Form>
          {o.status === 'paying' ? (
            <Form method="post">
              <button className="btn" type="submit" name="intent" value="refresh" disabled={busy}>
                我已付款，刷新状态
              </button>
            </Form>
          ) : null}
          <p className="hint">将跳转到支付宝收银台完成付款。金额与收款方由平台确定，付款后请勿重复支付。</p>
        </div>
      ) : null}
      {refunds.length ? (
        <>
          <h2>退款记录</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr><th>退款请求号</th><th>类型</th><th className="num">金额</th><th>原因</th><th>状态</th><th>应退期限</th><th>完成时间</th></tr>
              </thead>
              <tbody>
                {refunds.map((r) => (
                  <tr key={r.id}>
                    <td>{r.outRequestNo}</td>
                    <td>{r.kind}</td>
                    <td className="num">{yuan(r.amountFen)}{r.interestFen > 0 ? <small className="muted">（另付利息 {yuan(r.interestFen)}）</small> : null}</td>
                    <td>{r.reason}</td>
                    <td>{REFUND_STATUS_LABELS[r.status] ?? r.status}</td>
                    <td>{formatDateTime(r.dueAt)}</td>
                    <td>{formatDateTime(r.succeededAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {o.paidAt && mine ? <RateService subjectType="payment-order" subjectId={o.id} title="网上支付服务评价" /> : null}
    </section>
  );
}
