// 信用管理: the rules (versioned; every change logged and every agency re-graded), penalties,
// commendations, blacklisting and its lifting — each with a reason.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { addCreditEvent, CreditError, getRules, listRuleVersions, saveRules } from '~/modules/credit/credit.server';
import { CREDIT_EVENT_LABELS, RULE_LABELS, rulesSchema, type CreditRules } from '~/modules/credit/rules';
import { GRADES } from '~/modules/market/constants';
import { GradeBadge } from '~/modules/market/ui';
import { formatDateTime } from '~/ui/format';
import { FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '信用管理 - 网上中介超市' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:credit-rules');
  const prisma = await getPrisma();
  const [current, versions, agencies, events] = await Promise.all([
    getRules(),
    listRuleVersions(),
    prisma.agencyProfile.findMany({ where: { approvedAt: { not: null } }, orderBy: { name: 'asc' }, select: { id: true, name: true, creditGrade: true, creditScore: true, blacklisted: true, status: true }, take: 1000 }),
    prisma.creditEvent.findMany({ orderBy: { at: 'desc' }, take: 30, include: { agency: { select: { id: true, name: true } } } }),
  ]);
  return {
    rules: current.rules,
    version: current.version,
    versions: versions.map((v) => ({ version: v.version, note: v.note, at: v.createdAt.toISOString() })),
    agencies: agencies.map((a) => ({ id: a.id, name: a.name, grade: a.creditGrade, score: a.creditScore / 100, blacklisted: a.blacklisted, status: a.status })),
    events: events.map((e) => ({ id: e.id, kind: e.kind, points: e.points, note: e.note, at: e.at.toISOString(), agency: e.agency })),
  };
}

const eventSchema = z.object({
  agencyId: z.string().min(1, '请选择机构'),
  kind: z.enum(['penalty', 'commendation', 'blacklist', 'unblacklist', 'complaint']),
  points: z.coerce.number().min(0).max(100).default(0),
  note: z.string().trim().min(4, '请填写事由（至少4字）').max(500),
});

const NUMERIC: (keyof CreditRules)[] = ['base', 'evaluationFactor', 'evaluationHalfLifeDays', 'evaluationConfidenceK', 'overtimePoints', 'complaintPoints', 'commendationCap', 'blacklistBelow', 'clearOutComplaints', 'clearOutWindowDays', 'directMaxFen', 'objectionWorkdays', 'yellowFraction', 'redFraction', 'qualificationReminderDays', 'rotationWindowDays'];

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:credit-rules');
  const f = await request.formData();
  const actor = actorOf(request, user);
  try {
    if (f.get('intent') === 'event') {
      const v = eventSchema.safeParse(Object.fromEntries(f));
      if (!v.success) return Response.json({ ok: null, error: v.error.issues[0].message, fieldErrors: {} }, { status: 400 });
      await addCreditEvent(actor, { ...v.data, points: v.data.kind === 'penalty' ? -v.data.points : v.data.points });
      return { ok: `已记录：${CREDIT_EVENT_LABELS[v.data.kind]}`, error: null, fieldErrors: {} };
    }
    const raw: Record<string, unknown> = {};
    for (const k of NUMERIC) raw[k] = Number(f.get(k));
    raw.gradeMin = { AAA: Number(f.get('gradeAAA')), AA: Number(f.get('gradeAA')), A: Number(f.get('gradeA')), B: Number(f.get('gradeB')) };
    raw.minDrawGrade = f.get('minDrawGrade');
    const v = rulesSchema.safeParse(raw);
    const note = String(f.get('note') ?? '').trim();
    if (!v.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const i of v.error.issues) (fieldErrors[String(i.path[0])] ??= []).push(`${RULE_LABELS[i.path[0] as keyof CreditRules] ?? i.path[0]}：取值超出允许范围`);
      return Response.json({ ok: null, error: null, fieldErrors }, { status: 400 });
    }
    if (note.length < 4) return Response.json({ ok: null, error: null, fieldErrors: { note: ['请填写修改说明（至少4字）'] } }, { status: 400 });
    const saved = await saveRules(actor, v.data, note);
    return { ok: `信用规则第 ${saved.version} 版已生效，全部机构已重新评定`, error: null, fieldErrors: {} };
  } catch (e) {
    if (e instanceof CreditError) return Response.json({ ok: null, error: e.message, fieldErrors: e.fieldErrors }, { status: 400 });
    throw e;
  }
}

