// Route helpers: a BiddingError becomes a JSON answer the browser shows as is (Chinese message,
// machine code); anything else is rethrown for the error boundary.
import { BiddingError } from './errors';

export function jsonError(e: unknown): Response {
  if (e instanceof BiddingError) {
    return Response.json({ error: e.message, code: e.code, fieldErrors: e.fieldErrors }, { status: e.status });
  }
  throw e;
}

/** Reads a small JSON body from a path under /api/uploads/ (where the Express 1 MB cap is skipped). */
export async function readSmallJson(request: Request, maxBytes = 256 * 1024): Promise<unknown> {
  const len = Number(request.headers.get('content-length') ?? 'NaN');
  if (!Number.isFinite(len)) throw new BiddingError('需要 Content-Length', 411);
  if (len > maxBytes) throw new BiddingError('请求内容过大', 413);
  const text = await request.text();
  if (text.length > maxBytes) throw new BiddingError('请求内容过大', 413);
  try {
    return JSON.parse(text);
  } catch {
    throw new BiddingError('请求格式不正确', 400);
  }
}

export function attachmentName(name: string) {
  return `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
