// A supervisor handles one complaint: accept or refuse (投诉), then decide with reasons; the
// decision can be published as an announcement.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { COMPLAINT_OUTCOMES, handleComplaintSchema } from '~/modules/supervision/complaint-types';
import { ComplaintView, toComplaintView } from '~/modules/supervision/complaint-view';
import { ComplaintError, getComplaint, handleComplaint } from '~/modules/supervision/complaints.server';
import { FieldErrors, FormErrors } from '~/ui/form';

export const meta: MetaFunction = () => [{ title: '投诉办理 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'handle:complaint');
  const prisma = await getPrisma();
  const c = await getComplaint(prisma, params.id ?? '');
  if (!c) throw new Response('未找到该事项', { status: 404 });
  await prisma.$transaction((tx) => appendAuditEntry(tx, actorOf(request, user), { action: 'supervision.view', objectType: 'complaint', objectId: c.id }));
  return { c: toComplaintView(c), now: now().toISOString() };
}

type Result = { ok: boolean; intent?: string; message?: string; fieldErrors?: Record<string, string[]>; formError?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'handle:complaint');
  const form = Object.fromEntries(await request.formData());
  const parsed = handleComplaintSchema.safeParse(form);
  if (!parsed.success) {
    const fieldErrors = parsed.error.flatten().fieldErrors as Record<string, string[]>;
    return Response.json({ ok: false, intent: String(form.intent ?? ''), fieldErrors, formError: fieldErrors.intent ? '无效的操作' : undefined } satisfies Result, { status: 400 });
  }
  try {
    await handleComplaint(await getPrisma(), actorOf(request, user), params.id ?? '', parsed.data);
  } catch (e) {
    if (e instanceof ComplaintError) return Response.json({ ok: false, intent: parsed.data.intent, formError: e.message } satisfies Result, { status: e.status });
    throw e;
  }
  return { ok: true, intent: parsed.data.intent, message: { accept: '已受理', reject: '已决定不予受理', decide: '已作出处理决定' }[parsed.data.intent] } satisfies Result;
}

export default function HandleComplaint() {
  const { c, now } = useLoaderData<typeof loader>();
  const a = useActionData<Result>();
  const nav = useNavigation();
  const busy = nav.state !== 'idle';
  const err = (intent: string, f: string) => (a && !a.ok && a.intent === intent ? a.fieldErrors?.[f] : undefined);
  // Objections mirrored from the award (subjectType 'award') are answered by the tenderer; supervisors follow them.
  const linked = c.subjectType === 'award';
  const canAccept = !linked && c.kind === 'complaint' && c.status === 'submitted';
  const canDecide = !linked && ((c.kind === 'complaint' && c.status === 'accepted') || (c.kind !== 'complaint' && c.status === 'submitted'));
  return (
    <div className="stack">
      <nav className="crumbs" aria-label="位置">
        <Link to="/supervision">监察台</Link> / <Link to="/supervision/complaints">投诉处理</Link> / {c.no}
      </nav>
      <section className="panel">
        {a?.ok ? (
          <p className="notice success" role="status">
            {a.message}
          </p>
        ) : null}
        {a && !a.ok && a.formError ? <FormErrors errors={[a.formError]} /> : null}
        <ComplaintView c={c} now={now} />
        {linked ? <p className="notice info">该异议依法由招标人答复（评标与定标 · 中标候选人公示），答复前暂停定标；监督人员跟踪督办，超期将产生预警。</p> : null}
      </section>
      {canAccept || canDecide ? (
        <section className="panel" aria-labelledby="h-handle">
          <h2 id="h-handle">办理</h2>
          <div className="two-col">
            {canAccept ? (
              <Form method="post" className="stack-form">
                <input type="hidden" name="intent" value="accept" />
                <div className={`field${err('accept', 'note') ? ' has-error' : ''}`}>
                  <label htmlFor="accept-note">受理意见</label>
                  <textarea id="accept-note" name="note" rows={3} defaultValue="投诉材料齐全，符合受理条件，予以受理。" />
                  <FieldErrors id="accept-note-error" errors={err('accept', 'note')} />
                </div>
                <button className="btn btn-primary" type="submit" disabled={busy}>
                  受理
                </button>
              </Form>
            ) : null}
            {canDecide ? (
              <Form method="post" className="stack-form">
                <input type="hidden" name="intent" value="decide" />
                <div className={`field${err('decide', 'outcome') ? ' has-error' : ''}`}>
                  <label htmlFor="outcome">处理结论</label>
                  <select id="outcome" name="outcome" defaultValue="">
                    <option value="">请选择</option>
                    {Object.entries(COMPLAINT_OUTCOMES).map(([k, v]) => (
                      <option key={k} value={k}>
                        {v}
                      </option>
                    ))}
                  </select>
                  <FieldErrors id="outcome-error" errors={err('decide', 'outcome')} />
                </div>
                <div className={`field${err('decide', 'reason') ? ' has-error' : ''}`}>
                  <label htmlFor="reason">处理理由和依据</label>
                  <textarea id="reason" name="reason" rows={5} />
                  <FieldErrors id="reason-error" errors={err('decide', 'reason')} />
                </div>
                <label className="sup-check">
                  <input type="checkbox" name="publish" value="on" /> 在交易公告中公开处理决定
                </label>
                <button className="btn btn-primary" type="submit" disabled={busy}>
                  作出处理决定
                </button>
              </Form>
            ) : null}
            {c.status === 'submitted' ? (
              <Form method="post" className="stack-form">
                <input type="hidden" name="intent" value="reject" />
                <div className={`field${err('reject', 'note') ? ' has-error' : ''}`}>
                  <label htmlFor="reject-note">不予受理理由</label>
                  <textarea id="reject-note" name="note" rows={3} />
                  <FieldErrors id="reject-note-error" errors={err('reject', 'note')} />
                </div>
                <button className="btn btn-danger" type="submit" disabled={busy}>
                  不予受理
                </button>
              </Form>
            ) : null}
          </div>
        </section>
      ) : null}
    </div>
  );
}
