// The opening-key ceremony's two server calls, made from the agent's browser (docs/decisions/070):
//   {step:'certify', spkiB64, keyId}  → the platform CA certifies the opening public key
//   {step:'publish', shares:[...]}    → the encrypted shares are stored and the notice published
// The private key never comes here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { jsonError } from '~/modules/bidding/http.server';
import { certifyOpeningKey, publishTender } from '~/modules/bidding/tenders.server';

const schema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('certify'), spkiB64: z.string().min(100).max(4000), keyId: z.string().regex(/^[0-9a-f]{32}$/) }),
  z.object({
    step: z.literal('publish'),
    shares: z
      .array(z.object({ userId: z.string().min(1).max(64), shareIndex: z.number().int().min(1).max(20), encryptedShareB64: z.string().min(100).max(80_000), holderCertSha256: z.string().regex(/^[0-9a-f]{64}$/) }))
      .min(3)
      .max(20),
  }),
]);

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'publish:tender:own');
  return new Response(null, { status: 405, headers: { Allow: 'POST' } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'publish:tender:own');
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return Response.json({ error: '请求格式不正确' }, { status: 400 });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return Response.json({ error: '请求内容不完整' }, { status: 400 });
  try {
    if (parsed.data.step === 'certify') {
      const certPem = await certifyOpeningKey(actorOf(request, user), user, params.id!, { spkiB64: parsed.data.spkiB64, keyId: parsed.data.keyId });
      return Response.json({ certPem });
    }
    await publishTender(actorOf(request, user), user, params.id!, { shares: parsed.data.shares });
    return Response.json({ published: true });
  } catch (e) {
    return jsonError(e);
  }
}
