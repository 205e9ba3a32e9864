// Small HTTP helpers for the trust routes.
import { getPrisma } from '~/db/index.server';
import { hitRateLimit } from '~/modules/auth/rate-limit.server';
import { clientIp } from '~/modules/auth/session.server';

/** Reads at most `cap` bytes of the body; null when it is larger (the rest is not read). */
export async function readBodyCapped(request: Request, cap: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > cap) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** True when this client has made more than `max` requests of `kind` in the current window. */
export async function overLimit(request: Request, kind: string, max: number, windowMs = 60_000): Promise<boolean> {
  const prisma = await getPrisma();
  const n = await hitRateLimit(prisma, `${kind}:ip:${clientIp(request) ?? 'unknown'}`, windowMs);
  return n > max;
}

export function binaryResponse(body: Uint8Array, contentType: string, extra: Record<string, string> = {}) {
  return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'Content-Type': contentType, 'Content-Length': String(body.byteLength), ...extra } });
}
