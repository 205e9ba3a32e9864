// The expert draw record (crypto/draw.ts DrawRecord), byte for byte what verifyDraw recomputes;
// ?round=N gives the record of the N-th redraw (补抽) round, verified against that round's
// commitment. Supervisors may fetch it at any time; the tenderer, bidders and members once the
// evaluation has ended (before that it would reveal who was drawn).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { hasEnded, requireViewer } from '~/modules/evaluation/access.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const { ev, kind } = await requireViewer(user, params.id ?? '');
  if (kind === 'admin' || (kind !== 'supervisor' && !hasEnded(ev.state))) throw new Response('评标结束前抽取记录不公开', { status: 403 });
  const roundParam = new URL(request.url).searchParams.get('round');
  let record = ev.drawRecord;
  let name = `expert-draw-${ev.id}.json`;
  if (roundParam !== null) {
    const round = /^\d{1,3}$/.test(roundParam) ? Number(roundParam) : -1;
    const prisma = await getPrisma();
    const row = round > 0 ? await prisma.expertRedraw.findUnique({ where: { evaluationId_round: { evaluationId: ev.id, round } } }) : null;
    record = row?.record ?? null;
    name = `expert-redraw-${ev.id}-${round}.json`;
  }
  if (!record) throw new Response('尚未抽取', { status: 404 });
  return new Response(JSON.stringify(record, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
