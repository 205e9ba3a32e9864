// Public: the platform's signer certificate (PEM), for relying parties and `openssl ... -CAfile`.
import { getPlatformPki } from '~/modules/pki/platform.server';

export async function loader() {
  const pki = await getPlatformPki();
  return new Response(pki.signer.certPem, {
    headers: { 'Content-Type': 'application/x-pem-file', 'Content-Disposition': 'inline; filename="signer.pem"', 'Cache-Control': 'public, max-age=3600' },
  });
}
