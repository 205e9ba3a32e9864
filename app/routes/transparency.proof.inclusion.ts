// Public: RFC 9162 inclusion proof of audit entry ?seq= in the tree of ?size= leaves (default: the
// latest signed tree head). Hashes only: the entry's contents are not revealed.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { overLimit } from '~/modules/pki/http.server';
import { inclusionProofFor, ProofRequestError } from '~/modules/transparency/log.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const u = new URL(request.url).searchParams;
  const seq = u.get('seq') ?? '';
  const size = u.get('size');
  if (!/^\d{1,15}$/.test(seq) || (size !== null && !/^\d{1,15}$/.test(size))) return Response.json({ error: 'seq、size 须为正整数' }, { status: 400 });
  if (await overLimit(request, 'proof', 600)) return Response.json({ error: '请求过于频繁' }, { status: 429 });
  try {
    return Response.json(await inclusionProofFor(seq, size === null ? undefined : Number(size)));
  } catch (e) {
    if (e instanceof ProofRequestError) return Response.json({ error: e.message }, { status: 400 });
    throw e;
  }
}
