// Public: the platform CA's current certificate revocation list (DER, RFC 5280).
import { binaryResponse } from '~/modules/pki/http.server';
import { currentCrl } from '~/modules/pki/platform.server';

export async function loader() {
  return binaryResponse(await currentCrl(), 'application/pkix-crl', { 'Content-Disposition': 'attachment; filename="crl.der"', 'Cache-Control': 'public, max-age=60' });
}
