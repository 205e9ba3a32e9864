import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useFetcher, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { loadEvaluationPage, requireViewer } from '~/modules/evaluation/access.server';
import {
  acceptInvitation,
  aggregateAndReport,
  askClarification,
  declineInvitation,
  EvaluationError,
  runExpertDraw,
  runRedraw,
  signReport,
  voteChair,
} from '~/modules/evaluation/evaluation.server';
import { centiText, EVALUATION_STATES, MEMBER_STATUS_LABELS, METHOD_LABELS, reportStatement } from '~/modules/evaluation/types';
import { chairRuleText } from '~/modules/evaluation/chair';
import { BidFileLinks, EvaluationSteps, fenText, formValueText, utf8Bytes } from '~/modules/evaluation/ui';
import { formatDateTime } from '~/ui/format';
import { SignButton } from '~/ui/sign-button';

export const meta: MetaFunction = () => [{ title: '评标 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const page = await loadEvaluationPage(user, params.id ?? '');
  if (page.kind === 'supervisor') {
    // Supervisors see bidders, scores and the committee's names: read-only, every view logged (072).
    const prisma = await getPrisma();
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actorOf(request, user), { action: 'evaluation.supervise.view', objectType: 'evaluation', objectId: params.id ?? '', payload: { state: page.state ?? null } }),
    );
  }
  return page;
}

