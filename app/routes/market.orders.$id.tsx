// One service order: contract signing by both parties (certificates in their browsers), delivery
// under the time limit with yellow/red warnings and pauses, result upload, acceptance or return,
// and the owner's evaluation. Supervisors read everything.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useFetcher, useLoaderData, useRevalidator } from '@remix-run/react';
import { Fragment, useEffect } from 'react';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { getRules } from '~/modules/credit/credit.server';
import { loadWorkCalendar } from '~/modules/market/calendar.server';
import { yuan } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { parseUploadForm } from '~/modules/market/files.server';
import {
  acceptResult, appealEvaluation, decideAppeal, evaluateOrder, evaluationSchema, getOrderDetail, pauseOrder, resumeOrder, returnResult, sideOf,
  signContract, submitResult, timeStatus,
} from '~/modules/market/orders.server';
import { GradeBadge, StatusTag, TimeBar } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';
import { FormErrors } from '~/ui/form';
import { SignButton } from '~/ui/sign-button';
import { RateService } from '~/ui/rate-service';

export const meta: MetaFunction = () => [{ title: '服务订单 - 网上中介超市' }];

async function load(request: Request, id: string) {
  const user = await requirePermission(request, 'read:market');
  const detail = await getOrderDetail(id);
  if (!detail) throw new Response('订单不存在', { status: 404 });
  const prisma = await getPrisma();
  const side = await sideOf(prisma, detail.order, user);
  const oversight = can(user.role, 'read:supervision') || can(user.role, 'manage:credit-rules');
  if (!side && !oversight) throw new Response('无权查看该订单', { status: 403 });
  return { user, detail, side, oversight };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, detail, side, oversight } = await load(request, params.id ?? '');
  const { order: o } = detail;
  const [{ rules }, cal] = await Promise.all([getRules(), loadWorkCalendar()]);
  const st = timeStatus(cal, rules, o, o.pauses, now());
  return {
    userId: user.id,
    side,
    oversight,
    canDecideAppeal: can(user.role, 'manage:credit-rules'),
    o: {
      id: o.id, code: o.code, status: o.status, fee: yuan(o.feeFen), days: o.timeLimitDays, contractSha256: o.contractSha256,
      ownerSignedAt: o.ownerSignedAt?.toISOString() ?? null, agencySignedAt: o.agencySignedAt?.toISOString() ?? null, ownerCert: o.ownerCertSha256, agencyCert: o.agencyCertSha256,
      filedAt: o.filedAt?.toISOString() ?? null, startedAt: o.startedAt?.toISOString() ?? null, submittedAt: o.submittedAt?.toISOString() ?? null, acceptedAt: o.acceptedAt?.toISOString() ?? null,
      returnReason: o.returnReason, overtime: o.overtime,
      pauses: o.pauses.map((p) => ({ id: p.id, from: p.from.toISOString(), to: p.to?.toISOString() ?? null, reason: p.reason })),
      deliverables: o.deliverables.map((x) => ({ id: x.id, fileId: x.fileId, name: x.name, note: x.note, at: x.at.toISOString() })),
      evaluation: o.evaluation && { quality: o.evaluation.quality, timeliness: o.evaluation.timeliness, attitude: o.evaluation.attitude, feeCompliance: o.evaluation.feeCompliance, comment: o.evaluation.comment, at: o.evaluation.at.toISOString(), appealStatus: o.evaluation.appealStatus, appealText: o.evaluation.appealText },
    },
    time: st && { fraction: st.fraction, level: st.level, dueAt: st.dueAt?.toISOString() ?? null, paused: st.paused },
    warn: { yellow: rules.yellowFraction, red: rules.redFraction },
    agency: detail.agency,
    owner: detail.owner,
    item: detail.item,
    purchase: detail.purchase,
  };
}

