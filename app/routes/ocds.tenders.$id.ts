// Open data: one process (tender or intermediary purchase, by id or code) as an OCDS release
// package: /ocds/tenders/<code>.json. Public, no login.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getPrisma } from '~/db/index.server';
import { now } from '~/modules/clock/clock.server';
import { processPackage } from '~/modules/publish/ocds.server';

export async function loader({ params }: LoaderFunctionArgs) {
  const raw = params.id ?? '';
  const ref = raw.endsWith('.json') ? raw.slice(0, -5) : raw;
  if (!/^[\w-]{1,64}$/.test(ref)) throw new Response('Not Found', { status: 404 });
  const pkg = await processPackage(await getPrisma(), ref, now());
  if (!pkg) throw new Response('Not Found', { status: 404 });
  return new Response(JSON.stringify(pkg), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=60', 'Access-Control-Allow-Origin': '*' },
  });
}
