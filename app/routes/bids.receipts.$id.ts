// 投标回执 downloads for the bidder's own organization: ?format=pdf (signed PDF), p7s (the
// platform's detached CMS signature over the PDF) or json (hash, RFC 3161 token, inclusion proof).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { fromBase64 } from '../../crypto/hash';
import { getPrisma } from '~/db/index.server';
import { requirePermission } from '~/modules/auth/session.server';
import { receiptJson } from '~/modules/bidding/receipts.server';
import { openStream } from '~/modules/files/store.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:bid-receipt:own');
  const prisma = await getPrisma();
  const r = await prisma.bidReceipt.findUnique({ where: { id: params.id! } });
  if (!r || r.bidderOrgId !== user.organizationId) throw new Response('回执不存在', { status: 404 });
  const format = new URL(request.url).searchParams.get('format') ?? 'pdf';
  const headers = { 'Cache-Control': 'private, no-store' };
  if (format === 'pdf') {
    return new Response(openStream(r.pdfSha256), { headers: { ...headers, 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${r.receiptNo}.pdf"` } });
  }
  if (format === 'p7s') {
    return new Response(fromBase64(r.pdfSignature) as Uint8Array<ArrayBuffer>, { headers: { ...headers, 'Content-Type': 'application/pkcs7-signature', 'Content-Disposition': `attachment; filename="${r.receiptNo}.pdf.p7s"` } });
  }
  if (format === 'json') {
    const json = await receiptJson(r.id);
    return new Response(JSON.stringify(json, null, 2), { headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="${r.receiptNo}.json"` } });
  }
  throw new Response('不支持的格式', { status: 400 });
}
