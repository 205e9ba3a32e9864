// CSV / XLSX export of the statistics tables (the same filters as /stats). Exports are recorded in
// the audit log: data leaving the platform is a security-relevant event.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { tableToCsv } from '~/modules/stats/export';
import { statsFilterFrom, statsReport } from '~/modules/stats/stats.server';
import { isStatsTableKey } from '~/modules/stats/types';
import { tablesToXlsx } from '~/modules/stats/xlsx.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:statistics');
  const params = new URL(request.url).searchParams;
  const table = params.get('table') ?? 'monthly';
  const format = params.get('format') === 'xlsx' ? 'xlsx' : 'csv';
  if (table !== 'all' && !isStatsTableKey(table)) throw new Response('没有这张统计表', { status: 404 });
  if (table === 'all' && format === 'csv') throw new Response('CSV 每次导出一张表，请选择表格', { status: 400 });
  const at = now();
  const { filter } = statsFilterFrom(params, at);
  const prisma = await getPrisma();
  const report = await statsReport(prisma, filter, at);
  const tables = table === 'all' ? Object.values(report.tables) : [report.tables[table as keyof typeof report.tables]];
  await prisma.$transaction((tx) => appendAuditEntry(tx, actorOf(request, user), { action: 'stats.export', objectType: 'statistics', objectId: table, payload: { format, filter } }));
  const base = `stats-${table}-${filter.from}_${filter.to}`;
  if (format === 'csv') {
    return new Response(tableToCsv(tables[0]), {
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${base}.csv"`, 'Cache-Control': 'no-store' },
    });
  }
  const bytes = await tablesToXlsx(tables, { title: '统计分析', createdAt: at });
  return new Response(Buffer.from(bytes), {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${base}.xlsx"`,
      'Cache-Control': 'no-store',
    },
  });
}
