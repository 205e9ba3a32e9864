// Downloads a tender document, streamed from the content-addressed store: to document holders,
// the agent and supervisors. Each bidder download is counted and logged.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { documentForDownload } from '~/modules/bidding/documents.server';
import { BiddingError } from '~/modules/bidding/errors';
import { attachmentName } from '~/modules/bidding/http.server';
import { openStream } from '~/modules/files/store.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  // Bidders need to hold the documents, agents to own the tender; both are checked in the module.
  const user = await requirePermission(request, 'download:tender-document');
  try {
    const doc = await documentForDownload(actorOf(request, user), user, params.id!, params.docId!);
    return new Response(openStream(doc.sha256), {
      headers: {
        'Content-Type': doc.mime || 'application/octet-stream',
        'Content-Length': String(doc.size),
        'Content-Disposition': attachmentName(doc.name),
        'X-Content-SHA256': doc.sha256,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (e) {
    if (e instanceof BiddingError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
