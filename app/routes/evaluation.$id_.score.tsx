import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { loadScoreSheet } from '~/modules/evaluation/access.server';
import { EvaluationError, saveScore, submitScores } from '~/modules/evaluation/evaluation.server';
import { centiText, DEPOSIT_UNPAID_CHECK, DEPOSIT_UNPAID_REASON, METHOD_LABELS } from '~/modules/evaluation/types';
import { fenText, formValueText, BidFileLinks } from '~/modules/evaluation/ui';

export const meta: MetaFunction = () => [{ title: '在线评分 - 评标' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'evaluate:tender:assigned');
  return loadScoreSheet(user, params.id ?? '');
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'evaluate:tender:assigned');
  const id = params.id ?? '';
  await loadScoreSheet(user, id);
  const form = await request.formData();
  const actor = actorOf(request, user);
  try {
    if (form.get('intent') === 'submit') {
      await submitScores(actor, user, id);
      return { ok: '评分已提交。提交后不能修改，等待组长汇总。' };
    }
    const bidId = String(form.get('evaluationBidId') ?? '');
    const points: Record<string, string> = {};
    for (const [k, v] of form.entries()) if (k.startsWith('p_')) points[k.slice(2)] = String(v);
    await saveScore(actor, user, id, {
      evaluationBidId: bidId,
      points,
      reject: form.get('reject') === 'on',
      rejectReason: String(form.get('rejectReason') ?? ''),
      comment: String(form.get('comment') ?? ''),
    });
    return { ok: '已保存', bidId };
  } catch (e) {
    if (e instanceof EvaluationError) return Response.json({ error: e.message, fieldErrors: e.fieldErrors, bidId: String(form.get('evaluationBidId') ?? '') }, { status: e.status });
    throw e;
  }
}

const DEPOSIT_TEXT: Record<string, string> = { none: '无需缴纳', paid: '已缴纳', guarantee: '保函已核验', unpaid: '未缴纳' };

type ActionResult = { ok?: string; error?: string; bidId?: string; fieldErrors?: Record<string, string[]> };