type Reply = { ok?: string | null; error?: string | null; form?: string; fieldErrors?: Record<string, string[]> };

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.id ?? '';
  const isMultipart = request.headers.get('content-type')?.startsWith('multipart/form-data');
  const base = await requirePermission(request, 'read:market');
  let form: FormData;
  try {
    form = isMultipart ? await parseUploadForm(request, base.organizationId) : await request.formData();
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ error: e.message } satisfies Reply, { status: 400 });
    throw e;
  }
  const intent = String(form.get('intent') ?? '');
  const str = (k: string) => String(form.get(k) ?? '').trim();
  try {
    if (intent === 'sign') {
      const user = await requirePermission(request, 'sign:contract:own');
      await signContract(actorOf(request, user), user, id, str('signature'));
      return { ok: '合同签署成功，签名已验证并存档' } satisfies Reply;
    }
    if (intent === 'pause' || intent === 'resume') {
      const user = await requirePermission(request, 'read:market');
      if (!can(user.role, 'update:delivery:own') && !can(user.role, 'accept:delivery:own')) throw new Response('无权操作', { status: 403 });
      if (intent === 'pause') await pauseOrder(actorOf(request, user), user, id, str('reason'));
      else await resumeOrder(actorOf(request, user), user, id);
      return { ok: intent === 'pause' ? '计时已中止' : '计时已恢复' } satisfies Reply;
    }
    if (intent === 'submit') {
      const user = await requirePermission(request, 'update:delivery:own');
      await submitResult(actorOf(request, user), user, id, { fileId: str('file') || null, note: str('note') });
      return { ok: '成果已提交，等待采购人验收' } satisfies Reply;
    }
    if (intent === 'accept') {
      const user = await requirePermission(request, 'accept:delivery:own');
      await acceptResult(actorOf(request, user), user, id);
      return { ok: '已验收通过，请对本次服务进行评价' } satisfies Reply;
    }
    if (intent === 'return') {
      const user = await requirePermission(request, 'accept:delivery:own');
      await returnResult(actorOf(request, user), user, id, str('reason'));
      return { ok: '成果已退回' } satisfies Reply;
    }
    if (intent === 'evaluate') {
      const user = await requirePermission(request, 'create:rating');
      const v = evaluationSchema.safeParse({ quality: Number(str('quality')), timeliness: Number(str('timeliness')), attitude: Number(str('attitude')), feeCompliance: Number(str('feeCompliance')), comment: str('comment') });
      if (!v.success) {
        const fieldErrors: Record<string, string[]> = {};
        for (const i of v.error.issues) (fieldErrors[String(i.path[0])] ??= []).push(i.message);
        return Response.json({ form: intent, fieldErrors } satisfies Reply, { status: 400 });
      }
      const r = await evaluateOrder(actorOf(request, user), user, id, v.data);
      return { ok: `评价已提交。该机构信用分 ${r.credit?.score.toFixed(2)}，信用等级 ${r.credit?.grade}` } satisfies Reply;
    }
    if (intent === 'appeal') {
      const user = await requirePermission(request, 'update:delivery:own');
      await appealEvaluation(actorOf(request, user), user, id, str('text'));
      return { ok: '申诉已提交' } satisfies Reply;
    }
    if (intent === 'decide-appeal') {
      const user = await requirePermission(request, 'manage:credit-rules');
      await decideAppeal(actorOf(request, user), id, str('decision') === 'upheld', str('note'));
      return { ok: '申诉已处理' } satisfies Reply;
    }
    return Response.json({ error: '请求有误' } satisfies Reply, { status: 400 });
  } catch (e) {
    if (e instanceof MarketError) return Response.json({ form: intent, error: Object.keys(e.fieldErrors).length ? null : e.message, fieldErrors: e.fieldErrors } satisfies Reply, { status: e.status });
    throw e;
  }
}

const SCORE_ITEMS = [
  ['quality', '服务质量'],
  ['timeliness', '办理时效'],
  ['attitude', '服务态度'],
  ['feeCompliance', '收费规范'],
] as const;

