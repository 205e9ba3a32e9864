import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { appendAuditEntry } from '~/modules/audit/audit.server';
import { actorOf, destroySession, getSessionUser } from '~/modules/auth/session.server';

export async function loader() {
  return redirect('/');
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await getSessionUser(request);
  if (user) {
    const prisma = await getPrisma();
    await prisma.$transaction((tx) => appendAuditEntry(tx, actorOf(request, user), { action: 'auth.logout', objectType: 'user', objectId: user.id }));
  }
  return redirect('/', { headers: { 'Set-Cookie': await destroySession(request) } });
}
