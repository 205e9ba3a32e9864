// The room's commands (开标室操作), called by the room page with fetch. Each intent is one module
// call; the module checks the caller's seat (host, agent, bidder, supervisor) and the state.
// Answers JSON; refusals carry a Chinese message.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { endDecryption, envelopeHeadsFor, grantFallback, reportDecryptFailure, submitContentKey } from '~/modules/opening/decrypt.server';
import { closeOpening, finalizeRecord, recordBytesFor, signRecord } from '~/modules/opening/record.server';
import {
  answerObjection,
  checkIn,
  confirmResult,
  holderShareFor,
  pauseOpening,
  raiseObjection,
  readNext,
  requireSeat,
  resumeOpening,
  startOpening,
  submitShare,
  takeOverHost,
} from '~/modules/opening/room.server';
import { OpeningError } from '~/modules/opening/types';
import { TrustError } from '~/modules/pki/protocol';

function fail(e: unknown) {
  if (e instanceof OpeningError || e instanceof TrustError) return Response.json({ error: e.message, code: e.code }, { status: e.status });
  throw e;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'attend:opening');
  const id = params.id ?? '';
  const what = new URL(request.url).searchParams.get('what');
  try {
    if (what === 'share') {
      const s = await holderShareFor(user, id);
      if (!s) return Response.json({ error: '您不是本项目的开标密钥持有人' }, { status: 403 });
      return Response.json(s);
    }
    if (what === 'heads') return Response.json({ bids: await envelopeHeadsFor(user, id) });
    if (what === 'record') {
      await requireSeat(user, id, ['host', 'supervisor']);
      return new Response((await recordBytesFor(id)) as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' } });
    }
    await requireSeat(user, id, ['host', 'agent', 'bidder', 'supervisor']);
    return Response.json({ ok: true });
  } catch (e) {
    return fail(e);
  }
}

const str = (max: number) => z.string().trim().max(max);
const intents = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('checkin'), challengeId: str(64).min(1), signature: z.string().min(1).max(40_000) }),
  z.object({ intent: z.literal('start') }),
  z.object({ intent: z.literal('share'), share: z.string().min(1).max(40_000) }),
  z.object({ intent: z.literal('key'), bidId: str(64).min(1), contentKey: str(100).min(1) }),
  z.object({ intent: z.literal('decrypt-fail'), bidId: str(64).min(1), reason: str(200).min(1) }),
  z.object({ intent: z.literal('fallback'), bidId: str(64).min(1), reason: str(300) }),
  z.object({ intent: z.literal('end-decrypt') }),
  z.object({ intent: z.literal('read') }),
  z.object({ intent: z.literal('objection'), text: str(1000), bidId: str(64).optional() }),
  z.object({ intent: z.literal('answer'), seq: z.coerce.number().int().positive(), answer: str(2000) }),
  z.object({ intent: z.literal('confirm') }),
  z.object({ intent: z.literal('pause'), reason: str(500) }),
  z.object({ intent: z.literal('resume') }),
  z.object({ intent: z.literal('takeover'), reason: str(200) }),
  z.object({ intent: z.literal('close') }),
  z.object({ intent: z.literal('sign'), signature: z.string().min(1).max(40_000) }),
  z.object({ intent: z.literal('finalize') }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'attend:opening');
  const id = params.id ?? '';
  const parsed = intents.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: '请求内容不完整或格式错误' }, { status: 400 });
  const actor = actorOf(request, user);
  const input = parsed.data;
  try {
    switch (input.intent) {
      case 'checkin':
        await checkIn(actor, user, id, { challengeId: input.challengeId, signatureB64: input.signature });
        break;
      case 'start':
        await startOpening(actor, user, id);
        break;
      case 'share':
        return Response.json(await submitShare(actor, user, id, input.share));
      case 'key':
        return Response.json(await submitContentKey(actor, user, id, { bidId: input.bidId, contentKeyB64: input.contentKey }));
      case 'decrypt-fail':
        await reportDecryptFailure(actor, user, id, { bidId: input.bidId, reason: input.reason });
        break;
      case 'fallback':
        await grantFallback(actor, user, id, { bidId: input.bidId, reason: input.reason });
        break;
      case 'end-decrypt':
        await endDecryption(actor, user, id);
        break;
      case 'read':
        await readNext(actor, user, id);
        break;
      case 'objection':
        await raiseObjection(actor, user, id, { text: input.text, bidId: input.bidId || null });
        break;
      case 'answer':
        await answerObjection(actor, user, id, { objectionSeq: input.seq, answer: input.answer });
        break;
      case 'confirm':
        await confirmResult(actor, user, id);
        break;
      case 'pause':
        await pauseOpening(actor, user, id, input.reason);
        break;
      case 'resume':
        await resumeOpening(actor, user, id);
        break;
      case 'takeover':
        await takeOverHost(actor, user, id, input.reason);
        break;
      case 'close':
        await closeOpening(actor, user, id);
        break;
      case 'sign':
        await signRecord(actor, user, id, input.signature);
        break;
      case 'finalize':
        await finalizeRecord(actor, user, id);
        break;
    }
    return Response.json({ ok: true });
  } catch (e) {
    return fail(e);
  }
}
