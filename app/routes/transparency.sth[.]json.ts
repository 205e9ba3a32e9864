// Public: the latest signed tree head of the audit log (or the one for ?size=N).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { latestTreeHead, treeHeadBySize } from '~/modules/transparency/log.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const size = new URL(request.url).searchParams.get('size');
  if (size !== null && !/^\d{1,15}$/.test(size)) return Response.json({ error: 'size 须为非负整数' }, { status: 400 });
  const head = size === null ? await latestTreeHead() : await treeHeadBySize(Number(size));
  if (!head) return Response.json({ error: '尚无签名树头' }, { status: 404 });
  return Response.json(head.sth, { headers: { 'Cache-Control': 'no-cache' } });
}
