// One audit entry's full canonical fields, for recomputing its hashes in the browser (the /audit
// page's inclusion check) and for evidence packages. An entry that relates to a tender not yet
// opened names its bidders: before the opening only supervisors get it (decision 032).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry, toAuditFields } from '~/modules/audit/audit.server';
import { isSealedEntry } from '~/modules/audit/query.server';
import { can } from '~/modules/auth/permissions';
import { actorOf, requirePermission } from '~/modules/auth/session.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePermission(request, 'read:audit');
  const seq = new URL(request.url).searchParams.get('seq');
  const prisma = await getPrisma();
  if (seq === null) {
    const last = await prisma.auditEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    return Response.json({ latestSeq: last?.seq.toString() ?? null });
  }
  if (!/^\d{1,15}$/.test(seq)) return Response.json({ error: '请输入记录序号' }, { status: 400 });
  const row = await prisma.auditEntry.findUnique({ where: { seq: BigInt(seq) } });
  if (!row) return Response.json({ error: `第 ${seq} 条记录不存在` }, { status: 404 });
  const supervisor = can(viewer.role, 'read:bidders:any');
  if (await isSealedEntry(row.seq)) {
    if (supervisor) {
      await prisma.$transaction((tx) => appendAuditEntry(tx, actorOf(request, viewer), { action: 'audit.supervise.view', payload: { seq } }));
      return Response.json(toAuditFields(row));
    }
    return Response.json({ error: `第 ${seq} 条记录与尚未开标的项目有关，开标前仅监督人员可查看其内容（其哈希已计入哈希链核验）` }, { status: 403 });
  }
  return Response.json(toAuditFields(row));
}
