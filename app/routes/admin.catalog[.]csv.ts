import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '~/modules/auth/session.server';
import { exportCatalogCsv } from '~/modules/market/catalog.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'manage:catalog');
  const csv = await exportCatalogCsv();
  return new Response(csv, { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent('中介服务事项目录.csv')}` } });
}
