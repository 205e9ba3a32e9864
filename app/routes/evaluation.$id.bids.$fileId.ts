// A decrypted bid file (投标文件): PDFs shown in the browser, anything else (or ?download=1) as a
// download. Only the accepted members of this evaluation once it started, supervisors, and the
// tenderer after the evaluation ended; every read is in the audit log (docs/decisions/112).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { actorOf, requirePermission } from '~/modules/auth/session.server';
import { openBidFile } from '~/modules/evaluation/bid-files.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, 'read:evaluation');
  const download = new URL(request.url).searchParams.get('download') === '1';
  const { file, mime, inline, stream } = await openBidFile(actorOf(request, user), user, params.id ?? '', params.fileId ?? '', { download });
  const ascii = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new Response(stream, {
    headers: {
      'Content-Type': mime,
      'Content-Length': String(file.size),
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
      'X-Content-SHA256': file.sha256,
    },
  });
}
