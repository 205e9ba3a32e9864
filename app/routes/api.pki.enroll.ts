// Certificate enrolment: the browser sends its public key and a signature over an 'enroll'
// challenge; the platform CA answers with the certificate. The private key never comes here.
import type { ActionFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { fromBase64 } from '../../crypto/hash';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { getPlatformPki } from '~/modules/pki/platform.server';
import { TrustError } from '~/modules/pki/protocol';
import { issueUserCertificate } from '~/modules/pki/user-certs.server';

const schema = z.object({
  challengeId: z.string().min(1).max(64),
  spki: z.string().min(100).max(4000),
  pop: z.string().min(40).max(2000),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'manage:certificate:own');
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ error: '申请数据不完整' }, { status: 400 });
  let spki: Uint8Array, pop: Uint8Array;
  try {
    spki = fromBase64(parsed.data.spki);
    pop = fromBase64(parsed.data.pop);
  } catch {
    return Response.json({ error: '公钥或签名编码不正确' }, { status: 400 });
  }
  try {
    const r = await issueUserCertificate(actorOf(request, user), {
      userId: user.id,
      publicKeySpki: spki,
      proofOfPossession: pop,
      challengeId: parsed.data.challengeId,
    });
    const pki = await getPlatformPki();
    return Response.json({ certificateId: r.certificateId, certPem: r.certPem, caPem: pki.ca.certPem });
  } catch (e) {
    if (e instanceof TrustError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}
