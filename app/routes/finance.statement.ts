// Statement export (CSV or PDF) for a tender/section (refType+refId) or a payer (orgId).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '~/modules/auth/session.server';
import { statementCsv, statementPdf } from '~/modules/payments/statement.server';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'read:finance');
  const q = new URL(request.url).searchParams;
  const refType = q.get('refType') || undefined;
  const refId = q.get('refId') || undefined;
  const partyOrgId = q.get('orgId') || undefined;
  for (const v of [refType, refId, partyOrgId]) if (v !== undefined && !ID.test(v)) throw new Response('参数格式错误', { status: 400 });
  const f = { refType, refId, partyOrgId };
  const scope = [refType && refId ? `${refType}:${refId}` : refType, partyOrgId ? `缴款单位 ${partyOrgId}` : null].filter(Boolean).join('，') || '全部';
  const name = `statement-${(refId ?? partyOrgId ?? 'all').slice(0, 40)}`;
  if (q.get('format') === 'pdf') {
    const pdf = await statementPdf(f, scope);
    return new Response(Buffer.from(pdf), { headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name}.pdf"`, 'cache-control': 'no-store' } });
  }
  return new Response(await statementCsv(f), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"`, 'cache-control': 'no-store' } });
}