export default function ScoreSheet() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>() as ActionResult | undefined;
  const nav = useNavigation();
  const subjective = d.criteria.filter((c) => c.kind === 'subjective');
  const scoredCount = d.bids.filter((b) => b.score).length;
  return (
    <>
      <p className="crumbs">
        <Link to="/evaluation">评标与定标</Link> / <Link to={`/evaluation/${d.id}`}>{d.header.tenderCode}</Link> / 在线评分
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>在线评分</h1>
          <span className="muted">
            {METHOD_LABELS[d.method]} · 已评 {scoredCount}/{d.bids.length}
          </span>
        </div>
        {d.method === 'comprehensive' ? (
          <p className="muted">
            价格分由平台按公式计算（{d.criteria.find((c) => c.kind === 'price')?.weight} 分）。请对以下因素打分：{subjective.map((c) => `${c.label}（0-${c.weight}分）`).join('，')}。
            不符合招标文件实质性要求的投标，勾选“否决投标”并写明理由及依据。
          </p>
        ) : (
          <p className="muted">经评审的最低投标价法：逐一审查投标是否响应招标文件实质性要求；不响应的勾选“否决投标”并写明理由，其余按报价由低到高排序。</p>
        )}
        {a?.ok && !a.bidId && !d.submittedAt ? (
          <p className="notice success" role="status">
            {a.ok}
          </p>
        ) : null}
        {a?.error && !a.bidId ? (
          <p className="notice danger" role="alert">
            {a.error}
          </p>
        ) : null}
        {d.submittedAt ? (
          <p className="notice success" role="status">
            评分已提交，不能再修改；全部专家提交后由组长汇总。
          </p>
        ) : null}
      </section>
      {d.bids.map((b) => {
        const err = a?.bidId === b.id ? a : undefined;
        return (
          <section key={b.id} className="panel score-card" aria-labelledby={`bid-${b.id}`}>
            <div className="panel-head">
              <h2 id={`bid-${b.id}`}>
                {b.position}. {b.bidderName}
              </h2>
              {b.score ? <span className={`pill ${b.score.reject ? 'pill-bad' : 'pill-ok'}`}>{b.score.reject ? '已否决' : '已评'}</span> : <span className="pill pill-muted">未评</span>}
            </div>
            <div className="score-card-body">
            <BidFileLinks evaluationId={d.id} bidderName={b.bidderName} files={b.files} />
            <dl className="kv">
              {d.header.bidForm.map((f) => (
                <div key={f.key} style={{ display: 'contents' }}>
                  <dt>{f.label}</dt>
                  <dd>{f.key === 'price' ? fenText(b.priceFen) : formValueText(b.form[f.key], f.type)}</dd>
                </div>
              ))}
              <dt>投标保证金</dt>
              <dd>{b.deposit ? (DEPOSIT_TEXT[b.deposit] ?? b.deposit) : '—'}</dd>
            </dl>
            {b.deposit === 'unpaid' ? (
              <p className="notice danger" role="note">
                {DEPOSIT_UNPAID_CHECK}。开标时平台核验：该投标人未在投标截止前缴纳投标保证金，也无经核验的保函。
              </p>
            ) : null}
            <Form method="post" className="score-form" aria-label={`评审 ${b.bidderName}`}>
              <input type="hidden" name="evaluationBidId" value={b.id} />
              <fieldset disabled={!d.editable}>
                {subjective.length && d.method === 'comprehensive' ? (
                  <div className="score-grid">
                    {subjective.map((c) => (
                      <div key={c.key} className={`field${err?.fieldErrors?.[`p_${c.key}`] ? ' has-error' : ''}`}>
                        <label htmlFor={`${b.id}-${c.key}`}>
                          {c.label}（满分{c.weight}）
                        </label>
                        <input
                          id={`${b.id}-${c.key}`}
                          className="score-input"
                          name={`p_${c.key}`}
                          inputMode="decimal"
                          defaultValue={b.score && !b.score.reject ? centiText(b.score.points[c.key] ?? 0) : ''}
                          aria-describedby={err?.fieldErrors?.[`p_${c.key}`] ? `${b.id}-${c.key}-err` : undefined}
                        />
                        {err?.fieldErrors?.[`p_${c.key}`] ? (
                          <p className="field-errors" id={`${b.id}-${c.key}-err`} role="alert">
                            {err.fieldErrors[`p_${c.key}`][0]}
                          </p>
                        ) : null}
                      </div>
                    ))}
                  </div>
                ) : null}
                <div className="field">
                  <label>
                    <input type="checkbox" name="reject" defaultChecked={b.score?.reject ?? b.deposit === 'unpaid'} /> 否决投标
                  </label>
                </div>
                <div className={`field${err?.fieldErrors?.rejectReason ? ' has-error' : ''}`}>
                  <label htmlFor={`${b.id}-reason`}>否决理由及依据</label>
                  <input id={`${b.id}-reason`} name="rejectReason" maxLength={300} defaultValue={b.score?.rejectReason ?? (b.deposit === 'unpaid' ? DEPOSIT_UNPAID_REASON : '')} placeholder="例如：投标报价高于最高投标限价（实施条例第五十一条第五项）" />
                  {err?.fieldErrors?.rejectReason ? (
                    <p className="field-errors" role="alert">
                      {err.fieldErrors.rejectReason[0]}
                    </p>
                  ) : null}
                </div>
                <div className="field">
                  <label htmlFor={`${b.id}-comment`}>评审意见（选填）</label>
                  <input id={`${b.id}-comment`} name="comment" maxLength={500} defaultValue={b.score?.comment ?? ''} />
                </div>
                {d.editable ? (
                  <button className="btn" type="submit" disabled={nav.state !== 'idle'}>
                    保存评审
                  </button>
                ) : null}
                {err?.ok ? (
                  <span className="muted" role="status">
                    {' '}
                    {err.ok}
                  </span>
                ) : null}
              </fieldset>
            </Form>
            </div>
          </section>
        );
      })}
      {d.editable ? (
        <section className="panel">
          <Form method="post" className="actions">
            <input type="hidden" name="intent" value="submit" />
            <button className="btn btn-primary" type="submit" disabled={scoredCount < d.bids.length}>
              提交全部评分
            </button>
            <span className="muted">提交后不能修改；全部专家提交后由组长汇总。</span>
          </Form>
        </section>
      ) : null}
    </>
  );
}
