// 资金监管: ledger balances (deposits apart from fee income), deposits held per tender and bidder,
// one tender's ledger (项目资金台账), reconciliation runs and open differences, refunds, forfeiture
// requests, recent orders. Before a tender's opening its money is shown to supervisors only, and
// their views are logged (decision 032).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { ISSUE_KIND_LABELS, PURPOSE_LABELS, REFUND_STATUS_LABELS, STATUS_LABELS, type OrderPurpose } from '~/modules/payments/labels';
import { PaymentError, requestForfeiture, resolveIssue, retryRefund } from '~/modules/payments/orders.server';
import { beijingDate, reconcileDay } from '~/modules/payments/reconcile.server';
import { OrderStatusTag, yuan } from '~/modules/payments/ui';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { financeScope, mayView } from '~/modules/payments/disclosure.server';
import { financeOverview, projectLedger } from '~/modules/payments/views.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '资金监管 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:finance');
  const q = new URL(request.url).searchParams;
  const status = q.get('status') ?? '';
  const project = q.get('project')?.trim().slice(0, 40) ?? '';
  const scope = await financeScope(user);
  const [d, ledger] = await Promise.all([
    financeOverview(scope, { q: q.get('q')?.trim().slice(0, 64) || undefined, status: status in STATUS_LABELS ? status : undefined }),
    project ? projectLedger(scope, project) : null,
  ]);
  if (scope.full) {
    // Supervisors see the money of tenders not yet opened too: read-only, and each view is logged.
    const prisma = await getPrisma();
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actorOf(request, user), { action: 'finance.view', objectType: ledger?.found ? 'tender' : 'ledger', objectId: ledger?.found ? ledger.tenderId : null, payload: { project: project || null, q: q.get('q') || null, status: status || null } }),
    );
  }
  const org = (id: string) => d.orgNames[id] ?? id;
  return {
    canManage: can(user.role, 'manage:finance'),
    full: d.full,
    yesterday: beijingDate(new Date(now().getTime() - 86_400_000)),
    q: q.get('q') ?? '',
    status,
    project,
    ledger: ledger
      ? ledger.found && !ledger.sealed
        ? { ...ledger, bidDeadline: ledger.bidDeadline.toISOString() }
        : ledger.found
          ? { found: true as const, sealed: true as const, code: ledger.code, name: ledger.name, bidDeadline: ledger.bidDeadline.toISOString() }
          : { found: false as const, code: ledger.code }
      : null,
    accounts: d.accounts,
    trial: { debitFen: d.trial.debitFen, creditFen: d.trial.creditFen, postings: d.trial.postings, unbalanced: d.trial.unbalancedPostings.length },
    ledgerBalanced: d.ledgerBalanced,
    held: d.held.map((h) => ({ ...h, party: org(h.partyOrgId) })),
    runs: d.runs.map((r) => ({ ...r, ranAt: r.ranAt.toISOString() })),
    issues: d.issues.map((i) => ({ id: i.id, kind: ISSUE_KIND_LABELS[i.kind] ?? i.kind, outTradeNo: i.outTradeNo, detail: i.detail, createdAt: i.createdAt.toISOString() })),
    refunds: d.refunds.map((r) => ({ id: r.id, outRequestNo: r.outRequestNo, outTradeNo: r.order.outTradeNo, subject: r.order.subject, amountFen: r.amountFen, status: r.status, attempts: r.attempts, lastError: r.lastError, dueAt: r.dueAt.toISOString(), overdue: r.status !== 'succeeded' && r.dueAt < now() })),
    forfeitures: d.forfeitures.map((f) => ({ id: f.id, outTradeNo: f.order.outTradeNo, subject: f.order.subject, amountFen: f.order.amountFen, reason: f.reason, status: f.status, requestedAt: f.requestedAt.toISOString() })),
    orders: d.orders.map((o) => ({ id: o.id, outTradeNo: o.outTradeNo, purpose: PURPOSE_LABELS[o.purpose as OrderPurpose] ?? o.purpose, subject: o.subject, payer: org(o.payerOrgId), amountFen: o.amountFen, status: o.status, paidAt: o.paidAt?.toISOString() ?? null })),
  };
}

