// Downloads of the opening record for participants: the signed PDF (?format=pdf) and the evidence
// package (?format=evidence: a tar of evidence.json, record.pdf and the video chunks; ?format=evidence-json: the JSON alone) that
// `npx tsx crypto/cli.ts record verify --in FILE` checks offline.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '~/modules/auth/session.server';
import { readBytes } from '~/modules/files/store.server';
import { buildOpeningEvidence, evidenceArchive } from '~/modules/opening/record.server';
import { requireSeat } from '~/modules/opening/room.server';
import { OpeningError } from '~/modules/opening/types';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'attend:opening');
  const format = new URL(request.url).searchParams.get('format');
  try {
    const { opening } = await requireSeat(user, params.id ?? '', ['host', 'agent', 'bidder', 'supervisor']);
    if (opening.state !== 'closed' || !opening.recordPdfSha256) return new Response('开标记录尚未发布', { status: 409 });
    const tender = opening.tenderId;
    if (format === 'pdf') {
      return new Response((await readBytes(opening.recordPdfSha256)) as Uint8Array<ArrayBuffer>, {
        headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="opening-record-${tender}.pdf"; filename*=UTF-8''${encodeURIComponent('开标记录')}.pdf` },
      });
    }
    if (format === 'evidence') {
      // evidence.json + record.pdf + video chunks: `tar -xf` then `record verify --in DIR`
      return new Response(await evidenceArchive(opening.id), {
        headers: { 'Content-Type': 'application/x-tar', 'Content-Disposition': `attachment; filename="opening-evidence-${opening.id}.tar"`, 'Cache-Control': 'no-store' },
      });
    }
    if (format === 'evidence-json') {
      const { evidence } = await buildOpeningEvidence(opening.id);
      return new Response(JSON.stringify(evidence), {
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="opening-evidence-${opening.id}.json"` },
      });
    }
    return new Response('format 须为 pdf 或 evidence', { status: 400 });
  } catch (e) {
    if (e instanceof OpeningError) return new Response(e.message, { status: e.status });
    throw e;
  }
}
