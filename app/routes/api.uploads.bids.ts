// Starts a sealed-bid upload: the browser sends the bidder-signed submission statement (binding
// tender, section, bidder and the exact SHA-256 + size of the ciphertext to come). No bid bytes here.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { jsonError, readSmallJson } from '~/modules/bidding/http.server';
import { primeSessionUser } from '~/modules/bidding/upload-http.server';
import { decodeSubmission, startBidUpload } from '~/modules/bidding/uploads.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';

const schema = z.object({ tenderId: z.string().min(1).max(64), sectionId: z.string().min(1).max(64), submissionB64: z.string().min(100).max(90_000) });

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'submit:bid');
  return new Response(null, { status: 405, headers: { Allow: 'POST' } });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'submit:bid');
  try {
    const parsed = schema.safeParse(await readSmallJson(request));
    if (!parsed.success) return Response.json({ error: '递交请求不完整', code: 'BAD_REQUEST' }, { status: 400 });
    const r = await startBidUpload(actorOf(request, user), user, { tenderId: parsed.data.tenderId, sectionId: parsed.data.sectionId, submission: decodeSubmission(parsed.data.submissionB64) });
    primeSessionUser(request.headers.get('cookie'), user);
    return Response.json(r, { status: 201 });
  } catch (e) {
    return jsonError(e);
  }
}