const schema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('reconcile'), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '请选择对账日期') }),
  z.object({ intent: z.literal('resolve'), issueId: z.string().min(1), note: z.string().trim().min(2, '请填写处理说明').max(500) }),
  z.object({ intent: z.literal('retry-refund'), refundId: z.string().min(1) }),
  z.object({ intent: z.literal('forfeit'), outTradeNo: z.string().trim().min(1, '请填写保证金订单号'), reason: z.string().trim().min(4, '请写明没收理由（不少于4个字）').max(500) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:finance');
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: parsed.error.issues[0].message, ok: null }, { status: 400 });
  const actor = actorOf(request, user);
  const input = parsed.data;
  const scope = await financeScope(user);
  try {
    switch (input.intent) {
      case 'reconcile': {
        if (input.date >= beijingDate(now())) return Response.json({ error: '只能核对昨天及以前的账单（支付宝次日生成账单）', ok: null }, { status: 400 });
        const r = await reconcileDay(input.date);
        // The day's count of trades may include tenders not yet opened: not told here (decision 032).
        return { error: null, ok: r.status === 'matched' ? `${input.date} 对账一致` : r.status === 'mismatched' ? `${input.date} 发现 ${r.issues.length} 处差异，已预警` : `${input.date} 对账单暂不可用` };
      }
      case 'resolve':
        await resolveIssue(actor, { issueId: input.issueId, note: input.note });
        return { error: null, ok: '已标记为已处理' };
      case 'retry-refund': {
        const r = await (await getPrisma()).paymentRefund.findUnique({ where: { id: input.refundId }, select: { order: { select: { refType: true, refId: true } } } });
        if (!r || !mayView(scope, r.order.refType, r.order.refId)) return Response.json({ error: '未找到该退款', ok: null }, { status: 404 });
        await retryRefund(actor, input.refundId);
        return { error: null, ok: '已重新提交退款（沿用原退款请求号）' };
      }
      case 'forfeit': {
        const o = await (await getPrisma()).paymentOrder.findUnique({ where: { outTradeNo: input.outTradeNo }, select: { id: true, refType: true, refId: true } });
        if (!o || !mayView(scope, o.refType, o.refId)) return Response.json({ error: '未找到该订单号', ok: null }, { status: 400 });
        await requestForfeiture(actor, { orderId: o.id, reason: input.reason });
        return { error: null, ok: '没收申请已提交，待监督人员审批' };
      }
    }
  } catch (e) {
    if (e instanceof PaymentError) return Response.json({ error: e.message, ok: null }, { status: 409 });
    throw e;
  }
}