export default function AdminCredit() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as { ok: string | null; error: string | null; fieldErrors: Record<string, string[]> } | undefined;
  const fe = r?.fieldErrors ?? {};
  return (
    <div>
      <h1>信用管理</h1>
      {r?.ok ? (
        <p className="notice success" role="status">
          {r.ok}
        </p>
      ) : null}
      {r?.error ? <FormErrors errors={[r.error]} /> : null}
      <div className="two-col">
        <section className="panel">
          <h2>信用规则（现行第 {d.version} 版）</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="rules" />
            <div className="filters">
              {(['AAA', 'AA', 'A', 'B'] as const).map((g) => (
                <label key={g}>
                  {g} 级最低分
                  <input className="score-input" name={`grade${g}`} type="number" step="0.5" defaultValue={d.rules.gradeMin[g]} />
                </label>
              ))}
              <label>
                {RULE_LABELS.minDrawGrade}
                <select name="minDrawGrade" defaultValue={d.rules.minDrawGrade}>
                  {GRADES.map((g) => (
                    <option key={g}>{g}</option>
                  ))}
                </select>
              </label>
            </div>
            {fe.gradeMin ? <p className="field-errors">{fe.gradeMin[0]}</p> : null}
            <div className="filters">
              {NUMERIC.map((k) => (
                <label key={k} style={{ maxWidth: '14rem' }}>
                  {RULE_LABELS[k]}
                  <input name={k} type="number" step="any" defaultValue={d.rules[k] as number} aria-invalid={fe[k] ? true : undefined} />
                  {fe[k] ? <span className="field-errors">{fe[k][0]}</span> : null}
                </label>
              ))}
            </div>
            <div className={`field${fe.note ? ' has-error' : ''}`}>
              <label htmlFor="note">修改说明（将公开）</label>
              <textarea id="note" name="note" required />
              {fe.note ? <p className="field-errors">{fe.note[0]}</p> : null}
            </div>
            <button className="btn btn-primary" type="submit">
              发布新版规则
            </button>
          </Form>
          <h3>版本记录</h3>
          <ul className="inbox">
            {d.versions.map((v) => (
              <li key={v.version} className="msg">
                <div>
                  <strong>第 {v.version} 版</strong>
                  <time>{formatDateTime(v.at)}</time>
                </div>
                <p>{v.note}</p>
              </li>
            ))}
          </ul>
        </section>
        <div>
          <section className="panel">
            <h2>记录奖惩</h2>
            <Form method="post">
              <input type="hidden" name="intent" value="event" />
              <div className="field">
                <label htmlFor="ev-agency">机构</label>
                <select id="ev-agency" name="agencyId" required defaultValue="">
                  <option value="">请选择</option>
                  {d.agencies.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}（{a.grade}
                      {a.blacklisted ? '，黑名单' : ''}）
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="ev-kind">类型</label>
                <select id="ev-kind" name="kind">
                  {(['penalty', 'commendation', 'complaint', 'blacklist', 'unblacklist'] as const).map((k) => (
                    <option key={k} value={k}>
                      {CREDIT_EVENT_LABELS[k]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="ev-points">分值（处罚扣分或表彰加分）</label>
                <input id="ev-points" name="points" type="number" min={0} max={100} defaultValue={0} />
              </div>
              <div className="field">
                <label htmlFor="ev-note">事由及依据</label>
                <textarea id="ev-note" name="note" required />
              </div>
              <button className="btn btn-primary" type="submit">
                记录并重新评定
              </button>
            </Form>
          </section>
          <section className="panel">
            <h2>最近记录</h2>
            <ul className="inbox">
              {d.events.map((e) => (
                <li key={e.id} className="msg">
                  <div>
                    <strong>{CREDIT_EVENT_LABELS[e.kind]}</strong>
                    <time>{formatDateTime(e.at)}</time>
                  </div>
                  <p>
                    <Link to={`/market/agencies/${e.agency.id}/credit`}>{e.agency.name}</Link>：{e.note}
                  </p>
                </li>
              ))}
            </ul>
          </section>
          <section className="panel">
            <h2>黑名单与清退</h2>
            <ul>
              {d.agencies
                .filter((a) => a.blacklisted || a.status === 'cleared')
                .map((a) => (
                  <li key={a.id}>
                    <Link to={`/market/agencies/${a.id}/credit`}>{a.name}</Link> <GradeBadge grade={a.grade} blacklisted={a.blacklisted} /> {a.status === 'cleared' ? '已清退' : ''}
                  </li>
                ))}
            </ul>
          </section>
        </div>
      </div>
    </div>
  );
}
