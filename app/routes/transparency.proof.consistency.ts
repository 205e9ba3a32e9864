// Public: RFC 9162 consistency proof between the trees of ?from= and ?to= leaves.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { overLimit } from '~/modules/pki/http.server';
import { consistencyProofBetween, ProofRequestError } from '~/modules/transparency/log.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const u = new URL(request.url).searchParams;
  const from = u.get('from') ?? '';
  const to = u.get('to') ?? '';
  if (!/^\d{1,15}$/.test(from) || !/^\d{1,15}$/.test(to)) return Response.json({ error: 'from、to 须为正整数' }, { status: 400 });
  if (await overLimit(request, 'proof', 600)) return Response.json({ error: '请求过于频繁' }, { status: 429 });
  try {
    return Response.json(await consistencyProofBetween(Number(from), Number(to)));
  } catch (e) {
    if (e instanceof ProofRequestError) return Response.json({ error: e.message }, { status: 400 });
    throw e;
  }
}
