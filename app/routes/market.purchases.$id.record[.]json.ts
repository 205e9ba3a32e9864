// The published draw record, for offline verification:
//   npx tsx crypto/cli.ts draw verify --in record.json --commitment <published> --candidates-hash <published>
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPurchase, publishedDrawRecord } from '~/modules/market/purchases.server';

// Public: transparency of the draw (公开、可复核).
export async function loader({ params }: LoaderFunctionArgs) {
  const p = await getPurchase(params.id ?? '');
  if (!p) throw new Response('采购项目不存在', { status: 404 });
  const record = publishedDrawRecord(p);
  if (!record) throw new Response('尚未抽取', { status: 404 });
  return new Response(JSON.stringify(record, null, 2) + '\n', {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="draw-${p.code}.json"`,
      'Cache-Control': 'public, max-age=60',
    },
  });
}
