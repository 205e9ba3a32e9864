// One purchase: the public announcement and record (commitment, sign-up list hash, draw, quotes,
// scores, result, objections) plus the actions of the parties: agencies sign up (with a sealed
// quote) and raise objections; the owner amends, cancels, scores, answers objections, republishes.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { actorOf, getSessionUser, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { CRITERIA_KEYS, CRITERIA_LABELS, DEFAULT_CRITERIA, describeFee, feeBounds, METHOD_LABELS, parseYuan, yuan, type CriteriaKey, type Method } from '~/modules/market/constants';
import { MarketError } from '~/modules/market/errors.server';
import { chinaDateTime, issuesToFieldErrors } from '~/modules/market/form-utils';
import {
  amendPurchase, amendSchema, answerObjection, cancelPurchase, finalizeComparison, getPurchase, publishedDrawRecord, raiseObjection,
  republishPurchase, republishSchema, scoreSchema, signUp, submitScores,
} from '~/modules/market/purchases.server';
import { GradeBadge, MarketTabs, StatusTag } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.p.projectName ?? '采购项目'} - 网上中介超市` }];

// Public page; the parts for a party are shown only to that party.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const p = await getPurchase(params.id ?? '');
  if (!p) throw new Response('采购项目不存在', { status: 404 });
  const user = await getSessionUser(request);
  const prisma = await getPrisma();
  const [owner, myAgency, order, next] = await Promise.all([
    prisma.organization.findUnique({ where: { id: p.ownerOrgId }, select: { name: true } }),
    user?.organizationId && user.role === 'agency' ? prisma.agencyProfile.findUnique({ where: { orgId: user.organizationId }, select: { id: true } }) : null,
    prisma.serviceOrder.findUnique({ where: { purchaseId: p.id }, select: { id: true, code: true } }),
    prisma.purchase.findFirst({ where: { previousId: p.id }, select: { id: true, code: true } }),
  ]);
  const isOwner = !!user && user.role === 'owner' && user.organizationId === p.ownerOrgId;
  const closed = !['published'].includes(p.status) || p.signupEnd <= now();
  const mySignup = myAgency ? p.signups.find((s) => s.agencyId === myAgency.id) : undefined;
  const winner = p.winnerAgencyId ? p.signups.find((s) => s.agencyId === p.winnerAgencyId)?.agency ?? (await prisma.agencyProfile.findUnique({ where: { id: p.winnerAgencyId }, select: { id: true, name: true, creditGrade: true, creditScore: true } })) : null;
  const criteria = { ...DEFAULT_CRITERIA, ...((p.criteria as Record<CriteriaKey, number> | null) ?? {}) };
  const bounds = feeBounds(p.item, p.investmentFen);
  const record = publishedDrawRecord(p);
  const showScores = isOwner || ['announced', 'awarded', 'failed'].includes(p.status);
  const scoreBySignup = new Map<string, { price: number; qualification: number; experience: number; credit: number; total: number; scorer: string }[]>();
  for (const s of p.scores) {
    if (!showScores) break;
    const list = scoreBySignup.get(s.signupId) ?? [];
    list.push({ price: s.price, qualification: s.qualification, experience: s.experience, credit: s.credit, total: s.total, scorer: s.scorerName });
    scoreBySignup.set(s.signupId, list);
  }
  return {
    p: {
      id: p.id, code: p.code, round: p.round, previousId: p.previousId, projectName: p.projectName, projectCode: p.projectCode, status: p.status, method: p.method as Method,
      item: { name: p.item.name, code: p.item.code, category: p.item.category.name, days: p.item.timeLimitDays, fee: describeFee(p.item) },
      owner: owner?.name ?? '', budget: yuan(p.budgetFen), investment: p.investmentFen == null ? null : yuan(p.investmentFen), qual: `${p.requiredQualType} ${p.requiredQualLevel}及以上`,
      description: p.description, minSignups: p.minSignups, rotation: p.rotation,
      signupStart: p.signupStart.toISOString(), signupEnd: p.signupEnd.toISOString(), selectAt: p.selectAt.toISOString(), publishedAt: p.publishedAt.toISOString(),
      commitment: p.drawCommitment, candidatesHash: p.candidatesHash, seedRevealed: !!p.drawSeed, hasRecord: !!record,
      resultAt: p.resultAt?.toISOString() ?? null, objectionUntil: p.objectionUntil?.toISOString() ?? null, winningFee: p.winningFeeFen == null ? null : yuan(p.winningFeeFen),
      failReason: p.failReason, cancelReason: p.cancelReason, criteria: p.method === 'compare' ? criteria : null,
      bounds: bounds ? { min: yuan(bounds.min), max: yuan(Math.min(bounds.max, p.budgetFen)) } : null,
    },
    winner: winner && { id: winner.id, name: winner.name, grade: winner.creditGrade },
    signupCount: p.signups.length,
    // Names and quotes stay secret until sign-up closes (防止围标串标).
    signups: closed
      ? p.signups.map((s) => ({ id: s.id, agencyId: s.agencyId, name: s.agency.name, grade: s.agency.creditGrade, eligible: s.eligible, reason: s.ineligibleReason, quote: s.quoteFen == null ? null : yuan(s.quoteFen), quoteDigest: s.quoteDigest, at: s.at.toISOString(), scores: scoreBySignup.get(s.id) ?? [] }))
      : [],
    amendments: p.amendments.map((a) => ({ id: a.id, reason: a.reason, at: a.at.toISOString(), changes: a.changes as Record<string, { from: unknown; to: unknown }> })),
    objections: p.objections.map((o) => ({ id: o.id, text: o.text, status: o.status, reply: o.reply, at: o.at.toISOString(), mine: !!user && o.orgId === user.organizationId })),
    me: {
      loggedIn: !!user,
      isOwner,
      canSignUp: !!user && can(user.role, 'create:signup') && p.status === 'published' && !closed && !mySignup,
      mySignup: mySignup ? { at: mySignup.at.toISOString(), digest: mySignup.quoteDigest, eligible: mySignup.eligible, reason: mySignup.ineligibleReason } : null,
      canObject: !!mySignup && p.status === 'announced' && !!p.objectionUntil && now() <= p.objectionUntil,
    },
    order: order && (isOwner || (myAgency && p.winnerAgencyId === myAgency.id) || (user && can(user.role, 'read:supervision'))) ? order : null,
    next,
  };
}

type Reply = { ok?: string | null; error?: string | null; form?: string; fieldErrors?: Record<string, string[]>; receipt?: { digest: string; nonce: string; quote: string } | null };

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.id ?? '';
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const str = (k: string) => String(form.get(k) ?? '').trim();
  const fail = (e: MarketError) => Response.json({ form: intent, error: Object.keys(e.fieldErrors).length ? null : e.message, fieldErrors: e.fieldErrors } satisfies Reply, { status: e.status });
  try {
    if (intent === 'signup') {
      const user = await requirePermission(request, 'create:signup');
      const quote = str('quote');
      let quoteFen: number | undefined;
      if (quote) {
        const q = parseYuan(quote);
        if (q === null) return Response.json({ form: intent, fieldErrors: { quoteFen: ['请填写正确的报价金额（元）'] } } satisfies Reply, { status: 400 });
        quoteFen = q;
      }
      const r = await signUp(actorOf(request, user), user, id, { quoteFen });
      return { ok: r.receipt ? '报名成功，报价已密封，截止前任何人无法查看' : '报名成功', receipt: r.receipt ? { digest: r.receipt.digest, nonce: r.receipt.nonce, quote: yuan(r.receipt.quoteFen) } : null } satisfies Reply;
    }
    if (intent === 'objection') {
      const user = await requirePermission(request, 'create:signup');
      await raiseObjection(actorOf(request, user), user, id, str('text'));
      return { ok: '质疑已提交，采购人将在质疑期内答复' } satisfies Reply;
    }
    const user = await requirePermission(request, 'update:purchase:own');
    const actor = actorOf(request, user);
    if (intent === 'amend') {
      const v = amendSchema.safeParse({ reason: str('reason'), signupEnd: chinaDateTime(form.get('signupEnd')), selectAt: chinaDateTime(form.get('selectAt')), description: str('description') || undefined });
      if (!v.success) return Response.json({ form: intent, fieldErrors: issuesToFieldErrors(v.error.issues) } satisfies Reply, { status: 400 });
      await amendPurchase(actor, user, id, v.data);
      return { ok: '变更公告已发布' } satisfies Reply;
    }
    if (intent === 'cancel') {
      await cancelPurchase(actor, user, id, str('reason'));
      return { ok: '采购已终止，终止公告已发布' } satisfies Reply;
    }
    if (intent === 'score') {
      const ids = form.getAll('signupId').map(String);
      const scores = [];
      for (const sid of ids) {
        const v = scoreSchema.safeParse({ signupId: sid, qualification: Number(str(`qualification-${sid}`)), experience: Number(str(`experience-${sid}`)), credit: Number(str(`credit-${sid}`)), comment: str(`comment-${sid}`) });
        if (!v.success) return Response.json({ form: intent, error: '请为每家机构填写各项得分（非负数）' } satisfies Reply, { status: 400 });
        scores.push(v.data);
      }
      await submitScores(actor, user, id, scores);
      return { ok: '评分已保存' } satisfies Reply;
    }
    if (intent === 'finalize') {
      await finalizeComparison(actor, user, id);
      return { ok: '比选结果已确定，中选公告已发布' } satisfies Reply;
    }
    if (intent === 'answer') {
      const decision = str('decision');
      if (decision !== 'upheld' && decision !== 'dismissed') return Response.json({ form: intent, fieldErrors: { decision: ['请选择质疑是否成立'] } } satisfies Reply, { status: 400 });
      await answerObjection(actor, user, str('objectionId'), { decision, reply: str('reply') });
      return { ok: '质疑答复已发布' } satisfies Reply;
    }
    if (intent === 'republish') {
      const v = republishSchema.safeParse({ signupEnd: chinaDateTime(form.get('signupEnd')), selectAt: chinaDateTime(form.get('selectAt')), minSignups: str('minSignups') ? Number(str('minSignups')) : undefined });
      if (!v.success) return Response.json({ form: intent, fieldErrors: issuesToFieldErrors(v.error.issues) } satisfies Reply, { status: 400 });
      const p = await republishPurchase(actor, user, id, v.data);
      return redirect(`/market/purchases/${p.id}?published=1`);
    }
    return Response.json({ error: '请求有误' } satisfies Reply, { status: 400 });
  } catch (e) {
    if (e instanceof MarketError) return fail(e);
    throw e;
  }
}

const STEPS = ['发布公告', '报名', '报名截止', '选取', '中选公示', '签订合同'];
function stepOf(status: string) {
  return { published: 1, closed: 3, scoring: 3, announced: 4, awarded: 5, failed: 2, cancelled: 1 }[status] ?? 0;
}

export default function PurchasePage() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as Reply | undefined;
  const nav = useNavigation();
  const [sp] = useSearchParams();
  const p = d.p;
  const fe = (form: string, name: string) => (r?.form === form ? r.fieldErrors?.[name] : undefined);
  const Err = ({ form, name }: { form: string; name: string }) => {
    const m = fe(form, name);
    return m?.length ? (
      <p className="field-errors" role="alert">
        {m[0]}
      </p>
    ) : null;
  };
  const step = stepOf(p.status);
  return (
    <div>
      <MarketTabs current="/market/purchases" />
      <p className="crumbs">
        <Link to="/market/purchases">采购公告</Link> / {p.code}
      </p>
      <div className="panel-head">
        <h1>
          {p.projectName} <small className="muted">{p.item.name}</small>
        </h1>
        <StatusTag status={p.status} />
      </div>
      {sp.get('published') ? <p className="notice success">采购公告已发布。</p> : null}
      {r?.ok ? (
        <p className="notice success" role="status">
          {r.ok}
        </p>
      ) : null}
      {r?.error ? <FormErrors errors={[r.error]} /> : null}
      {r?.receipt ? (
        <div className="notice" role="status">
          <strong>报价回执</strong>：报价 {r.receipt.quote}；回执摘要 <span className="hash">{r.receipt.digest}</span>；随机数 <span className="hash">{r.receipt.nonce}</span>
          <p className="hint">请保存回执。报名截止后平台公开每份报价的摘要，您可据此核对报价未被改动。</p>
        </div>
      ) : null}
      <ol className="steps" aria-label="采购进度">
        {STEPS.map((s, i) => (
          <li key={s} className={i < step ? 'done' : i === step ? 'current' : ''}>
            {s}
          </li>
        ))}
      </ol>
      <div className="two-col">
        <div>
          <section className="panel">
            <h2>采购公告</h2>
            <dl className="kv">
              <dt>采购编号</dt>
              <dd>
                {p.code}
                {p.round > 1 && p.previousId ? (
                  <>
                    {' '}
                    （第{p.round}次发布，<Link to={`/market/purchases/${p.previousId}`}>上次公告</Link>）
                  </>
                ) : null}
              </dd>
              <dt>采购人</dt>
              <dd>{p.owner}</dd>
              <dt>投资项目代码</dt>
              <dd>{p.projectCode}</dd>
              <dt>服务事项</dt>
              <dd>
                {p.item.category} · {p.item.name}（{p.item.code}）
              </dd>
              <dt>统一收费标准</dt>
              <dd>{p.item.fee}</dd>
              {p.investment ? (
                <>
                  <dt>项目总投资</dt>
                  <dd>{p.investment}</dd>
                </>
              ) : null}
              <dt>预算金额</dt>
              <dd>{p.budget}</dd>
              <dt>承诺时限</dt>
              <dd>{p.item.days} 个工作日</dd>
              <dt>资质要求</dt>
              <dd>{p.qual}</dd>
              <dt>选取方式</dt>
              <dd>
                {METHOD_LABELS[p.method]}
                {p.rotation ? '（启用轮换）' : ''}
              </dd>
              {p.method !== 'direct' ? (
                <>
                  <dt>报名时间</dt>
                  <dd>
                    {formatDateTime(p.signupStart)} 至 {formatDateTime(p.signupEnd)}
                  </dd>
                  <dt>{p.method === 'compare' ? '评分开始' : '选取时间'}</dt>
                  <dd>{formatDateTime(p.selectAt)}</dd>
                  <dt>最少有效报名</dt>
                  <dd>{p.minSignups} 家</dd>
                </>
              ) : null}
              {p.criteria ? (
                <>
                  <dt>评分因素</dt>
                  <dd>{CRITERIA_KEYS.map((k) => `${CRITERIA_LABELS[k]} ${p.criteria![k]}分`).join('；')}</dd>
                </>
              ) : null}
            </dl>
            <h3>服务内容及要求</h3>
            <p>{p.description}</p>
          </section>

          {p.commitment ? (
            <section className="panel" aria-labelledby="fair-title">
              <h2 id="fair-title">随机数承诺与复核</h2>
              <dl className="kv">
                <dt>种子承诺值</dt>
                <dd>
                  <span className="hash" data-testid="commitment">
                    {p.commitment}
                  </span>
                  <div className="hint">发布时公开；选取时公开种子，SHA-256("draw-commit-v1" ‖ 种子) 须等于此值</div>
                </dd>
                <dt>报名名单哈希</dt>
                <dd>{p.candidatesHash ? <span className="hash">{p.candidatesHash}</span> : <span className="muted">报名截止时公开</span>}</dd>
              </dl>
              {p.hasRecord ? (
                <p className="actions">
                  <Link className="btn btn-primary" to={`/market/purchases/${p.id}/draw`}>
                    复核本次抽取
                  </Link>
                  <a className="btn" href={`/market/purchases/${p.id}/record.json`} download>
                    下载抽取记录（JSON）
                  </a>
                </p>
              ) : null}
            </section>
          ) : null}

          <section className="panel">
            <h2>报名情况</h2>
            {d.signups.length === 0 ? (
              <p className="muted">{p.status === 'published' ? `已有 ${d.signupCount} 家报名。报名单位名单和报价在报名截止后公开。` : '无报名'}</p>
            ) : (
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th>中介机构</th>
                      <th>信用</th>
                      <th>资格</th>
                      {p.method === 'price' || p.method === 'compare' ? <th className="num">报价</th> : null}
                      {p.method === 'compare' && d.signups.some((s) => s.scores.length) ? <th className="num">综合得分</th> : null}
                      <th>报名时间</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.signups.map((s) => (
                      <tr key={s.id}>
                        <td>
                          <Link to={`/market/agencies/${s.agencyId}`}>{s.name}</Link>
                          {d.winner?.id === s.agencyId ? <span className="pill pill-ok">中选</span> : null}
                        </td>
                        <td>
                          <GradeBadge grade={s.grade} />
                        </td>
                        <td>{s.eligible === null ? '—' : s.eligible ? '有效' : <span className="status-bad">无效：{s.reason}</span>}</td>
                        {p.method === 'price' || p.method === 'compare' ? (
                          <td className="num">
                            {s.quote ?? '—'}
                            {s.quoteDigest ? <div className="hash" title="报价回执摘要">{s.quoteDigest.slice(0, 16)}…</div> : null}
                          </td>
                        ) : null}
                        {p.method === 'compare' && d.signups.some((x) => x.scores.length) ? (
                          <td className="num">{s.scores.length ? (s.scores.reduce((a, b) => a + b.total, 0) / s.scores.length).toFixed(2) : '—'}</td>
                        ) : null}
                        <td>{formatDateTime(s.at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          {d.winner ? (
            <section className="panel" aria-labelledby="result-title">
              <h2 id="result-title">中选结果</h2>
              <dl className="kv">
                <dt>中选机构</dt>
                <dd>
                  <Link to={`/market/agencies/${d.winner.id}`} data-testid="winner">
                    {d.winner.name}
                  </Link>{' '}
                  <GradeBadge grade={d.winner.grade} />
                </dd>
                <dt>中选服务费</dt>
                <dd>{p.winningFee}</dd>
                <dt>公示时间</dt>
                <dd>{formatDateTime(p.resultAt)}</dd>
                <dt>质疑期至</dt>
                <dd>{formatDateTime(p.objectionUntil)}</dd>
              </dl>
              {d.order ? (
                <p>
                  <Link className="btn btn-primary" to={`/market/orders/${d.order.id}`}>
                    查看合同与服务订单（{d.order.code}）
                  </Link>
                </p>
              ) : null}
            </section>
          ) : null}
          {p.failReason ? <p className="notice danger">流标：{p.failReason}</p> : null}
          {p.cancelReason ? <p className="notice danger">已终止：{p.cancelReason}</p> : null}
          {d.next ? (
            <p className="notice">
              已重新发布：<Link to={`/market/purchases/${d.next.id}`}>{d.next.code}</Link>
            </p>
          ) : null}

          {d.amendments.length ? (
            <section className="panel">
              <h2>变更记录</h2>
              <ul className="inbox">
                {d.amendments.map((a) => (
                  <li key={a.id} className="msg">
                    <div>
                      <strong>变更原因：{a.reason}</strong>
                      <time>{formatDateTime(a.at)}</time>
                    </div>
                    <p>
                      {Object.entries(a.changes)
                        .map(([k, v]) => `${{ signupEnd: '报名截止', selectAt: '选取时间', description: '服务内容' }[k] ?? k}：${typeof v.to === 'string' && /^\d{4}-/.test(v.to) ? formatDateTime(v.to) : String(v.to)}`)
                        .join('；')}
                    </p>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          {d.objections.length ? (
            <section className="panel">
              <h2>质疑及答复</h2>
              <ul className="inbox">
                {d.objections.map((o) => (
                  <li key={o.id} className="msg">
                    <div>
                      <strong>{o.status === 'open' ? '待答复' : o.status === 'upheld' ? '质疑成立' : '质疑不成立'}</strong>
                      <time>{formatDateTime(o.at)}</time>
                    </div>
                    <p>{o.text}</p>
                    {o.reply ? <p className="muted">答复：{o.reply}</p> : null}
                    {d.me.isOwner && o.status === 'open' ? (
                      <Form method="post" className="panel">
                        <input type="hidden" name="intent" value="answer" />
                        <input type="hidden" name="objectionId" value={o.id} />
                        <div className="actions">
                          <label>
                            <input type="radio" name="decision" value="dismissed" required /> 质疑不成立
                          </label>
                          <label>
                            <input type="radio" name="decision" value="upheld" /> 质疑成立（中选结果无效）
                          </label>
                        </div>
                        <label htmlFor={`reply-${o.id}`}>答复意见</label>
                        <textarea id={`reply-${o.id}`} name="reply" required />
                        <Err form="answer" name="reply" />
                        <button className="btn btn-primary" type="submit">
                          发布答复
                        </button>
                      </Form>
                    ) : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>

        <div>
          {d.me.canSignUp ? (
            <section className="panel">
              <h2>报名</h2>
              <p className="muted">一地入驻、全域通行：使用已审核的入驻信息报名，无需重复提交材料。</p>
              <Form method="post">
                <input type="hidden" name="intent" value="signup" />
                {p.method === 'price' || p.method === 'compare' ? (
                  <div className={`field${fe('signup', 'quoteFen') ? ' has-error' : ''}`}>
                    <label htmlFor="quote">报价（元）</label>
                    <input id="quote" name="quote" inputMode="decimal" required />
                    {p.bounds ? (
                      <p className="hint">
                        须在 {p.bounds.min} 至 {p.bounds.max} 之间；报价密封保存，截止后公开
                      </p>
                    ) : null}
                    <Err form="signup" name="quoteFen" />
                  </div>
                ) : null}
                <button className="btn btn-primary" type="submit" disabled={nav.state === 'submitting'}>
                  确认报名
                </button>
              </Form>
            </section>
          ) : null}
          {d.me.mySignup ? (
            <section className="panel">
              <h2>我的报名</h2>
              <p>已于 {formatDateTime(d.me.mySignup.at)} 报名。</p>
              {d.me.mySignup.digest ? (
                <p>
                  报价回执摘要：<span className="hash">{d.me.mySignup.digest}</span>
                </p>
              ) : null}
              {d.me.mySignup.eligible === false ? <p className="status-bad">资格审查未通过：{d.me.mySignup.reason}</p> : null}
            </section>
          ) : null}
          {d.me.canObject ? (
            <section className="panel">
              <h2>提出质疑</h2>
              <Form method="post">
                <input type="hidden" name="intent" value="objection" />
                <label htmlFor="objection-text">质疑事项及理由</label>
                <textarea id="objection-text" name="text" required minLength={10} />
                <Err form="objection" name="text" />
                <button className="btn" type="submit">
                  提交质疑
                </button>
              </Form>
            </section>
          ) : null}
          {!d.me.loggedIn && p.status === 'published' ? (
            <p className="notice">
              中介机构请<Link to={`/login?redirectTo=/market/purchases/${p.id}`}>登录</Link>后报名。
            </p>
          ) : null}

          {d.me.isOwner ? <OwnerPanel d={d} r={r} Err={Err} /> : null}
        </div>
      </div>
    </div>
  );
}

function OwnerPanel({ d, r, Err }: { d: ReturnType<typeof useLoaderData<typeof loader>>; r: Reply | undefined; Err: (p: { form: string; name: string }) => JSX.Element | null }) {
  const p = d.p;
  return (
    <>
      {p.status === 'scoring' ? (
        <section className="panel">
          <h2>比选评分</h2>
          <p className="muted">报价得分按“最低报价 ÷ 本机构报价 × 报价分值”自动计算；其余因素不得超过公布的分值。</p>
          <Form method="post">
            <input type="hidden" name="intent" value="score" />
            {d.signups
              .filter((s) => s.eligible)
              .map((s) => (
                <fieldset key={s.id}>
                  <legend>
                    {s.name}（报价 {s.quote}）
                  </legend>
                  <input type="hidden" name="signupId" value={s.id} />
                  <div className="filters">
                    {(['qualification', 'experience', 'credit'] as const).map((k) => (
                      <label key={k}>
                        {CRITERIA_LABELS[k]}（≤{p.criteria?.[k]}）
                        <input className="score-input" name={`${k}-${s.id}`} type="number" step="0.5" min={0} defaultValue={s.scores[0]?.[k]} required aria-label={`${s.name} ${CRITERIA_LABELS[k]}得分`} />
                      </label>
                    ))}
                  </div>
                  {r?.form === 'score' && r.fieldErrors?.[`qualification-${s.id}`] ? <p className="field-errors">{r.fieldErrors[`qualification-${s.id}`][0]}</p> : null}
                </fieldset>
              ))}
            <button className="btn" type="submit">
              保存评分
            </button>
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="finalize" />
            <button className="btn btn-primary" type="submit">
              确定比选结果并公示
            </button>
          </Form>
        </section>
      ) : null}
      {p.status === 'published' ? (
        <section className="panel">
          <h2>变更公告</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="amend" />
            <label htmlFor="amend-signupEnd">新的报名截止时间</label>
            <input id="amend-signupEnd" name="signupEnd" type="datetime-local" />
            <Err form="amend" name="signupEnd" />
            <label htmlFor="amend-selectAt">新的选取时间</label>
            <input id="amend-selectAt" name="selectAt" type="datetime-local" />
            <Err form="amend" name="selectAt" />
            <label htmlFor="amend-reason">变更原因</label>
            <textarea id="amend-reason" name="reason" required />
            <Err form="amend" name="reason" />
            <button className="btn" type="submit">
              发布变更公告
            </button>
          </Form>
        </section>
      ) : null}
      {['published', 'closed', 'scoring'].includes(p.status) ? (
        <section className="panel">
          <h2>终止采购</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="cancel" />
            <label htmlFor="cancel-reason">终止原因</label>
            <textarea id="cancel-reason" name="reason" required />
            <Err form="cancel" name="reason" />
            <button className="btn btn-danger" type="submit">
              终止采购
            </button>
          </Form>
        </section>
      ) : null}
      {p.status === 'failed' && !d.next ? (
        <section className="panel">
          <h2>重新发布</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="republish" />
            <label htmlFor="re-signupEnd">报名截止时间</label>
            <input id="re-signupEnd" name="signupEnd" type="datetime-local" required />
            <Err form="republish" name="signupEnd" />
            <label htmlFor="re-selectAt">选取时间</label>
            <input id="re-selectAt" name="selectAt" type="datetime-local" />
            <label htmlFor="re-min">最少有效报名家数</label>
            <input id="re-min" name="minSignups" type="number" min={1} max={20} defaultValue={p.minSignups} />
            <button className="btn btn-primary" type="submit">
              重新发布采购公告
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
