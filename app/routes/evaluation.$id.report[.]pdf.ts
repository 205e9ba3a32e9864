// The evaluation report PDF: members and supervisors from the moment it is generated; the
// tenderer once every member has signed (it names the committee).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '~/modules/auth/session.server';
import { hasEnded, requireViewer } from '~/modules/evaluation/access.server';
import { openStream } from '~/modules/files/store.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const { ev, kind } = await requireViewer(user, params.id ?? '');
  if (!ev.reportPdfSha256) throw new Response('评标报告尚未生成', { status: 404 });
  const allowed = kind === 'supervisor' || kind === 'expert' || (kind === 'tenderer' && hasEnded(ev.state));
  if (!allowed) throw new Response('无权查看评标报告', { status: 403 });
  return new Response(openStream(ev.reportPdfSha256), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `inline; filename="evaluation-report-${ev.id}.pdf"`,
      'Cache-Control': 'private, no-store',
      'X-Content-SHA256': ev.reportPdfSha256,
    },
  });
}
