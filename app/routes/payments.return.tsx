// Alipay's synchronous return (同步跳转). Display only: the signed parameters tell us which order,
// and its state comes from alipay.trade.query with the response signature checked — never from the
// query string itself.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { getAlipay, paymentsConfigured } from '~/modules/payments/config.server';
import { syncOrderWithAlipay } from '~/modules/payments/orders.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'read:order:own');
  const params = Object.fromEntries(new URL(request.url).searchParams);
  if (!paymentsConfigured()) return { error: '在线支付未开通。' };
  const check = getAlipay().verifyReturn(params);
  if (!check.ok) return { error: '支付返回参数验签失败，本页面不能作为付款凭证。请在“我的订单”中查看支付状态。' };
  const prisma = await getPrisma();
  const o = await prisma.paymentOrder.findUnique({ where: { outTradeNo: check.outTradeNo }, select: { id: true } });
  if (!o) return { error: '未找到对应的订单。' };
  // The notify usually got here first; if not, the signed query settles it now.
  await syncOrderWithAlipay(o.id, 'return').catch(() => null);
  return redirect(`/payments/orders/${o.id}?returned=1`);
}

export default function PaymentReturn() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>支付结果</h1>
      <p className="notice warning" role="alert">{d.error}</p>
      <p>
        <Link to="/payments/orders">返回我的订单</Link>
      </p>
    </section>
  );
}