export default function Finance() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<{ error: string | null; ok: string | null }>();
  const busy = useNavigation().state !== 'idle';
  const balanced = d.trial.debitFen === d.trial.creditFen && d.trial.unbalanced === 0;
  return (
    <div className="finance">
      <div className="panel-head">
        <h1>资金监管</h1>
        <div className="actions">
          <a className="btn btn-small" href="/finance/statement?format=csv">导出全部明细（CSV）</a>
          <a className="btn btn-small" href="/finance/statement?format=pdf">导出对账单（PDF）</a>
        </div>
      </div>
      {a?.error ? <p className="notice danger" role="alert">{a.error}</p> : null}
      {a?.ok ? <p className="notice success" role="status">{a.ok}</p> : null}
      {d.full ? (
        <p className="notice warning">您以监督人员身份查看全部资金，含尚未开标项目的投标保证金及缴纳单位。开标前不得泄露潜在投标人的名称和数量；本次查看已记入审计日志。</p>
      ) : (
        <p className="notice">尚未开标项目（投标截止时间未到或尚未开标）的投标保证金、招标文件费不计入本页任何金额、名单和笔数，导出的对账单同样不含，开标后自动显示（招标投标法第二十二条：不得透露潜在投标人的名称、数量）。监督人员可查看。</p>
      )}

      <section className="panel" aria-labelledby="acc-title">
        <h2 id="acc-title">科目余额{d.full ? '' : '（不含尚未开标项目）'}</h2>
        <p className={balanced ? 'status-ok' : 'status-bad'}>
          借方合计 {yuan(d.trial.debitFen)}，贷方合计 {yuan(d.trial.creditFen)}，共 {d.trial.postings} 张凭证 —— {balanced ? '借贷平衡' : `借贷不平衡（${d.trial.unbalanced} 张凭证）`}
        </p>
        {!d.full ? <p className={d.ledgerBalanced ? 'status-ok' : 'status-bad'}>全部台账（含尚未开标项目）{d.ledgerBalanced ? '借贷平衡' : '借贷不平衡，请联系监督人员核查'}</p> : null}
        <div className="fin-cards">
          {d.accounts.map((b) => (
            <div key={b.account} className={`fin-card fin-${b.account}`}>
              <span>{b.label}</span>
              <strong>{yuan(b.balanceFen)}</strong>
            </div>
          ))}
        </div>
      </section>

      <section className="panel" aria-labelledby="proj-title">
        <h2 id="proj-title">项目资金台账</h2>
        <Form method="get" className="filters" role="search" aria-label="按项目编号查询">
          <label>项目编号<input name="project" defaultValue={d.project} placeholder="如 JC-2026-GC-0031" /></label>
          <button className="btn btn-small" type="submit">查询</button>
        </Form>
        {d.ledger ? <ProjectLedger l={d.ledger} /> : <p className="muted">输入项目编号，查看该项目各标段的投标保证金收取、退还和余额。</p>}
      </section>

      <section className="panel" aria-labelledby="held-title">
        <h2 id="held-title">代收保证金余额（按项目、投标人）</h2>
        {d.held.length === 0 ? <p className="empty">当前没有在管保证金</p> : (
          <div className="table-wrap">
            <table className="data">
              <thead><tr><th>项目/标段</th><th>投标人</th><th className="num">余额</th><th>明细</th></tr></thead>
              <tbody>
                {d.held.map((h) => (
                  <tr key={`${h.refType}:${h.refId}:${h.partyOrgId}`}>
                    <td>{h.label}</td>
                    <td>{h.party}</td>
                    <td className="num">{yuan(h.heldFen)}</td>
                    <td>
                      <a href={`/finance/statement?refType=${h.refType}&refId=${h.refId}&format=csv`}>项目 CSV</a>{' · '}
                      <a href={`/finance/statement?refType=${h.refType}&refId=${h.refId}&format=pdf`}>项目 PDF</a>{' · '}
                      <a href={`/finance/statement?orgId=${h.partyOrgId}&format=csv`}>投标人 CSV</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel" aria-labelledby="rec-title">
        <div className="panel-head">
          <h2 id="rec-title">对账结果</h2>
          {d.canManage ? (
            <Form method="post" className="filters inline">
              <input type="hidden" name="intent" value="reconcile" />
              <label>账单日期<input type="date" name="date" defaultValue={d.yesterday} max={d.yesterday} required /></label>
              <button className="btn btn-small" type="submit" disabled={busy}>下载账单并对账</button>
            </Form>
          ) : null}
        </div>
        {d.issues.length ? (
          <>
            <h3 className="status-bad">待处理差异（{d.issues.length}）</h3>
            <ul className="fin-issues">
              {d.issues.map((i) => (
                <li key={i.id}>
                  <span className="tag">{i.kind}</span> {i.detail}
                  {i.outTradeNo ? <span className="mono muted"> {i.outTradeNo}</span> : null}
                  <time className="muted"> {formatDateTime(i.createdAt)}</time>
                  {d.canManage ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="resolve" />
                      <input type="hidden" name="issueId" value={i.id} />
                      <input name="note" placeholder="处理说明" aria-label="处理说明" required minLength={2} />
                      <button className="link-button" type="submit">标记已处理</button>
                    </Form>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        ) : <p className="status-ok">没有待处理的对账差异。</p>}
        {d.runs.length ? (
          <div className="table-wrap">
            <table className="data">
              <thead><tr><th>账单日期</th><th>结果</th><th className="num">账单笔数</th><th className="num">一致</th><th className="num">差异</th><th className="num">收入</th><th className="num">退款</th><th>核对时间</th></tr></thead>
              <tbody>
                {d.runs.map((r) => (
                  <tr key={r.id}>
                    <td>{r.billDate}</td>
                    <td className={r.status === 'matched' ? 'status-ok' : 'status-bad'}>{r.status === 'matched' ? '一致' : r.status === 'mismatched' ? '有差异' : `失败：${r.error ?? ''}`}</td>
                    {r.withheld ? (
                      <>
                        <td className="num muted" title="当日账单含尚未开标项目的交易，笔数和金额开标后显示">—</td><td className="num muted">—</td><td className="num">{r.mismatches}</td>
                        <td className="num muted">—</td><td className="num muted">—</td>
                      </>
                    ) : (
                      <>
                        <td className="num">{r.billRows}</td><td className="num">{r.matched}</td><td className="num">{r.mismatches}</td>
                        <td className="num">{yuan(r.billFenIn)}</td><td className="num">{yuan(r.billFenOut)}</td>
                      </>
                    )}
                    <td>{formatDateTime(r.ranAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p className="empty">尚未对账</p>}
      </section>

      <section className="panel" aria-labelledby="ref-title">
        <h2 id="ref-title">退款</h2>
        {d.refunds.length === 0 ? <p className="empty">暂无退款</p> : (
          <div className="table-wrap">
            <table className="data">
              <thead><tr><th>退款请求号</th><th>订单</th><th className="num">金额</th><th>状态</th><th>应退期限</th><th></th></tr></thead>
              <tbody>
                {d.refunds.map((r) => (
                  <tr key={r.id}>
                    <td className="mono">{r.outRequestNo}</td>
                    <td>{r.subject}<div className="mono muted">{r.outTradeNo}</div></td>
                    <td className="num">{yuan(r.amountFen)}</td>
                    <td className={r.status === 'failed' || r.overdue ? 'status-bad' : r.status === 'succeeded' ? 'status-ok' : ''}>
                      {REFUND_STATUS_LABELS[r.status] ?? r.status}{r.overdue ? '（已超期）' : ''}{r.lastError ? <div className="muted">{r.lastError}</div> : null}
                    </td>
                    <td>{formatDateTime(r.dueAt)}</td>
                    <td>
                      {d.canManage && r.status === 'failed' ? (
                        <Form method="post"><input type="hidden" name="intent" value="retry-refund" /><input type="hidden" name="refundId" value={r.id} /><button className="link-button" type="submit">重新退款</button></Form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel" aria-labelledby="ff-title">
        <div className="panel-head">
          <h2 id="ff-title">保证金没收</h2>
          <Link to="/payments/forfeitures">审批页面</Link>
        </div>
        {d.canManage ? (
          <Form method="post" className="filters">
            <input type="hidden" name="intent" value="forfeit" />
            <label>保证金订单号<input name="outTradeNo" required placeholder="BD…" /></label>
            <label className="grow">没收理由<input name="reason" required minLength={4} placeholder="如：中标后无正当理由拒签合同" /></label>
            <button className="btn btn-small btn-danger" type="submit" disabled={busy}>提交没收申请</button>
          </Form>
        ) : null}
        {d.forfeitures.length ? (
          <ul className="fin-issues">
            {d.forfeitures.map((f) => (
              <li key={f.id}><span className="tag">{{ pending: '待审批', approved: '已批准', rejected: '已驳回', executed: '已没收' }[f.status] ?? f.status}</span> {f.subject}（{yuan(f.amountFen)}）：{f.reason} <time className="muted">{formatDateTime(f.requestedAt)}</time></li>
            ))}
          </ul>
        ) : <p className="muted">暂无没收申请。没收须经监督人员审批后方可执行。</p>}
      </section>

      <section className="panel" aria-labelledby="ord-title">
        <h2 id="ord-title">订单</h2>
        <Form method="get" className="filters" role="search">
          <label>订单号/事项/项目<input name="q" defaultValue={d.q} /></label>
          <label>状态
            <select name="status" defaultValue={d.status}>
              <option value="">全部</option>
              {Object.entries(STATUS_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
            </select>
          </label>
          <button className="btn btn-small" type="submit">查询</button>
        </Form>
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th>订单号</th><th>类型</th><th>事项</th><th>缴款单位</th><th className="num">金额</th><th>状态</th><th>支付时间</th></tr></thead>
            <tbody>
              {d.orders.map((o) => (
                <tr key={o.id}>
                  <td className="mono"><Link to={`/payments/orders/${o.id}`}>{o.outTradeNo}</Link></td>
                  <td>{o.purpose}</td><td>{o.subject}</td><td>{o.payer}</td>
                  <td className="num">{yuan(o.amountFen)}</td>
                  <td><OrderStatusTag status={o.status} /></td>
                  <td>{formatDateTime(o.paidAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

type LedgerView = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['ledger']>;

function ProjectLedger({ l }: { l: LedgerView }) {
  if (!l.found) return <p className="notice warning" role="status">未找到项目编号为 {l.code} 的招标项目。</p>;
  if (l.sealed) {
    return (
      <p className="notice" role="status">
        {l.code} {l.name}：尚未开标（投标截止 {formatDateTime(l.bidDeadline)}）。开标前不显示该项目的投标保证金、招标文件费及缴纳单位和笔数，开标后自动显示；监督人员可查看。
      </p>
    );
  }
  return (
    <div role="region" aria-label={`项目资金台账 ${l.code}`}>
      <p>
        <strong>{l.code}</strong> {l.name}
        {l.beforeOpening ? <span className="tag"> 尚未开标 · 仅监督人员可见</span> : null}
      </p>
      <dl className="pay-facts">
        <dt>代收保证金余额</dt>
        <dd className={l.depositsHeldFen === 0 ? 'status-ok' : ''}>{yuan(l.depositsHeldFen)}</dd>
        <dt>应退未退</dt>
        <dd>{yuan(l.refundsPayableFen)}</dd>
        <dt>没收保证金</dt>
        <dd>{yuan(l.forfeitedFen)}</dd>
        <dt>招标文件费收入</dt>
        <dd>{yuan(l.feeIncomeFen)}</dd>
        <dt>本项目分录</dt>
        <dd className={l.balanced ? 'status-ok' : 'status-bad'}>
          借方 {yuan(l.debitFen)}，贷方 {yuan(l.creditFen)} —— {l.balanced ? '借贷平衡' : '借贷不平衡'}
        </dd>
      </dl>
      {l.sections.map((s) => (
        <div key={s.id} className="table-wrap">
          <table className="data" aria-label={`第${s.seq}标段 投标保证金`}>
            <caption>第{s.seq}标段 {s.name}：收取 {yuan(s.receivedFen)}，余额 {yuan(s.heldFen)}</caption>
            <thead><tr><th>缴纳单位</th><th className="num">收取</th><th className="num">退还/没收</th><th className="num">余额</th></tr></thead>
            <tbody>
              {s.rows.length === 0 ? <tr><td colSpan={4} className="empty">无在线缴纳的保证金</td></tr> : null}
              {s.rows.map((r) => (
                <tr key={r.partyOrgId}>
                  <td>{r.party}</td>
                  <td className="num">{yuan(r.receivedFen)}</td>
                  <td className="num">{yuan(r.releasedFen)}</td>
                  <td className="num">{yuan(r.heldFen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <p>
        <a href={`/finance/statement?refType=tender&refId=${l.tenderId}&format=csv`}>文件费明细 CSV</a>
        {l.sections.map((s) => (
          <span key={s.id}>
            {' · '}
            <a href={`/finance/statement?refType=tender_section&refId=${s.id}&format=csv`}>第{s.seq}标段 CSV</a>{' · '}
            <a href={`/finance/statement?refType=tender_section&refId=${s.id}&format=pdf`}>第{s.seq}标段 PDF</a>
          </span>
        ))}
      </p>
    </div>
  );
}
