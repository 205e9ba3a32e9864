// The host's camera (开标直播及录像): the host's browser records with MediaRecorder and uploads a
// chunk every couple of seconds; each chunk goes into the content-addressed store and its SHA-256
// into the audit log (one step per chunk), and the chunk event tells every viewer to fetch it.
// Viewers append the chunks to a MediaSource, a few seconds behind live. The recording is the
// chunks joined in order; its SHA-256 is in the close step. docs/decisions/104-video.
import { getPrisma } from '~/db/index.server';
import type { Actor } from '~/modules/audit/audit.server';
import { now } from '~/modules/clock/clock.server';
import { putStream, readBytes } from '~/modules/files/store.server';
import { requireSeat, type RoomUser } from './room.server';
import { runStep } from './steps.server';
import { OpeningError } from './types';

/** A few seconds of 640×480 VP8/VP9 + Opus is well under 2 MB; more is not a camera chunk. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const MIME = /^video\/webm(;\s*codecs=[\w.,"]+)?$/;

export async function appendVideoChunk(actor: Actor, user: RoomUser, openingId: string, input: { body: ReadableStream<Uint8Array>; mime: string }) {
  const { opening } = await requireSeat(user, openingId, ['host']);
  if (['signing', 'closed'].includes(opening.state)) throw new OpeningError('开标已结束，录像已封存', 409, 'CLOSED');
  if (!MIME.test(input.mime)) throw new OpeningError('仅支持 WebM 录像片段', 400, 'BAD_INPUT');
  let stored: { sha256: string; size: number };
  try {
    stored = await putStream(input.body, { maxBytes: MAX_CHUNK_BYTES });
  } catch {
    throw new OpeningError('录像片段过大或上传中断', 400, 'BAD_INPUT');
  }
  if (stored.size === 0) throw new OpeningError('录像片段为空', 400, 'BAD_INPUT');
  const ev = await runStep(openingId, actor, async (tx, o) => {
    if (['signing', 'closed'].includes(o.state)) throw new OpeningError('开标已结束，录像已封存', 409, 'CLOSED');
    if (o.hostUserId !== user.id) throw new OpeningError('只有主持人可以推送录像', 403, 'FORBIDDEN');
    const seq = (await tx.openingVideoChunk.count({ where: { openingId } })) + 1;
    await tx.openingVideoChunk.create({ data: { openingId, seq, sha256: stored.sha256, size: stored.size, mime: input.mime, at: now() } });
    return { action: 'opening.video.chunk', payload: { seq, sha256: stored.sha256, size: stored.size }, view: { mime: input.mime } };
  });
  return { seq: (ev?.data as { seq: number } | undefined)?.seq, sha256: stored.sha256 };
}

export async function videoChunk(openingId: string, seq: number) {
  const prisma = await getPrisma();
  const c = await prisma.openingVideoChunk.findUnique({ where: { openingId_seq: { openingId, seq } } });
  if (!c) return null;
  return { bytes: await readBytes(c.sha256), mime: c.mime, sha256: c.sha256 };
}

export async function videoChunkList(openingId: string) {
  const prisma = await getPrisma();
  return prisma.openingVideoChunk.findMany({ where: { openingId }, orderBy: { seq: 'asc' }, select: { seq: true, sha256: true, size: true, mime: true } });
}
