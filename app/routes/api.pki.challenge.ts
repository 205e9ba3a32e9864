// A one-time challenge for a key holder to sign. 'login' is for anonymous visitors on /login
// (rate-limited per address); every other purpose is bound to the logged-in user.
import type { ActionFunctionArgs } from '@remix-run/node';
import { overLimit } from '~/modules/pki/http.server';
import { createChallenge } from '~/modules/pki/user-certs.server';
import { requirePermission } from '~/modules/auth/session.server';

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const purpose = String(form.get('purpose') ?? '');
  if (purpose === 'login') {
    if (await overLimit(request, 'cert-challenge', 30)) return Response.json({ error: '请求过于频繁，请稍后再试' }, { status: 429 });
    const c = await createChallenge(null, 'login');
    return Response.json({ id: c.id, nonce: c.nonce, expiresAt: c.expiresAt.toISOString() });
  }
  const user = await requirePermission(request, 'manage:certificate:own');
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(purpose)) return Response.json({ error: '无效的用途' }, { status: 400 });
  if (await overLimit(request, 'cert-challenge-user', 60)) return Response.json({ error: '请求过于频繁，请稍后再试' }, { status: 429 });
  const c = await createChallenge(user.id, purpose);
  return Response.json({ id: c.id, nonce: c.nonce, expiresAt: c.expiresAt.toISOString() });
}
