// Statement export (CSV or PDF) for a tender/section (refType+refId) or a payer (orgId). Before a
// tender's opening its money is left out for everyone but supervisors (decision 032); every export
// is written to the audit log.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { financeScope, mayView, visibleRefsWhere } from '~/modules/payments/disclosure.server';
import { statementCsv, statementPdf } from '~/modules/payments/statement.server';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:finance');
  const q = new URL(request.url).searchParams;
  const refType = q.get('refType') || undefined;
  const refId = q.get('refId') || undefined;
  const partyOrgId = q.get('orgId') || undefined;
  for (const v of [refType, refId, partyOrgId]) if (v !== undefined && !ID.test(v)) throw new Response('参数格式错误', { status: 400 });
  const format = q.get('format') === 'pdf' ? 'pdf' : 'csv';
  const scope = await financeScope(user);
  const prisma = await getPrisma();
  if (refType && refId && !mayView(scope, refType, refId)) {
    await prisma.$transaction((tx) =>
      appendAuditEntry(tx, actorOf(request, user), { action: 'finance.statement.refused', objectType: refType, objectId: refId, payload: { format, reason: 'before-opening' } }),
    );
    throw new Response('该项目尚未开标：开标前不提供其投标保证金及文件费明细（招标投标法第二十二条）', { status: 403 });
  }
  const f = { refType, refId, partyOrgId, where: scope.full ? undefined : visibleRefsWhere(scope) };
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, actorOf(request, user), {
      action: 'finance.statement.export',
      objectType: refType ?? (partyOrgId ? 'organization' : 'ledger'),
      objectId: refId ?? partyOrgId ?? null,
      payload: { format, refType: refType ?? null, refId: refId ?? null, orgId: partyOrgId ?? null, allTenders: scope.full },
    }),
  );
  const scopeText = [refType && refId ? `${refType}:${refId}` : refType, partyOrgId ? `缴款单位 ${partyOrgId}` : null].filter(Boolean).join('，') || '全部';
  const title = scope.full ? scopeText : `${scopeText}（不含尚未开标项目）`;
  const name = `statement-${(refId ?? partyOrgId ?? 'all').slice(0, 40)}`;
  if (format === 'pdf') {
    const pdf = await statementPdf(f, title);
    return new Response(Buffer.from(pdf), { headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name}.pdf"`, 'cache-control': 'no-store' } });
  }
  return new Response(await statementCsv(f), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"`, 'cache-control': 'no-store' } });
}
