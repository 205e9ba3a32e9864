// The console's live feed: the same snapshot as the page, as JSON, polled every few seconds.
// Not audited per poll (the page view that opened the console is).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { now } from '~/modules/clock/clock.server';
import { consoleFilterFrom, consoleSnapshot } from '~/modules/supervision/console.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'read:supervision');
  const snapshot = await consoleSnapshot(await getPrisma(), now(), consoleFilterFrom(new URL(request.url).searchParams));
  return Response.json(snapshot, { headers: { 'Cache-Control': 'no-store' } });
}
