// One warning: its evidence and history; the assignee handles it and closes it with a conclusion.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { ruleById } from '~/modules/supervision/rules/index.server';
import { LevelBadge, WarningStatusTag } from '~/modules/supervision/ui';
import { RULE_CATEGORIES, SIGNAL_LABELS, WARNING_CONCLUSIONS, WARNING_EVENT_LABELS } from '~/modules/supervision/warning-types';
import { assignWarning, closeWarning, getWarning, startHandling, WarningError } from '~/modules/supervision/warnings.server';
import { FieldErrors, FormErrors } from '~/ui/form';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction = () => [{ title: '预警详情 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'handle:warning');
  const prisma = await getPrisma();
  const w = await getWarning(prisma, params.id ?? '');
  if (!w) throw new Response('预警不存在', { status: 404 });
  const supervisors = await prisma.user.findMany({ where: { role: 'supervisor', active: true }, select: { id: true, displayName: true }, orderBy: { username: 'asc' } });
  const rule = ruleById(w.ruleId);
  return {
    me: user.id,
    supervisors,
    rule: rule ? { name: rule.name, category: RULE_CATEGORIES[rule.category], description: rule.description } : { name: w.ruleId, category: '', description: '' },
    warning: {
      id: w.id,
      level: w.level,
      status: w.status,
      title: w.title,
      detail: w.detail,
      subjectLabel: w.subjectLabel,
      link: w.link,
      facts: w.facts as Record<string, unknown> | null,
      raisedAt: w.raisedAt.toISOString(),
      escalatedAt: w.escalatedAt?.toISOString() ?? null,
      clearedAt: w.clearedAt?.toISOString() ?? null,
      closedAt: w.closedAt?.toISOString() ?? null,
      conclusion: w.conclusion,
      closeReason: w.closeReason,
      assigneeId: w.assigneeId,
      assignee: supervisors.find((s) => s.id === w.assigneeId)?.displayName ?? null,
      events: w.events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, actorName: e.actorName, note: e.note })),
    },
  };
}

const schema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('claim') }),
  z.object({ intent: z.literal('assign'), assigneeId: z.string({ required_error: '请选择承办人' }).min(1, '请选择承办人') }),
  z.object({ intent: z.literal('handle'), note: z.string({ required_error: '请填写处理情况' }).trim().min(4, '处理情况至少4个字').max(2000, '不超过2000字') }),
  z.object({
    intent: z.literal('close'),
    conclusion: z.enum(['confirmed', 'explained', 'false_alarm'], { errorMap: () => ({ message: '请选择办结结论' }) }),
    reason: z.string({ required_error: '请填写办结理由' }).trim().min(6, '办结理由至少6个字').max(2000, '不超过2000字'),
  }),
]);

type ActionResult = { ok: boolean; intent?: string; message?: string; fieldErrors?: Record<string, string[]>; formError?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'handle:warning');
  const form = Object.fromEntries(await request.formData());
  const parsed = schema.safeParse(form);
  if (!parsed.success) {
    const fieldErrors = parsed.error.flatten().fieldErrors as Record<string, string[]>;
    return Response.json({ ok: false, intent: String(form.intent ?? ''), fieldErrors, formError: fieldErrors.intent ? '无效的操作' : undefined } satisfies ActionResult, { status: 400 });
  }
  const prisma = await getPrisma();
  const actor = actorOf(request, user);
  const id = params.id ?? '';
  const v = parsed.data;
  try {
    if (v.intent === 'claim') await assignWarning(prisma, actor, id, user.id);
    else if (v.intent === 'assign') await assignWarning(prisma, actor, id, v.assigneeId);
    else if (v.intent === 'handle') await startHandling(prisma, actor, id, v.note);
    else await closeWarning(prisma, actor, id, { conclusion: v.conclusion, reason: v.reason });
  } catch (e) {
    if (e instanceof WarningError) return Response.json({ ok: false, intent: v.intent, formError: e.message } satisfies ActionResult, { status: e.status });
    throw e;
  }
  const message = { claim: '已认领，您是该预警的承办人', assign: '已转交', handle: '处理情况已记录', close: '预警已办结' }[v.intent];
  return { ok: true, intent: v.intent, message } satisfies ActionResult;
}

