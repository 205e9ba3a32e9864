// The expert draw record (crypto/draw.ts DrawRecord), byte for byte what verifyDraw recomputes.
// Supervisors may fetch it at any time; the tenderer, bidders and members once the evaluation has
// ended (before that it would reveal who was drawn).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '~/modules/auth/session.server';
import { hasEnded, requireViewer } from '~/modules/evaluation/access.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const { ev, kind } = await requireViewer(user, params.id ?? '');
  if (!ev.drawRecord) throw new Response('尚未抽取', { status: 404 });
  if (kind === 'admin' || (kind !== 'supervisor' && !hasEnded(ev.state))) throw new Response('评标结束前抽取记录不公开', { status: 403 });
  return new Response(JSON.stringify(ev.drawRecord, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="expert-draw-${ev.id}.json"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