const sig = z.object({ signature: z.string().min(100).max(100_000) });

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const id = params.id ?? '';
  const form = Object.fromEntries(await request.formData());
  const intent = String(form.intent ?? '');
  const actor = actorOf(request, user);
  await requireViewer(user, id);
  try {
    switch (intent) {
      case 'draw': {
        await requirePermission(request, 'draw:experts');
        await runExpertDraw(actor, id);
        return { ok: '专家抽取完成，已通知被抽中的专家。' };
      }
      case 'redraw': {
        // The agent of the tender or a centre administrator (checked in runRedraw).
        await runRedraw(actor, user, id);
        return { ok: '补抽完成，已通知被抽中的专家。' };
      }
      case 'vote-chair': {
        await requirePermission(request, 'evaluate:tender:assigned');
        const election = await voteChair(actor, user, id, String(form.candidate ?? ''));
        return { ok: election.chairMemberId ? '已投票，评标委员会组长已推选产生。' : '已投票，等待其他成员投票。' };
      }
      case 'accept': {
        await requirePermission(request, 'evaluate:tender:assigned');
        const p = sig.safeParse(form);
        if (!p.success) return Response.json({ error: '签名数据不完整' }, { status: 400 });
        await acceptInvitation(actor, user, id, p.data.signature);
        return { ok: '已确认参加并签署回避声明。' };
      }
      case 'decline': {
        await requirePermission(request, 'evaluate:tender:assigned');
        await declineInvitation(actor, user, id, String(form.reason ?? ''));
        return { ok: '已登记不能参加，平台将按抽取记录的候补顺序递补。' };
      }
      case 'clarify': {
        await requirePermission(request, 'evaluate:tender:assigned');
        await askClarification(actor, user, id, { evaluationBidId: String(form.evaluationBidId ?? ''), question: String(form.question ?? '') });
        return { ok: '澄清要求已发送给投标人。' };
      }
      case 'aggregate': {
        await requirePermission(request, 'evaluate:tender:assigned');
        await aggregateAndReport(actor, user, id);
        return { ok: '评分已汇总，评标报告已生成，请全体成员签署。' };
      }
      case 'sign-report': {
        await requirePermission(request, 'evaluate:tender:assigned');
        const p = sig.safeParse(form);
        if (!p.success) return Response.json({ error: '签名数据不完整' }, { status: 400 });
        await signReport(actor, user, id, p.data.signature);
        return { ok: '已签署评标报告。' };
      }
      default:
        return Response.json({ error: '未知操作' }, { status: 400 });
    }
  } catch (e) {
    if (e instanceof EvaluationError) return Response.json({ error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
}

type ActionResult = { ok?: string; error?: string; fieldErrors?: Record<string, string[]> };

export default function EvaluationPage() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>() as ActionResult | undefined;
  const fetcher = useFetcher<ActionResult>();
  const msg = fetcher.data ?? a;
  const canDraw = d.kind === 'admin' && d.state === 'planned';
  const me = d.me;
  const allSubmitted = d.counts.submitted === d.expertCount && d.counts.accepted === d.expertCount;
  const fieldOf = new Map(d.header.bidForm.map((f) => [f.key, f]));
  return (
    <>
      <p className="crumbs">
        <Link to="/evaluation">评标与定标</Link> / {d.header.tenderCode}
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>
            {d.header.tenderName} <small className="muted">第{d.header.sectionSeq}标段 {d.header.sectionName}</small>
          </h1>
          <span className="pill pill-info">{EVALUATION_STATES[d.state]}</span>
        </div>
        <EvaluationSteps state={d.state} />
        <dl className="kv">
          <dt>项目编号</dt>
          <dd>{d.header.tenderCode}</dd>
          <dt>招标人</dt>
          <dd>
            {d.header.tendererName}（代理：{d.header.agentName}）
          </dd>
          <dt>评标办法</dt>
          <dd>
            {METHOD_LABELS[d.method]}
            {d.method === 'comprehensive' ? `（${d.criteria.map((c) => `${c.label}${c.weight}分`).join('，')}）` : ''}
          </dd>
          <dt>评标专业 / 人数</dt>
          <dd>
            {d.specialtyLabel} / {d.expertCount} 人
          </dd>
          <dt>评标时间</dt>
          <dd>{formatDateTime(d.scheduledAt)}</dd>
        </dl>
        {d.kind === 'tenderer' && ['reported', 'publicity', 'awarded', 'closed'].includes(d.state) ? (
          <p>
            <Link className="btn btn-primary" to={`/award/${d.id}`}>
              中标候选人公示与定标
            </Link>
          </p>
        ) : null}
        {d.kind === 'supervisor' ? (
          <p>
            <Link to={`/award/${d.id}`}>公示、异议、定标与合同备案情况</Link> · <Link to={`/audit?objectType=evaluation&objectId=${d.id}`}>本项目审计日志</Link>
          </p>
        ) : null}
      </section>

      {msg?.ok ? (
        <p className="notice success" role="status">
          {msg.ok}
        </p>
      ) : null}
      {msg?.error ? (
        <p className="notice danger" role="alert">
          {msg.error}
        </p>
      ) : null}

      {me?.status === 'invited' ? (
        <section className="panel" aria-labelledby="invite-title">
          <h2 id="invite-title">评标邀请</h2>
          <p>您已被随机抽取为本项目评标专家。请核对以下回避声明：如与招标人、投标人存在利害关系，请选择“不能参加”并说明原因。</p>
          <pre className="declaration">{me.declaration}</pre>
          <div className="actions">
            <SignButton
              label="确认参加并签署声明"
              userId={d.viewerId}
              content={() => utf8Bytes(me.declaration ?? '')}
              onSigned={(signature) => fetcher.submit({ intent: 'accept', signature }, { method: 'post' })}
            />
          </div>
          <Form method="post" className="inline-form decline-form">
            <input type="hidden" name="intent" value="decline" />
            <label>
              不能参加的原因
              <input name="reason" maxLength={200} placeholder="例如：与投标人存在利害关系、出差" />
            </label>
            <button className="btn" type="submit">
              不能参加
            </button>
          </Form>
        </section>
      ) : null}

      <div className="two-col even">
        <section className="panel" aria-labelledby="draw-title">
          <h2 id="draw-title">专家抽取</h2>
          <dl className="kv">
            <dt>种子承诺值</dt>
            <dd>
              <span className="hash">{d.draw.commitment}</span>
              <br />
              <small className="muted">公布于 {formatDateTime(d.draw.committedAt)}，抽取用途 {d.draw.purpose}</small>
            </dd>
            <dt>抽取时间</dt>
            <dd>{d.draw.drawnAt ? formatDateTime(d.draw.drawnAt) : '尚未抽取（评标开始前2小时自动抽取）'}</dd>
            {d.draw.candidatesHash ? (
              <>
                <dt>候选名单哈希</dt>
                <dd>
                  <span className="hash">{d.draw.candidatesHash}</span>
                </dd>
                <dt>候选 / 符合条件</dt>
                <dd>
                  {d.draw.pool} 名 / {d.draw.eligible} 名{d.draw.replacements ? `；递补 ${d.draw.replacements} 名` : ''}
                </dd>
              </>
            ) : null}
          </dl>
          {d.draw.excluded && d.draw.excluded.length ? (
            <>
              <h3>抽取前排除（回避）</h3>
              <ul className="excluded-list">
                {d.draw.excluded.map((x) => (
                  <li key={x.code}>
                    <span className="hash">{x.code}</span> {x.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {d.draw.recordAvailable ? (
            <p>
              <a href={`/evaluation/${d.id}/draw.json`} download>
                下载抽取记录（JSON）
              </a>
              <small className="muted"> · 可用 npx tsx crypto/cli.ts draw verify --in 记录文件 独立复算</small>
            </p>
          ) : null}
          {d.draw.redraws.length ? (
            <>
              <h3>补抽</h3>
              <ol className="redraw-list" aria-label="补抽记录">
                {d.draw.redraws.map((r) => (
                  <li key={r.round}>
                    第{r.round}轮：承诺值 <span className="hash">{r.commitment}</span>
                    <br />
                    <small className="muted">
                      公布于 {formatDateTime(r.committedAt)}（候补用尽时），
                      {r.drawnAt ? `${formatDateTime(r.drawnAt)} 补抽 ${r.vacancies} 名（符合条件 ${r.eligible} 名）` : '待补抽'}
                    </small>
                    {r.excluded && r.excluded.length ? <small className="muted"> · 排除 {r.excluded.length} 名</small> : null}
                    {r.recordAvailable ? (
                      <>
                        {' '}
                        <a href={`/evaluation/${d.id}/draw.json?round=${r.round}`} download>
                          补抽记录（JSON）
                        </a>
                      </>
                    ) : null}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          {d.canRedraw ? (
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="redraw" />
              <p className="notice warning">有专家拒绝参加且候补名单已用尽，需按已公布的承诺值补抽。</p>
              <button className="btn btn-primary" type="submit" disabled={fetcher.state !== 'idle'}>
                补抽专家
              </button>
            </fetcher.Form>
          ) : null}
          {canDraw ? (
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="draw" />
              <button className="btn btn-primary" type="submit" disabled={fetcher.state !== 'idle'}>
                立即抽取专家
              </button>
            </fetcher.Form>
          ) : null}
        </section>

        <section className="panel" aria-labelledby="committee-title">
          <h2 id="committee-title">评标委员会</h2>
          {d.committee ? (
            <div className="table-wrap">
              <table className="data committee-table" aria-label="评标委员会成员">
                <thead>
                  <tr>
                    <th scope="col">序</th>
                    <th scope="col">姓名</th>
                    <th scope="col">编号</th>
                    {d.kind === 'supervisor' ? <th scope="col">工作单位</th> : null}
                    <th scope="col">状态</th>
                    <th scope="col">评分</th>
                    <th scope="col">报告签署</th>
                  </tr>
                </thead>
                <tbody>
                  {d.committee.map((m) => (
                    <tr key={m.id}>
                      <td>{m.seq}</td>
                      <td>
                        {m.name}
                        {m.isChair ? <span className="tag">组长</span> : null}
                        {m.replacesSeq ? <small className="muted">（递补第{m.replacesSeq}位）</small> : null}
                      </td>
                      <td>{m.code}</td>
                      {d.kind === 'supervisor' ? <td>{m.employerName}</td> : null}
                      <td>
                        {MEMBER_STATUS_LABELS[m.status]}
                        {m.declineReason ? <small className="muted">：{m.declineReason}</small> : null}
                      </td>
                      <td>{m.submittedAt ? '已提交' : '—'}</td>
                      <td>{m.reportSignedAt ? '已签署' : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="notice">
              评标委员会成员名单在评标结束前保密。{d.state !== 'planned' ? `已确认参加 ${d.counts.accepted}/${d.expertCount} 人。` : ''}
            </p>
          )}
        </section>
      </div>

      {d.bids.length ? (
        <section className="panel" aria-labelledby="bids-title">
          <div className="panel-head">
            <h2 id="bids-title">投标文件（开标有效投标）</h2>
            {me?.status === 'accepted' && d.state === 'evaluating' ? (
              <Link className="btn btn-primary" to={`/evaluation/${d.id}/score`}>
                {me.submittedAt ? '查看我的评分' : '在线评分'}
              </Link>
            ) : null}
          </div>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">序</th>
                  <th scope="col">投标人</th>
                  {d.header.bidForm.map((f) => (
                    <th scope="col" key={f.key}>
                      {f.label}
                    </th>
                  ))}
                  <th scope="col">投标文件</th>
                  {me ? <th scope="col">我的评审</th> : null}
                </tr>
              </thead>
              <tbody>
                {d.bids.map((b) => (
                  <tr key={b.id}>
                    <td>{b.position}</td>
                    <td>{b.bidderName}</td>
                    {d.header.bidForm.map((f) => (
                      <td key={f.key}>{formValueText(b.form[f.key], fieldOf.get(f.key)?.type)}</td>
                    ))}
                    <td>
                      <BidFileLinks evaluationId={d.id} bidderName={b.bidderName} files={b.files} />
                    </td>
                    {me ? <td>{b.scored ? '已评' : '未评'}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>澄清</h3>
          {d.clarifications.length === 0 ? <p className="muted">暂无澄清。</p> : null}
          <ol className="clarifications">
            {d.clarifications.map((c) => (
              <li key={c.id}>
                <strong>
                  第{c.seq}号 · {c.bidderName}
                </strong>
                <p>问：{c.question}</p>
                <p>{c.answeredAt ? `答：${c.answer}（${formatDateTime(c.answeredAt)}）` : <span className="muted">待投标人答复，截止 {formatDateTime(c.dueAt)}</span>}</p>
              </li>
            ))}
          </ol>
          {me?.status === 'accepted' && d.state === 'evaluating' ? (
            <fetcher.Form method="post" className="clarify-form">
              <input type="hidden" name="intent" value="clarify" />
              <div className="field">
                <label htmlFor="clarify-bid">澄清对象</label>
                <select id="clarify-bid" name="evaluationBidId">
                  {d.bids.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.bidderName}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="clarify-q">澄清问题</label>
                <textarea id="clarify-q" name="question" rows={3} maxLength={1000} placeholder="请投标人对投标文件中含义不明确的内容作出说明（不得改变实质性内容）" />
                {fetcher.data?.fieldErrors?.question ? <p className="field-errors">{fetcher.data.fieldErrors.question[0]}</p> : null}
              </div>
              <button className="btn" type="submit">
                发出澄清要求
              </button>
            </fetcher.Form>
          ) : null}
        </section>
      ) : null}

      {d.election && (me?.status === 'accepted' || d.election.tally || d.election.electedAt) ? (
        <section className="panel" aria-labelledby="election-title">
          <h2 id="election-title">推选评标委员会组长</h2>
          {d.election.electedAt ? (
            <p className="notice success">
              {d.election.chairName ? `${d.election.chairName} ` : ''}
              {chairRuleText({ rule: d.election.rule, members: d.election.members, cast: d.election.cast, chairVotes: d.election.chairVotes })}，当选组长（{formatDateTime(d.election.electedAt)}）。
            </p>
          ) : (
            <p>
              评标委员会成员推选组长：每人一票，得票超过半数者当选；全体投票后无人过半的，得票最多者当选，票数相同的由抽取顺序在先者担任。已投票 {d.election.cast}/{d.election.members} 人。
            </p>
          )}
          {d.election.tally ? (
            <ul className="election-tally" aria-label="组长推选得票">
              {d.election.tally.map((t) => (
                <li key={t.memberId}>
                  {t.name ?? `第${t.seq}位`}：{t.votes} 票
                </li>
              ))}
            </ul>
          ) : null}
          {me?.status === 'accepted' && d.state === 'evaluating' && !d.election.electedAt && !d.election.myVoteMemberId && d.committee ? (
            <fetcher.Form method="post" className="inline-form vote-form">
              <input type="hidden" name="intent" value="vote-chair" />
              <label>
                推选组长
                <select name="candidate" defaultValue="">
                  <option value="" disabled>
                    请选择
                  </option>
                  {d.committee
                    .filter((m) => m.status === 'accepted')
                    .map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.name}（{m.code}）
                      </option>
                    ))}
                </select>
              </label>
              <button className="btn btn-primary" type="submit" disabled={fetcher.state !== 'idle'}>
                投票
              </button>
            </fetcher.Form>
          ) : null}
          {d.election.myVoteMemberId ? <p className="muted">您已投票给 {d.committee?.find((m) => m.id === d.election!.myVoteMemberId)?.name ?? '—'}。</p> : null}
        </section>
      ) : null}

      {me?.isChair && d.state === 'evaluating' ? (
        <section className="panel" aria-labelledby="chair-title">
          <h2 id="chair-title">组长汇总</h2>
          <p>
            已提交评分 {d.counts.submitted}/{d.expertCount} 人。全部提交后，由组长汇总评分、确定否决投标（少数服从多数）和中标候选人排序，并生成评标报告。
          </p>
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="aggregate" />
            <button className="btn btn-primary" type="submit" disabled={!allSubmitted || fetcher.state !== 'idle'}>
              汇总评分并生成评标报告
            </button>
          </fetcher.Form>
        </section>
      ) : null}

      {d.results && d.results.length ? (
        <section className="panel" aria-labelledby="results-title">
          <h2 id="results-title">评审结果</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">排序</th>
                  <th scope="col">投标人</th>
                  <th scope="col">投标报价</th>
                  {d.method === 'comprehensive' ? (
                    <>
                      <th scope="col">价格分</th>
                      <th scope="col">评审分</th>
                      <th scope="col">总分</th>
                    </>
                  ) : null}
                  <th scope="col">结论</th>
                </tr>
              </thead>
              <tbody>
                {d.results.map((r) => (
                  <tr key={r.bidId}>
                    <td>{r.rank ?? '—'}</td>
                    <td>{r.bidderName}</td>
                    <td>{fenText(r.priceFen)}</td>
                    {d.method === 'comprehensive' ? (
                      <>
                        <td>{centiText(r.priceCenti)}</td>
                        <td>{centiText(r.subjectiveCenti)}</td>
                        <td>{centiText(r.totalCenti)}</td>
                      </>
                    ) : null}
                    <td>{r.rejected ? <span className="status-bad">否决：{r.rejectReasons.join('；')}</span> : r.rank !== null && r.rank <= 3 ? `第${r.rank}中标候选人` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {d.report ? (
        <section className="panel" aria-labelledby="report-title">
          <h2 id="report-title">评标报告</h2>
          <p>
            <a href={`/evaluation/${d.id}/report.pdf`} target="_blank" rel="noreferrer">
              查看评标报告（PDF）
            </a>{' '}
            · SHA-256 <span className="hash">{d.report.sha256}</span>
          </p>
          <p>
            已签署 {d.counts.signed}/{d.expertCount} 人{d.endedAt ? `，评标已于 ${formatDateTime(d.endedAt)} 结束。` : '。'}
          </p>
          {me?.status === 'accepted' && d.state === 'reporting' && !me.reportSignedAt ? (
            <SignButton
              label="签署评标报告"
              userId={d.viewerId}
              content={() => utf8Bytes(reportStatement(d.id, d.report!.sha256))}
              onSigned={(signature) => fetcher.submit({ intent: 'sign-report', signature }, { method: 'post' })}
            />
          ) : null}
          {me?.reportSignedAt ? <p className="notice success">您已于 {formatDateTime(me.reportSignedAt)} 签署评标报告。</p> : null}
        </section>
      ) : null}
      {d.kind === 'supervisor' ? <p className="muted">监督人员只读查看：本页所有操作均记入审计日志。</p> : null}
    </>
  );
}
