// One sealed-bid upload: GET its status (the offset to resume from), PUT a chunk at ?offset=N
// (the body is streamed to disk, never buffered whole), POST ?complete to finish and get the receipt.
// In the running server chunk PUTs never reach this route: the HTTP front serves them straight from the
// Node request (app/modules/bidding/upload-http.server.ts); the PUT branch here serves the same
// protocol wherever the app runs without that front (and answers identically).
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { BiddingError } from '~/modules/bidding/errors';
import { jsonError } from '~/modules/bidding/http.server';
import { UPLOAD_CHUNK_BYTES } from '~/modules/bidding/types';
import { appendChunk, completeBidUpload, uploadStatus } from '~/modules/bidding/uploads.server';
import { actorOf, requirePermission } from '~/modules/auth/session.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'submit:bid');
  try {
    return Response.json(await uploadStatus(user, params.id!), { headers: { 'Cache-Control': 'no-store' } });
  } catch (e) {
    return jsonError(e);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, 'submit:bid');
  const url = new URL(request.url);
  try {
    if (request.method === 'PUT') {
      const offset = Number(url.searchParams.get('offset'));
      if (!Number.isSafeInteger(offset) || offset < 0) throw new BiddingError('offset 参数不正确', 400);
      const len = Number(request.headers.get('content-length') ?? 'NaN');
      // A chunk is at most UPLOAD_CHUNK_BYTES (+ slack for clients that round up); the module also
      // caps the bytes at the declared envelope size while streaming.
      if (Number.isFinite(len) && len > UPLOAD_CHUNK_BYTES * 2) throw new BiddingError('分片过大', 413);
      const r = await appendChunk(user, params.id!, offset, request.body, Number.isFinite(len) ? len : undefined);
      return Response.json(r, { status: r.conflict ? 409 : 200 });
    }
    if (request.method === 'POST' && url.searchParams.has('complete')) {
      const r = await completeBidUpload(actorOf(request, user), user, params.id!);
      return Response.json(r);
    }
    return Response.json({ error: '不支持的操作' }, { status: 405 });
  } catch (e) {
    return jsonError(e);
  }
}
