import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { listAnnouncements } from '~/modules/publish/announcements.server';
import { ANNOUNCEMENT_KINDS } from '~/modules/publish/kinds';
import { formatDate } from '~/ui/format';
import { Pager } from '~/ui/pager';

export const meta: MetaFunction = () => [{ title: '交易公告 - 江城市公共资源交易平台' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const kind = url.searchParams.get('kind') || undefined;
  const q = url.searchParams.get('q')?.slice(0, 50) || undefined;
  const page = Number(url.searchParams.get('page')) || 1;
  const r = await listAnnouncements({ kind: kind && kind in ANNOUNCEMENT_KINDS ? kind : undefined, q, page });
  return { ...r, kind: kind ?? '', q: q ?? '', items: r.items.map((a) => ({ id: a.id, kind: a.kind, title: a.title, publishedAt: a.publishedAt.toISOString() })) };
}

export default function Announcements() {
  const d = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>交易公告</h1>
      <Form method="get" className="filters" role="search">
        <label>
          类别
          <select name="kind" defaultValue={d.kind}>
            <option value="">全部</option>
            {Object.entries(ANNOUNCEMENT_KINDS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          标题
          <input type="search" name="q" defaultValue={d.q} placeholder="输入关键字" />
        </label>
        <button type="submit" className="btn">
          查询
        </button>
      </Form>
      {d.items.length === 0 ? (
        <p className="empty">没有符合条件的公告</p>
      ) : (
        <ul className="ann-list">
          {d.items.map((a) => (
            <li key={a.id}>
              <span className="tag">{ANNOUNCEMENT_KINDS[a.kind] ?? a.kind}</span>
              <Link to={`/announcements/${a.id}`}>{a.title}</Link>
              <time dateTime={a.publishedAt}>{formatDate(a.publishedAt)}</time>
            </li>
          ))}
        </ul>
      )}
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} />
    </section>
  );
}
