// The host's camera: POST one MediaRecorder chunk (raw body, Content-Type video/webm); GET ?seq=N
// serves chunk N to everyone who may watch the room.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { actorOf, getSessionUser, requirePermission } from '~/modules/auth/session.server';
import { requireSeat } from '~/modules/opening/room.server';
import { OpeningError } from '~/modules/opening/types';
import { appendVideoChunk, videoChunk } from '~/modules/opening/video.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getSessionUser(request);
  const seq = Number(new URL(request.url).searchParams.get('seq'));
  try {
    const { opening } = await requireSeat(user, params.id ?? '', ['host', 'agent', 'bidder', 'supervisor', 'public']);
    if (!Number.isSafeInteger(seq) || seq < 1) return new Response('片段序号错误', { status: 400 });
    const c = await videoChunk(opening.id, seq);
    if (!c) return new Response('片段不存在', { status: 404 });
    return new Response(c.bytes as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': c.mime, 'Cache-Control': 'private, max-age=86400, immutable', 'X-Content-SHA256': c.sha256 } });
  } catch (e) {
    if (e instanceof OpeningError) return new Response(e.message, { status: user ? e.status : 401 });
    throw e;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'attend:opening');
  if (!request.body) return Response.json({ error: '录像片段为空' }, { status: 400 });
  try {
    const r = await appendVideoChunk(actorOf(request, user), user, params.id ?? '', { body: request.body, mime: request.headers.get('content-type') ?? '' });
    return Response.json(r);
  } catch (e) {
    if (e instanceof OpeningError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}
