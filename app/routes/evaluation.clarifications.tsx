import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { clarificationsOfOrg } from '~/modules/evaluation/access.server';
import { answerClarification, EvaluationError } from '~/modules/evaluation/evaluation.server';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '澄清答复 - 评标' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'answer:clarification:own');
  return { rows: user.organizationId ? await clarificationsOfOrg(user.organizationId) : [] };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'answer:clarification:own');
  const form = await request.formData();
  const id = String(form.get('clarificationId') ?? '');
  try {
    await answerClarification(actorOf(request, user), user, id, String(form.get('answer') ?? ''));
    return { ok: '答复已提交评标委员会。', id };
  } catch (e) {
    if (e instanceof EvaluationError) return Response.json({ error: e.fieldErrors.answer?.[0] ?? e.message, id }, { status: e.status });
    throw e;
  }
}

export default function Clarifications() {
  const { rows } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>() as { ok?: string; error?: string; id?: string } | undefined;
  return (
    <section className="panel">
      <p className="crumbs">
        <Link to="/evaluation">评标结果与通知</Link> / 澄清答复
      </p>
      <h1>澄清答复</h1>
      <p className="muted">评标委员会以书面形式要求澄清的，应在截止时间前答复。澄清、说明不得超出投标文件的范围或者改变投标文件的实质性内容（《招标投标法实施条例》第五十二条）。</p>
      {rows.length === 0 ? <p className="empty">暂无澄清要求</p> : null}
      {rows.map((c) => (
        <article key={c.id} className="clarification-card">
          <h2>
            {c.tenderCode} {c.tenderName} · 第{c.sectionSeq}标段 · 澄清第{c.seq}号
          </h2>
          <p>
            <strong>问：</strong>
            {c.question}
          </p>
          {c.answeredAt ? (
            <p>
              <strong>答：</strong>
              {c.answer} <small className="muted">（{formatDateTime(c.answeredAt)}）</small>
            </p>
          ) : c.open ? (
            <Form method="post">
              <input type="hidden" name="clarificationId" value={c.id} />
              <div className={`field${a?.id === c.id && a.error ? ' has-error' : ''}`}>
                <label htmlFor={`ans-${c.id}`}>答复（截止 {formatDateTime(c.dueAt)}）</label>
                <textarea id={`ans-${c.id}`} name="answer" rows={4} maxLength={2000} />
                {a?.id === c.id && a.error ? (
                  <p className="field-errors" role="alert">
                    {a.error}
                  </p>
                ) : null}
              </div>
              <button className="btn btn-primary" type="submit">
                提交答复
              </button>
            </Form>
          ) : (
            <p className="muted">评标已结束，未答复。</p>
          )}
          {a?.id === c.id && a.ok ? (
            <p className="notice success" role="status">
              {a.ok}
            </p>
          ) : null}
        </article>
      ))}
    </section>
  );
}
