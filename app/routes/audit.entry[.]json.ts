// Supervisors only: one audit entry's full canonical fields, for recomputing its hashes in the
// browser (the /audit page's inclusion check) and for evidence packages.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { toAuditFields } from '~/modules/audit/audit.server';
import { requirePermission } from '~/modules/auth/session.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'read:audit');
  const seq = new URL(request.url).searchParams.get('seq');
  const prisma = await getPrisma();
  if (seq === null) {
    const last = await prisma.auditEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    return Response.json({ latestSeq: last?.seq.toString() ?? null });
  }
  if (!/^\d{1,15}$/.test(seq)) return Response.json({ error: '请输入记录序号' }, { status: 400 });
  const row = await prisma.auditEntry.findUnique({ where: { seq: BigInt(seq) } });
  if (!row) return Response.json({ error: `第 ${seq} 条记录不存在` }, { status: 404 });
  return Response.json(toAuditFields(row));
}
