// Public: the tender's opening certificate (PEM), published with the notice, so anyone can check
// what bidders encrypt to (openssl x509 -in opening.pem -noout -fingerprint -sha256).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { openingCertificateDer } from '~/modules/bidding/tenders.server';

export async function loader({ params }: LoaderFunctionArgs) {
  const c = await openingCertificateDer(params.id!);
  if (!c) throw new Response('开标证书不存在', { status: 404 });
  return new Response(c.pem, {
    headers: { 'Content-Type': 'application/x-pem-file', 'Content-Disposition': `attachment; filename="opening-${c.code}.pem"`, 'Cache-Control': 'public, max-age=300' },
  });
}
