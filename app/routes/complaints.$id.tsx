// A complainant's own complaint: state, deadlines, result; withdraw while it is open.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { getPrisma } from '~/db/index.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { ComplaintView, toComplaintView } from '~/modules/supervision/complaint-view';
import { ComplaintError, getComplaint, withdrawComplaint } from '~/modules/supervision/complaints.server';
import { RateService } from '~/ui/rate-service';

export const meta: MetaFunction = () => [{ title: '投诉/异议详情 - 江城市公共资源交易平台' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'create:complaint');
  const c = await getComplaint(await getPrisma(), params.id ?? '');
  // Someone else's complaint answers exactly like a missing one.
  if (!c || c.complainantUserId !== user.id) throw new Response('未找到该事项', { status: 404 });
  return { c: toComplaintView(c), id: c.id, now: now().toISOString() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'create:complaint');
  try {
    await withdrawComplaint(await getPrisma(), actorOf(request, user), user.id, params.id ?? '');
    return { error: null };
  } catch (e) {
    if (e instanceof ComplaintError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}

export default function MyComplaint() {
  const d = useLoaderData<typeof loader>();
  const a = useActionData<{ error: string | null }>();
  const [params] = useSearchParams();
  return (
    <section className="panel">
      <nav className="crumbs" aria-label="位置">
        <Link to="/complaints">我的投诉与异议</Link> / {d.c.no}
      </nav>
      {params.get('filed') === '1' ? (
        <p className="notice success" role="status">
          已提交，编号 {d.c.no}。办理进展将通过站内消息通知您。
        </p>
      ) : null}
      {a?.error ? (
        <p className="notice danger" role="alert">
          {a.error}
        </p>
      ) : null}
      <ComplaintView c={d.c} now={d.now} />
      {d.c.status === 'decided' || d.c.status === 'rejected' ? <RateService subjectType="complaint" subjectId={d.id} title="投诉办理满意度评价" /> : null}
      {d.c.status === 'submitted' || d.c.status === 'accepted' ? (
        <Form method="post" onSubmit={(e) => !confirm('确定撤回？撤回后本事项终止办理。') && e.preventDefault()}>
          <button className="btn btn-danger" type="submit">
            撤回
          </button>
        </Form>
      ) : null}
    </section>
  );
}
