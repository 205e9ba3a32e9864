// 月度报告 PDF for one month (?month=YYYY-MM), recorded in the audit log.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { chinaDay } from '~/modules/clock/workdays';
import { monthlyReportPdf } from '~/modules/stats/report.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:statistics');
  const at = now();
  const month = new URL(request.url).searchParams.get('month') || chinaDay(at).slice(0, 7);
  const prisma = await getPrisma();
  const pdf = await monthlyReportPdf(prisma, month, at);
  if (!pdf) throw new Response('月份格式应为 年-月，例如 2026-05', { status: 400 });
  await prisma.$transaction((tx) => appendAuditEntry(tx, actorOf(request, user), { action: 'stats.report', objectType: 'statistics', objectId: month }));
  return new Response(Buffer.from(pdf.bytes), {
    headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${pdf.filename}"`, 'Cache-Control': 'no-store' },
  });
}