function FactList({ facts }: { facts: Record<string, unknown> }) {
  const signals = Array.isArray(facts.signals) ? (facts.signals as { kind: string; value: string; bidders: string[]; files?: string[] }[]) : null;
  if (signals) {
    return (
      <table className="data compact">
        <caption>发现的迹象</caption>
        <thead>
          <tr>
            <th scope="col">类型</th>
            <th scope="col">相同的值</th>
            <th scope="col">涉及投标人</th>
          </tr>
        </thead>
        <tbody>
          {signals.map((s) => (
            <tr key={`${s.kind}-${s.value}`}>
              <td>{SIGNAL_LABELS[s.kind as keyof typeof SIGNAL_LABELS] ?? s.kind}</td>
              <td>
                <code>{s.value}</code>
                {s.files?.length ? <div className="muted">涉及文件：{s.files.join('；')}</div> : null}
              </td>
              <td>{s.bidders.join('、')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return null;
}

export default function WarningDetail() {
  const { warning: w, rule, supervisors, me } = useLoaderData<typeof loader>();
  const a = useActionData<ActionResult>();
  const nav = useNavigation();
  const busy = nav.state !== 'idle';
  const mine = w.assigneeId === me;
  const err = (intent: string, field: string) => (a && !a.ok && a.intent === intent ? a.fieldErrors?.[field] : undefined);
  return (
    <div className="stack">
      <nav className="crumbs" aria-label="位置">
        <Link to="/supervision">监察台</Link> / <Link to="/warnings">预警纠错</Link> / 预警详情
      </nav>
      <section className={`panel warning-card level-border-${w.level}`}>
        <div className="panel-head">
          <h1>
            <LevelBadge level={w.level} /> {w.title}
          </h1>
          <WarningStatusTag status={w.status} />
        </div>
        {a?.ok ? (
          <p className="notice success" role="status">
            {a.message}
          </p>
        ) : null}
        {a && !a.ok && a.formError ? <FormErrors errors={[a.formError]} /> : null}
        <p>{w.detail}</p>
        <dl className="sup-kv">
          <dt>预警规则</dt>
          <dd>
            {rule.name}
            {rule.category ? <span className="tag">{rule.category}</span> : null}
            <div className="muted small">{rule.description}</div>
          </dd>
          <dt>涉及事项</dt>
          <dd>{w.link ? <Link to={w.link}>{w.subjectLabel}</Link> : w.subjectLabel}</dd>
          <dt>触发时间</dt>
          <dd>{formatDateTime(w.raisedAt)}</dd>
          {w.escalatedAt ? (
            <>
              <dt>升级为红色</dt>
              <dd>{formatDateTime(w.escalatedAt)}</dd>
            </>
          ) : null}
          {w.clearedAt && w.status !== 'closed' ? (
            <>
              <dt>条件消除</dt>
              <dd>{formatDateTime(w.clearedAt)}（预警保留，待承办人核实办结）</dd>
            </>
          ) : null}
          <dt>承办人</dt>
          <dd>{w.assignee ?? '未指派'}</dd>
          {w.closedAt ? (
            <>
              <dt>办结</dt>
              <dd>
                {formatDateTime(w.closedAt)} · {WARNING_CONCLUSIONS[w.conclusion as keyof typeof WARNING_CONCLUSIONS] ?? w.conclusion}：{w.closeReason}
              </dd>
            </>
          ) : null}
        </dl>
        {w.facts ? <FactList facts={w.facts} /> : null}
      </section>

      {w.status !== 'closed' ? (
        <section className="panel" aria-labelledby="handle-title">
          <h2 id="handle-title">处理</h2>
          {!mine ? (
            <div className="two-col">
              <Form method="post">
                <input type="hidden" name="intent" value="claim" />
                <p className="muted">{w.assignee ? `当前由 ${w.assignee} 承办。` : '尚未指派承办人。'}认领后由您负责处理和办结。</p>
                <button className="btn btn-primary" type="submit" disabled={busy}>
                  认领
                </button>
              </Form>
            </div>
          ) : (
            <div className="two-col">
              <Form method="post" className="stack-form">
                <input type="hidden" name="intent" value="handle" />
                <div className={`field${err('handle', 'note') ? ' has-error' : ''}`}>
                  <label htmlFor="note">处理情况</label>
                  <textarea id="note" name="note" rows={3} aria-describedby={err('handle', 'note') ? 'note-error' : undefined} placeholder="如：已电话督办，机构承诺3日内提交成果" />
                  <FieldErrors id="note-error" errors={err('handle', 'note')} />
                </div>
                <button className="btn" type="submit" disabled={busy}>
                  {w.status === 'pending' ? '开始处理' : '添加处理记录'}
                </button>
              </Form>
              <Form method="post" className="stack-form">
                <input type="hidden" name="intent" value="close" />
                <div className={`field${err('close', 'conclusion') ? ' has-error' : ''}`}>
                  <label htmlFor="conclusion">办结结论</label>
                  <select id="conclusion" name="conclusion" defaultValue="" aria-describedby={err('close', 'conclusion') ? 'conclusion-error' : undefined}>
                    <option value="">请选择</option>
                    {Object.entries(WARNING_CONCLUSIONS).map(([k, v]) => (
                      <option key={k} value={k}>
                        {v}
                      </option>
                    ))}
                  </select>
                  <FieldErrors id="conclusion-error" errors={err('close', 'conclusion')} />
                </div>
                <div className={`field${err('close', 'reason') ? ' has-error' : ''}`}>
                  <label htmlFor="reason">办结理由</label>
                  <textarea id="reason" name="reason" rows={3} aria-describedby={err('close', 'reason') ? 'reason-error' : undefined} />
                  <FieldErrors id="reason-error" errors={err('close', 'reason')} />
                </div>
                <button className="btn btn-primary" type="submit" disabled={busy}>
                  办结
                </button>
              </Form>
            </div>
          )}
          <Form method="post" className="filters">
            <input type="hidden" name="intent" value="assign" />
            <label>
              转交给
              <select name="assigneeId" defaultValue="">
                <option value="">请选择监督人员</option>
                {supervisors
                  .filter((s) => s.id !== w.assigneeId)
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.displayName}
                    </option>
                  ))}
              </select>
            </label>
            <button className="btn btn-small" type="submit" disabled={busy}>
              转交
            </button>
            <FieldErrors id="assignee-error" errors={err('assign', 'assigneeId')} />
          </Form>
        </section>
      ) : null}

      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">办理记录</h2>
        <ol className="sup-timeline">
          {w.events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              <strong>{WARNING_EVENT_LABELS[e.kind] ?? e.kind}</strong>
              <span className="muted">{e.actorName ?? ''}</span>
              {e.note ? <p>{e.note}</p> : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
