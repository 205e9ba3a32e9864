// An award or result notice PDF: for its recipient once issued, for the tenderer (also the draft it
// is about to sign) and for supervisors.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { requireViewer } from '~/modules/evaluation/access.server';
import { openStream } from '~/modules/files/store.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const { ev, kind } = await requireViewer(user, params.id ?? '');
  const prisma = await getPrisma();
  const n = await prisma.awardNotice.findUnique({ where: { id: params.noticeId ?? '' } });
  const mine = kind === 'bidder' && n?.bidderOrgId === user.organizationId && !!n?.issuedAt;
  if (!n || n.evaluationId !== ev.id || !(kind === 'tenderer' || kind === 'supervisor' || mine)) throw new Response('通知书不存在', { status: 404 });
  return new Response(openStream(n.pdfSha256), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="${n.noticeNo}.pdf"`,
      'Cache-Control': 'private, no-store',
      'X-Content-SHA256': n.pdfSha256,
    },
  });
}
