// A published inspection draw record (?draw=agencies|inspectors), for offline verification:
//   npx tsx crypto/cli.ts draw verify --in record.json --commitment <published>
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { getInspection, inspectionRecord } from '~/modules/supervision/inspections.server';

// Public: the draw is published (一公开).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const ins = await getInspection(await getPrisma(), params.id ?? '');
  if (!ins) throw new Response('抽查计划不存在', { status: 404 });
  const which = new URL(request.url).searchParams.get('draw') === 'inspectors' ? 'inspectors' : 'agencies';
  const record = inspectionRecord(ins, which);
  if (!record) throw new Response('尚未抽取', { status: 404 });
  return new Response(JSON.stringify(record, null, 2) + '\n', {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="draw-${ins.no}-${which}.json"`,
      'Cache-Control': 'public, max-age=60',
    },
  });
}
