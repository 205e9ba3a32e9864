// 保证金没收审批: a deposit is forfeited only after a supervisor approves the request here; the
// approval is recorded (who, when, why) and the forfeiture posted in the same transaction.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { decideForfeiture, PaymentError } from '~/modules/payments/orders.server';
import { yuan } from '~/modules/payments/ui';
import { pendingForfeitures } from '~/modules/payments/views.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '保证金没收审批 - 江城市公共资源交易平台' }];

const STATUS: Record<string, string> = { pending: '待审批', approved: '已批准', rejected: '已驳回', executed: '已没收' };

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'approve:forfeit');
  const rows = await pendingForfeitures();
  return {
    items: rows.map((r) => ({
      id: r.id, status: r.status, reason: r.reason, requestedBy: r.requestedBy, decidedBy: r.decidedBy, decisionNote: r.decisionNote,
      requestedAt: r.requestedAt.toISOString(), decidedAt: r.decidedAt?.toISOString() ?? null, payer: r.payer,
      orderId: r.orderId, outTradeNo: r.order.outTradeNo, subject: r.order.subject, amountFen: r.order.amountFen,
    })),
  };
}

const schema = z.object({
  requestId: z.string().min(1),
  decision: z.enum(['approve', 'reject']),
  note: z.string().trim().min(2, '请填写审批意见').max(500),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'approve:forfeit');
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: parsed.error.issues[0].message, requestId: null }, { status: 400 });
  try {
    await decideForfeiture(actorOf(request, user), { requestId: parsed.data.requestId, approve: parsed.data.decision === 'approve', note: parsed.data.note });
    return { error: null, requestId: parsed.data.requestId };
  } catch (e) {
    if (e instanceof PaymentError) return Response.json({ error: e.message, requestId: parsed.data.requestId }, { status: 409 });
    throw e;
  }
}

export default function Forfeitures() {
  const { items } = useLoaderData<typeof loader>();
  const a = useActionData<{ error: string | null; requestId: string | null }>();
  const busy = useNavigation().state !== 'idle';
  return (
    <section className="panel">
      <div className="panel-head"><h1>保证金没收审批</h1></div>
      <p className="muted">没收投标保证金须有法定情形（如中标后无正当理由拒签合同、投标截止后撤销投标文件）。审批意见与审批人将记入审计日志。</p>
      {a?.error ? <p className="notice danger" role="alert">{a.error}</p> : a?.requestId ? <p className="notice success" role="status">审批已记录。</p> : null}
      {items.length === 0 ? <p className="empty">暂无没收申请</p> : (
        <ul className="fin-requests">
          {items.map((r) => (
            <li key={r.id}>
              <div className="panel-head">
                <strong>{r.subject}</strong>
                <span className="tag">{STATUS[r.status] ?? r.status}</span>
              </div>
              <p>缴款单位：{r.payer} · 金额 {yuan(r.amountFen)} · 订单 <Link to={`/payments/orders/${r.orderId}`} className="mono">{r.outTradeNo}</Link></p>
              <p>申请理由：{r.reason}（{r.requestedBy}，{formatDateTime(r.requestedAt)}）</p>
              {r.decidedBy ? <p className="muted">审批：{r.decidedBy}，{formatDateTime(r.decidedAt)}；意见：{r.decisionNote ?? '—'}</p> : null}
              {r.status === 'pending' ? (
                <Form method="post" className="filters">
                  <input type="hidden" name="requestId" value={r.id} />
                  <label className="grow">审批意见<input name="note" required minLength={2} aria-label={`审批意见 ${r.outTradeNo}`} /></label>
                  <button className="btn btn-small btn-danger" type="submit" name="decision" value="approve" disabled={busy}>批准没收</button>
                  <button className="btn btn-small" type="submit" name="decision" value="reject" disabled={busy}>驳回</button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
