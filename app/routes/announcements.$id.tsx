import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getAnnouncement } from '~/modules/publish/announcements.server';
import { ANNOUNCEMENT_KINDS } from '~/modules/publish/kinds';
import { formatDateTime } from '~/ui/format';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? '公告'} - 江城市公共资源交易平台` }];

export async function loader({ params }: LoaderFunctionArgs) {
  const a = await getAnnouncement(params.id ?? '');
  if (!a) throw new Response('公告不存在', { status: 404 });
  return { id: a.id, kind: a.kind, title: a.title, body: a.body, publishedAt: a.publishedAt.toISOString() };
}

export default function Announcement() {
  const a = useLoaderData<typeof loader>();
  return (
    <article className="panel announcement">
      <p className="crumbs">
        <Link to="/announcements">交易公告</Link> › {ANNOUNCEMENT_KINDS[a.kind] ?? a.kind}
      </p>
      <h1>{a.title}</h1>
      <p className="muted">发布时间：{formatDateTime(a.publishedAt)}</p>
      {a.body.split('\n').map((p, i) => (
        <p key={i}>{p}</p>
      ))}
    </article>
  );
}
