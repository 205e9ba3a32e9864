// Open data: every published process as an OCDS 1.1.5 release package, 100 per page (?page=N,
// links.next / links.prev). Public, no login.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { releasePackagePage } from '~/modules/publish/ocds.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const raw = new URL(request.url).searchParams.get('page');
  const page = raw && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  const r = await releasePackagePage(await getPrisma(), page, now());
  return new Response(JSON.stringify(r.package), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=60', 'Access-Control-Allow-Origin': '*' },
  });
}
