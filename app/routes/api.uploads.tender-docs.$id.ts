// The agent uploads a tender document: the raw body is streamed into the content-addressed store
// (capped at 200 MB by the module). ?name= carries the file name.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { uploadTenderDocument } from '~/modules/bidding/documents.server';
import { jsonError } from '~/modules/bidding/http.server';
import { BiddingError } from '~/modules/bidding/errors';
import { MAX_TENDER_DOCUMENT_BYTES } from '~/modules/bidding/types';
import { actorOf, requirePermission } from '~/modules/auth/session.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'update:tender:own');
  return new Response(null, { status: 405, headers: { Allow: 'POST' } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'update:tender:own');
  try {
    const url = new URL(request.url);
    const name = url.searchParams.get('name') ?? '';
    if (!name) throw new BiddingError('缺少文件名', 400);
    const len = Number(request.headers.get('content-length') ?? 'NaN');
    if (Number.isFinite(len) && len > MAX_TENDER_DOCUMENT_BYTES) throw new BiddingError('单个文件不能超过 200 MB', 413);
    const doc = await uploadTenderDocument(actorOf(request, user), user, params.id!, {
      name,
      mime: request.headers.get('content-type') ?? 'application/octet-stream',
      body: request.body,
      amendmentId: url.searchParams.get('amendmentId'),
    });
    return Response.json({ id: doc.id, name: doc.name, size: doc.size, sha256: doc.sha256 }, { status: 201 });
  } catch (e) {
    return jsonError(e);
  }
}