export default function OrderPage() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as Reply | undefined;
  const signer = useFetcher<Reply>();
  const revalidator = useRevalidator();
  const o = d.o;
  useEffect(() => {
    if (signer.state === 'idle' && signer.data?.ok) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signer.state, signer.data]);
  const mySigned = d.side === 'owner' ? o.ownerSignedAt : d.side === 'agency' ? o.agencySignedAt : null;
  const msg = signer.data ?? r;
  return (
    <div>
      <p className="crumbs">
        <Link to="/market/orders">服务订单</Link> / {o.code}
      </p>
      <div className="panel-head">
        <h1>
          {d.item?.name} <small className="muted">{o.code}</small>
        </h1>
        <StatusTag status={o.status} kind="order" />
      </div>
      {msg?.ok ? (
        <p className="notice success" role="status">
          {msg.ok}
        </p>
      ) : null}
      {msg?.error ? <FormErrors errors={[msg.error]} /> : null}
      {d.time ? (
        <section className="panel" aria-label="服务时限">
          <TimeBar fraction={d.time.fraction} level={d.time.level} yellow={d.warn.yellow} red={d.warn.red} />
          <p className="muted">
            承诺时限 {o.days} 个工作日，自 {formatDateTime(o.startedAt)} 起算
            {d.time.paused ? '；当前计时中止' : d.time.dueAt ? `；截止 ${formatDateTime(d.time.dueAt)}` : ''}（节假日及中止期间不计）
          </p>
        </section>
      ) : null}
      <div className="two-col">
        <div>
          <section className="panel">
            <h2>合同</h2>
            <dl className="kv">
              <dt>委托人（甲方）</dt>
              <dd>{d.owner?.name}</dd>
              <dt>受托人（乙方）</dt>
              <dd>
                {d.agency ? <Link to={`/market/agencies/${d.agency.id}`}>{d.agency.name}</Link> : null} {d.agency ? <GradeBadge grade={d.agency.creditGrade} /> : null}
              </dd>
              <dt>采购项目</dt>
              <dd>{d.purchase ? <Link to={`/market/purchases/${d.purchase.id}`}>{d.purchase.projectName}（{d.purchase.code}）</Link> : '—'}</dd>
              <dt>服务费</dt>
              <dd>{o.fee}</dd>
              <dt>合同文件</dt>
              <dd>
                <a href={`/market/orders/${o.id}/contract.pdf`}>下载合同（PDF）</a>
                <div className="hash">SHA-256 {o.contractSha256}</div>
              </dd>
              <dt>甲方签署</dt>
              <dd>{o.ownerSignedAt ? `已签署 ${formatDateTime(o.ownerSignedAt)}（证书 ${o.ownerCert?.slice(0, 16)}…）` : '未签署'}</dd>
              <dt>乙方签署</dt>
              <dd>{o.agencySignedAt ? `已签署 ${formatDateTime(o.agencySignedAt)}（证书 ${o.agencyCert?.slice(0, 16)}…）` : '未签署'}</dd>
              <dt>备案</dt>
              <dd>{o.filedAt ? `已备案 ${formatDateTime(o.filedAt)}` : '双方签署后自动备案'}</dd>
            </dl>
            {o.status === 'contracting' && d.side && !mySigned ? (
              <div className="panel">
                <p>请核对合同文本后，使用本机数字证书签署。签名对象为上述 PDF 文件的全部字节。</p>
                <SignButton
                  label="签署合同"
                  userId={d.userId}
                  content={async () => new Uint8Array(await (await fetch(`/market/orders/${o.id}/contract.pdf`)).arrayBuffer())}
                  onSigned={(sig) => signer.submit({ intent: 'sign', signature: sig }, { method: 'post' })}
                />
              </div>
            ) : null}
          </section>

          <section className="panel">
            <h2>服务成果</h2>
            {o.returnReason ? <p className="notice warning">上次提交被退回：{o.returnReason}</p> : null}
            {o.deliverables.length === 0 ? <p className="muted">尚未提交成果。</p> : null}
            <ul className="inbox">
              {o.deliverables.map((x) => (
                <li key={x.id} className="msg">
                  <div>
                    <a href={`/market/files/${x.fileId}`}>{x.name}</a>
                    <time>{formatDateTime(x.at)}</time>
                  </div>
                  {x.note ? <p>{x.note}</p> : null}
                </li>
              ))}
            </ul>
            {d.side === 'agency' && o.status === 'in_progress' ? (
              <Form method="post" encType="multipart/form-data" className="panel">
                <input type="hidden" name="intent" value="submit" />
                <label htmlFor="result-file">成果文件</label>
                <input id="result-file" name="file" type="file" required />
                <label htmlFor="result-note">说明</label>
                <textarea id="result-note" name="note" />
                <button className="btn btn-primary" type="submit">
                  提交成果
                </button>
              </Form>
            ) : null}
            {d.side === 'owner' && o.status === 'submitted' ? (
              <div className="panel">
                <Form method="post">
                  <input type="hidden" name="intent" value="accept" />
                  <button className="btn btn-primary" type="submit">
                    验收通过
                  </button>
                </Form>
                <Form method="post">
                  <input type="hidden" name="intent" value="return" />
                  <label htmlFor="return-reason">退回原因（一次性说明需修改的全部内容）</label>
                  <textarea id="return-reason" name="reason" required />
                  <button className="btn" type="submit">
                    退回修改
                  </button>
                </Form>
              </div>
            ) : null}
          </section>

          {o.status === 'accepted' ? (
            <section className="panel">
              <h2>服务评价</h2>
              {o.evaluation ? (
                <>
                  <dl className="kv">
                    {SCORE_ITEMS.map(([k, l]) => (
                      <Fragment key={k}>
                        <dt>{l}</dt>
                        <dd aria-label={`${l} ${o.evaluation![k]}分`}>{'★'.repeat(o.evaluation![k])}{'☆'.repeat(5 - o.evaluation![k])}</dd>
                      </Fragment>
                    ))}
                    <dt>评语</dt>
                    <dd>{o.evaluation.comment || '—'}</dd>
                  </dl>
                  <p className="muted">评价提交后不可修改，如有异议可由中介机构申诉一次。</p>
                  {o.evaluation.appealStatus !== 'none' ? <p>申诉：{o.evaluation.appealText}（{{ pending: '处理中', upheld: '申诉成立，该评价不计入信用', dismissed: '申诉不成立' }[o.evaluation.appealStatus]}）</p> : null}
                  {d.side === 'agency' && o.evaluation.appealStatus === 'none' ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="appeal" />
                      <label htmlFor="appeal-text">申诉理由</label>
                      <textarea id="appeal-text" name="text" required />
                      <button className="btn" type="submit">
                        提出申诉
                      </button>
                    </Form>
                  ) : null}
                  {d.canDecideAppeal && o.evaluation.appealStatus === 'pending' ? (
                    <Form method="post" className="actions">
                      <input type="hidden" name="intent" value="decide-appeal" />
                      <select name="decision" aria-label="申诉处理结论">
                        <option value="dismissed">申诉不成立</option>
                        <option value="upheld">申诉成立</option>
                      </select>
                      <input name="note" placeholder="处理意见" aria-label="处理意见" required />
                      <button className="btn" type="submit">
                        处理申诉
                      </button>
                    </Form>
                  ) : null}
                </>
              ) : d.side === 'owner' ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="evaluate" />
                  {SCORE_ITEMS.map(([k, l]) => (
                    <fieldset key={k}>
                      <legend>{l}</legend>
                      <div className="actions" role="radiogroup" aria-label={l}>
                        {[5, 4, 3, 2, 1].map((n) => (
                          <label key={n}>
                            <input type="radio" name={k} value={n} required /> {n}分
                          </label>
                        ))}
                      </div>
                      {r?.form === 'evaluate' && r.fieldErrors?.[k] ? <p className="field-errors">{r.fieldErrors[k][0]}</p> : null}
                    </fieldset>
                  ))}
                  <label htmlFor="comment">评语</label>
                  <textarea id="comment" name="comment" maxLength={1000} />
                  <button className="btn btn-primary" type="submit">
                    提交评价
                  </button>
                </Form>
              ) : (
                <p className="muted">等待采购人评价。</p>
              )}
            </section>
          ) : null}
          {o.status === 'accepted' ? <RateService subjectType="market-order" subjectId={o.id} title="交易服务满意度（一事一评）" /> : null}
        </div>
        <div>
          <section className="panel">
            <h2>计时中止记录</h2>
            {o.pauses.length === 0 ? <p className="muted">无</p> : null}
            <ul className="inbox">
              {o.pauses.map((p) => (
                <li key={p.id} className="msg">
                  <div>
                    <strong>{p.reason}</strong>
                  </div>
                  <p className="muted">
                    {formatDateTime(p.from)} 至 {p.to ? formatDateTime(p.to) : '今'}
                  </p>
                </li>
              ))}
            </ul>
            {d.side && o.status === 'in_progress' ? (
              d.time?.paused ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="resume" />
                  <button className="btn" type="submit">
                    恢复计时
                  </button>
                </Form>
              ) : (
                <Form method="post">
                  <input type="hidden" name="intent" value="pause" />
                  <label htmlFor="pause-reason">中止原因（如等待采购人提供资料）</label>
                  <textarea id="pause-reason" name="reason" required />
                  {r?.form === 'pause' && r.fieldErrors?.reason ? <p className="field-errors">{r.fieldErrors.reason[0]}</p> : null}
                  <button className="btn" type="submit">
                    中止计时
                  </button>
                </Form>
              )
            ) : null}
          </section>
        </div>
      </div>
    </div>
  );
}
