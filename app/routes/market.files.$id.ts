// Downloads of uploaded scans and results: only the uploading organization, the other party of
// the order a result belongs to, and the center's reviewers and supervisors.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { can } from '~/modules/auth/permissions';
import { requirePermission } from '~/modules/auth/session.server';
import { readStoredBytes } from '~/modules/market/files.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:market');
  const prisma = await getPrisma();
  const f = await prisma.marketFile.findUnique({ where: { id: params.id ?? '' } });
  if (!f) throw new Response('文件不存在', { status: 404 });
  let allowed = can(user.role, 'review:registration') || can(user.role, 'read:supervision') || (!!f.ownerOrgId && f.ownerOrgId === user.organizationId);
  if (!allowed && user.organizationId) {
    const d = await prisma.deliverable.findFirst({ where: { fileId: f.id }, include: { order: { select: { ownerOrgId: true } } } });
    allowed = d?.order.ownerOrgId === user.organizationId;
  }
  if (!allowed) throw new Response('无权查看该文件', { status: 403 });
  const bytes = readStoredBytes(f.sha256);
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': f.mime,
      'Content-Length': String(bytes.length),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}
