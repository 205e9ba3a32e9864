// Public: the platform's tsa certificate (PEM), for relying parties and `openssl ... -CAfile`.
import { getPlatformPki } from '~/modules/pki/platform.server';

export async function loader() {
  const pki = await getPlatformPki();
  return new Response(pki.tsa.certPem, {
    headers: { 'Content-Type': 'application/x-pem-file', 'Content-Disposition': 'inline; filename="tsa.pem"', 'Cache-Control': 'public, max-age=3600' },
  });
}
