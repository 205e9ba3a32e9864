import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '~/modules/auth/session.server';
import { listInbox, markRead } from '~/modules/notify/notify.server';
import { formatDateTime } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '站内消息 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:inbox:own');
  const url = new URL(request.url);
  const unreadOnly = url.searchParams.get('unread') === '1';
  const r = await listInbox(user.id, { page: Number(url.searchParams.get('page')) || 1, unreadOnly });
  return {
    ...r,
    unreadOnly,
    items: r.items.map((n) => ({ id: n.id, title: n.title, body: n.body, link: n.link, kind: n.kind, read: !!n.readAt, createdAt: n.createdAt.toISOString() })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'read:inbox:own');
  const form = await request.formData();
  const id = form.get('id');
  await markRead(user.id, typeof id === 'string' && id ? [id] : 'all');
  return { ok: true };
}

export default function Inbox() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <div className="panel-head">
        <h1>站内消息</h1>
        <div className="actions">
          <Link to={d.unreadOnly ? '/inbox' : '/inbox?unread=1'}>{d.unreadOnly ? '显示全部' : '只看未读'}</Link>
          <Form method="post">
            <button className="btn btn-small" type="submit">
              全部标为已读
            </button>
          </Form>
        </div>
      </div>
      {d.items.length === 0 ? (
        <p className="empty">暂无消息</p>
      ) : (
        <ul className="inbox">
          {d.items.map((n) => (
            <li key={n.id} className={`msg ${n.read ? 'read' : 'unread'} kind-${n.kind}`}>
              <div>
                <strong>{n.read ? '' : '● '}{n.title}</strong>
                <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
              </div>
              <p>{n.body}</p>
              <div className="actions">
                {n.link ? <Link to={n.link}>查看详情</Link> : null}
                {!n.read ? (
                  <Form method="post">
                    <input type="hidden" name="id" value={n.id} />
                    <button className="link-button" type="submit">
                      标为已读
                    </button>
                  </Form>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}
